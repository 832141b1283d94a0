import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import fc from 'fast-check';
import { createAccessTokenVerifier } from '../../../../lambda/domain/authz/access-token';
import {
  createAuthorizer,
  credentialOf,
  MAX_TOKEN_LENGTH,
  type AuthorizerObserver,
} from '../../../../lambda/domain/authz/authorizer';
import { RoutePolicies } from '../../../../lambda/domain/authz/policy';
import { ROLES, ROLE_SCOPES, SCOPES } from '../../../../lambda/shared/access';
import { generateApiKey } from '../../../../lambda/shared/api-key-format';
import type { RouteDefinition } from '../../../../lambda/shared/route';
import { ROUTES } from '../../../../lambda/routes';
import {
  authorizerEvent,
  concretePath,
  methodArnFor,
  TEST_ARN_PREFIX,
  TEST_TOKEN_USAGE_KEYS,
} from '../../../fixtures/authorizer-event';
import {
  hs256WithPublicKey,
  LOGIN_CLIENT_ID,
  MACHINE_CLIENT_ID,
  machineAccessToken,
  OTHER_CLIENT_ID,
  signingKey,
  signRs256,
  strangerKey,
  tamperedToken,
  TEST_JWKS,
  TEST_REGION,
  TEST_USER_POOL_ID,
  unsignedToken,
  userAccessClaims,
  userAccessToken,
  userIdToken,
} from '../../../fixtures/tokens';
import { InMemoryApiKeys } from './in-memory-api-keys';
import { evaluatePolicy } from './policy-evaluator';
import { propertyRuns } from '../../../support/property-runs';

const NOW = new Date('2026-06-01T12:00:00Z');
const policies = new RoutePolicies(ROUTES);
const tokens = createAccessTokenVerifier({
  region: TEST_REGION,
  userPoolId: TEST_USER_POOL_ID,
  allowedClientIds: [LOGIN_CLIENT_ID, MACHINE_CLIENT_ID],
  jwks: TEST_JWKS as never,
});

interface Observed {
  refused: { outcome: string; details: Readonly<Record<string, string>> }[];
  failed: { details: Readonly<Record<string, string>>; error: unknown }[];
}

