import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger as sharedLogger, metrics as sharedMetrics } from '../powertools';
import { responseViolations, type RouteResponses } from './contract';
import type { RouteDefinition } from '../route';

/** `enforce` fails the invocation on a violation; `report` only logs and counts it. */
export type ResponseCheckMode = 'enforce' | 'report';

/** Thrown (enforce mode) when an answer departs from its route's declaration. */
export class ResponseContractViolation extends Error {
  constructor(
    public readonly routeId: string,
    public readonly violations: readonly string[],
  ) {
    super(`response of route ${routeId} breaks its contract: ${violations.join(' | ')}`);
    this.name = 'ResponseContractViolation';
  }
}

/**
 * Deployed (the Lambda runtime sets `AWS_LAMBDA_FUNCTION_NAME`) a violation is logged and counted,
 * never turned into a broken answer; everywhere else (tests, the local stack) it fails loudly.
 */
export function defaultResponseCheckMode(env: NodeJS.ProcessEnv = process.env): ResponseCheckMode {
  return env.AWS_LAMBDA_FUNCTION_NAME === undefined ? 'enforce' : 'report';
}

export interface ResponseContractOptions {
  readonly route: Pick<
    RouteDefinition,
    'id' | 'access' | 'method' | 'schemas' | 'conditionalUpdate' | 'idempotent' | 'needs'
  > & { readonly responses?: RouteResponses };
  /** @default - {@link defaultResponseCheckMode} */
  readonly mode?: ResponseCheckMode;
  readonly logger?: Pick<typeof sharedLogger, 'error'>;
  readonly metrics?: Pick<typeof sharedMetrics, 'addMetric'>;
}

/** Metric counted for every answer that breaks its route's declared contract (report mode). */
export const RESPONSE_CONTRACT_METRIC = 'ResponseContractViolation';

/**
 * Step 1b: checks the final answer (after the error handler, security and route headers) against
 * the route's declared responses (`lambda/shared/http/contract.ts`): status declared, body parses
 * and matches its schema, problem codes declared, required headers present. Routes without
 * `responses` (tests' ad-hoc routes) are not checked; every manifest route has them.
 */
export function responseContractMiddleware(
  opts: ResponseContractOptions,
): MiddlewareObj<unknown, APIGatewayProxyResult> {
  const options = {
    mode: defaultResponseCheckMode(),
    logger: sharedLogger,
    metrics: sharedMetrics,
    ...opts,
  };
  const { route, mode, logger, metrics } = options;

  const check = (request: Request<unknown, APIGatewayProxyResult>): void => {
    // A violation thrown by `after` comes back here through onError: let it through unchanged.
    if (request.error instanceof ResponseContractViolation) {
      request.response = undefined as unknown as APIGatewayProxyResult;
      return;
    }
    const response = request.response;
    if (response === null || response === undefined || route.responses === undefined) return;
    const violations = responseViolations(route, response);
    if (violations.length === 0) return;
    if (mode === 'enforce') throw new ResponseContractViolation(route.id, violations);
    logger.error('response breaks the route contract', { route: route.id, violations });
    metrics.addMetric(RESPONSE_CONTRACT_METRIC, MetricUnit.Count, 1);
  };

  return { after: check, onError: check };
}
