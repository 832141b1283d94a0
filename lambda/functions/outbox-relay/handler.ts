import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { flushOutbox } from '../../domain/events/outbox';
import { systemClock } from '../../domain/events/types';
import { getDb } from '../../shared/db';
import { logger, metrics } from '../../shared/powertools';
import { sqsEventPublisher } from '../../runtime/events';

const publisher = sqsEventPublisher();

/** Scheduled relay: sends outbox events that were committed but not published (SQS was down). */
export const handler = middy(async (): Promise<{ published: number; failed: boolean }> => {
  const result = await flushOutbox(getDb(), publisher, systemClock.now());
  metrics.addMetric('OutboxRelayed', MetricUnit.Count, result.published);
  if (result.failed) logger.warn('Outbox relay stopped at a failure', { published: result.published });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
