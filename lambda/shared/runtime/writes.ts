import { systemClock } from '../../domain/events/types';
import type { ProjectDeps } from '../../domain/projects/projects';
import { getDb } from '../db';
import { sqsEventPublisher } from '../queue';

let projectDeps: ProjectDeps | undefined;

/**
 * Dependencies of write handlers, built once per execution environment on first use: the
 * module-scope pool, the queue publisher (events leave through the outbox) and the clock.
 */
export function runtimeProjectDeps(): ProjectDeps {
  projectDeps ??= { db: getDb(), events: sqsEventPublisher(), clock: systemClock };
  return projectDeps;
}
