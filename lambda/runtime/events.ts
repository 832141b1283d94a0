import type { DomainEvent, EventPublisher } from '../domain/events/types';
import { sqsPublisher } from '../shared/queue';

/**
 * The deployed event publisher: domain events go to the work queue (`QUEUE_URL`) through the
 * shared SQS publisher (client created on first publish, reused by the execution environment).
 */
export function sqsEventPublisher(queueUrl = process.env.QUEUE_URL): EventPublisher {
  return sqsPublisher<DomainEvent>(queueUrl);
}
