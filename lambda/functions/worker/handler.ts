import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { systemClock } from '../../domain/events/types';
import { parseEvent, processEvent, recordHeartbeat } from '../../domain/events/worker';
import { getDb } from '../../shared/db';
import { logger, metrics } from '../../shared/powertools';

const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  const outcome = await processEvent(parseEvent(record.body), { db: getDb(), clock: systemClock });
  logger.debug('Event handled', { messageId: record.messageId, outcome });
}

/**
 * SQS worker: each record is processed on its own (idempotently, keyed on the event id);
 * failed records are reported back so SQS redelivers only them and, after maxReceiveCount,
 * moves them to the dead-letter queue. A heartbeat per batch feeds the readiness check.
 */
export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const response = await processPartialResponse(event, processRecord, processor, { context });
  // Every batch publishes its counts (and Powertools never warns about an empty flush).
  metrics.addMetric('WorkerRecords', MetricUnit.Count, event.Records.length);
  metrics.addMetric('WorkerRecordFailures', MetricUnit.Count, response.batchItemFailures.length);
  await recordHeartbeat(getDb(), systemClock.now()).catch((error: unknown) =>
    logger.warn('Heartbeat not recorded', { error: error instanceof Error ? error.message : String(error) }),
  );
  return response;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
