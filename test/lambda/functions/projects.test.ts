import fc from 'fast-check';
import {
  apiEvent,
  EDITOR_USER,
  VIEWER_USER,
  type AuthorizerContextFixture,
} from '../../fixtures/api-gateway-event';
import { invoke } from '../../fixtures/invoke';
import { publicStatus } from '../../fixtures/test-routes';
import { api } from '../../../lambda/shared/http/api';
import { startTestDatabase, useDatabaseForHandlers, type TestDatabase } from '../../support/database';
import { propertyRuns } from '../../support/property-runs';

/**
 * The projects handlers end to end: real wrapper, real API Gateway events, real PostgreSQL
 * (the run's server or TEST_DATABASE_URL's; PGlite with TEST_DATABASE=pglite). No queue is configured, so
 * events stay in the outbox for the relay, which is what happens when SQS is unreachable.
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

/** Strings holding a NUL (U+0000), which PostgreSQL refuses in text: fast-check's strings never do. */
const withNul = fc
  .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
  .map(([before, after]) => `${before}\u0000${after}`);

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

  test('every 412 on an existing project carries its current ETag (stale, weak or malformed If-Match; PATCH and DELETE)', async () => {
    const id = (await create({ name: 'Etagged' })).json?.id as string;
    const event = (method: 'PATCH' | 'DELETE', ifMatch: string) =>
      apiEvent({
        method,
        path: `/api/v1/projects/${id}`,
        resource: '/api/v1/projects/{id}',
        pathParameters: { id },
        headers:
          method === 'PATCH'
            ? { 'content-type': 'application/json', 'if-match': ifMatch }
            : { 'if-match': ifMatch },
        body: method === 'PATCH' ? { name: 'Renamed' } : undefined,
        authorizer: method === 'PATCH' ? EDITOR_USER : ADMIN,
      });
    expect((await invoke(handlers.update, event('PATCH', '"v1"'))).headers.etag).toBe('"v2"');
    const rows = await count('projects');
    for (const ifMatch of ['"v1"', '"v1", "v7"', 'W/"v2"', 'v2', '"v2', 'garbage']) {
      for (const [method, handler] of [
        ['PATCH', handlers.update],
        ['DELETE', handlers.remove],
      ] as const) {
        const response = await invoke(handler, event(method, ifMatch));
        expect([method, ifMatch, response.statusCode]).toEqual([method, ifMatch, 412]);
        expect(response.headers['content-type']).toBe('application/problem+json');
        expect(response.json?.code).toBe('PRECONDITION_FAILED');
        expect(response.headers.etag).toBe('"v2"');
        expect(response.headers['cache-control']).toBe('no-store');
      }
    }
    expect(await count('projects')).toBe(rows);
    const { rows: stored } = await database.pool.query('SELECT name, version FROM projects WHERE id = $1', [
      id,
    ]);
    expect(stored[0]).toEqual({ name: 'Renamed', version: 2 });
    // The ETag from the 412 is the one to send: the retry succeeds.
    const retried = await invoke(handlers.update, event('PATCH', '"v2"'));
    expect(retried.statusCode).toBe(200);
    expect(retried.headers.etag).toBe('"v3"');
  });

  test('a 412-worthy If-Match on a project that does not exist is 404, without an ETag', async () => {
    const id = '5f2a1c1e-0000-4000-8000-00000000beef';
    for (const ifMatch of ['"v1"', 'garbage']) {
      const response = await invoke(
        handlers.update,
        apiEvent({
          method: 'PATCH',
          path: `/api/v1/projects/${id}`,
          resource: '/api/v1/projects/{id}',
          pathParameters: { id },
          headers: { 'content-type': 'application/json', 'if-match': ifMatch },
          body: { name: 'x' },
          authorizer: EDITOR_USER,
        }),
      );
      expect(response.statusCode).toBe(404);
      expect(response.headers.etag).toBeUndefined();
    }
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

  describe('NUL (U+0000), which PostgreSQL cannot store in text, is a 400 everywhere and writes nothing', () => {
    const NUL = '\u0000';

    async function rowsDigest(): Promise<string> {
      const { rows } = await database.pool.query<{ digest: string }>(
        `SELECT (SELECT count(*) FROM projects) || '/' || (SELECT count(*) FROM outbox) || '/' ||
                (SELECT coalesce(sum(version), 0) FROM projects) || '/' ||
                (SELECT count(*) FROM idempotency_keys) AS digest`,
      );
      return rows[0].digest;
    }

    function expectRefused(response: Awaited<ReturnType<typeof invoke>>, field: string): void {
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.json).toMatchObject({
        code: 'UNSAFE_INPUT',
        errors: [{ field, message: expect.stringContaining('NUL') }],
      });
    }

    test('create: in name or description, with or without an Idempotency-Key', async () => {
      const before = await rowsDigest();
      expectRefused(await create({ name: `a${NUL}b` }), 'body.name');
      expectRefused(await create({ name: 'ok', description: `x${NUL}` }), 'body.description');
      // The raw wire form, as a client sends it.
      expectRefused(await create('{"name":"a\\u0000b"}', { 'idempotency-key': 'nul-1' }), 'body.name');
      expect(await rowsDigest()).toBe(before);
    });

    test('update (PATCH with the current If-Match): in name or description; the row keeps its version', async () => {
      const id = (await create({ name: 'Nul-target', description: 'kept' })).json?.id as string;
      const before = await rowsDigest();
      for (const [body, field] of [
        [{ description: `x${NUL}y` }, 'body.description'],
        [{ name: NUL }, 'body.name'],
      ] as const) {
        const response = await invoke(
          handlers.update,
          apiEvent({
            method: 'PATCH',
            path: `/api/v1/projects/${id}`,
            resource: '/api/v1/projects/{id}',
            pathParameters: { id },
            headers: { 'content-type': 'application/json', 'if-match': '"v1"' },
            body,
            authorizer: EDITOR_USER,
          }),
        );
        expectRefused(response, field);
      }
      expect(await rowsDigest()).toBe(before);
      const { rows } = await database.pool.query(
        'SELECT name, description, version FROM projects WHERE id = $1',
        [id],
      );
      expect(rows[0]).toEqual({ name: 'Nul-target', description: 'kept', version: 1 });
    });

    test('path id on get, update and delete', async () => {
      const before = await rowsDigest();
      const id = `5f2a1c1e-0000-4000-8000-${NUL}00000000001`;
      const event = (method: string, authorizer: AuthorizerContextFixture, body?: unknown) =>
        apiEvent({
          method,
          path: `/api/v1/projects/${encodeURIComponent(id)}`,
          resource: '/api/v1/projects/{id}',
          pathParameters: { id },
          headers:
            body === undefined
              ? { 'if-match': '"v1"' }
              : { 'content-type': 'application/json', 'if-match': '"v1"' },
          body,
          authorizer,
        });
      expectRefused(await invoke(handlers.get, event('GET', VIEWER_USER)), 'path.id');
      expectRefused(await invoke(handlers.update, event('PATCH', EDITOR_USER, { name: 'x' })), 'path.id');
      expectRefused(await invoke(handlers.remove, event('DELETE', ADMIN)), 'path.id');
      expect(await rowsDigest()).toBe(before);
    });

    test('list: in a query value, and inside a forged cursor', async () => {
      const list = (query: Record<string, string>) =>
        invoke(handlers.list, apiEvent({ path: '/api/v1/projects', query, authorizer: VIEWER_USER }));
      expectRefused(await list({ owner: `a${NUL}` }), 'query.owner');
      expectRefused(await list({ namePrefix: NUL }), 'query.namePrefix');
      // A cursor is base64url, so the sanitizer cannot see the NUL; the cursor decoder refuses it.
      const cursor = Buffer.from(
        JSON.stringify({
          v: 1,
          f: 'name',
          d: 'asc',
          k: `a${NUL}`,
          i: '5f2a1c1e-0000-4000-8000-000000000001',
        }),
      ).toString('base64url');
      const forged = await list({ sort: 'name', cursor });
      expect(forged.statusCode).toBe(400);
      expect(forged.json?.errors).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
    });

    test.each([
      ['22021', 'SELECT $1::text AS v', `a${NUL}b`, 'UNSAFE_INPUT'],
      ['22P02', 'SELECT $1::uuid AS v', 'not-a-uuid', 'VALIDATION_FAILED'],
      ['22003', 'SELECT $1::integer AS v', '99999999999', 'VALIDATION_FAILED'],
      ['22008', 'SELECT $1::timestamptz AS v', '2024-02-30T00:00:00Z', 'VALIDATION_FAILED'],
      ['22026', `SELECT $1::bit(3) & B'11' AS v`, '111', 'VALIDATION_FAILED'],
      ['22021', 'INSERT INTO projects (name, owner_sub) VALUES ($1, $1)', `n${NUL}`, 'UNSAFE_INPUT'],
    ])(
      'the error handler net: SQLSTATE %s (%s) from the real driver and database is a 400, not a 500',
      async (sqlState, sql, value, code) => {
        const db = database.createDb();
        const before = await rowsDigest();
        let raised: unknown;
        const handler = api(publicStatus, async () => {
          try {
            await db.transaction(async (tx) => {
              // A first write in the same transaction: the refusal must roll it back.
              await tx.query(`INSERT INTO projects (name, owner_sub) VALUES ('half-written', 'o')`);
              await tx.query(sql, [value]);
            });
          } catch (error) {
            raised = error;
            throw error;
          }
          return { status: 200, body: {} };
        });
        const response = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
        expect((raised as { code?: string }).code).toBe(sqlState);
        expect(response.statusCode).toBe(400);
        expect(response.json?.code).toBe(code);
        expect(response.body).not.toContain(String((raised as Error).message));
        expect(await rowsDigest()).toBe(before);
      },
    );
  });

  test('property: random create bodies never give a 5xx, and rejected ones write nothing', async () => {
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        {
          name: fc.oneof(fc.string({ maxLength: 300 }), withNul),
          description: fc.option(fc.oneof(fc.string({ maxLength: 2100 }), withNul)),
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
      { numRuns: propertyRuns(1000) },
    );
  });

  test('property: random path ids and update bodies never give a 5xx and never change a row', async () => {
    const created = await create({ name: 'Fixed' });
    const id = created.json?.id as string;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.uuid(), fc.constant(id), withNul),
        fc.oneof(
          fc.anything(),
          // Would be a valid change but for the NUL, so with `"v1"` it gets as far as it can.
          fc.record(
            { name: fc.oneof(fc.string(), withNul), description: withNul, status: fc.constant('active') },
            { requiredKeys: ['description'] },
          ),
        ),
        fc.oneof(fc.string(), fc.constant('"v1"')),
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
      { numRuns: propertyRuns(1000) },
    );
    const { rows } = await database.pool.query('SELECT name, version FROM projects WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ name: 'Fixed', version: 1 });
  });

  test('property: random list query strings never give a 5xx; rejected ones are problem+json', async () => {
    const value = fc.oneof(
      fc.string(),
      withNul,
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
      { numRuns: propertyRuns(1000) },
    );
  });

  test('property: random path ids on get and delete never give a 5xx and delete nothing', async () => {
    const rows = await count('projects');
    await fc.assert(
      // Mostly malformed ids (rejected before any query); some well-formed ones reach PostgreSQL.
      fc.asyncProperty(
        fc.oneof(
          { weight: 5, arbitrary: fc.string() },
          { weight: 1, arbitrary: fc.uuid() },
          { weight: 1, arbitrary: withNul },
        ),
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
      { numRuns: propertyRuns(1000) },
    );
    expect(await count('projects')).toBe(rows);
  });
});
