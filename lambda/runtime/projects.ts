import { systemClock, type EventPublisher } from '../domain/events/types';
import type { ProjectDeps } from '../domain/projects/projects';
import { getDb } from '../shared/db';
import { sqsEventPublisher } from './events';

let projectDeps: ProjectDeps | undefined;
let publisherOverride: EventPublisher | undefined;

/**
 * Local server only (`lib/local`): events go to its in-process queue instead of SQS. One process
 * serves every route there, so this replaces what `QUEUE_URL` selects in a Lambda environment.
 * Never called by a deployed function; `undefined` restores the SQS publisher.
 */
export function setEventPublisher(publisher: EventPublisher | undefined): void {
  publisherOverride = publisher;
  projectDeps = undefined;
}

/**
 * Dependencies of write handlers, built once per execution environment on first use: the
 * module-scope pool, the queue publisher (events leave through the outbox) and the clock.
 */
export function runtimeProjectDeps(): ProjectDeps {
  projectDeps ??= { db: getDb(), events: publisherOverride ?? sqsEventPublisher(), clock: systemClock };
  return projectDeps;
}
