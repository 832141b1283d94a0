import * as z from 'zod/mini';
import type { Db } from '../../shared/db/client';
import { EVENT_TYPES } from './types';
import type { Clock, DomainEvent, EventType } from './types';

/**
 * Per-record logic of the queue worker. The SQS handler (Powertools BatchProcessor) calls
 * `parseEvent` + `processEvent` per record and reports failures as partial batch failures.
 */

/**
 * A message that can never succeed (unparseable, unknown type). The batch handler reports the
 * record failed without retrying it in-process; SQS moves it to the DLQ after maxReceiveCount.
 */
export class PoisonMessageError extends Error {
  public readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

const eventSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  aggregateId: z.uuid(),
  data: z.record(z.string(), z.unknown()),
});

/** Parses an SQS message body into a `DomainEvent`, or throws `PoisonMessageError`. */
export function parseEvent(body: string): DomainEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PoisonMessageError('Message body is not JSON', { cause: error });
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new PoisonMessageError(`Message is not a domain event (invalid: ${fields})`);
  }
  if (!(EVENT_TYPES as readonly string[]).includes(parsed.data.type)) {
    throw new PoisonMessageError(`Unknown event type "${parsed.data.type}"`);
  }
  return { ...parsed.data, type: parsed.data.type as EventType };
}

/** The work for one event, run inside the transaction that records it as processed. */
export type EventHandler = (event: DomainEvent, tx: Db, now: Date) => Promise<void>;

/** Default work: keep an activity trail per project. */
const recordActivity: EventHandler = async (event, tx, now) => {
  await tx.query(
    `INSERT INTO project_activity (event_id, project_id, event_type, occurred_at, recorded_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [event.id, event.aggregateId, event.type, event.occurredAt, now],
  );
};

export const DEFAULT_EVENT_HANDLERS: Readonly<Record<EventType, EventHandler>> = {
  'project.created': recordActivity,
  'project.updated': recordActivity,
  'project.deleted': recordActivity,
};

export interface ProcessEventDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** @default DEFAULT_EVENT_HANDLERS */
  readonly handlers?: Readonly<Record<EventType, EventHandler>>;
}

export type ProcessOutcome = 'processed' | 'duplicate';

/**
 * Processes an event exactly once as far as the database is concerned: the event id is
 * inserted into `processed_events` in the same transaction as the work, so a redelivery
 * (SQS is at-least-once, the outbox may send twice) finds it and does nothing, and a failure
 * rolls both back so the retry does the work. Side effects outside PostgreSQL in a handler
 * must be idempotent themselves.
 */
export async function processEvent(event: DomainEvent, deps: ProcessEventDeps): Promise<ProcessOutcome> {
  const handler = (deps.handlers ?? DEFAULT_EVENT_HANDLERS)[event.type];
  if (!handler) throw new PoisonMessageError(`No handler for event type "${event.type}"`);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      `INSERT INTO processed_events (event_id, event_type, processed_at) VALUES ($1, $2, $3)
       ON CONFLICT (event_id) DO NOTHING`,
      [event.id, event.type, now],
    );
    if (rowCount === 0) return 'duplicate';
    await handler(event, tx, now);
    return 'processed';
  });
}

/** Records that the worker is alive (single row; never moves backwards). */
export async function recordHeartbeat(db: Db, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO worker_heartbeat (id, last_seen) VALUES (true, $1)
     ON CONFLICT (id) DO UPDATE SET last_seen = GREATEST(worker_heartbeat.last_seen, EXCLUDED.last_seen)`,
    [now],
    { idempotent: true },
  );
}

/** When the worker was last seen, for readiness checks (undefined before the first batch). */
export async function lastHeartbeat(db: Db): Promise<Date | undefined> {
  const { rows } = await db.query<{ last_seen: Date }>('SELECT last_seen FROM worker_heartbeat WHERE id');
  return rows[0]?.last_seen;
}
