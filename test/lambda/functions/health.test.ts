import { apiEvent, type AuthorizerContextFixture } from '../../fixtures/api-gateway-event';
import { invoke } from '../../fixtures/invoke';
import { startTestDatabase, useDatabaseForHandlers, type TestDatabase } from '../../support/database';
import { propertyRuns } from '../../support/property-runs';

/** Liveness and readiness through the real wrapper, against a real database that we stop and restart. */

const ADMIN: AuthorizerContextFixture = {
  principalId: 'a',
  sub: 'admin-sub',
  roles: 'admin',
  scopes: '',
  authType: 'user',
};

let database: TestDatabase;
let handlers: typeof import('./health-handlers');

beforeAll(async () => {
  database = await startTestDatabase();
  useDatabaseForHandlers(database.connection, {
    DB_CONNECT_TIMEOUT_MS: '300',
    BREAKER_CONSECUTIVE_FAILURES: '2',
    BREAKER_HALF_OPEN_AFTER_MS: '300',
    READINESS_CACHE_MS: '250',
  });
  delete process.env.QUEUE_URL;
  handlers = await import('./health-handlers');
});

afterAll(async () => {
  await (await import('../../../lambda/shared/db')).closeDb();
  await database.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('liveness answers 200 without any dependency', async () => {
  const response = await invoke(handlers.live, apiEvent({ path: '/api/v1/health', authorizer: null }));
  expect(response.statusCode).toBe(200);
  expect(response.json).toEqual({ status: 'ok' });
  expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
});

test('readiness: public callers see only the status; admins see every check', async () => {
  const ready = await invoke(handlers.ready, apiEvent({ path: '/api/v1/health/ready', authorizer: null }));
  // The queue is not configured here, so the service is degraded but still serving.
  expect(ready.statusCode).toBe(200);
  expect(ready.json).toEqual({ status: 'degraded' });

  const details = await invoke(
    handlers.details,
    apiEvent({ path: '/api/v1/health/details', authorizer: ADMIN }),
  );
  expect(details.statusCode).toBe(200);
  expect(details.json).toMatchObject({
    status: 'degraded',
    checks: {
      database: { status: 'ok' },
      queue: { status: 'degraded', detail: 'QUEUE_URL is not set' },
      worker: { status: 'degraded', detail: 'no heartbeat yet' },
    },
  });
  expect(typeof (details.json?.checks as { database: { latencyMs: number } }).database.latencyMs).toBe(
    'number',
  );
});

test('readiness turns 503 when the database goes away and recovers when it returns', async () => {
  await database.goDown();
  await sleep(300); // let the cached healthy answer expire
  const started = Date.now();
  const down = await invoke(handlers.ready, apiEvent({ path: '/api/v1/health/ready', authorizer: null }));
  expect(down.statusCode).toBe(503);
  expect(down.json).toEqual({ status: 'down' });
  // Within twice the probe timeout (1 s), not the Lambda timeout.
  expect(Date.now() - started).toBeLessThan(2_000);

  await database.comeBack();
  await sleep(400); // cache and breaker half-open delay
  const back = await invoke(handlers.ready, apiEvent({ path: '/api/v1/health/ready', authorizer: null }));
  expect(back.json).toEqual({ status: 'degraded' });
});

test('property: random headers and query strings on liveness and readiness never give a 5xx while the database is up', async () => {
  const { default: fc } = await import('fast-check');
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(
        fc.string({ minLength: 1, maxLength: 20 }).filter((n) => /^[a-z-]+$/i.test(n)),
        fc.string({ maxLength: 60 }),
        { maxKeys: 5 },
      ),
      fc.dictionary(
        fc.string({ maxLength: 10 }),
        // fast-check's strings never hold a NUL (U+0000), which the wrapper refuses with a 400.
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.string({ maxLength: 8 }).map((s) => `${s}\u0000`),
        ),
        { maxKeys: 3 },
      ),
      fc.boolean(),
      async (headers, query, ready) => {
        const response = await invoke(
          ready ? handlers.ready : handlers.live,
          apiEvent({
            path: ready ? '/api/v1/health/ready' : '/api/v1/health',
            headers,
            query,
            authorizer: null,
          }),
        );
        expect([200, 400, 413, 415]).toContain(response.statusCode);
        if (response.statusCode >= 400)
          expect(response.headers['content-type']).toBe('application/problem+json');
      },
    ),
    { numRuns: propertyRuns(1000) },
  );
});
