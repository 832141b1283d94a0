import type { PoolClient } from 'pg';
import { AppError } from '../../../../lambda/shared/errors';
import { metrics } from '../../../../lambda/shared/powertools';
import { DependencyBreaker } from '../../../../lambda/shared/breaker';
import { createDb } from '../../../../lambda/shared/db/client';
import { poolConfig } from '../../../../lambda/shared/db/pool';
import { readDbConfig } from '../../../../lambda/shared/db/config';
import { startTestDatabase } from '../../../support/database';
import type { TestDatabase } from '../../../support/database';

let database: TestDatabase;

beforeAll(async () => {
  database = await startTestDatabase();
  console.log(`[${database.kind}] database ready in ${database.startupMs.toFixed(0)} ms`);
  await database.pool.query('CREATE TABLE IF NOT EXISTS client_test (id int PRIMARY KEY, note text)');
});
afterAll(() => database.stop());
afterEach(() => jest.restoreAllMocks());

/** Makes the next checked-out connection dead, like a socket closed while Lambda was frozen. */
function killNextCheckout(): void {
  database.pool.once('acquire', (client: PoolClient) => {
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  });
}

describe('Db.query', () => {
  it('runs parameterized statements and returns rows', async () => {
    const db = database.createDb();
    const { rows } = await db.query<{ sum: number }>('SELECT $1::int + $2::int AS sum', [2, 3]);
    expect(rows).toEqual([{ sum: 5 }]);
  });

  it('publishes acquire time and pool statistics as metrics', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    await database.createDb().query('SELECT 1');
    const names = addMetric.mock.calls.map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining(['DbAcquireTime', 'DbPoolTotal', 'DbPoolIdle', 'DbPoolWaiting']),
    );
  });

  it('retries a read once on a fresh connection when the pooled socket is dead', async () => {
    const db = database.createDb();
    killNextCheckout();
    const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
  });

  it('does not replay a write on a dead socket: it fails with DEPENDENCY_UNAVAILABLE and writes nothing', async () => {
    const db = database.createDb();
    killNextCheckout();
    await expect(db.query('INSERT INTO client_test (id) VALUES (1)')).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
    });
    expect((await db.query('SELECT 1 FROM client_test WHERE id = 1')).rowCount).toBe(0);
  });

  it('retries a transaction whose BEGIN met a dead socket', async () => {
    const db = database.createDb();
    killNextCheckout();
    await db.transaction((tx) => tx.query('INSERT INTO client_test (id) VALUES (2)'));
    expect((await db.query('SELECT 1 FROM client_test WHERE id = 2')).rowCount).toBe(1);
  });

  it('cancels an in-flight statement on abort: rejects with TIMEOUT at once and drops the connection', async () => {
    const db = database.createDb();
    await db.query('SELECT 1'); // a warm pooled connection
    const started = performance.now();
    const slow = db.query('SELECT pg_sleep(1.5)', [], { signal: AbortSignal.timeout(150) });
    await expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    // The aborted connection is not reused; the next statement gets a working one.
    const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
  });

  it('rejects before touching the database when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      database.createDb().query('SELECT 1', [], { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });
});

describe('Db.transaction', () => {
  it('commits on success and rolls back everything when the function throws', async () => {
    const db = database.createDb();
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO client_test (id, note) VALUES (10, $1)', ['kept']);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO client_test (id, note) VALUES (11, $1)', ['lost']);
        throw new AppError('CONFLICT');
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const { rows } = await db.query('SELECT id FROM client_test WHERE id IN (10, 11) ORDER BY id');
    expect(rows).toEqual([{ id: 10 }]);
  });
});

