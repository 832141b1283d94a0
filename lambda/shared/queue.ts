import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

/** A message the queue can route without parsing its body: its `type` travels as an attribute. */
export interface TypedMessage {
  readonly type: string;
}

/** Sends one JSON message to a queue. */
export interface QueuePublisher<T extends TypedMessage> {
  publish(message: T): Promise<void>;
}

let client: SQSClient | undefined;

/**
 * Publishes JSON messages to the work queue (`QUEUE_URL`) with SQS SendMessage, each with its
 * `type` as a message attribute. The client is created on first publish and reused by the
 * execution environment.
 */
export function sqsPublisher<T extends TypedMessage>(queueUrl = process.env.QUEUE_URL): QueuePublisher<T> {
  return {
    async publish(message: T): Promise<void> {
      if (!queueUrl) throw new Error('QUEUE_URL is not set');
      client ??= new SQSClient({});
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          MessageAttributes: { type: { DataType: 'String', StringValue: message.type } },
        }),
      );
    },
  };
}
