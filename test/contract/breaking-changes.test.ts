import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MOUNTS, ROUTES } from '../../lambda/routes';
import { loadEnvironmentConfig } from '../../lib/config';
import { breakingChanges } from '../../scripts/openapi/breaking-changes';
import { newestReleasedContract, RELEASED_DIR } from '../../scripts/openapi/released';
import { openApiDocument } from '../../scripts/openapi/document';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const current = openApiDocument(ROUTES, MOUNTS) as Json;
const copy = (): Json => structuredClone(current);
const TODAY = new Date('2026-12-04T00:00:00Z');

describe('the breaking-change gate', () => {
  it('the current contract breaks nothing the last released contract promised', () => {
    const released = newestReleasedContract();
    expect(breakingChanges(released.document, current, new Date())).toEqual([]);
  });

  it('the released contracts are kept in the repo, one file per version', () => {
    const files = readdirSync(RELEASED_DIR).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const document = JSON.parse(readFileSync(path.join(RELEASED_DIR, file), 'utf8')) as Json;
      expect(`${document.info.version}.json`).toBe(file);
    }
  });

  it('reports a removed operation, unless it was deprecated and its sunset has passed', () => {
    const removed = copy();
    delete removed.paths['/api/v1/me'];
    expect(breakingChanges(current, removed, TODAY)).toEqual(['GET /api/v1/me: removed']);

    const released = copy();
    Object.assign(released.paths['/api/v1/me'].get, { deprecated: true, 'x-sunset': '2026-07-01' });
    expect(breakingChanges(released, removed, TODAY)).toEqual([]);
    Object.assign(released.paths['/api/v1/me'].get, { 'x-sunset': '2027-07-01' });
    expect(breakingChanges(released, removed, TODAY)).toEqual(['GET /api/v1/me: removed']);
  });

  it('holds the deprecated example route (GET /whoami) until its sunset, then lets it go', () => {
    const released = newestReleasedContract().document as Json;
    expect(released.paths['/api/v1/whoami'].get).toMatchObject({
      deprecated: true,
      'x-sunset': '2027-06-30',
    });
    const withoutWhoami = copy();
    delete withoutWhoami.paths['/api/v1/whoami'];
    expect(breakingChanges(released, withoutWhoami, TODAY)).toEqual(['GET /api/v1/whoami: removed']);
    expect(breakingChanges(released, withoutWhoami, new Date('2027-06-29T23:59:59Z'))).toEqual([
      'GET /api/v1/whoami: removed',
    ]);
    expect(breakingChanges(released, withoutWhoami, new Date('2027-06-30T00:00:00Z'))).toEqual([]);
    // Past its sunset it may also change; /me, not deprecated, may not.
    const narrowed = copy();
    narrowed.paths['/api/v1/whoami'].get['x-rampart-roles'] = ['admin'];
    narrowed.paths['/api/v1/me'].get['x-rampart-roles'] = ['admin'];
    expect(breakingChanges(released, narrowed, new Date('2027-07-01T00:00:00Z'))).toEqual([
      'GET /api/v1/me: role editor lost access',
      'GET /api/v1/me: role viewer lost access',
    ]);
  });

  it('reports requests that would now be refused: a new required field, a removed field, a tighter bound', () => {
    const changed = copy();
    const body = changed.paths['/api/v1/projects'].post.requestBody.content['application/json'].schema;
    body.required = [...body.required, 'status'];
    body.properties.name.maxLength = 100;
    delete body.properties.description;
    expect(breakingChanges(current, changed, TODAY)).toEqual([
      'POST /api/v1/projects: body.status: new required field',
      'POST /api/v1/projects: body.name: maxLength lowered from 200 to 100',
      'POST /api/v1/projects: body.description: field removed (strict schemas refuse it now)',
    ]);
  });

  it('reports answers that break readers: a removed or optional property, a new enum value, a lost status', () => {
    const changed = copy();
    const get = changed.paths['/api/v1/projects/{id}'].get;
    const project = get.responses['200'].content['application/json'].schema;
    delete project.properties.owner;
    project.required = project.required.filter((name: string) => name !== 'version');
    project.properties.status.enum = [...project.properties.status.enum, 'frozen'];
    delete changed.paths['/api/v1/projects/{id}'].delete.responses['204'];
    expect(breakingChanges(current, changed, TODAY)).toEqual([
      'GET /api/v1/projects/{id}: response 200.version: no longer always present',
      'GET /api/v1/projects/{id}: response 200.status: new value ["frozen"]',
      'GET /api/v1/projects/{id}: response 200.owner: removed',
      'DELETE /api/v1/projects/{id}: response 204: removed',
    ]);
  });

  it('reports callers losing access, and lets additions through', () => {
    const changed = copy();
    changed.paths['/api/v1/projects'].get['x-rampart-roles'] = ['admin', 'editor'];
    changed.paths['/api/v1/health'].get.security = [{ CognitoUser: [] }];
    const body = changed.paths['/api/v1/projects'].post.requestBody.content['application/json'].schema;
    body.properties.tags = { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 5 };
    changed.paths['/api/v1/projects/{id}'].get.responses['200'].content[
      'application/json'
    ].schema.properties.archivedAt = { type: 'string', format: 'date-time', maxLength: 35 };
    expect(breakingChanges(current, changed, TODAY)).toEqual([
      'GET /api/v1/health: now requires credentials',
      'GET /api/v1/projects: role viewer lost access',
    ]);
  });
});

describe('the deprecation policy in the manifest', () => {
  const DAY_MS = 86_400_000;
  it('gives every deprecated route at least 180 days between Deprecation and Sunset, and a link', () => {
    for (const route of ROUTES.filter((candidate) => candidate.deprecation !== undefined)) {
      const { since, sunset, link } = route.deprecation!;
      expect((Date.parse(sunset) - Date.parse(since)) / DAY_MS).toBeGreaterThanOrEqual(180);
      expect(link).toMatch(/^https:\/\//);
    }
  });

  it("links into this repository's rendered docs, so adopting Rampart's docsBaseUrl moves the links too", () => {
    // The link is not config (the wrapper sends it as declared): when prod's alarms.docsBaseUrl
    // changes from the placeholder to the real repository, this fails until each link follows.
    const base = loadEnvironmentConfig('prod').alarms.docsBaseUrl;
    const links = ROUTES.flatMap((route) =>
      route.deprecation?.link !== undefined ? [route.deprecation.link] : [],
    );
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith(`${base}docs/`)).toBe(true);
  });

  it('marks a deprecated operation in the document, with its sunset and the headers it sends', () => {
    const deprecated = openApiDocument(
      ROUTES.map((route) =>
        route.id === 'me'
          ? {
              ...route,
              deprecation: {
                since: '2026-12-01',
                sunset: '2027-06-30',
                link: 'https://docs.rampart.dev/api',
              },
            }
          : route,
      ),
    ) as Json;
    const operation = deprecated.paths['/api/v1/me'].get;
    expect(operation).toMatchObject({ deprecated: true, 'x-sunset': '2027-06-30' });
    expect(Object.keys(operation.responses['200'].headers)).toEqual(
      expect.arrayContaining(['Deprecation', 'Sunset', 'Link']),
    );
    expect(Object.keys(deprecated.components.headers)).toEqual(
      expect.arrayContaining(['Deprecation', 'Sunset', 'DeprecationLink']),
    );
  });
});
