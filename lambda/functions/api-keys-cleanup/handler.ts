import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { cleanupApiKeys, type CleanupResult } from '../../domain/api-keys/cleanup';
import { apiKeyRuntimeDeps } from '../../runtime/api-keys';
import { logger, metrics } from '../../shared/powertools';

/** Stop starting batches this close to the Lambda deadline. */
const DEADLINE_MARGIN_MS = 5_000;

/** Scheduled (EventBridge): removes the gateway keys of expired, grace-ended and revoked API keys. */
export const handler = middy(async (_event: ScheduledEvent, context: Context): Promise<CleanupResult> => {
  const result = await cleanupApiKeys(apiKeyRuntimeDeps(), {
    shouldContinue: () => context.getRemainingTimeInMillis() > DEADLINE_MARGIN_MS,
  });
  metrics.addMetric('ApiKeysRemoved', MetricUnit.Count, result.removed);
  metrics.addMetric('ApiKeysRemovalFailed', MetricUnit.Count, result.failed);
  if (result.failed > 0) logger.warn('Some API Gateway keys could not be deleted', { ...result });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