describe('database outage and the breaker', () => {
  it('fails fast, opens the breaker (503 + Retry-After), and recovers when the database returns', async () => {
    const breaker = new DependencyBreaker('database', { consecutiveFailures: 3, halfOpenAfterMs: 400 });
    const db = createDb({ pool: database.pool, breaker });
    await db.query('SELECT 1');

    await database.goDown();
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      await expect(db.query('SELECT 1')).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
        status: 503,
      });
      expect(performance.now() - started).toBeLessThan(2000);
    }
    expect(breaker.state).toBe('open');

    const started = performance.now();
    const rejected = await db.query('SELECT 1').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(50); // no connection attempt while open
    expect(rejected).toBeInstanceOf(AppError);
    expect(rejected).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503, retryAfterSeconds: 1 });
    expect(breaker.snapshot()).toMatchObject({ name: 'database', state: 'open', retryAfterSeconds: 1 });

    await database.comeBack();
    await new Promise((resolve) => setTimeout(resolve, 450));
    const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
    expect(breaker.snapshot()).toEqual({ name: 'database', state: 'closed', retryAfterSeconds: 0 });
  });

  it('does not count client errors (unique violations) against the breaker', async () => {
    const breaker = new DependencyBreaker('database', { consecutiveFailures: 2, halfOpenAfterMs: 10_000 });
    const db = createDb({ pool: database.pool, breaker });
    await db.query('INSERT INTO client_test (id) VALUES (100)');
    for (let i = 0; i < 4; i += 1) {
      await expect(db.query('INSERT INTO client_test (id) VALUES (100)')).rejects.toMatchObject({
        code: '23505',
      });
    }
    expect(breaker.state).toBe('closed');
  });

  it('survives idle connections dying while pooled (error listener, no crash)', async () => {
    const db = database.createDb();
    await Promise.all([db.query('SELECT 1'), db.query('SELECT 2')]);
    expect(database.pool.idleCount).toBeGreaterThan(0);
    await database.goDown(); // closes the idle sockets under the pool
    await database.comeBack();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
  });
});

describe('configuration', () => {
  it('defaults to one connection per environment and validates the pool size', () => {
    expect(readDbConfig({ DB_HOST: 'proxy', DB_NAME: 'app', DB_USER: 'app' })).toMatchObject({
      poolMax: 1,
      iamAuth: false,
      ssl: false,
    });
    expect(readDbConfig({ DATABASE_URL: 'postgres://x@h/db', DB_POOL_MAX: '10' }).poolMax).toBe(10);
    expect(() => readDbConfig({ DATABASE_URL: 'postgres://x@h/db', DB_POOL_MAX: '0' })).toThrow(
      /DB_POOL_MAX/,
    );
    expect(() => readDbConfig({})).toThrow(/DATABASE_URL or DB_HOST/);
  });

  it('uses a freshly signed IAM token as the password and requires verified TLS in IAM mode', async () => {
    const config = readDbConfig({
      DB_HOST: 'rampart.proxy-abc.eu-west-1.rds.amazonaws.com',
      DB_NAME: 'rampart',
      DB_USER: 'rampart_app',
      DB_IAM_AUTH: 'true',
      AWS_REGION: 'eu-west-1',
    });
    expect(config.ssl).toEqual({ rejectUnauthorized: true });
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    try {
      const pg = poolConfig(config);
      expect(pg.max).toBe(1);
      expect(typeof pg.password).toBe('function');
      const token = await (pg.password as () => Promise<string>)();
      expect(token).toMatch(
        /^rampart\.proxy-abc\.eu-west-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=rampart_app&/,
      );
      expect(token).toContain('X-Amz-Expires=900');
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    expect(() => poolConfig({ ...config, ssl: false })).toThrow(/requires TLS/);
  });

  it('opens no connection until the first query (lazy module-scope pool)', async () => {
    jest.isolateModules(() => {
      process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${String(database.connection.port)}/postgres`;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require('../../../../lambda/shared/db') as typeof import('../../../../lambda/shared/db');
      const pool = mod.getPool();
      mod.getDb();
      expect(pool.totalCount).toBe(0);
      void mod.closeDb();
      delete process.env.DATABASE_URL;
    });
  });
});
