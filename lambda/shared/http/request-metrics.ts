import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { metrics as sharedMetrics } from '../powertools';
import { requestState, type StatefulEvent } from './request-state';

export interface RequestMetricsOptions {
  /** Value of the `route` dimension (the route id). */
  readonly routeId: string;
  readonly metrics?: Pick<typeof sharedMetrics, 'addDimension' | 'addMetric'>;
}

const defaults = { metrics: sharedMetrics };

/**
 * Step 2b: one latency value and one status-class count per request, with a `route` dimension.
 * It runs its after/onError before Powertools' `logMetrics` flushes (it is `use()`d after it), so the
 * values land in the same EMF line. Powertools has no per-request HTTP metric, hence custom.
 */
export function requestMetricsMiddleware(
  opts: RequestMetricsOptions,
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };
  const { metrics, routeId } = options;

  const requestMetricsAfter = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    const state = requestState(request.event);
    const status = request.response?.statusCode ?? 500;
    metrics.addDimension('route', routeId);
    if (state !== undefined)
      metrics.addMetric('Latency', MetricUnit.Milliseconds, Date.now() - state.startedAt);
    metrics.addMetric(status >= 500 ? 'Http5xx' : status >= 400 ? 'Http4xx' : 'Http2xx', MetricUnit.Count, 1);
  };

  return { after: requestMetricsAfter, onError: requestMetricsAfter };
}
