import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { GATEWAY_PROBLEMS, problemHeaders, problemTemplate } from '../constructs/api/gateway-responses';
import { globToRegExp } from '../../lambda/domain/authz/policy';
import type { ApiKeyTier } from '../../lambda/shared/access';
import { QUOTA_PERIOD_SECONDS, type UsagePlanLimits } from '../../lambda/shared/rate-limit-headers';
import { DEFAULT_TIMEOUT_MS, type RouteDefinition } from '../../lambda/shared/route';
import { removedHeaderNames, securityHeaderValues } from '../../lambda/shared/security-headers';
import { localLambdaContext } from './lambda-context';
import {
  authorizerEventOf,
  proxyEventOf,
  requestParts,
  RouteTable,
  type HttpRequestParts,
  type RouteMatch,
} from './proxy-event';
import { PeriodQuota, TokenBucket, type ThrottleLimits } from './token-bucket';

/** A route's function as Lambda invokes it. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
/** The REQUEST authorizer as Lambda invokes it. */
export type RequestAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

/** One line of the local access log. */
export interface AccessLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly routeId?: string;
  /** Set when the gateway answered by itself (API Gateway response type, e.g. `THROTTLED`). */
  readonly gatewayResponse?: string;
}

export interface LocalGatewayOptions {
  readonly routes: readonly RouteDefinition[];
  /** The loaded handler of a route (`lambda/functions/<route.handler>`). */
  readonly handlerFor: (route: RouteDefinition) => ProxyHandler;
  readonly authorizer: RequestAuthorizer;
  /** Applied per method to every route without its own `throttle`. */
  readonly stageThrottle: ThrottleLimits;
  /** Usage plan per API key tier (throttle per key, quota per key). */
  readonly usagePlans: Readonly<Record<ApiKeyTier, UsagePlanLimits>>;
  /**
   * Meters one call made under a usage plan key (the authorizer's `usageIdentifierKey`); false when
   * API Gateway would refuse the key (unknown, disabled, in no plan).
   */
  readonly meterApiKey: (usageIdentifierKey: string) => boolean;
  /** Responses at least this large are compressed when the client accepts gzip or br. */
  readonly minimumCompressionBytes: number;
  /** @default 'local' */
  readonly stage?: string;
  /**
   * Largest request body read, in bytes (API Gateway's payload limit); routes' own smaller limits
   * are enforced by the handler wrapper, as deployed.
   * @default 10485760
   */
  readonly maxBodyBytes?: number;
  readonly onRequest?: (entry: AccessLogEntry) => void;
  /** A handler or the authorizer failed unexpectedly (the client got a gateway 5xx). */
  readonly onError?: (error: unknown, entry: { readonly requestId: string; readonly stage: string }) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** API Gateway's REST payload limit. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's default integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

type GatewayResponseType = (typeof GATEWAY_PROBLEMS)[number]['type']['responseType'];

interface GatewayAnswer {
  readonly type: GatewayResponseType;
  readonly message?: string;
  readonly retryAfterSeconds?: number;
}

class GatewayRefusal extends Error {
  constructor(readonly answer: GatewayAnswer) {
    super(answer.type);
  }
}

/** The problem+json answer API Gateway renders from the Api stack's gateway response templates. */
export function gatewayResponse(answer: GatewayAnswer, requestId: string): APIGatewayProxyResult {
  const problem = GATEWAY_PROBLEMS.find((candidate) => candidate.type.responseType === answer.type);
  if (problem === undefined) throw new Error(`No gateway response for ${answer.type}`);
  const message = JSON.stringify(answer.message ?? answer.type).slice(1, -1);
  const body = problemTemplate(problem)
    .replace('$util.escapeJavaScript($context.error.message)', message)
    .replace('$context.requestId', requestId);
  const headers: Record<string, string> = {};
  for (const [name, mapping] of Object.entries(problemHeaders(problem))) {
    headers[name] = mapping === 'context.requestId' ? requestId : mapping.slice(1, -1);
  }
  if (answer.retryAfterSeconds !== undefined) headers['Retry-After'] = String(answer.retryAfterSeconds);
  const { status } = JSON.parse(body) as { status: number };
  return { statusCode: status, headers, body };
}

/** Whether an IAM policy document allows `execute-api:Invoke` on `arn` (an explicit Deny wins). */
export function policyAllows(result: APIGatewayAuthorizerResult, arn: string): boolean {
  let allowed = false;
  for (const statement of result.policyDocument?.Statement ?? []) {
    const resources = 'Resource' in statement ? statement.Resource : undefined;
    const list = resources === undefined ? [] : Array.isArray(resources) ? resources : [resources];
    if (!list.some((resource: string) => globToRegExp(resource).test(arn))) continue;
    if (statement.Effect === 'Deny') return false;
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

/** `br` or `gzip` when the client accepts it (q > 0), brotli first as CloudFront does. */
export function negotiateEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (acceptEncoding === undefined) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    const q = parameters.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const quality = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (quality('br') > 0) return 'br';
  if (quality('gzip') > 0) return 'gzip';
  return undefined;
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Lambda timeout the Api stack gives a route's function (wrapper timeout + 1 s). */
function functionTimeoutMs(route: RouteDefinition): number {
  return (Math.ceil((route.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000) + 1) * 1000;
}

/** Authorizer context as API Gateway forwards it to the integration: principalId plus the context values. */
function forwardedContext(result: APIGatewayAuthorizerResult, latencyMs: number): Record<string, unknown> {
  return { ...(result.context ?? {}), principalId: result.principalId, integrationLatency: latencyMs };
}

const SECURITY_HEADERS = securityHeaderValues();
const REMOVED_HEADERS = new Set(removedHeaderNames());

/**
 * The local API Gateway: an HTTP request listener that reproduces what the Api stack deploys in
 * front of the handlers — resource matching from the manifest, method throttling (route or stage
 * token bucket), the REQUEST authorizer and its policy, usage plans per API key tier (throttle and
 * quota per key, usage metered in the key gateway), the gateway's problem+json responses, and
 * what CloudFront adds (security headers on every response, gzip/brotli).
 */
export function createLocalGateway(options: LocalGatewayOptions): RequestListener {
  const stage = options.stage ?? 'local';
  const now = options.now ?? Date.now;
  const table = new RouteTable(options.routes);
  const routeBuckets = new Map<string, TokenBucket>();
  for (const route of options.routes) {
    routeBuckets.set(route.id, new TokenBucket(route.throttle ?? options.stageThrottle, now));
  }
  const keyBuckets = new Map<string, TokenBucket>();
  const quotas = new Map<ApiKeyTier, PeriodQuota>();
  const planFor = (tier: ApiKeyTier) => options.usagePlans[tier];

  const usagePlanCheck = (result: APIGatewayAuthorizerResult): void => {
    const key = result.usageIdentifierKey;
    if (key === undefined || key === null) return;
    const tier = result.context?.tier as ApiKeyTier | undefined;
    const plan = tier === undefined ? undefined : planFor(tier);
    if (tier === undefined || plan === undefined) throw new GatewayRefusal({ type: 'INVALID_API_KEY' });
    let bucket = keyBuckets.get(key);
    if (bucket === undefined) keyBuckets.set(key, (bucket = new TokenBucket(plan, now)));
    const throttled = bucket.take();
    if (throttled > 0) throw new GatewayRefusal({ type: 'THROTTLED', retryAfterSeconds: throttled });
    let quota = quotas.get(tier);
    if (quota === undefined) {
      quotas.set(
        tier,
        (quota = new PeriodQuota(plan.quotaLimit, QUOTA_PERIOD_SECONDS[plan.quotaPeriod], now)),
      );
    }
    const exhausted = quota.take(key);
    if (exhausted > 0) throw new GatewayRefusal({ type: 'QUOTA_EXCEEDED', retryAfterSeconds: exhausted });
    if (!options.meterApiKey(key)) throw new GatewayRefusal({ type: 'INVALID_API_KEY' });
  };

  const authorize = async (
    parts: HttpRequestParts,
    match: RouteMatch,
    requestId: string,
  ): Promise<Record<string, unknown> | null> => {
    if (match.route.access.public === true) return null;
    // The identity source is the Authorization header: without it API Gateway answers 401 itself.
    const authorization = Object.entries(parts.headers).find(
      ([name]) => name.toLowerCase() === 'authorization',
    );
    if (authorization === undefined || authorization[1].trim() === '') {
      throw new GatewayRefusal({ type: 'UNAUTHORIZED' });
    }
    const event = authorizerEventOf(parts, match, stage, requestId);
    const started = now();
    let result: APIGatewayAuthorizerResult;
    try {
      result = await options.authorizer(event, localLambdaContext('authorizer', 5_000));
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') {
        throw new GatewayRefusal({ type: 'UNAUTHORIZED' });
      }
      options.onError?.(error, { requestId, stage });
      throw new GatewayRefusal({ type: 'AUTHORIZER_FAILURE', retryAfterSeconds: 5 });
    }
    if (!policyAllows(result, event.methodArn)) throw new GatewayRefusal({ type: 'ACCESS_DENIED' });
    usagePlanCheck(result);
    return forwardedContext(result, now() - started);
  };

  const integrate = async (
    parts: HttpRequestParts,
    match: RouteMatch,
    requestId: string,
    authorizer: Record<string, unknown> | null,
  ): Promise<APIGatewayProxyResult> => {
    const event = proxyEventOf(parts, match, stage, requestId, authorizer);
    const timeoutMs = Math.min(functionTimeoutMs(match.route), INTEGRATION_TIMEOUT_MS);
    const context = localLambdaContext(match.route.id, timeoutMs);
    let result: APIGatewayProxyResult | 'timeout';
    try {
      result = await withTimeout(options.handlerFor(match.route)(event, context), timeoutMs);
    } catch (error) {
      options.onError?.(error, { requestId, stage });
      throw new GatewayRefusal({ type: 'INTEGRATION_FAILURE', retryAfterSeconds: 5 });
    }
    if (result === 'timeout') throw new GatewayRefusal({ type: 'INTEGRATION_TIMEOUT' });
    if (typeof result?.statusCode !== 'number') {
      options.onError?.(new Error('Malformed Lambda proxy response'), { requestId, stage });
      throw new GatewayRefusal({ type: 'INTEGRATION_FAILURE', retryAfterSeconds: 5 });
    }
    return result;
  };

  const answer = async (
    request: IncomingMessage,
    requestId: string,
  ): Promise<{
    result: APIGatewayProxyResult;
    routeId?: string;
    gateway?: string;
    path: string;
    method: string;
  }> => {
    const method = (request.method ?? 'GET').toUpperCase();
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const refused = (refusal: GatewayAnswer, routeId?: string) => ({
      result: gatewayResponse(refusal, requestId),
      routeId,
      gateway: refusal.type,
      path,
      method,
    });
    const body = await readBody(request, options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES);
    if (body === undefined) return refused({ type: 'REQUEST_TOO_LARGE' });
    const parts = requestParts(request, body);
    const match = table.match(parts.method, parts.path);
    if (match === undefined)
      return refused({ type: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' });
    const routeId = match.route.id;
    try {
      const throttled = routeBuckets.get(routeId)!.take();
      if (throttled > 0) throw new GatewayRefusal({ type: 'THROTTLED', retryAfterSeconds: throttled });
      const authorizer = await authorize(parts, match, requestId);
      return { result: await integrate(parts, match, requestId, authorizer), routeId, path, method };
    } catch (error) {
      if (error instanceof GatewayRefusal) return refused(error.answer, routeId);
      throw error;
    }
  };

  return (request, response) => {
    const started = now();
    const requestId = randomUUID();
    answer(request, requestId)
      .catch((error: unknown) => {
        options.onError?.(error, { requestId, stage });
        return {
          result: gatewayResponse({ type: 'DEFAULT_5XX' }, requestId),
          gateway: 'DEFAULT_5XX',
          routeId: undefined,
          path: request.url ?? '/',
          method: request.method ?? 'GET',
        };
      })
      .then(async ({ result, routeId, gateway, path, method }) => {
        await writeResult(response, request, result, options.minimumCompressionBytes);
        options.onRequest?.({
          requestId,
          method,
          path,
          status: result.statusCode,
          latencyMs: now() - started,
          routeId,
          gatewayResponse: gateway,
        });
      })
      .catch((error: unknown) => {
        options.onError?.(error, { requestId, stage });
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
  };
}

/** Writes a proxy result as API Gateway + CloudFront would: merged headers, security headers, compression. */
async function writeResult(
  response: ServerResponse,
  request: IncomingMessage,
  result: APIGatewayProxyResult,
  minimumCompressionBytes: number,
): Promise<void> {
  const headers = new Map<string, { name: string; values: string[] }>();
  const set = (name: string, values: string[]) => headers.set(name.toLowerCase(), { name, values });
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) set(name, values.map(String));
  for (const [name, value] of Object.entries(result.headers ?? {})) set(name, [String(value)]);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!headers.has(name)) set(name, [value]);
  for (const name of REMOVED_HEADERS) headers.delete(name);

  let body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  const encoding = negotiateEncoding(request.headers['accept-encoding']);
  const compressible =
    body.length > 0 &&
    body.length >= minimumCompressionBytes &&
    !headers.has('content-encoding') &&
    result.statusCode !== 204 &&
    result.statusCode !== 304;
  if (compressible) {
    const vary = headers.get('vary');
    if (vary === undefined) set('Vary', ['Accept-Encoding']);
    else if (!/accept-encoding/i.test(vary.values.join(',')))
      vary.values = [`${vary.values.join(', ')}, Accept-Encoding`];
  }
  if (compressible && encoding !== undefined) {
    body =
      encoding === 'br'
        ? await brotli(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } })
        : await gzipAsync(body);
    set('Content-Encoding', [encoding]);
  }
  set('Content-Length', [String(body.length)]);
  response.statusCode = result.statusCode;
  for (const { name, values } of headers.values())
    response.setHeader(name, values.length === 1 ? values[0] : values);
  response.end(request.method === 'HEAD' ? undefined : body);
}
