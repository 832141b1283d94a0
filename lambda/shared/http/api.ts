import middy, { type MiddyfiedHandler } from '@middy/core';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, type RouteDefinition } from '../route';
import { authorizeMiddleware } from './authorize';
import { conditionalRequestsMiddleware } from './conditional-requests';
import { corsConfigFromEnv, corsMiddleware, type CorsConfig } from './cors';
import { correlationIdMiddleware } from './correlation-id';
import { jsonBodyMiddleware } from './json-body';
import { problemErrorsMiddleware } from './problem-errors';
import { REQUEST_STATE, type StatefulEvent } from './request-state';
import { publishMetricsMiddleware } from './publish-metrics';
import { responseContractMiddleware } from './response-contract';
import { routeHeadersMiddleware } from './route-headers';
import { securityHeadersMiddleware } from './security-headers';
import { raceDeadline, startDeadline } from './deadline';
import type { ApiHandlerFn, ApiRequest, ApiResult } from './types';
import { rateLimitHeadersMiddleware } from '../rate-limit-headers';
import { validateRequestMiddleware } from './validate-request';

export { assertIfMatch, etagOf } from './conditional-requests';
export type { ApiHandlerFn, ApiRequest, ApiResult, Principal } from './types';

/** The Lambda handler `api()` builds: API Gateway REST (v1) proxy event in, proxy result out. */
export type ApiHandler = MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

/** Milliseconds before the Lambda deadline at which the wrapper gives up and answers 504. */
export const DEFAULT_TIMEOUT_EARLY_MS = 200;

export interface ApiOptions {
  /**
   * CORS policy.
   * @default - read once from `CORS_ALLOWED_ORIGINS` / `CORS_ALLOW_CREDENTIALS`
   */
  readonly cors?: CorsConfig;
  /**
   * Margin kept before the Lambda deadline to send the 504 response.
   * @default 200
   */
  readonly timeoutEarlyMs?: number;
}

function serializeResult(result: ApiResult): APIGatewayProxyResult {
  const status = result?.status;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new TypeError(`handler returned an invalid status: ${String(status)}`);
  }
  const headers: Record<string, string> = {};
  let body = '';
  if (result.body !== undefined && status !== 204 && status !== 304) {
    body = JSON.stringify(result.body);
    headers['content-type'] = 'application/json';
  }
  if (result.headers !== undefined) {
    for (const name of Object.keys(result.headers)) headers[name.toLowerCase()] = result.headers[name];
  }
  return { statusCode: status, headers, body };
}

/**
 * Wraps a route's handler function in the shared HTTP middleware chain (DESIGN.md, "The handler
 * wrapper"). The chain is built once here; per request the function receives validated, sanitized,
 * typed input (`req.body` is the route schema's output type) and returns `{ status, body?, headers? }`.
 *
 * Order of `use()` (`before` in this order, `after`/`onError` in reverse):
 * 0. header normalizer (lower-case names) and event normalizer (`{}` for absent query/path) - official
 * 1. logging context: Lambda context, viewer address and correlation id on every log line, reset at
 *    the end; `x-correlation-id` echo (`correlation-id.ts`)
 * 2. metrics: cold start, and a flush of what the request recorded (success and error); per-route
 *    latency and status come from API Gateway's per-method metrics
 * 2b. response contract: the final answer against the route's declared `responses` (its after and
 *    onError run after every other step shaped the answer); fails the invocation in tests and the
 *    local stack, logs and counts deployed (`response-contract.ts`)
 * 3. security headers and CORS (their after/onError run after the error handler built the response)
 * 4. Cache-Control + deprecation headers (after/onError)
 * 4b. RateLimit-Policy for API-key callers, per usage plan tier (after/onError; `../rate-limit-headers`)
 * 5. role/scope re-check (401/403) - before the body is touched, see `authorize.ts`
 * 6. body size guard, media type, JSON parse (413/415/400)
 * 7. sanitization, then zod/mini validation (400 with field errors)
 * 8. conditional requests: If-Match required (428) / ETag + If-None-Match -> 304
 * 9. timeout guard, around the handler itself: the route's `timeoutMs` or the Lambda deadline,
 *    whichever comes first, aborts the request's signal and answers 504 (`deadline.ts`)
 * 10. problem+json error handler, last, so its onError runs first
 */
export function api<const R extends RouteDefinition>(
  route: R,
  fn: ApiHandlerFn<R>,
  options: ApiOptions = {},
): ApiHandler {
  const timeoutEarlyMs = options.timeoutEarlyMs ?? DEFAULT_TIMEOUT_EARLY_MS;
  const cors = options.cors ?? corsConfigFromEnv();

  const timeoutMs = route.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const lambdaHandler = async (event: StatefulEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const state = event[REQUEST_STATE];
    if (state === undefined) throw new Error('request state missing: correlationIdMiddleware did not run');
    // The route budget starts when the handler does, after every `before` step.
    startDeadline(state, context, timeoutMs, timeoutEarlyMs);
    const result = await raceDeadline(Promise.resolve(fn(state as unknown as ApiRequest<R>)), state);
    return serializeResult(result);
  };

  // Middy core's own timeout race is off (0): `deadline.ts` says why.
  const handler = middy<StatefulEvent, APIGatewayProxyResult, Error, Context>(lambdaHandler, {
    timeoutEarlyInMillis: 0,
  })
    .use(httpHeaderNormalizer())
    .use(httpEventNormalizer())
    .use(correlationIdMiddleware())
    .use(publishMetricsMiddleware())
    .use(responseContractMiddleware({ route }))
    .use(securityHeadersMiddleware())
    .use(corsMiddleware({ config: cors }))
    .use(routeHeadersMiddleware({ route }))
    .use(rateLimitHeadersMiddleware())
    .use(authorizeMiddleware({ access: route.access }))
    .use(
      jsonBodyMiddleware({
        limitBytes: route.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
        acceptsBody: route.schemas?.body !== undefined,
      }),
    )
    .use(validateRequestMiddleware({ schemas: route.schemas, richTextFields: route.richTextFields }))
    .use(
      conditionalRequestsMiddleware({
        conditionalGet: route.method === 'GET',
        requireIfMatch: route.conditionalUpdate === true,
      }),
    )
    .use(problemErrorsMiddleware());

  return handler as unknown as ApiHandler;
}
