import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WorkQueueProps {
  /** Key that encrypts both queues. */
  readonly encryptionKey: IKey;
  /** Deliveries before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Days a dead-lettered message is kept (1..14). */
  readonly deadLetterRetentionDays: number;
  /**
   * Timeout of the consuming function: the visibility timeout is six times this, as AWS
   * recommends for Lambda event sources, so a slow batch is not delivered twice.
   */
  readonly consumerTimeout: Duration;
}

/**
 * A work queue with a dead-letter queue: both KMS-encrypted, TLS-only, with redrive after
 * `maxReceiveCount` deliveries. Alarms on the DLQ are added by the Ops stack.
 */
export class WorkQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    if (props.deadLetterRetentionDays < 1 || props.deadLetterRetentionDays > 14) {
      throw new Error(
        `WorkQueue ${id}: deadLetterRetentionDays must be 1..14, got ${props.deadLetterRetentionDays}`,
      );
    }
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(props.deadLetterRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
