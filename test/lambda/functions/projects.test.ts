import fc from 'fast-check';
import {
  apiEvent,
  EDITOR_USER,
  VIEWER_USER,
  type AuthorizerContextFixture,
} from '../../fixtures/api-gateway-event';
import { invoke } from '../../fixtures/invoke';
import { startTestDatabase, useDatabaseForHandlers, type TestDatabase } from '../../support/database';

/**
 * The projects handlers end to end: real wrapper, real API Gateway events, real PostgreSQL
 * (embedded PGlite, or TEST_DATABASE_URL). No queue is configured, so events stay in the outbox
 * for the relay, which is what happens when SQS is unreachable.
 */

const ADMIN: AuthorizerContextFixture = {
  principalId: 'admin-1',
  sub: '5f2a1c1e-0000-4000-8000-0000000000aa',
  roles: 'admin',
  scopes: '',
  authType: 'user',
};

let database: TestDatabase;
let handlers: typeof import('./projects-handlers');

beforeAll(async () => {
  database = await startTestDatabase();
  useDatabaseForHandlers(database.connection);
  delete process.env.QUEUE_URL;
  handlers = await import('./projects-handlers');
});

afterAll(async () => {
  await (await import('../../../lambda/shared/db')).closeDb();
  await database.stop();
});

