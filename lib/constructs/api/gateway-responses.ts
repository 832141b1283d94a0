import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../lambda/shared/errors';
import { PROBLEM_TYPE_BASE } from '../../../lambda/shared/http/problem';
import { securityHeaderValues } from '../../../lambda/shared/security-headers';
import { CORS_EXPOSED_HEADERS } from './cors';

/** A gateway response Rampart customises: which API Gateway situation maps to which code. */
export interface GatewayProblem {
  readonly type: ResponseType;
  readonly code: ErrorCode;
  /** Seconds for `Retry-After` on throttling and retryable responses. */
  readonly retryAfterSeconds?: number;
  /** `detail` is API Gateway's own message (validation errors), instead of the catalogue title. */
  readonly detailFromGateway?: boolean;
  /**
   * The fallback responses (`DEFAULT_4XX`/`DEFAULT_5XX`) set no status: each response type they
   * stand in for keeps its own (API Gateway: "Resetting this status code to null reverts ... to
   * their original values"), and the body then has no `status` member rather than a wrong one.
   */
  readonly keepsGatewayStatus?: boolean;
}

/**
 * Every gateway response type API Gateway documents, each mapped to the same problem+json shape,
 * codes and security headers the handlers use, so a client sees one error format whoever answered.
 * The fallbacks `DEFAULT_4XX`/`DEFAULT_5XX` only cover types AWS may add later.
 *
 * `MISSING_AUTHENTICATION_TOKEN` is what API Gateway answers for an unknown path or method when no
 * method uses IAM auth: 404 `NOT_FOUND`. `Retry-After` on throttled responses is a fixed hint:
 * API Gateway does not expose the token bucket's refill time to templates.
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  { type: ResponseType.UNAUTHORIZED, code: 'AUTH_REQUIRED' },
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'NOT_FOUND' },
  { type: ResponseType.RESOURCE_NOT_FOUND, code: 'NOT_FOUND' },
  { type: ResponseType.EXPIRED_TOKEN, code: 'AUTH_TOKEN_EXPIRED' },
  { type: ResponseType.INVALID_SIGNATURE, code: 'FORBIDDEN' },
  { type: ResponseType.INVALID_API_KEY, code: 'AUTH_TOKEN_INVALID' },
  { type: ResponseType.ACCESS_DENIED, code: 'FORBIDDEN' },
  { type: ResponseType.AUTHORIZER_FAILURE, code: 'DEPENDENCY_UNAVAILABLE', retryAfterSeconds: 5 },
  { type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR, code: 'INTERNAL' },
  { type: ResponseType.API_CONFIGURATION_ERROR, code: 'INTERNAL' },
  { type: ResponseType.BAD_REQUEST_BODY, code: 'VALIDATION_FAILED', detailFromGateway: true },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, code: 'VALIDATION_FAILED', detailFromGateway: true },
  { type: ResponseType.REQUEST_TOO_LARGE, code: 'PAYLOAD_TOO_LARGE' },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { type: ResponseType.THROTTLED, code: 'RATE_LIMITED', retryAfterSeconds: 1 },
  { type: ResponseType.QUOTA_EXCEEDED, code: 'RATE_LIMITED', retryAfterSeconds: 3600 },
  { type: ResponseType.WAF_FILTERED, code: 'FORBIDDEN' },
  { type: ResponseType.INTEGRATION_TIMEOUT, code: 'TIMEOUT' },
  { type: ResponseType.INTEGRATION_FAILURE, code: 'DEPENDENCY_UNAVAILABLE', retryAfterSeconds: 5 },
  {
    type: ResponseType.DEFAULT_4XX,
    code: 'REQUEST_REFUSED',
    detailFromGateway: true,
    keepsGatewayStatus: true,
  },
  { type: ResponseType.DEFAULT_5XX, code: 'INTERNAL', keepsGatewayStatus: true },
];

/**
 * The body template of one gateway problem. API Gateway does not run gateway response templates
 * through VTL: it only substitutes variables. So no `$util` call may appear (it would be sent as
 * written), and the gateway's message goes in as `$context.error.messageString`, which API Gateway
 * renders as a quoted JSON string (its own default template is `{"message":$context.error.messageString}`).
 */
export function problemTemplate(problem: GatewayProblem): string {
  const { title, status } = ERROR_CATALOGUE[problem.code];
  const members = [
    `"type":${JSON.stringify(PROBLEM_TYPE_BASE + problem.code)}`,
    `"title":${JSON.stringify(title)}`,
    ...(problem.keepsGatewayStatus === true ? [] : [`"status":${status}`]),
    `"detail":${problem.detailFromGateway === true ? '$context.error.messageString' : JSON.stringify(title)}`,
    `"code":${JSON.stringify(problem.code)}`,
    '"correlationId":"$context.requestId"',
  ];
  return `{${members.join(',')}}`;
}

/**
 * Response headers of a gateway problem (API Gateway mapping expressions): security headers,
 * problem+json, `Retry-After` where it applies, and CORS for the configured origins so browsers can
 * read 401/403/429 bodies. Static values are single-quoted and cannot contain a quote, so the CSP
 * (whose `'none'` needs them) is left to CloudFront's response headers policy.
 *
 * CORS: with one origin it is sent as is. A gateway response cannot compare the request's `Origin`
 * with a list, so with several origins the request's `Origin` is echoed (with `Vary: Origin`):
 * these bodies carry only an error code and a correlation id, and no credentials are ever allowed
 * (`Access-Control-Allow-Credentials` is never sent), so echoing exposes nothing.
 */
export function problemHeaders(
  problem: GatewayProblem,
  corsAllowedOrigins: readonly string[] = [],
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(securityHeaderValues())) {
    if (!value.includes("'")) headers[name] = `'${value}'`;
  }
  headers['Content-Type'] = "'application/problem+json'";
  headers['Cache-Control'] = "'no-store'";
  headers['x-correlation-id'] = 'context.requestId';
  if (problem.retryAfterSeconds !== undefined) headers['Retry-After'] = `'${problem.retryAfterSeconds}'`;
  if (corsAllowedOrigins.length > 0) {
    headers['Access-Control-Allow-Origin'] =
      corsAllowedOrigins.length === 1 ? `'${corsAllowedOrigins[0]}'` : 'method.request.header.Origin';
    headers['Access-Control-Expose-Headers'] = `'${CORS_EXPOSED_HEADERS.join(',')}'`;
    headers.Vary = "'Origin'";
  }
  return headers;
}

/** The status API Gateway answers with for a gateway problem, or `undefined` to keep its own. */
export function problemStatus(problem: GatewayProblem): string | undefined {
  return problem.keepsGatewayStatus === true ? undefined : String(ERROR_CATALOGUE[problem.code].status);
}

/** Adds every gateway problem response to `api`. */
export function addProblemGatewayResponses(api: RestApi, corsAllowedOrigins: readonly string[] = []): void {
  for (const problem of GATEWAY_PROBLEMS) {
    api.addGatewayResponse(`${pascal(problem.type.responseType)}Response`, {
      type: problem.type,
      statusCode: problemStatus(problem),
      responseHeaders: problemHeaders(problem, corsAllowedOrigins),
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
