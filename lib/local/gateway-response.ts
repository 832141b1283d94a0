import type { APIGatewayProxyResult } from 'aws-lambda';
import type { DeployedApi } from './deployed-api';

/**
 * API Gateway's gateway response types with their default status and message (the Amazon API
 * Gateway developer guide, "Gateway response types"; messages as API Gateway sends them).
 */
export const GATEWAY_RESPONSE_DEFAULTS = {
  ACCESS_DENIED: {
    status: 403,
    message: 'User is not authorized to access this resource with an explicit deny',
  },
  API_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error' },
  AUTHORIZER_FAILURE: { status: 500, message: 'Internal server error' },
  BAD_REQUEST_PARAMETERS: { status: 400, message: 'Missing required request parameters' },
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body' },
  DEFAULT_4XX: { status: 400, message: 'Bad Request' },
  DEFAULT_5XX: { status: 500, message: 'Internal server error' },
  EXPIRED_TOKEN: { status: 403, message: 'The security token included in the request is expired' },
  INTEGRATION_FAILURE: { status: 504, message: 'Internal server error' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden' },
  INVALID_SIGNATURE: { status: 403, message: 'Invalid signature' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token' },
  QUOTA_EXCEEDED: { status: 429, message: 'Limit Exceeded' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long' },
  RESOURCE_NOT_FOUND: { status: 404, message: 'Not Found' },
  THROTTLED: { status: 429, message: 'Too Many Requests' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type' },
  WAF_FILTERED: { status: 403, message: 'Forbidden' },
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_DEFAULTS;

/** API Gateway's own body when a type has no gateway response of the API's. */
const AWS_DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/** What the substitution can read: `$context` values and the method request. */
export interface GatewayResponseContext {
  readonly requestId: string;
  /** API Gateway's message; the type's default when absent. */
  readonly message?: string;
  /** Request headers (any case), for `method.request.header.*` parameters. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: URLSearchParams;
  readonly pathParameters?: Readonly<Record<string, string>> | null;
  readonly stage: string;
}

function lookupHeader(
  headers: Readonly<Record<string, string>> | undefined,
  name: string,
): string | undefined {
  if (headers === undefined) return undefined;
  const lower = name.toLowerCase();
  let found: string | undefined;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) found = headers[key];
  return found;
}

/**
 * Renders a gateway response as API Gateway does: the API's response for `type`, else its
 * `DEFAULT_4XX`/`DEFAULT_5XX` (by the type's default status), else API Gateway's own body. The
 * status is the response's `StatusCode`, else the fallback's, else the type's default.
 *
 * Templates get simple variable substitution only, as documented ("A GatewayResponse mapping
 * template isn't processed by the Velocity Template Language (VTL) engine"): `$context.*` and
 * `$stageVariables.*` are replaced, anything else (a `$util` call, `#if`) is sent as written.
 * `$context.error.messageString` is the message as a quoted JSON string.
 */
export function renderGatewayResponse(
  api: Pick<DeployedApi, 'gatewayResponses'>,
  type: GatewayResponseType,
  context: GatewayResponseContext,
): APIGatewayProxyResult {
  const defaults = GATEWAY_RESPONSE_DEFAULTS[type];
  const fallbackType = defaults.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const own = api.gatewayResponses.get(type);
  const fallback = api.gatewayResponses.get(fallbackType);
  const response = own ?? fallback;
  const status = Number(own?.statusCode ?? fallback?.statusCode ?? defaults.status);
  const message = context.message ?? defaults.message;

  const contextValues: Record<string, string> = {
    requestId: context.requestId,
    extendedRequestId: context.requestId,
    stage: context.stage,
    'error.message': message,
    'error.messageString': JSON.stringify(message),
    'error.responseType': type,
    'error.validationErrorString': message,
  };
  const template = response?.responseTemplates['application/json'] ?? AWS_DEFAULT_TEMPLATE;
  const body = template.replace(
    /\$(context|stageVariables)\.([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)/g,
    (_match, root: string, name: string) => (root === 'context' ? (contextValues[name] ?? '') : ''),
  );

  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  for (const [parameter, expression] of Object.entries(response?.responseParameters ?? {})) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(parameter)?.[1];
    if (name === undefined) continue;
    const value = evaluateMapping(expression, contextValues, context);
    if (value !== undefined && value !== '') headers[name] = value;
  }
  return { statusCode: status, headers, body };
}

/** A response parameter's mapping expression: `'static'`, `context.x`, `method.request.<where>.<name>`. */
function evaluateMapping(
  expression: string,
  contextValues: Readonly<Record<string, string>>,
  context: GatewayResponseContext,
): string | undefined {
  if (expression.startsWith("'") && expression.endsWith("'")) return expression.slice(1, -1);
  if (expression.startsWith('context.')) return contextValues[expression.slice('context.'.length)];
  const request = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expression);
  if (request === null) return undefined;
  const [, where, name] = request;
  if (where === 'header') return lookupHeader(context.headers, name);
  if (where === 'querystring') return context.query?.get(name) ?? undefined;
  return context.pathParameters?.[name];
}