async function count(table: string): Promise<number> {
  const { rows } = await database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

async function create(body: unknown, headers: Record<string, string> = {}, authorizer = EDITOR_USER) {
  return invoke(
    handlers.create,
    apiEvent({
      method: 'POST',
      path: '/api/v1/projects',
      resource: '/api/v1/projects',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      authorizer,
    }),
  );
}

describe('projects over the real wrapper and PostgreSQL', () => {
  test('create returns 201 with location and ETag, stores the row and its outbox event', async () => {
    const before = await count('outbox');
    const response = await create({ name: 'Apollo', description: 'Moon' });
    expect(response.statusCode).toBe(201);
    expect(response.headers.etag).toBe('"v1"');
    expect(response.headers.location).toBe(`/api/v1/projects/${response.json?.id}`);
    expect(response.json).toMatchObject({ name: 'Apollo', description: 'Moon', status: 'draft', version: 1 });
    expect(await count('outbox')).toBe(before + 1);
  });

  test('an Idempotency-Key retry replays the first response and writes nothing', async () => {
    const key = { 'idempotency-key': 'retry-1' };
    const first = await create({ name: 'Gemini' }, key);
    const rows = await count('projects');
    const second = await create({ name: 'Gemini' }, key);
    expect(second.statusCode).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await count('projects')).toBe(rows);
    const reused = await create({ name: 'Mercury' }, key);
    expect(reused.statusCode).toBe(422);
    expect(reused.json?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  test('get returns the ETag the update expects; If-None-Match gives 304', async () => {
    const created = await create({ name: 'Vostok' });
    const id = created.json?.id as string;
    const get = (headers: Record<string, string> = {}) =>
      invoke(
        handlers.get,
        apiEvent({
          path: `/api/v1/projects/${id}`,
          resource: '/api/v1/projects/{id}',
          pathParameters: { id },
          headers,
          authorizer: VIEWER_USER,
        }),
      );
    const first = await get();
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe('"v1"');
    expect(first.headers['cache-control']).toBe('no-store');
    const notModified = await get({ 'if-none-match': '"v1"' });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
  });

  test('update needs If-Match: 428 without, 412 when stale, 200 with the new ETag when current', async () => {
    const created = await create({ name: 'Soyuz' });
    const id = created.json?.id as string;
    const update = (headers: Record<string, string>, body: unknown = { status: 'active' }) =>
      invoke(
        handlers.update,
        apiEvent({
          method: 'PATCH',
          path: `/api/v1/projects/${id}`,
          resource: '/api/v1/projects/{id}',
          pathParameters: { id },
          headers: { 'content-type': 'application/json', ...headers },
          body,
          authorizer: EDITOR_USER,
        }),
      );
    expect((await update({})).statusCode).toBe(428);
    const ok = await update({ 'if-match': '"v1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    const stale = await update({ 'if-match': '"v1"' }, { name: 'Lost update' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json?.code).toBe('PRECONDITION_FAILED');
    const { rows } = await database.pool.query('SELECT name, version FROM projects WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ name: 'Soyuz', version: 2 });
  });

  test('list pages through projects with a cursor', async () => {
    for (const name of ['L-a', 'L-b', 'L-c']) await create({ name });
    const page = async (cursor?: string) =>
      invoke(
        handlers.list,
        apiEvent({
          path: '/api/v1/projects',
          query: { namePrefix: 'L-', sort: 'name', limit: '2', ...(cursor ? { cursor } : {}) },
          authorizer: VIEWER_USER,
        }),
      );
    const first = await page();
    expect(first.statusCode).toBe(200);
    expect((first.json?.items as { name: string }[]).map((p) => p.name)).toEqual(['L-a', 'L-b']);
    const second = await page(first.json?.nextCursor as string);
    expect((second.json?.items as { name: string }[]).map((p) => p.name)).toEqual(['L-c']);
    expect(second.json?.nextCursor).toBeUndefined();
  });

  test('only admins delete: editor 403, admin 204, then 404', async () => {
    const created = await create({ name: 'Skylab' });
    const id = created.json?.id as string;
    const remove = (authorizer: AuthorizerContextFixture) =>
      invoke(
        handlers.remove,
        apiEvent({
          method: 'DELETE',
          path: `/api/v1/projects/${id}`,
          resource: '/api/v1/projects/{id}',
          pathParameters: { id },
          authorizer,
        }),
      );
    expect((await remove(EDITOR_USER)).json?.code).toBe('FORBIDDEN');
    expect((await remove(ADMIN)).statusCode).toBe(204);
    expect((await remove(ADMIN)).statusCode).toBe(404);
  });

  test('a viewer cannot create, and nothing is written', async () => {
    const rows = await count('projects');
    const response = await create({ name: 'Nope' }, {}, VIEWER_USER);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(await count('projects')).toBe(rows);
  });

  test('property: random create bodies never give a 5xx, and rejected ones write nothing', async () => {
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        {
          name: fc.string({ maxLength: 300 }),
          description: fc.option(fc.string({ maxLength: 2100 })),
          status: fc.string(),
        },
        { requiredKeys: [] },
      ),
      fc.string(),
    );
    // Accepted creates are deleted again, so the row count is the same before every case.
    const rows = await count('projects');
    await fc.assert(
      fc.asyncProperty(body, async (candidate) => {
        const response = await create(candidate);
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(response.headers['content-type']).toBe('application/problem+json');
          expect(await count('projects')).toBe(rows);
        } else {
          expect(response.statusCode).toBe(201);
          await database.pool.query('DELETE FROM projects WHERE id = $1', [response.json?.id]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('property: random path ids and update bodies never give a 5xx and never change a row', async () => {
    const created = await create({ name: 'Fixed' });
    const id = created.json?.id as string;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.uuid(), fc.constant(id)),
        fc.anything(),
        fc.string(),
        async (pathId, body, ifMatch) => {
          const response = await invoke(
            handlers.update,
            apiEvent({
              method: 'PATCH',
              path: `/api/v1/projects/${encodeURIComponent(pathId)}`,
              resource: '/api/v1/projects/{id}',
              pathParameters: { id: pathId },
              headers: { 'content-type': 'application/json', 'if-match': ifMatch },
              body,
              authorizer: EDITOR_USER,
            }),
          );
          expect(response.statusCode).toBeLessThan(500);
          expect(response.statusCode).not.toBe(200);
        },
      ),
      { numRuns: 1000 },
    );
    const { rows } = await database.pool.query('SELECT name, version FROM projects WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ name: 'Fixed', version: 1 });
  });

  test('property: random list query strings never give a 5xx; rejected ones are problem+json', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('name', '-createdAt', 'active', '0', '101', '-1', '%00', '../x'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.oneof(fc.string(), fc.constantFrom('status', 'sort', 'limit', 'cursor', 'namePrefix', 'owner')),
          value,
          { maxKeys: 4 },
        ),
        async (query) => {
          const response = await invoke(
            handlers.list,
            apiEvent({ path: '/api/v1/projects', query, authorizer: VIEWER_USER }),
          );
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode !== 200)
            expect(response.headers['content-type']).toBe('application/problem+json');
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('property: random path ids on get and delete never give a 5xx and delete nothing', async () => {
    const rows = await count('projects');
    await fc.assert(
      // Mostly malformed ids (rejected before any query); some well-formed ones reach PostgreSQL.
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: fc.string() }, { weight: 1, arbitrary: fc.uuid() }),
        fc.boolean(),
        async (pathId, useDelete) => {
          const event = apiEvent({
            method: useDelete ? 'DELETE' : 'GET',
            path: `/api/v1/projects/${encodeURIComponent(pathId)}`,
            resource: '/api/v1/projects/{id}',
            pathParameters: { id: pathId },
            authorizer: useDelete ? ADMIN : VIEWER_USER,
          });
          const response = await invoke(useDelete ? handlers.remove : handlers.get, event);
          expect(response.statusCode).toBeLessThan(500);
          expect([200, 204]).not.toContain(response.statusCode);
        },
      ),
      { numRuns: 1000 },
    );
    expect(await count('projects')).toBe(rows);
  });
});
