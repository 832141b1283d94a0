import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import AjvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { globToRegExp } from '../../lambda/domain/authz/policy';
import { ERROR_CATALOGUE } from '../../lambda/shared/errors';
import { PROBLEM_TYPE_BASE } from '../../lambda/shared/http/problem';
import { QUOTA_PERIOD_SECONDS } from '../../lambda/shared/rate-limit-headers';
import { removedHeaderNames, securityHeaderValues } from '../../lambda/shared/security-headers';
import type { DeployedApi, DeployedAuthorizer, DeployedMethod } from './deployed-api';
import { renderGatewayResponse, type GatewayResponseType } from './gateway-response';
import { localLambdaContext } from './lambda-context';
import {
  authorizerEventOf,
  MethodTable,
  proxyEventOf,
  requestParts,
  type HttpRequestParts,
  type MethodMatch,
} from './proxy-event';
import { PeriodQuota, TokenBucket } from './token-bucket';

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
  /** The method's operation name (the route id). */
  readonly routeId?: string;
  /** Set when the gateway answered by itself (API Gateway response type, e.g. `THROTTLED`). */
  readonly gatewayResponse?: string;
}

export interface LocalGatewayOptions {
  /** The REST API as deployed: read from the synthesized Api template (`readDeployedApi`). */
  readonly api: DeployedApi;
  /** The function behind a method's Lambda proxy integration; `undefined` when there is none. */
  readonly integrationFor: (method: DeployedMethod) => ProxyHandler | undefined;
  /** The function of a REQUEST authorizer. */
  readonly authorizerFor: (authorizer: DeployedAuthorizer) => RequestAuthorizer;
  /**
   * Usage plan (by name) of an API key created at run time (the template holds only its own keys);
   * `undefined` for an unknown or disabled key.
   */
  readonly runtimeKeyPlan?: (keyValue: string) => string | undefined;
  /** Called for every request metered under a usage plan key. */
  readonly meterApiKey?: (keyValue: string) => void;
  /** @default the template's stage name */
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
  /**
   * Where an HTTP backend's URL points locally (a local server standing in for the service).
   * @default - the template's URL
   */
  readonly httpBackendUrl?: (templateUrl: string) => string;
}

/** API Gateway's REST payload limit. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface GatewayAnswer {
  readonly type: GatewayResponseType;
  readonly message?: string;
}

class GatewayRefusal extends Error {
  constructor(readonly answer: GatewayAnswer) {
    super(answer.type);
  }
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

/** Authorizer context as API Gateway forwards it to the integration: principalId plus the context values. */
function forwardedContext(result: APIGatewayAuthorizerResult, latencyMs: number): Record<string, unknown> {
  return { ...(result.context ?? {}), principalId: result.principalId, integrationLatency: latencyMs };
}

const SECURITY_HEADERS = securityHeaderValues();
const REMOVED_HEADERS = new Set(removedHeaderNames());

/** The last value of a header (API Gateway's single-value view), any spelling of the name. */
function lastHeader(parts: HttpRequestParts, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value: string | undefined;
  for (const [key, values] of Object.entries(parts.multiValueHeaders)) {
    if (key.toLowerCase() === lower) value = values[values.length - 1];
  }
  return value;
}

/**
 * The value of one identity source for a request (`method.request.header.X`,
 * `method.request.querystring.x`); `undefined` when absent.
 */
function identityValue(source: string, parts: HttpRequestParts): string | undefined {
  const header = /^method\.request\.header\.(.+)$/.exec(source)?.[1];
  if (header !== undefined) return lastHeader(parts, header);
  const query = /^method\.request\.querystring\.(.+)$/.exec(source)?.[1];
  if (query !== undefined) return parts.query.getAll(query).at(-1);
  throw new Error(`Local gateway: identity source ${source} is not supported`);
}

interface CachedAuthorization {
  readonly result: APIGatewayAuthorizerResult;
  readonly expiresAt: number;
}

/** Request body validators compiled from the template's models (JSON Schema draft 4, as API Gateway). */
class BodyValidators {
  private readonly ajv = new AjvDraft04({ allErrors: false, strict: false, validateFormats: false });
  private readonly compiled = new Map<object, ValidateFunction>();

  /** True when `body` is JSON that matches `schema`. */
  valid(schema: object, body: string | null): boolean {
    let validate = this.compiled.get(schema);
    if (validate === undefined) this.compiled.set(schema, (validate = this.ajv.compile(schema)));
    let parsed: unknown;
    try {
      parsed = JSON.parse(body ?? '');
    } catch {
      return false;
    }
    return validate(parsed);
  }
}

