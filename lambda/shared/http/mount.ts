import middy from '@middy/core';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AppError } from '../errors';
import { hasLoneSurrogate } from '../unicode';
import { MountAccessRules } from '../mount-access';
import { rateLimitHeadersMiddleware } from '../rate-limit-headers';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, type MountDefinition } from '../route';
import type { ApiHandler, ApiOptions } from './api';
import { DEFAULT_TIMEOUT_EARLY_MS } from './api';
import { principalFromAuthorizer } from './authorize';
import { corsConfigFromEnv, corsMiddleware } from './cors';
import { correlationIdMiddleware } from './correlation-id';
import { raceDeadline, startDeadline } from './deadline';
import { bodyByteLength } from './json-body';
import { STATUS_ERROR_CODES } from './problem';
import { PROBLEM_CONTENT_TYPE, problemErrorsMiddleware } from './problem-errors';
import { publishMetricsMiddleware } from './publish-metrics';
import { REQUEST_STATE, requestState, type StatefulEvent } from './request-state';
import { routeHeadersMiddleware } from './route-headers';
import { securityHeadersMiddleware } from './security-headers';

/** A mounted app as Lambda would invoke it on its own: API Gateway REST (v1) proxy event in, result out. */
export type MountedAppHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult> | APIGatewayProxyResult;

/**
 * Request headers in Rampart's namespace: an HTTP backend receives the principal in them, set by
 * the gateway (`lambda/shared/principal-headers.ts`). A client's own copies never reach a mounted app.
 */
export const RAMPART_HEADER_PREFIX = 'x-rampart-';

/** `application/json` and `application/<anything>+json`, with optional parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json[\t ]*(?:;|$)/i;

/**
 * A percent-encoded unreserved character (RFC 3986 2.3: letters, digits, `-`, `.`, `_`, `~`). Its
 * normal form is the character itself (6.2.2.2), and an app's router decodes it (Hono matches on
 * `decodeURI(path)`), so `/%6frders` would reach `/orders` after the rules saw another path.
 */
const ENCODED_UNRESERVED = /%(?:[46][1-9A-F]|[57][0-9A]|3[0-9]|2[DE]|5F|7E)/i;

function isNormalizedPath(path: string): boolean {
  if (ENCODED_UNRESERVED.test(path)) return false;
  try {
    return new URL(path, 'http://mount.invalid').pathname === path;
  } catch {
    return false;
  }
}

/**
 * Authorization per sub-path (the mount's rules, `MountAccessRules`) and the request guards an app
 * behind Rampart gets whatever its own code does: a path that resolves to another one (`..`, `%2e`,
 * `\`) or an unreserved character written percent-encoded (`%6f`) is refused before any rule is read
 * (the app's router would resolve or decode it after the check), the
 * body limit (413), a JSON body that does not parse (400, so the app never throws on it), a lone
 * surrogate in a JSON body (400: it would be stored as U+FFFD), NUL in the path or query (PostgreSQL refuses it: 400 instead of the app's 500). Client headers in Rampart's
 * namespace are removed, and the correlation id is set as `x-correlation-id`.
 */
function mountGuardMiddleware(
  mount: MountDefinition,
  rules: MountAccessRules,
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const limitBytes = mount.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  const mountGuardBefore = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    const event = request.event;
    const path = event.path ?? '';
    if (!isNormalizedPath(path) || path.includes('\0')) {
      throw new AppError('UNSAFE_INPUT', { detail: 'The request path is not in normal form' });
    }
    const principal = principalFromAuthorizer(event.requestContext?.authorizer);
    const state = requestState(event);
    if (state !== undefined) state.principal = principal;
    const decision = rules.decide(principal, event.httpMethod, path);
    if (decision === 'unauthenticated') {
      throw new AppError('AUTH_REQUIRED', { headers: { 'www-authenticate': 'Bearer' } });
    }
    if (decision === 'forbidden') throw new AppError('FORBIDDEN');

    for (const values of Object.values(event.multiValueQueryStringParameters ?? {})) {
      if ((values ?? []).some((value) => value.includes('\0'))) {
        throw new AppError('UNSAFE_INPUT', { detail: 'The query contains a NUL character' });
      }
    }
    const raw = event.body;
    if (raw !== null && raw !== undefined && raw !== '') {
      const isBase64 = event.isBase64Encoded === true;
      if (bodyByteLength(raw, isBase64) > limitBytes) {
        throw new AppError('PAYLOAD_TOO_LARGE', {
          detail: `The request body must not exceed ${limitBytes} bytes`,
        });
      }
      const contentType = event.headers?.['content-type'];
      if (contentType !== undefined && JSON_MEDIA_TYPE.test(contentType)) {
        const text = isBase64 ? Buffer.from(raw, 'base64').toString('utf8') : raw;
        let wellFormed = true;
        try {
          JSON.parse(text, (key, value: unknown) => {
            if (hasLoneSurrogate(key) || (typeof value === 'string' && hasLoneSurrogate(value)))
              wellFormed = false;
            return value;
          });
        } catch {
          throw new AppError('MALFORMED_JSON');
        }
        if (!wellFormed) {
          throw new AppError('UNSAFE_INPUT', {
            detail: 'The body contains a lone surrogate, not Unicode text',
          });
        }
        if (text.includes('\\u0000') || text.includes('\0')) {
          throw new AppError('UNSAFE_INPUT', { detail: 'The body contains a NUL character' });
        }
      }
    }

    const correlationId = state?.correlationId;
    for (const map of [event.headers, event.multiValueHeaders] as Record<string, unknown>[]) {
      if (map === null || map === undefined) continue;
      for (const name of Object.keys(map)) {
        if (name.toLowerCase().startsWith(RAMPART_HEADER_PREFIX)) delete map[name];
      }
      if (correlationId !== undefined) {
        map['x-correlation-id'] = map === event.headers ? correlationId : [correlationId];
      }
    }
  };

  return { before: mountGuardBefore };
}

