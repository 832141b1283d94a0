import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Db } from '../../shared/db/client';
import { logger, metrics } from '../../shared/powertools';
import { describeDbError } from '../../shared/db/errors';
import type { DomainEvent, EventPublisher, EventType } from './types';

/**
 * Transactional outbox. A write records its event in `outbox` inside the same transaction as
 * the change, so a committed change always has its event and a rolled-back one never does.
 * After commit the event is published straight away (`publishCommitted`); if that fails (SQS
 * down, Lambda killed) the row stays unpublished and `flushOutbox` sends it later. Delivery is
 * therefore at-least-once: the worker deduplicates on the event id (`processed_events`).
 */

/** Records an event in the caller's transaction and returns it (publish it after commit). */
export async function enqueueEvent(
  tx: Db,
  type: EventType,
  aggregateId: string,
  data: Record<string, unknown>,
  occurredAt: Date,
): Promise<DomainEvent> {
  const event: DomainEvent = {
    id: randomUUID(),
    type,
    aggregateId,
    occurredAt: occurredAt.toISOString(),
    data,
  };
  await tx.query(
    'INSERT INTO outbox (id, event_type, aggregate_id, payload, occurred_at) VALUES ($1, $2, $3, $4, $5)',
    [event.id, event.type, event.aggregateId, JSON.stringify(event), occurredAt],
  );
  return event;
}

/**
 * Publishes events whose transaction committed and marks them sent. Never throws: the change
 * is already committed, and an unsent event is retried by `flushOutbox`.
 */
export async function publishCommitted(
  db: Db,
  publisher: EventPublisher,
  events: readonly DomainEvent[],
  now: Date,
): Promise<void> {
  for (const event of events) {
    try {
      await publisher.publish(event);
      await db.query('UPDATE outbox SET published_at = $2 WHERE id = $1', [event.id, now]);
    } catch (error) {
      logger.warn('Event not published yet; the outbox relay will retry it', {
        eventId: event.id,
        error: describeDbError(error),
      });
      metrics.addMetric('OutboxPublishDeferred', MetricUnit.Count, 1);
      await db
        .query('UPDATE outbox SET attempts = attempts + 1 WHERE id = $1', [event.id])
        .catch(() => undefined);
    }
  }
}

/**
 * Relay for events that were not published after commit: sends the oldest unpublished rows
 * (oldest first) and stops at the first failure. Run it on a schedule. Two relays may send
 * the same event twice; consumers are idempotent, so no lock is held across the SQS call.
 */
export async function flushOutbox(
  db: Db,
  publisher: EventPublisher,
  now: Date,
  limit = 50,
): Promise<{ published: number; failed: boolean }> {
  const { rows } = await db.query<{ id: string; payload: DomainEvent }>(
    'SELECT id, payload FROM outbox WHERE published_at IS NULL ORDER BY occurred_at, id LIMIT $1',
    [limit],
  );
  let published = 0;
  for (const row of rows) {
    try {
      await publisher.publish(row.payload);
    } catch (error) {
      logger.warn('Outbox relay could not publish; will retry on the next run', {
        eventId: row.id,
        error: describeDbError(error),
      });
      await db.query('UPDATE outbox SET attempts = attempts + 1 WHERE id = $1', [row.id]);
      return { published, failed: true };
    }
    await db.query('UPDATE outbox SET published_at = $2 WHERE id = $1', [row.id, now]);
    published += 1;
  }
  return { published, failed: false };
}
