import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { metrics as sharedMetrics } from '../powertools';

export interface PublishMetricsOptions {
  readonly metrics?: Pick<
    typeof sharedMetrics,
    'captureColdStartMetric' | 'hasStoredMetrics' | 'publishStoredMetrics'
  >;
  /**
   * Emit the `ColdStart` metric on an environment's first invocation.
   * @default true
   */
  readonly captureColdStart?: boolean;
}

const defaults = { metrics: sharedMetrics, captureColdStart: true };

/**
 * Step 2: the cold-start metric, and a flush of whatever the request recorded (pool statistics,
 * domain counters), on success and on error. Unlike Powertools' `logMetrics` it writes nothing
 * when nothing was recorded: per-route latency and status counts come from API Gateway's
 * per-method metrics (the stage enables them; the alarms use them), so a request that records
 * no metric of its own costs no EMF line and logs no "no metrics" warning.
 */
export function publishMetricsMiddleware(
  opts: PublishMetricsOptions = {},
): MiddlewareObj<unknown, APIGatewayProxyResult, Error, Context> {
  const { metrics, captureColdStart } = { ...defaults, ...opts };

  const publishMetricsBefore = (request: Request<unknown, APIGatewayProxyResult, Error, Context>): void => {
    if (captureColdStart) metrics.captureColdStartMetric(request.context.functionName);
  };
  const publishMetricsAfter = (): void => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };

  return { before: publishMetricsBefore, after: publishMetricsAfter, onError: publishMetricsAfter };
}
