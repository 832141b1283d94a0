import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

interface Instances {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * The instances live on the process, not on this module: a function deployed as more than one
 * file (the authorizer's API-key chunk, `FUNCTION_BUNDLING_EXTRAS` in
 * lib/constructs/compute/bundling.ts) carries a copy of this module in each, and a second logger
 * would log without the invocation's context, a second metrics instance keep metrics the handler
 * never flushes.
 */
const PROCESS_WIDE: unique symbol = Symbol.for('rampart.powertools');
const instances: Instances = ((globalThis as { [PROCESS_WIDE]?: Instances })[PROCESS_WIDE] ??= {
  logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rampart' }),
  metrics: new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Rampart',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rampart',
  }),
});

/**
 * The single Powertools logger of a function. Service name and level come from
 * `POWERTOOLS_SERVICE_NAME` / `POWERTOOLS_LOG_LEVEL`, set per function by the CDK construct.
 */
export const logger = instances.logger;

/** The single Powertools metrics instance of a function (namespace from `POWERTOOLS_METRICS_NAMESPACE`). */
export const metrics = instances.metrics;
