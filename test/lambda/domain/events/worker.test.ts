import { randomUUID } from 'node:crypto';
import type { Db } from '../../../../lambda/shared/db/client';
import {
  PoisonMessageError,
  lastHeartbeat,
  parseEvent,
  processEvent,
  recordHeartbeat,
} from '../../../../lambda/domain/events/worker';
import type { EventHandler } from '../../../../lambda/domain/events/worker';
import type { DomainEvent } from '../../../../lambda/domain/events/types';
import { startTestDatabase } from '../../../support/database';
import type { TestDatabase } from '../../../support/database';

let database: TestDatabase;
let db: Db;
const clock = { now: () => new Date('2025-06-01T00:00:00.000Z') };

beforeAll(async () => {
  database = await startTestDatabase();
  db = database.createDb();
});
afterAll(() => database.stop());

function event(overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    id: randomUUID(),
    type: 'project.created',
    occurredAt: '2025-05-31T23:59:00.000Z',
    aggregateId: randomUUID(),
    data: { project: { name: 'x' } },
    ...overrides,
  };
}

describe('processEvent', () => {
  it('does the work once when the same event arrives twice', async () => {
    const e = event();
    await expect(processEvent(parseEvent(JSON.stringify(e)), { db, clock })).resolves.toBe('processed');
    await expect(processEvent(parseEvent(JSON.stringify(e)), { db, clock })).resolves.toBe('duplicate');
    const { rows } = await db.query('SELECT event_type FROM project_activity WHERE event_id = $1', [e.id]);
    expect(rows).toEqual([{ event_type: 'project.created' }]);
  });

  it('records nothing when the work fails, so the redelivery does it', async () => {
    const e = event({ type: 'project.updated' });
    let calls = 0;
    const flaky: EventHandler = async (ev, tx) => {
      calls += 1;
      await tx.query(
        'INSERT INTO project_activity (event_id, project_id, event_type, occurred_at, recorded_at) VALUES ($1, $2, $3, $4, now())',
        [ev.id, ev.aggregateId, ev.type, ev.occurredAt],
      );
      if (calls === 1) throw new Error('downstream timeout');
    };
    const handlers = { 'project.created': flaky, 'project.updated': flaky, 'project.deleted': flaky };
    await expect(processEvent(e, { db, clock, handlers })).rejects.toThrow('downstream timeout');
    expect((await db.query('SELECT 1 FROM processed_events WHERE event_id = $1', [e.id])).rowCount).toBe(0);
    expect((await db.query('SELECT 1 FROM project_activity WHERE event_id = $1', [e.id])).rowCount).toBe(0);
    await expect(processEvent(e, { db, clock, handlers })).resolves.toBe('processed');
    expect(calls).toBe(2);
  });
});

describe('parseEvent (poison messages)', () => {
  it.each([
    ['not JSON', '{"id":'],
    ['not an object', '42'],
    ['missing fields', JSON.stringify({ type: 'project.created' })],
    ['bad id', JSON.stringify({ ...event(), id: 'nope' })],
    ['unknown type', JSON.stringify(event({ type: 'project.exploded' as DomainEvent['type'] }))],
  ])('throws a non-retryable PoisonMessageError for %s', (_label, body) => {
    let thrown: unknown;
    try {
      parseEvent(body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PoisonMessageError);
    expect((thrown as PoisonMessageError).retryable).toBe(false);
  });
});

describe('heartbeat', () => {
  it('keeps one row whose last_seen only moves forward', async () => {
    expect(await lastHeartbeat(db)).toBeUndefined();
    await recordHeartbeat(db, new Date('2025-06-01T00:00:10Z'));
    await recordHeartbeat(db, new Date('2025-06-01T00:00:05Z')); // a late, older batch
    expect(await lastHeartbeat(db)).toEqual(new Date('2025-06-01T00:00:10Z'));
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM worker_heartbeat');
    expect(rows[0].n).toBe(1);
  });
});