function setup(apiKeys = new InMemoryApiKeys()) {
  const observed: Observed = { refused: [], failed: [] };
  const observer: AuthorizerObserver = {
    refused: (outcome, details) => observed.refused.push({ outcome, details }),
    failed: (details, error) => observed.failed.push({ details, error }),
  };
  const authorize = createAuthorizer({
    tokens,
    tokenUsageKeys: TEST_TOKEN_USAGE_KEYS,
    apiKeys,
    policies,
    observer,
    now: () => NOW,
  });
  return { authorize, apiKeys, observed };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Calls the authorizer for a route and expects API Gateway's 401 convention. */
async function expectUnauthorized(
  headers: Record<string, string> | null,
  reason: string,
  context = setup(),
): Promise<Observed> {
  const { authorize, observed } = context;
  const call = authorize(authorizerEvent({ headers }));
  await expect(call).rejects.toThrow(new Error('Unauthorized'));
  await call.catch((error: unknown) => expect((error as Error).message).toBe('Unauthorized'));
  expect(observed.refused).toEqual([
    { outcome: 'unauthorized', details: expect.objectContaining({ reason }) },
  ]);
  return observed;
}

/** The manifest's answer for a caller: public routes, or a role / scope the route lists. */
function manifestAllows(
  route: RouteDefinition,
  grant: { roles?: readonly string[]; scopes?: readonly string[] },
) {
  if (route.access.public === true) return true;
  const access = route.access;
  return (
    (grant.roles ?? []).some((role) => (access.roles as readonly string[]).includes(role)) ||
    (grant.scopes ?? []).some((scope) => (access.scopes as readonly string[]).includes(scope))
  );
}

function arnOf(route: RouteDefinition): string {
  return methodArnFor(route.method, concretePath(route.path, null));
}

function eventFor(route: RouteDefinition, headers: Record<string, string>) {
  return authorizerEvent({ method: route.method, resource: route.path, headers });
}

/** Asserts that a policy returned for one route answers exactly as the manifest for every route. */
function expectPolicyMatchesManifest(
  result: APIGatewayAuthorizerResult,
  grant: { roles?: readonly string[]; scopes?: readonly string[] },
) {
  const actual = ROUTES.map(
    (route) => `${route.method} ${route.path}: ${evaluatePolicy(result.policyDocument, arnOf(route))}`,
  );
  const expected = ROUTES.map(
    (route) => `${route.method} ${route.path}: ${manifestAllows(route, grant) ? 'allow' : 'deny'}`,
  );
  expect(actual).toEqual(expected);
}

describe('negative matrix: every refusal is 401 Unauthorized (or a 403 Deny), each case on its own', () => {
  it('no credentials at all', async () => {
    await expectUnauthorized({}, 'no-credentials');
  });

  it('no headers map (API Gateway sends null)', async () => {
    await expectUnauthorized(null, 'no-credentials');
  });

  it('garbage bearer token', async () => {
    await expectUnauthorized(bearer('not-a-jwt'), 'malformed');
  });

  it('empty Bearer scheme and unsupported schemes', async () => {
    await expectUnauthorized({ Authorization: 'Bearer' }, 'unsupported-scheme');
    await expectUnauthorized({ Authorization: 'Basic YWRhOnNlY3JldA==' }, 'unsupported-scheme');
  });

  it('alg none with an empty signature', async () => {
    await expectUnauthorized(bearer(unsignedToken()), 'malformed');
  });

  it('alg none with a made-up signature', async () => {
    await expectUnauthorized(bearer(`${unsignedToken()}c2lnbmF0dXJl`), 'bad-algorithm');
  });

  it('HS256 signed with the RSA public key as the HMAC secret (key confusion)', async () => {
    await expectUnauthorized(bearer(hs256WithPublicKey()), 'bad-algorithm');
  });

  it('unknown kid (never a JWKS fetch: the verifier has no network path in verifySync)', async () => {
    await expectUnauthorized(bearer(userAccessToken({ groups: ['admin'], key: strangerKey })), 'unknown-kid');
  });

  it('a trusted kid but signed by another key', async () => {
    const forged = signRs256({ kid: signingKey.kid }, userAccessClaims({ groups: ['admin'] }), strangerKey);
    await expectUnauthorized(bearer(forged), 'bad-signature');
  });

  it('wrong issuer', async () => {
    const token = userAccessToken({
      groups: ['admin'],
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other',
    });
    await expectUnauthorized(bearer(token), 'wrong-issuer');
  });

  it('wrong client (not in the allow-list)', async () => {
    await expectUnauthorized(
      bearer(userAccessToken({ groups: ['admin'], clientId: OTHER_CLIENT_ID })),
      'wrong-client',
    );
  });

  it('machine token of a client outside the allow-list', async () => {
    await expectUnauthorized(bearer(machineAccessToken({ clientId: OTHER_CLIENT_ID })), 'wrong-client');
  });

  it('ID token where an access token is required', async () => {
    await expectUnauthorized(bearer(userIdToken({ groups: ['admin'] })), 'wrong-token-use');
  });

  it('expired token', async () => {
    await expectUnauthorized(bearer(userAccessToken({ groups: ['admin'], expiresIn: -1 })), 'expired');
  });

  it('not-yet-valid token (nbf in the future)', async () => {
    const token = userAccessToken({ groups: ['admin'], notBefore: Math.floor(Date.now() / 1000) + 300 });
    await expectUnauthorized(bearer(token), 'not-yet-valid');
  });

  it('tampered payload (viewer promoted to admin, signature kept)', async () => {
    const token = tamperedToken(userAccessToken({ groups: ['viewer'] }), { 'cognito:groups': ['admin'] });
    await expectUnauthorized(bearer(token), 'bad-signature');
  });

  it('a token longer than any Cognito token is refused before parsing', async () => {
    await expectUnauthorized(bearer('a'.repeat(MAX_TOKEN_LENGTH + 1)), 'token-too-long');
  });

  it('an x-api-key header is not a credential: it is not an identity source, so it is never read', async () => {
    for (const headers of [{}, { Authorization: 'ApiKey' }] as Record<string, string>[]) {
      const context = setup();
      const { key } = context.apiKeys.add({ scopes: ['rampart/read'] });
      await expectUnauthorized({ ...headers, 'x-api-key': key }, 'no-credentials', context);
      expect(context.apiKeys.lookedUp).toEqual([]);
    }
  });

  it('malformed API key: refused by its checksum without a lookup', async () => {
    const context = setup();
    const { key } = generateApiKey();
    const typo = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    await expectUnauthorized({ Authorization: `ApiKey ${typo}` }, 'malformed-key', context);
    expect(context.apiKeys.lookedUp).toEqual([]);
  });

  it('unknown API key', async () => {
    await expectUnauthorized({ Authorization: `ApiKey ${generateApiKey().key}` }, 'unknown-key');
  });

  it('revoked API key', async () => {
    const context = setup();
    const { key } = context.apiKeys.add({ status: 'revoked' });
    await expectUnauthorized({ Authorization: `ApiKey ${key}` }, 'revoked', context);
  });

  it('expired API key (at its expiry instant)', async () => {
    const context = setup();
    const { key } = context.apiKeys.add({ expiresAt: NOW });
    await expectUnauthorized({ Authorization: `ApiKey ${key}` }, 'expired', context);
  });

  it('rotated key after its grace period', async () => {
    const context = setup();
    const { key } = context.apiKeys.add({ status: 'grace', graceEndsAt: new Date(NOW.getTime() - 1) });
    await expectUnauthorized({ Authorization: `ApiKey ${key}` }, 'grace-ended', context);
  });

  it('grace key without an end date', async () => {
    const context = setup();
    const { key } = context.apiKeys.add({ status: 'grace' });
    await expectUnauthorized({ Authorization: `ApiKey ${key}` }, 'grace-ended', context);
  });

  it('key store failure: 401 (never 500) and reported as a failure, with the key prefix only', async () => {
    const failing = new InMemoryApiKeys();
    failing.findByHash = () => Promise.reject(new Error('connection terminated'));
    const context = setup(failing);
    const { key } = generateApiKey();
    await expect(
      context.authorize(authorizerEvent({ headers: { Authorization: `ApiKey ${key}` } })),
    ).rejects.toThrow(new Error('Unauthorized'));
    expect(context.observed.failed).toHaveLength(1);
    expect(context.observed.failed[0].details).toEqual({
      reason: 'key-lookup-failed',
      authType: 'apiKey',
      keyPrefix: key.slice(0, 12),
    });
    expect(JSON.stringify(context.observed)).not.toContain(key);
  });

  it('key asking for scopes its owner lacks now: explicit Deny for everything (403)', async () => {
    const { authorize, apiKeys, observed } = setup();
    const { key, record } = apiKeys.add({
      scopes: ['rampart/read', 'rampart/write'],
      ownerScopes: ROLE_SCOPES.viewer,
    });
    const result = await authorize(authorizerEvent({ headers: { Authorization: `ApiKey ${key}` } }));
    expect(result.policyDocument.Statement).toEqual([
      { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${TEST_ARN_PREFIX}*` },
    ]);
    expect(result.usageIdentifierKey).toBeUndefined();
    for (const route of ROUTES) expect(evaluatePolicy(result.policyDocument, arnOf(route))).toBe('deny');
    expect(observed.refused).toEqual([
      {
        outcome: 'forbidden',
        details: { reason: 'scope-exceeds-owner', authType: 'apiKey', apiKeyId: record.id },
      },
    ]);
  });

  it('a user in no known group: explicit Deny on every protected route (403)', async () => {
    const { authorize, observed } = setup();
    const result = await authorize(
      authorizerEvent({ headers: bearer(userAccessToken({ groups: ['hackers'] })) }),
    );
    const deny = result.policyDocument.Statement.find((statement) => statement.Effect === 'Deny');
    expect(deny).toBeDefined();
    expectPolicyMatchesManifest(result, { roles: [] });
    expect(observed.refused).toEqual([
      { outcome: 'forbidden', details: { reason: 'no-route-allowed', authType: 'user' } },
    ]);
  });

  it('a malformed methodArn', async () => {
    const { authorize } = setup();
    const event = {
      ...authorizerEvent({ headers: bearer(userAccessToken({ groups: ['admin'] })) }),
      methodArn: 'nope',
    };
    await expect(authorize(event)).rejects.toThrow(new Error('Unauthorized'));
  });

  it('an unexpected error inside verification is a 401 with a logged reason, not a 500', async () => {
    const observed: Observed = { refused: [], failed: [] };
    const authorize = createAuthorizer({
      tokenUsageKeys: TEST_TOKEN_USAGE_KEYS,
      tokens: {
        verify: () => {
          throw new TypeError('boom');
        },
      },
      apiKeys: new InMemoryApiKeys(),
      policies,
      observer: {
        refused: (outcome, details) => observed.refused.push({ outcome, details }),
        failed: (details, error) => observed.failed.push({ details, error }),
      },
    });
    await expect(authorize(authorizerEvent({ headers: bearer('a.b.c') }))).rejects.toThrow(
      new Error('Unauthorized'),
    );
    expect(observed.failed.map((entry) => entry.details)).toEqual([{ reason: 'unexpected-error' }]);
  });
});

describe('positive matrix: users, every role x every route, driven by the manifest', () => {
  const roleSets: readonly (readonly string[])[] = [...ROLES.map((role) => [role]), ['editor', 'viewer'], []];

  describe.each(roleSets.map((roles) => [roles.join('+') || '(no role)', roles] as const))(
    'role %s',
    (_, roles) => {
      it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
        'the policy returned on %s is right for every route',
        async (_name, routeA) => {
          const { authorize } = setup();
          const token = userAccessToken({ groups: [...roles, 'not-a-role'] });
          const result = await authorize(eventFor(routeA, bearer(token)));
          expectPolicyMatchesManifest(result, { roles });
        },
      );
    },
  );

  it('context: sub, known roles in ROLES order (comma list), empty scopes, authType user; strings only', async () => {
    const { authorize } = setup();
    const token = userAccessToken({ sub: 'user-sub-1', groups: ['viewer', 'root', 'editor'] });
    const result = await authorize(authorizerEvent({ headers: bearer(token) }));
    expect(result.principalId).toBe('user-sub-1');
    expect(result.context).toEqual({
      sub: 'user-sub-1',
      roles: 'editor,viewer',
      scopes: '',
      authType: 'user',
      // Every principal key, for the principal headers of HTTP backend mounts.
      apiKeyId: '',
    });
    // Every authorized method requires an API key: users are metered under their kind's key.
    expect(result.usageIdentifierKey).toBe(TEST_TOKEN_USAGE_KEYS.user);
  });

  it('machine tokens get the client kind usage key', async () => {
    const { authorize } = setup();
    const result = await authorize(
      authorizerEvent({ headers: bearer(machineAccessToken({ scopes: ['rampart/read'] })) }),
    );
    expect(result.context?.authType).toBe('client');
    expect(result.usageIdentifierKey).toBe(TEST_TOKEN_USAGE_KEYS.client);
  });

  it('every Allow resource is an execute-api ARN under the event stage prefix, with {param} as *', async () => {
    const { authorize } = setup();
    const result = await authorize(
      authorizerEvent({ headers: bearer(userAccessToken({ groups: ['admin'] })) }),
    );
    const resources = result.policyDocument.Statement.flatMap((statement) =>
      'Resource' in statement ? [statement.Resource ?? []].flat() : [],
    );
    expect(resources).toContain(`${TEST_ARN_PREFIX}GET/api/v1/projects/*`);
    expect(resources).toContain(`${TEST_ARN_PREFIX}PUT/api/v1/users/*/roles`);
    for (const resource of resources) expect(resource.startsWith(TEST_ARN_PREFIX)).toBe(true);
  });
});

const scopeSets: readonly (readonly string[])[] = [...SCOPES.map((scope) => [scope]), [...SCOPES]];

describe('positive matrix: machine tokens, scopes x routes', () => {
  describe.each(scopeSets.map((scopes) => [scopes.join(' '), scopes] as const))('scopes %s', (_, scopes) => {
    it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
      'the policy returned on %s is right for every route',
      async (_name, routeA) => {
        const { authorize } = setup();
        const token = machineAccessToken({ scopes: [...scopes, 'aws.cognito.signin.user.admin'] });
        const result = await authorize(eventFor(routeA, bearer(token)));
        expectPolicyMatchesManifest(result, { scopes });
      },
    );
  });

  it('context: sub = client id, known scopes (space list), authType client', async () => {
    const { authorize } = setup();
    const result = await authorize(
      authorizerEvent({
        headers: bearer(machineAccessToken({ scopes: ['rampart/write', 'other/x', 'rampart/read'] })),
      }),
    );
    expect(result.principalId).toBe(MACHINE_CLIENT_ID);
    expect(result.context).toEqual({
      sub: MACHINE_CLIENT_ID,
      roles: '',
      scopes: 'rampart/read rampart/write',
      authType: 'client',
      // Every principal key, for the principal headers of HTTP backend mounts.
      apiKeyId: '',
    });
  });
});

describe('positive matrix: API keys, scopes x routes', () => {
  describe.each(scopeSets.map((scopes) => [scopes.join(' '), scopes] as const))('scopes %s', (_, scopes) => {
    it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
      'the policy returned on %s is right for every route',
      async (_name, routeA) => {
        const { authorize, apiKeys } = setup();
        const { key } = apiKeys.add({ scopes });
        const result = await authorize(eventFor(routeA, { Authorization: `ApiKey ${key}` }));
        expectPolicyMatchesManifest(result, { scopes });
      },
    );
  });

  it('context and usageIdentifierKey: the key id as sub and principal, owner, scopes, tier', async () => {
    const { authorize, apiKeys } = setup();
    const { key, record } = apiKeys.add({ scopes: ['rampart/write', 'rampart/read'], tier: 'premium' });
    const result = await authorize(authorizerEvent({ headers: { authorization: `ApiKey ${key}` } }));
    expect(result.principalId).toBe(record.id);
    expect(result.usageIdentifierKey).toBe(record.usageIdentifierKey);
    expect(result.context).toEqual({
      sub: record.id,
      ownerSub: record.ownerSub,
      roles: '',
      scopes: 'rampart/read rampart/write',
      authType: 'apiKey',
      apiKeyId: record.id,
      tier: 'premium',
    });
    for (const value of Object.values(result.context ?? {})) expect(typeof value).toBe('string');
  });

  it('a grace key before its end and an unexpired key are accepted', async () => {
    const { authorize, apiKeys } = setup();
    const grace = apiKeys.add({ status: 'grace', graceEndsAt: new Date(NOW.getTime() + 1) });
    const expiring = apiKeys.add({ expiresAt: new Date(NOW.getTime() + 1) });
    for (const { key } of [grace, expiring]) {
      const result = await authorize(authorizerEvent({ headers: { Authorization: `ApiKey ${key}` } }));
      expect(evaluatePolicy(result.policyDocument, methodArnFor('GET', '/api/v1/projects'))).toBe('allow');
    }
  });
});

describe('credentialOf', () => {
  it('reads the one Authorization value: Bearer or ApiKey, nothing else', () => {
    const { key } = generateApiKey();
    const one = (value: string) => ({ headers: { Authorization: value } });
    expect(credentialOf({ headers: { authorization: 'bearer abc' } })).toEqual({
      kind: 'bearer',
      token: 'abc',
    });
    expect(credentialOf(one(`ApiKey ${key}`))).toEqual({ kind: 'apiKey', key });
    expect(credentialOf(one(`apikey   ${key} `))).toEqual({ kind: 'apiKey', key });
    expect(credentialOf(one('ApiKey'))).toEqual({ kind: 'none' });
    expect(credentialOf(one('   '))).toEqual({ kind: 'none' });
    expect(credentialOf(one('Basic dXNlcjpwYXNz'))).toEqual({ kind: 'unsupported-scheme' });
    expect(credentialOf({ headers: { 'x-api-key': key } })).toEqual({ kind: 'none' });
    expect(credentialOf({ headers: null, multiValueHeaders: null })).toEqual({ kind: 'none' });
  });

  it('refuses two Authorization values, equal or not, in any spelling (API Gateway keeps the last in headers)', () => {
    const { key } = generateApiKey();
    const twice = (values: string[]) => ({
      headers: { Authorization: values[values.length - 1] },
      multiValueHeaders: { Authorization: values },
    });
    expect(credentialOf(twice(['Bearer a', `ApiKey ${key}`]))).toEqual({ kind: 'ambiguous' });
    expect(credentialOf(twice([`ApiKey ${key}`, `ApiKey ${key}`]))).toEqual({ kind: 'ambiguous' });
    expect(credentialOf(twice(['', 'Bearer a']))).toEqual({ kind: 'ambiguous' });
    expect(
      credentialOf({
        headers: { authorization: 'Bearer b' },
        multiValueHeaders: { Authorization: ['Bearer a'], authorization: ['Bearer b'] },
      }),
    ).toEqual({ kind: 'ambiguous' });
    expect(credentialOf({ headers: { Authorization: 'Bearer a', AUTHORIZATION: 'Bearer b' } })).toEqual({
      kind: 'ambiguous',
    });
  });
});

describe('property: random headers never produce anything but Allow/Deny or Unauthorized', () => {
  const apiKeys = new InMemoryApiKeys();
  const stored = [
    apiKeys.add({ scopes: ['rampart/read'] }).key,
    apiKeys.add({ status: 'revoked' }).key,
    apiKeys.add({ scopes: ['rampart/admin'], ownerScopes: [] }).key,
  ];
  const validTokens = [
    userAccessToken({ groups: ['editor'] }),
    machineAccessToken({ scopes: ['rampart/write'] }),
    userIdToken(),
    hs256WithPublicKey(),
  ];
  const { authorize } = setup(apiKeys);
  const credentialValue = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(...validTokens).map((token) => `Bearer ${token}`),
    fc
      .constantFrom(...validTokens)
      .chain((token) =>
        fc.nat(token.length - 1).map((index) => `Bearer ${token.slice(0, index)}${token.slice(index + 1)}`),
      ),
    fc.constantFrom(...stored).map((key) => `ApiKey ${key}`),
    fc.string().map((text) => `Bearer ${text}`),
    fc.string().map((text) => `ApiKey ${text}`),
  );
  const headerName = fc.oneof(
    fc.constantFrom('Authorization', 'authorization', 'x-api-key', 'X-API-Key'),
    fc.string(),
  );
  const headers = fc.dictionary(headerName, fc.oneof(credentialValue, fc.constantFrom(...stored)), {
    maxKeys: 4,
  });
  const route = fc.constantFrom(...ROUTES);

  it('holds for 1000 random requests', async () => {
    await fc.assert(
      fc.asyncProperty(headers, route, async (randomHeaders, routeA) => {
        try {
          const result = await authorize(eventFor(routeA, randomHeaders));
          expect(typeof result.principalId).toBe('string');
          expect(result.policyDocument.Statement.length).toBeGreaterThan(0);
          for (const value of Object.values(result.context ?? {})) expect(typeof value).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toBe('Unauthorized');
        }
      }),
      { numRuns: propertyRuns(1000) },
    );
  });
});
