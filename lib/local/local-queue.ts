import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DomainEvent, EventPublisher } from '../../lambda/domain/events/types';

/** The worker as SQS invokes it: a batch in, the ids of failed records out. */
export type QueueWorker = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** A message that exhausted its receives. */
export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly failedAt: string;
}

export interface LocalQueueOptions {
  readonly worker: QueueWorker;
  /** Builds the context of one worker invocation. */
  readonly context: () => Context;
  /**
   * Receives before a message moves to the dead-letter list (the redrive policy's maxReceiveCount).
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * Milliseconds a failed message stays invisible before it is delivered again.
   * @default 500
   */
  readonly visibilityTimeoutMs?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /** Called when the worker itself throws (the whole batch fails, as with SQS). */
  readonly onWorkerError?: (error: unknown) => void;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly type?: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  firstReceivedAt?: number;
}

const QUEUE_ARN = 'arn:aws:sqs:local:000000000000:rampart-local-work';

/**
 * An in-process stand-in for the work queue + its event source mapping + the DLQ: messages are
 * delivered to the real worker handler in SQS-shaped batches, failed records (partial batch
 * responses) come back after the visibility timeout, and after `maxReceiveCount` receives they
 * land in the dead-letter list. Also the {@link EventPublisher} the API functions use locally.
 */
export class LocalQueue implements EventPublisher {
  private readonly messages: Message[] = [];
  private readonly dead: DeadLetter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private readonly maxReceiveCount: number;
  private readonly visibilityTimeoutMs: number;
  private readonly batchSize: number;

  constructor(private readonly options: LocalQueueOptions) {
    this.maxReceiveCount = options.maxReceiveCount ?? 3;
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 500;
    this.batchSize = options.batchSize ?? 10;
  }

  async publish(event: DomainEvent): Promise<void> {
    this.sendMessage(JSON.stringify(event), event.type);
  }

  /** SendMessage: any body, as a producer could send it (tests use it for poison messages). */
  sendMessage(body: string, type?: string): string {
    if (this.stopped) throw new Error('The local queue is stopped');
    const messageId = randomUUID();
    const now = Date.now();
    this.messages.push({ messageId, body, type, sentAt: now, receiveCount: 0, visibleAt: now });
    this.schedule(0);
    return messageId;
  }

  /** Messages waiting or in flight. */
  get depth(): number {
    return this.messages.length;
  }

  /** The dead-letter list, oldest first. */
  deadLetters(): readonly DeadLetter[] {
    return [...this.dead];
  }

  /** Resolves when every message was processed or dead-lettered (tests, load runs). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.messages.length > 0 || this.inFlight !== undefined) {
      if (Date.now() > until) throw new Error(`Local queue not drained in ${timeoutMs} ms`);
      await (this.inFlight ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
  }

  /** Stops delivering; waits for the batch in flight. Undelivered messages are dropped (SQS would keep them). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.inFlight !== undefined) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.deliver(), delayMs);
  }

  private deliver(): void {
    this.timer = undefined;
    const now = Date.now();
    const batch = this.messages.filter((message) => message.visibleAt <= now).slice(0, this.batchSize);
    if (batch.length === 0) {
      const next = Math.min(...this.messages.map((message) => message.visibleAt));
      if (Number.isFinite(next)) this.schedule(Math.max(0, next - now));
      return;
    }
    this.inFlight = this.invoke(batch).finally(() => {
      this.inFlight = undefined;
      if (this.messages.length > 0) this.schedule(0);
    });
  }

  private async invoke(batch: Message[]): Promise<void> {
    const now = Date.now();
    for (const message of batch) {
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.visibilityTimeoutMs;
    }
    let failed: Set<string>;
    try {
      const response = await this.options.worker({ Records: batch.map(toRecord) }, this.options.context());
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      this.options.onWorkerError?.(error);
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (failed.has(message.messageId) && message.receiveCount < this.maxReceiveCount) continue;
      this.messages.splice(this.messages.indexOf(message), 1);
      if (failed.has(message.messageId)) {
        this.dead.push({
          messageId: message.messageId,
          body: message.body,
          receiveCount: message.receiveCount,
          failedAt: new Date().toISOString(),
        });
      }
    }
  }
}

function toRecord(message: Message): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `${message.messageId}#${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'LOCAL',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes:
      message.type === undefined
        ? {}
        : {
            type: {
              dataType: 'String',
              stringValue: message.type,
              stringListValues: [],
              binaryListValues: [],
            },
          },
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'local',
  };
}
