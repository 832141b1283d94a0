import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DomainEvent, EventPublisher } from '../domain/events/types';

let client: SQSClient | undefined;

/**
 * Publishes domain events to the work queue (`QUEUE_URL`) with SQS SendMessage. The client is
 * created on first publish and reused by the execution environment.
 */
export function sqsEventPublisher(queueUrl = process.env.QUEUE_URL): EventPublisher {
  return {
    async publish(event: DomainEvent): Promise<void> {
      if (!queueUrl) throw new Error('QUEUE_URL is not set');
      client ??= new SQSClient({});
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(event),
          MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
        }),
      );
    },
  };
}
