import { parseNotification, SEVERITIES, snsDeliveries, type Severity } from './messages';
import { renderSlackMessage, severityOf, type SlackMessage } from './render';
import { SlackDeliveryError } from './slack-webhook';

/** The logging the notifier needs (Powertools' Logger fits). */
export interface NotifierLog {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface NotifierDeps {
  readonly environment: string;
  /** Docs base URL (ends with `/`) for event runbook links. */
  readonly docsBaseUrl?: string;
  /** Severity of each subscribed topic, by topic ARN. */
  readonly topicSeverities: Readonly<Record<string, Severity>>;
  /** Post every severity to the `warning` webhook (dev: one channel). */
  readonly routeAllToOneChannel: boolean;
  /** The webhook secret's value: a URL, or JSON with a URL per severity. */
  readonly webhookSecret: () => Promise<string>;
  readonly post: (url: string, message: SlackMessage) => Promise<unknown>;
  readonly log: NotifierLog;
  /** Message ids already posted by this execution environment. */
  readonly delivered: DeliveredMessages;
}

/**
 * SNS message ids already posted, bounded (oldest forgotten first). SNS may deliver a message
 * more than once; within one execution environment it is then posted once.
 */
export class DeliveredMessages {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 1000) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
}

/** Thrown after every record was tried when at least one could not be posted. */
export class NotificationDeliveryError extends Error {
  constructor(readonly failures: readonly { messageId: string; error: string }[]) {
    super(
      `${failures.length} notification(s) not delivered to Slack: ${failures.map((f) => f.error).join('; ')}`,
    );
    this.name = 'NotificationDeliveryError';
  }
}

export interface NotifyResult {
  readonly posted: number;
  readonly duplicates: number;
  readonly dropped: number;
}

/** The webhook for a severity from the secret: a bare URL, or JSON `{critical, warning, info, default}`. */
export function webhookUrlFor(secret: string, severity: Severity, routeAllToOneChannel: boolean): string {
  const trimmed = secret.trim();
  if (trimmed.startsWith('https://')) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new Error('Slack webhook secret is neither an https URL nor JSON');
  }
  const urls = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const wanted = routeAllToOneChannel ? 'warning' : severity;
  for (const key of [wanted, 'default', 'warning']) {
    const url = urls[key];
    if (typeof url === 'string' && url.startsWith('https://')) return url;
  }
  throw new Error(
    `Slack webhook secret has no https URL for "${wanted}" (keys: ${SEVERITIES.join(', ')}, default)`,
  );
}

/**
 * Posts each SNS record of `event` to Slack. Malformed input is logged and dropped (never
 * thrown: a retry cannot fix it). Duplicates of an already posted message id are skipped. When a
 * post fails after its retries, the other records are still tried, then
 * {@link NotificationDeliveryError} is thrown so Lambda's asynchronous retries run and, when
 * those fail too, the event goes to the function's dead-letter queue.
 */
export async function notify(event: unknown, deps: NotifierDeps): Promise<NotifyResult> {
  const { deliveries, problems } = snsDeliveries(event);
  for (const problem of problems) deps.log.error('Malformed notification dropped', { problem });
  let posted = 0;
  let duplicates = 0;
  let dropped = problems.length;
  const failures: { messageId: string; error: string }[] = [];
  for (const delivery of deliveries) {
    if (deps.delivered.has(delivery.messageId)) {
      duplicates += 1;
      deps.log.info('Duplicate SNS delivery skipped', { messageId: delivery.messageId });
      continue;
    }
    const topicSeverity = deps.topicSeverities[delivery.topicArn] ?? 'info';
    let message: SlackMessage;
    let severity: Severity;
    try {
      const notification = parseNotification(delivery);
      severity = severityOf(notification, topicSeverity);
      message = renderSlackMessage(notification, {
        environment: deps.environment,
        topicSeverity,
        docsBaseUrl: deps.docsBaseUrl,
      });
    } catch (error) {
      dropped += 1;
      deps.log.error('Notification could not be rendered; dropped', {
        messageId: delivery.messageId,
        error: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    try {
      const url = webhookUrlFor(await deps.webhookSecret(), severity, deps.routeAllToOneChannel);
      await deps.post(url, message);
      deps.delivered.add(delivery.messageId);
      posted += 1;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      deps.log.error('Notification not delivered', {
        messageId: delivery.messageId,
        error: text,
        retryable: error instanceof SlackDeliveryError ? error.retryable : true,
      });
      failures.push({ messageId: delivery.messageId, error: text });
    }
  }
  if (failures.length > 0) throw new NotificationDeliveryError(failures);
  return { posted, duplicates, dropped };
}
