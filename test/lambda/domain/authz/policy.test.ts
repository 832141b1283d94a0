import { arnPrefixOf, routeResource, RoutePolicies } from '../../../../lambda/domain/authz/policy';
import { defineRoute, type RouteDefinition } from '../../../../lambda/shared/route';
import { ROUTES } from '../../../../lambda/routes';
import { TEST_ARN_PREFIX } from '../../../fixtures/authorizer-event';
import { evaluatePolicy } from './policy-evaluator';

const route = (method: RouteDefinition['method'], path: string, access: RouteDefinition['access']) =>
  defineRoute({ id: `${method}${path}`, method, path, handler: 'x/handler.ts', access });

describe('arnPrefixOf', () => {
  it('keeps arn:...:apiId/stage/ of a method ARN', () => {
    expect(arnPrefixOf('arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/GET/api/v1/projects/p-1')).toBe(
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/',
    );
    expect(arnPrefixOf(`${TEST_ARN_PREFIX}DELETE/api/v1/api-keys/k`)).toBe(TEST_ARN_PREFIX);
  });

  it('refuses anything else', () => {
    for (const bad of [
      undefined,
      null,
      42,
      '',
      'nope',
      'arn:aws:execute-api:x',
      'arn:aws:execute-api:x/',
      'arn:x//GET/',
    ]) {
      expect(arnPrefixOf(bad)).toBeUndefined();
    }
  });
});

describe('routeResource', () => {
  it('turns every {param} into *', () => {
    expect(routeResource({ method: 'GET', path: '/api/v1/api-keys/{id}/usage' })).toBe(
      'GET/api/v1/api-keys/*/usage',
    );
    expect(routeResource({ method: 'PUT', path: '/api/v1/a/{x}/b/{y}' })).toBe('PUT/api/v1/a/*/b/*');
  });
});

describe('RoutePolicies', () => {
  it('adds an explicit Deny where an allowed wildcard would also match a deeper route the grant may not call', () => {
    const routes = [
      route('GET', '/api/v1/things/{id}', { roles: ['viewer', 'admin'], scopes: [] }),
      route('GET', '/api/v1/things/{id}/secret', { roles: ['admin'], scopes: [] }),
    ];
    const policies = new RoutePolicies(routes);
    expect(policies.resourcesFor({ roles: ['viewer'], scopes: [] })).toEqual({
      allow: ['GET/api/v1/things/*'],
      deny: ['GET/api/v1/things/*/secret'],
      allowsProtected: true,
    });
    const document = policies.documentFor(TEST_ARN_PREFIX, { roles: ['viewer'], scopes: [] });
    expect(evaluatePolicy(document, `${TEST_ARN_PREFIX}GET/api/v1/things/t-1`)).toBe('allow');
    expect(evaluatePolicy(document, `${TEST_ARN_PREFIX}GET/api/v1/things/t-1/secret`)).toBe('deny');
    expect(policies.resourcesFor({ roles: ['admin'], scopes: [] }).deny).toEqual([]);
  });

  it('proveExact throws when no exact policy exists (a Deny would hide an allowed deeper route)', () => {
    const routes = [
      route('GET', '/api/v1/things/{id}', { roles: ['admin'], scopes: [] }),
      route('GET', '/api/v1/things/{id}/open', { public: true }),
    ];
    expect(() => RoutePolicies.proveExact(routes)).toThrow(
      /no exact authorizer policy for grant "\|" on GET \/api\/v1\/things\/\{id\}\/open/,
    );
    // Built lazily (the authorizer's init), the same grant (no roles, no scopes) throws on first use, never answers.
    const lazy = new RoutePolicies(routes);
    expect(lazy.resourcesFor({ roles: ['admin'], scopes: [] }).allow).toEqual([
      'GET/api/v1/things/*',
      'GET/api/v1/things/*/open',
    ]);
    expect(() => lazy.resourcesFor({ roles: [], scopes: [] })).toThrow(
      /no exact authorizer policy for grant "\|"/,
    );
  });

  it('computes a grant on first use only, and once', () => {
    const policies = new RoutePolicies(ROUTES);
    const viewer = policies.resourcesFor({ roles: ['viewer'], scopes: [] });
    expect(policies.resourcesFor({ roles: ['viewer'], scopes: [] })).toBe(viewer);
    expect(policies.resourcesFor({ roles: ['viewer'], scopes: [] })).toEqual(
      RoutePolicies.proveExact(ROUTES).resourcesFor({ roles: ['viewer'], scopes: [] }),
    );
  });

  it('proves the real manifest exact for every grant and memoizes documents per stage and grant', () => {
    const policies = RoutePolicies.proveExact(ROUTES);
    const grant = { roles: ['editor'], scopes: [] };
    const first = policies.documentFor(TEST_ARN_PREFIX, grant);
    expect(policies.documentFor(TEST_ARN_PREFIX, { roles: ['editor'], scopes: [] })).toBe(first);
    const other = policies.documentFor('arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/', grant);
    expect(other).not.toBe(first);
    expect(JSON.stringify(other)).toContain('/prod/GET/api/v1/projects');
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('keeps every real policy small (API Gateway caches it per credential)', () => {
    const policies = new RoutePolicies(ROUTES);
    const admin = policies.documentFor(TEST_ARN_PREFIX, { roles: ['admin'], scopes: [] });
    expect(JSON.stringify(admin).length).toBeLessThan(8_192);
  });
});
