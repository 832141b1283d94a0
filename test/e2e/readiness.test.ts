import type { LocalStack } from '../../lib/local/local-stack';
import { startTestDatabase, type TestDatabase } from '../support/database';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * Readiness over HTTP against a database that goes away and comes back (the stack on
 * DATABASE_URL through test/support/database.ts's gate), and the local dead-letter list in the
 * admin's readiness details. Readiness is not cached here (READINESS_CACHE_MS=0) and the database
 * breaker half-opens after 300 ms so recovery is observed quickly.
 */
let database: TestDatabase;
let stack: LocalStack;

beforeAll(async () => {
  database = await startTestDatabase();
  const { host, port, user, database: name } = database.connection;
  stack = await startE2eStack({
    databaseUrl: `postgres://${String(user)}@${String(host)}:${String(port)}/${String(name)}`,
    databasePoolMax: database.kind === 'pglite' ? 1 : 4,
    maxReceiveCount: 2,
    functionEnvironment: {
      READINESS_CACHE_MS: '0',
      BREAKER_HALF_OPEN_AFTER_MS: '300',
      DB_CONNECT_TIMEOUT_MS: '500',
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await database?.stop();
});

async function until(probe: () => Promise<number>, expected: number, attempts = 100): Promise<number> {
  let status = await probe();
  for (let attempt = 1; attempt < attempts && status !== expected; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await probe();
  }
  return status;
}

describe('readiness over HTTP', () => {
  const ready = async () => (await call(stack, 'GET', '/api/v1/health/ready')).status;

  it('turns 503 when the database goes away and 200 when it is back; liveness stays 200', async () => {
    expect(await ready()).toBe(200);
    await database.goDown();
    expect(await until(ready, 503)).toBe(503);
    const down = await call(stack, 'GET', '/api/v1/health/ready');
    expect(down.json).toEqual({ status: 'down' });
    expect((await call(stack, 'GET', '/api/v1/health')).status).toBe(200);

    await database.comeBack();
    expect(await until(ready, 200)).toBe(200);
  });

  it('shows dead-lettered queue messages in the admin readiness details', async () => {
    stack.queue.sendMessage('this is not a domain event');
    await stack.queue.drain();
    expect(stack.queue.deadLetters()).toHaveLength(1);
    expect(stack.queue.deadLetters()[0]).toMatchObject({
      receiveCount: 2,
      body: 'this is not a domain event',
    });

    const { accessToken } = await login(stack, 'admin@example.com');
    const details = await call(stack, 'GET', '/api/v1/health/details', { token: accessToken });
    expect(details.status).toBe(200);
    expect(details.json.checks.queue).toMatchObject({ status: 'ok', deadLetters: 1 });
  });
});
