import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The single Powertools logger of a function. Service name and level come from
 * `POWERTOOLS_SERVICE_NAME` / `POWERTOOLS_LOG_LEVEL`, set per function by the CDK construct.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rampart' });

/** The single Powertools metrics instance of a function (namespace from `POWERTOOLS_METRICS_NAMESPACE`). */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Rampart',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rampart',
});