function mediaType(parts: HttpRequestParts): string {
  return (lastHeader(parts, 'content-type') ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/**
 * The local API Gateway: an HTTP request listener that reproduces the REST API as the Api stack
 * deploys it, read from the synthesized template — resources and methods, method and stage
 * throttles, the REQUEST authorizer with its identity sources and result cache, `ApiKeyRequired`
 * with usage plans (throttle and quota per key), request validation against the models, and the
 * gateway responses — plus what CloudFront adds (security headers on every response, gzip/brotli
 * from the API's minimum compression size). docs/local.md lists what still differs.
 */
export function createLocalGateway(options: LocalGatewayOptions): RequestListener {
  const { api } = options;
  const stage = options.stage ?? api.stageName;
  const now = options.now ?? Date.now;
  const table = new MethodTable(api.methods);
  const methodBuckets = new Map<DeployedMethod, TokenBucket>();
  for (const method of api.methods) {
    if (method.throttle !== undefined) methodBuckets.set(method, new TokenBucket(method.throttle, now));
  }
  const authorizerCaches = new Map<string, Map<string, CachedAuthorization>>();
  const plans = new Map(api.usagePlans.map((plan) => [plan.name, plan]));
  const templateKeyPlans = new Map<string, string>();
  for (const plan of api.usagePlans)
    for (const value of plan.keyValues) templateKeyPlans.set(value, plan.name);
  const keyBuckets = new Map<string, TokenBucket>();
  const quotas = new Map<string, PeriodQuota>();
  const validators = new BodyValidators();
  const headerOrderRules = api.headerOrderRules.map((rule) => ({ ...rule, pattern: new RegExp(rule.regex) }));

  /** The regional web ACL's header-order and URI path rules, evaluated before API Gateway as WAF does. */
  const wafBlock = (
    request: IncomingMessage,
  ): { rule: string; result: APIGatewayProxyResult } | undefined => {
    const names = request.rawHeaders.filter((_, index) => index % 2 === 0);
    for (const rule of headerOrderRules) {
      // The path as the client sent it: WAF inspects it before anything decodes or resolves it.
      const value = rule.field === 'uriPath' ? (request.url ?? '/').split('?')[0] : names.join(':');
      if (!rule.pattern.test(rule.lowercase ? value.toLowerCase() : value)) continue;
      return {
        rule: rule.name,
        result: { statusCode: rule.status, headers: { 'Content-Type': rule.contentType }, body: rule.body },
      };
    }
    return undefined;
  };

  const usagePlanCheck = (key: string | null | undefined): void => {
    // With apiKeySource AUTHORIZER the key is the authorizer's usageIdentifierKey; API Gateway
    // answers 403 INVALID_API_KEY when it is missing, unknown, disabled or in no plan of the stage.
    const planName =
      key === undefined || key === null || key === ''
        ? undefined
        : (templateKeyPlans.get(key) ?? options.runtimeKeyPlan?.(key));
    const plan = planName === undefined ? undefined : plans.get(planName);
    if (plan === undefined || key === undefined || key === null) {
      throw new GatewayRefusal({ type: 'INVALID_API_KEY' });
    }
    const bucketKey = `${plan.name}\n${key}`;
    if (plan.throttle !== undefined) {
      let bucket = keyBuckets.get(bucketKey);
      if (bucket === undefined) keyBuckets.set(bucketKey, (bucket = new TokenBucket(plan.throttle, now)));
      if (bucket.take() > 0) throw new GatewayRefusal({ type: 'THROTTLED' });
    }
    if (plan.quota !== undefined) {
      let quota = quotas.get(plan.name);
      if (quota === undefined) {
        quotas.set(
          plan.name,
          (quota = new PeriodQuota(plan.quota.limit, QUOTA_PERIOD_SECONDS[plan.quota.period], now)),
        );
      }
      if (quota.take(key) > 0) throw new GatewayRefusal({ type: 'QUOTA_EXCEEDED' });
    }
    options.meterApiKey?.(key);
  };

  const authorize = async (
    parts: HttpRequestParts,
    match: MethodMatch,
    requestId: string,
  ): Promise<Record<string, unknown> | null> => {
    const { method } = match;
    if (method.authorizationType === 'NONE') return null;
    const authorizer = method.authorizer;
    if (method.authorizationType !== 'CUSTOM' || authorizer === undefined || authorizer.type !== 'REQUEST') {
      throw new GatewayRefusal({ type: 'AUTHORIZER_CONFIGURATION_ERROR' });
    }
    // Every identity source must be present and non-empty, or API Gateway answers 401 itself.
    const values = authorizer.identitySources.map((source) => identityValue(source, parts));
    if (values.some((value) => value === undefined || value.trim() === '')) {
      throw new GatewayRefusal({ type: 'UNAUTHORIZED' });
    }
    // The cache is keyed on the identity source values alone, whatever else the request carries.
    const cacheKey = JSON.stringify(values);
    let cache = authorizerCaches.get(authorizer.logicalId);
    if (cache === undefined) authorizerCaches.set(authorizer.logicalId, (cache = new Map()));
    const event = authorizerEventOf(parts, match, stage, requestId);
    const started = now();
    const cached = cache.get(cacheKey);
    let result: APIGatewayAuthorizerResult;
    if (cached !== undefined && cached.expiresAt > started) {
      result = cached.result;
    } else {
      try {
        result = await options.authorizerFor(authorizer)(event, localLambdaContext('authorizer', 5_000));
      } catch (error) {
        if (error instanceof Error && error.message === 'Unauthorized') {
          throw new GatewayRefusal({ type: 'UNAUTHORIZED' });
        }
        options.onError?.(error, { requestId, stage });
        throw new GatewayRefusal({ type: 'AUTHORIZER_FAILURE' });
      }
      if (authorizer.resultTtlSeconds > 0) {
        cache.set(cacheKey, { result, expiresAt: started + authorizer.resultTtlSeconds * 1000 });
      }
    }
    if (!policyAllows(result, event.methodArn)) throw new GatewayRefusal({ type: 'ACCESS_DENIED' });
    if (method.apiKeyRequired && api.apiKeySource === 'AUTHORIZER') usagePlanCheck(result.usageIdentifierKey);
    return forwardedContext(result, now() - started);
  };

  const validate = (parts: HttpRequestParts, match: MethodMatch): void => {
    const { method } = match;
    if (method.validateParameters) {
      const missing = method.requiredParameters.filter((parameter) => {
        const [, where, name] = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(parameter) ?? [];
        if (where === 'path') return match.pathParameters?.[name] === undefined;
        if (where === 'querystring') return !parts.query.has(name);
        if (where === 'header') return lastHeader(parts, name) === undefined;
        return false;
      });
      if (missing.length > 0) {
        const names = missing.map((parameter) => parameter.split('.').slice(3).join('.'));
        throw new GatewayRefusal({
          type: 'BAD_REQUEST_PARAMETERS',
          message: `Missing required request parameters: [${names.join(', ')}]`,
        });
      }
    }
    if (method.validateBody) {
      const schema = method.requestModels[mediaType(parts)];
      if (schema !== undefined && !validators.valid(schema, parts.body)) {
        throw new GatewayRefusal({ type: 'BAD_REQUEST_BODY', message: 'Invalid request body' });
      }
    }
  };

  const integrate = async (
    parts: HttpRequestParts,
    match: MethodMatch,
    requestId: string,
    authorizer: Record<string, unknown> | null,
  ): Promise<APIGatewayProxyResult> => {
    if (match.method.integrationType === 'HTTP_PROXY') {
      try {
        return await httpProxy(parts, match, authorizer, options.httpBackendUrl);
      } catch (error) {
        if (error instanceof GatewayRefusal) throw error;
        options.onError?.(error, { requestId, stage });
        throw new GatewayRefusal({ type: 'INTEGRATION_FAILURE' });
      }
    }
    const handler = options.integrationFor(match.method);
    if (handler === undefined) throw new GatewayRefusal({ type: 'API_CONFIGURATION_ERROR' });
    const event = proxyEventOf(parts, match, stage, requestId, authorizer);
    const timeoutMs = Math.min(
      match.method.functionTimeoutMs ?? match.method.integrationTimeoutMs,
      match.method.integrationTimeoutMs,
    );
    const context = localLambdaContext(match.method.operationName ?? 'function', timeoutMs);
    let result: APIGatewayProxyResult | 'timeout';
    try {
      result = await withTimeout(handler(event, context), timeoutMs);
    } catch (error) {
      options.onError?.(error, { requestId, stage });
      throw new GatewayRefusal({ type: 'INTEGRATION_FAILURE' });
    }
    if (result === 'timeout') throw new GatewayRefusal({ type: 'INTEGRATION_TIMEOUT' });
    if (typeof result?.statusCode !== 'number') {
      options.onError?.(new Error('Malformed Lambda proxy response'), { requestId, stage });
      throw new GatewayRefusal({ type: 'INTEGRATION_FAILURE' });
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
    const refused = (refusal: GatewayAnswer, parts?: HttpRequestParts, match?: MethodMatch) => ({
      result: renderGatewayResponse(api, refusal.type, {
        requestId,
        message: refusal.message,
        headers: parts?.headers,
        query: parts?.query,
        pathParameters: match?.pathParameters,
        stage,
      }),
      routeId: match?.method.operationName,
      gateway: refusal.type,
      path,
      method,
    });
    const blocked = wafBlock(request);
    if (blocked !== undefined) {
      request.resume();
      return { result: blocked.result, gateway: `WAF:${blocked.rule}`, path, method };
    }
    const body = await readBody(request, options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES);
    if (body === undefined) return refused({ type: 'REQUEST_TOO_LARGE' });
    const parts = requestParts(request, body);
    const match = table.match(parts.method, parts.path);
    if (match === undefined) return refused({ type: 'MISSING_AUTHENTICATION_TOKEN' }, parts);
    try {
      if ((methodBuckets.get(match.method)?.take() ?? 0) > 0) throw new GatewayRefusal({ type: 'THROTTLED' });
      const authorizer = await authorize(parts, match, requestId);
      validate(parts, match);
      const result = await integrate(parts, match, requestId, authorizer);
      return { result, routeId: match.method.operationName, path, method };
    } catch (error) {
      if (error instanceof GatewayRefusal) return refused(error.answer, parts, match);
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
          result: renderGatewayResponse(api, 'DEFAULT_5XX', { requestId, stage }),
          gateway: 'DEFAULT_5XX',
          routeId: undefined,
          path: request.url ?? '/',
          method: request.method ?? 'GET',
        };
      })
      .then(async ({ result, routeId, gateway, path, method }) => {
        await writeResult(response, request, result, api.minimumCompressionSize);
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

/**
 * What the local server answers when Node's HTTP parser refuses a request before the gateway sees
 * it (a header block over its limit, CR or NUL in a header, broken framing): a problem body with
 * the security headers, as every other response, then the connection is closed.
 */
export function clientErrorResponse(error: Error & { code?: string }): string {
  const code = error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST';
  const { status, title } = ERROR_CATALOGUE[code];
  const body = JSON.stringify({
    type: PROBLEM_TYPE_BASE + code,
    title,
    status,
    detail: title,
    code,
  });
  const headers = {
    'Content-Type': 'application/problem+json',
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Hop-by-hop and framing headers an HTTP proxy does not forward (RFC 9110 7.6.1), and Host. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/**
 * API Gateway's HTTP proxy integration: the request to the backend URL (`{proxy}` replaced by the
 * greedy path variable, the query passed on), the client's headers, then the method's integration
 * request parameters: a `integration.request.header.X` mapped from `context.authorizer.y` REPLACES a
 * client header X (any spelling), which is what keeps the principal headers unforgeable. The
 * integration timeout answers 504 as API Gateway does.
 */
async function httpProxy(
  parts: HttpRequestParts,
  match: MethodMatch,
  authorizer: Record<string, unknown> | null,
  localUrl: ((templateUrl: string) => string) | undefined,
): Promise<APIGatewayProxyResult> {
  const template = match.method.integrationUri;
  if (template === undefined) throw new GatewayRefusal({ type: 'API_CONFIGURATION_ERROR' });
  const base = localUrl?.(template) ?? template;
  const proxyPath = (match.pathParameters?.proxy ?? '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  const url = new URL(base.replace('{proxy}', proxyPath));
  for (const [name, value] of parts.query) url.searchParams.append(name, value);
  const headers = new Headers();
  for (const [name, values] of Object.entries(parts.multiValueHeaders)) {
    if (NOT_FORWARDED.has(name.toLowerCase())) continue;
    for (const value of values) headers.append(name, value);
  }
  for (const [target, source] of Object.entries(match.method.integrationRequestParameters)) {
    const header = /^integration\.request\.header\.(.+)$/.exec(target)?.[1];
    if (header === undefined) continue;
    const key = /^context\.authorizer\.(.+)$/.exec(source)?.[1];
    const value = key === undefined ? undefined : authorizer?.[key];
    headers.delete(header);
    headers.set(header, value === undefined || value === null ? '' : String(value));
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), match.method.integrationTimeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: parts.method,
      headers,
      body: parts.body === null || parts.method === 'GET' || parts.method === 'HEAD' ? undefined : parts.body,
      signal: controller.signal,
      redirect: 'manual',
    });
  } catch (error) {
    if (controller.signal.aborted) throw new GatewayRefusal({ type: 'INTEGRATION_TIMEOUT' });
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const body = Buffer.from(await response.arrayBuffer());
  const resultHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name) && name !== 'content-encoding') resultHeaders[name] = value;
  });
  return {
    statusCode: response.status,
    headers: resultHeaders,
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

/** Writes a proxy result as API Gateway + CloudFront would: merged headers, security headers, compression. */
async function writeResult(
  response: ServerResponse,
  request: IncomingMessage,
  result: APIGatewayProxyResult,
  minimumCompressionBytes: number | undefined,
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
    minimumCompressionBytes !== undefined &&
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
