import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { recreateGatewayKeys, type GatewayKeyRecreation } from '../../domain/api-keys/standby';
import { standbyKeyDeps } from '../../runtime/api-keys';
import { logger, metrics } from '../../shared/powertools';

/**
 * Invoked once by the region-failover step after the standby database is promoted (docs/dr.md):
 * recreates this region's API Gateway keys from the database. Safe to invoke again.
 */
export const handler = middy(async (): Promise<GatewayKeyRecreation> => {
  const result = await recreateGatewayKeys(standbyKeyDeps());
  metrics.addMetric('ApiKeysRecreated', MetricUnit.Count, result.created);
  logger.info('API Gateway keys recreated from the database', { ...result });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
