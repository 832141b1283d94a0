import { DeliveredMessages, notify, postToSlack } from '../../domain/notify';
import { readNotifierSettings } from '../../runtime/notify';
import { logger } from '../../shared/powertools';
import { getSecretString } from '../../shared/secrets';

const settings = readNotifierSettings();
const delivered = new DeliveredMessages();

/**
 * SNS -> Slack. Invoked asynchronously by SNS: when a post still fails after its in-invocation
 * retries the handler throws, Lambda retries the event twice more, then sends it to the
 * function's dead-letter queue. Never touches the database.
 */
export const handler = (event: unknown) =>
  notify(event, {
    ...settings,
    webhookSecret: () => getSecretString(settings.webhookSecretId),
    post: (url, message) =>
      postToSlack(url, message, {
        baseDelayMs: settings.baseDelayMs,
        onRetry: (info) => logger.warn('Slack post retried', info),
      }),
    log: logger,
    delivered,
  });