function detailOf(body: string | undefined): string | undefined {
  if (body === undefined || body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown; detail?: unknown };
    const text = [parsed.detail, parsed.message, parsed.error].find((value) => typeof value === 'string');
    return typeof text === 'string' ? text.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The app's response as the wrapper answers it: success as the app sent it (single-value headers,
 * lower-case names); a 4xx that is not already problem+json becomes one with Rampart's code for the
 * status; a 5xx never reaches the client as the app wrote it (its body may hold a stack): 503 and
 * 504 keep their meaning, anything else is a logged 500 `INTERNAL`.
 */
export function mountedResult(result: APIGatewayProxyResult): APIGatewayProxyResult {
  const status = result?.statusCode;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new TypeError(`mounted app returned an invalid status: ${String(status)}`);
  }
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    const list = values.map(String);
    if (list.length === 1) headers[name.toLowerCase()] = list[0];
    else multiValueHeaders[name.toLowerCase()] = list;
  }
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (status >= 500) {
    const code = STATUS_ERROR_CODES[status];
    if (code !== undefined) throw new AppError(code);
    throw new Error(`mounted app answered ${status}`);
  }
  if (status >= 400 && !(headers['content-type'] ?? '').startsWith(PROBLEM_CONTENT_TYPE)) {
    const code = STATUS_ERROR_CODES[status];
    const detail = detailOf(result.isBase64Encoded ? undefined : result.body);
    if (code !== undefined) throw new AppError(code, { detail });
    throw new AppError('REQUEST_REFUSED', { detail });
  }
  return {
    statusCode: status,
    headers,
    ...(Object.keys(multiValueHeaders).length > 0 ? { multiValueHeaders } : {}),
    body: result.body ?? '',
    ...(result.isBase64Encoded === true ? { isBase64Encoded: true } : {}),
  };
}

/**
 * Wraps a mounted app (e.g. `handle(app)` of `hono/aws-lambda`) in Rampart's HTTP chain: the same
 * order as `api()` (DESIGN.md, "The handler wrapper"), with the per-route steps replaced by the
 * mount's: authorization per sub-path and method, the request guards of {@link mountGuardMiddleware},
 * the mount's timeout around the app (504), and {@link mountedResult} on what it answers. Whatever
 * the app throws becomes a problem+json 500 with the correlation id, logged with its stack.
 */
export function mountedApp(
  mount: MountDefinition,
  app: MountedAppHandler,
  options: ApiOptions = {},
): ApiHandler {
  const timeoutEarlyMs = options.timeoutEarlyMs ?? DEFAULT_TIMEOUT_EARLY_MS;
  const cors = options.cors ?? corsConfigFromEnv();
  const timeoutMs = mount.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const rules = new MountAccessRules(mount);

  const lambdaHandler = async (event: StatefulEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const state = event[REQUEST_STATE];
    if (state === undefined) throw new Error('request state missing: correlationIdMiddleware did not run');
    startDeadline(state, context, timeoutMs, timeoutEarlyMs);
    const result = await raceDeadline(Promise.resolve(app(event, context)), state);
    return mountedResult(result);
  };

  const handler = middy<StatefulEvent, APIGatewayProxyResult, Error, Context>(lambdaHandler, {
    timeoutEarlyInMillis: 0,
  })
    .use(httpHeaderNormalizer())
    .use(httpEventNormalizer())
    .use(correlationIdMiddleware())
    .use(publishMetricsMiddleware())
    .use(securityHeadersMiddleware())
    .use(corsMiddleware({ config: cors }))
    .use(routeHeadersMiddleware({ route: { method: 'ANY', access: { public: true } } }))
    .use(rateLimitHeadersMiddleware())
    .use(mountGuardMiddleware(mount, rules))
    .use(problemErrorsMiddleware());

  return handler as unknown as ApiHandler;
}
