/** The events Rampart emits. Adding a type means adding a worker handler for it. */
export const EVENT_TYPES = ['project.created', 'project.updated', 'project.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A domain event as written to the outbox and sent on the queue (the SQS message body). */
export interface DomainEvent {
  /** UUID; the worker's idempotency key (also the SQS deduplication id on FIFO queues). */
  readonly id: string;
  readonly type: EventType;
  /** ISO 8601. */
  readonly occurredAt: string;
  /** The entity the event is about (a project id). */
  readonly aggregateId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Sends events to the queue; implemented with SQS SendMessage by the API functions. */
export interface EventPublisher {
  publish(event: DomainEvent): Promise<void>;
}

/** Time, injected so tests control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
