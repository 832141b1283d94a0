import { randomUUID } from 'node:crypto';
import { lambdaContext } from '../../fixtures/lambda-context';
import { sqsEvent, sqsRecord } from '../../fixtures/sqs-event';
import { startTestDatabase, useDatabaseForHandlers, type TestDatabase } from '../../support/database';

/** The SQS worker through its real handler (Powertools batch processing) against real PostgreSQL. */

let database: TestDatabase;
let handler: typeof import('../../../lambda/functions/worker/handler').handler;

beforeAll(async () => {
  database = await startTestDatabase();
  useDatabaseForHandlers(database.connection);
  ({ handler } = await import('../../../lambda/functions/worker/handler'));
});

afterAll(async () => {
  await (await import('../../../lambda/shared/db')).closeDb();
  await database.stop();
});

function event(type = 'project.created') {
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    aggregateId: randomUUID(),
    data: { name: 'x' },
  };
}

async function processedCount(id: string): Promise<number> {
  const { rows } = await database.pool.query(
    'SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1',
    [id],
  );
  return rows[0].n as number;
}

test('processes a batch, reports only the poison message as failed, and records a heartbeat', async () => {
  const good = event();
  const poison = sqsRecord('{not json');
  const unknownType = sqsRecord(JSON.stringify(event('project.exploded')));
  const result = await handler(
    sqsEvent([sqsRecord(JSON.stringify(good)), poison, unknownType]),
    lambdaContext(),
  );
  expect(result.batchItemFailures).toEqual([
    { itemIdentifier: poison.messageId },
    { itemIdentifier: unknownType.messageId },
  ]);
  expect(await processedCount(good.id)).toBe(1);
  const { rows } = await database.pool.query('SELECT last_seen FROM worker_heartbeat');
  expect(rows).toHaveLength(1);
});

test('a redelivered event does its work once', async () => {
  const once = event('project.updated');
  const body = JSON.stringify(once);
  const first = await handler(sqsEvent([sqsRecord(body)]), lambdaContext());
  const again = await handler(sqsEvent([sqsRecord(body, 2), sqsRecord(body, 2)]), lambdaContext());
  expect(first.batchItemFailures).toEqual([]);
  expect(again.batchItemFailures).toEqual([]);
  expect(await processedCount(once.id)).toBe(1);
  const { rows } = await database.pool.query(
    'SELECT count(*)::int AS n FROM project_activity WHERE event_id = $1',
    [once.id],
  );
  expect(rows[0].n).toBe(1);
});
