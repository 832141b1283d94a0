import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../lambda/shared/errors';
import { PROBLEM_TYPE_BASE } from '../../../lambda/shared/http/problem';
import { securityHeaderValues } from '../../../lambda/shared/security-headers';

/** A gateway response Rampart customises: which API Gateway situation maps to which code. */
interface GatewayProblem {
  readonly type: ResponseType;
  readonly code: ErrorCode;
  /** Seconds for `Retry-After` on throttling responses. */
  readonly retryAfterSeconds?: number;
  /** `detail` from API Gateway's own message (validation errors), instead of the catalogue title. */
  readonly detailFromGateway?: boolean;
}

/**
 * Every response API Gateway produces on its own (before or instead of a handler), mapped to the
 * same problem+json shape, codes and security headers the handlers use, so a client sees one
 * error format whoever answered. `Retry-After` on throttled responses is a fixed hint: API
 * Gateway does not expose the token bucket's refill time to templates.
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  { type: ResponseType.UNAUTHORIZED, code: 'AUTH_REQUIRED' },
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'NOT_FOUND' },
  { type: ResponseType.EXPIRED_TOKEN, code: 'AUTH_TOKEN_EXPIRED' },
  { type: ResponseType.INVALID_API_KEY, code: 'AUTH_TOKEN_INVALID' },
  { type: ResponseType.ACCESS_DENIED, code: 'FORBIDDEN' },
  { type: ResponseType.AUTHORIZER_FAILURE, code: 'DEPENDENCY_UNAVAILABLE', retryAfterSeconds: 5 },
  { type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR, code: 'INTERNAL' },
  { type: ResponseType.BAD_REQUEST_BODY, code: 'VALIDATION_FAILED', detailFromGateway: true },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, code: 'VALIDATION_FAILED', detailFromGateway: true },
  { type: ResponseType.REQUEST_TOO_LARGE, code: 'PAYLOAD_TOO_LARGE' },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { type: ResponseType.THROTTLED, code: 'RATE_LIMITED', retryAfterSeconds: 1 },
  { type: ResponseType.QUOTA_EXCEEDED, code: 'RATE_LIMITED', retryAfterSeconds: 3600 },
  { type: ResponseType.WAF_FILTERED, code: 'FORBIDDEN' },
  { type: ResponseType.INTEGRATION_TIMEOUT, code: 'TIMEOUT' },
  { type: ResponseType.INTEGRATION_FAILURE, code: 'DEPENDENCY_UNAVAILABLE', retryAfterSeconds: 5 },
  { type: ResponseType.DEFAULT_4XX, code: 'VALIDATION_FAILED', detailFromGateway: true },
  { type: ResponseType.DEFAULT_5XX, code: 'INTERNAL' },
];

/** The mapping template of one gateway problem (VTL; `$context` values escaped for JSON). */
export function problemTemplate(problem: GatewayProblem): string {
  const { title } = ERROR_CATALOGUE[problem.code];
  const detail = problem.detailFromGateway ? '$util.escapeJavaScript($context.error.message)' : title;
  return JSON.stringify({
    type: PROBLEM_TYPE_BASE + problem.code,
    title,
    status: '__STATUS__',
    detail,
    code: problem.code,
    correlationId: '$context.requestId',
  }).replace('"__STATUS__"', String(ERROR_CATALOGUE[problem.code].status));
}

/**
 * Response headers of a gateway problem: security headers plus `Retry-After` where it applies.
 * Static values are single-quoted in API Gateway and cannot contain a quote, so the CSP (whose
 * `'none'` needs them) is left to CloudFront's response headers policy, which covers these
 * responses too.
 */
export function problemHeaders(problem: GatewayProblem): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(securityHeaderValues())) {
    if (!value.includes("'")) headers[name] = `'${value}'`;
  }
  headers['Content-Type'] = "'application/problem+json'";
  headers['Cache-Control'] = "'no-store'";
  headers['x-correlation-id'] = 'context.requestId';
  if (problem.retryAfterSeconds !== undefined) headers['Retry-After'] = `'${problem.retryAfterSeconds}'`;
  return headers;
}

/** Adds every gateway problem response to `api`. */
export function addProblemGatewayResponses(api: RestApi): void {
  for (const problem of GATEWAY_PROBLEMS) {
    api.addGatewayResponse(`${pascal(problem.type.responseType)}Response`, {
      type: problem.type,
      statusCode: String(ERROR_CATALOGUE[problem.code].status),
      responseHeaders: problemHeaders(problem),
      templates: { 'application/json': problemTemplate(problem) },
    });
  }
}

function pascal(value: string): string {
  return value
    .toLowerCase()
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
