import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type {
  APIGatewayEventIdentity,
  APIGatewayEventRequestContext,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import type { DeployedMethod } from './deployed-api';

/** Account, API id and stage the local gateway puts into request contexts and method ARNs. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_API_ID = 'local';

/** A request matched to a method of the deployed API. */
export interface MethodMatch {
  readonly method: DeployedMethod;
  readonly pathParameters: Record<string, string> | null;
}

interface CompiledSegment {
  readonly literal?: string;
  readonly parameter?: string;
  /** `{name+}`: the rest of the path, one segment or more (API Gateway's greedy path variable). */
  readonly greedy?: boolean;
}

interface CompiledMethod {
  readonly method: DeployedMethod;
  readonly segments: readonly CompiledSegment[];
}

/** Specificity of a segment: a literal over a parameter over a greedy variable. */
function rank(segment: CompiledSegment): number {
  if (segment.literal !== undefined) return 2;
  return segment.greedy === true ? 0 : 1;
}

/**
 * Resolves request paths to the API's methods the way API Gateway's resource tree does, on the
 * resource AND method pair (measured on REST APIs): among the methods whose resource matches the
 * path and whose HTTP method is the request's or `ANY`, the most specific resource wins, segment by
 * segment (a literal over `{param}` over `{proxy+}`), and on one resource an explicit method wins over
 * `ANY`. So a resource without the request's method (an intermediate one, or one with only other
 * methods) falls through to a matching `{proxy+}`; `{proxy+}` never matches its parent itself.
 */
export class MethodTable {
  private readonly compiled: CompiledMethod[];

  constructor(methods: readonly DeployedMethod[]) {
    this.compiled = methods.map((method) => ({
      method,
      segments: method.resourcePath
        .split('/')
        .slice(1)
        .map((segment): CompiledSegment => {
          const parameter = /^\{(.+?)(\+?)\}$/.exec(segment);
          if (parameter === null) return { literal: segment };
          return { parameter: parameter[1], greedy: parameter[2] === '+' };
        }),
    }));
  }

  /**
   * The method for `httpMethod` + `path`, or `undefined` when there is none (API Gateway answers
   * MISSING_AUTHENTICATION_TOKEN both for an unknown path and for a known path without that method).
   */
  match(httpMethod: string, path: string): MethodMatch | undefined {
    const parts = path.split('/').slice(1);
    let best: { candidate: CompiledMethod; parameters: Map<string, string> } | undefined;
    for (const candidate of this.compiled) {
      const verb = candidate.method.httpMethod;
      if (verb !== httpMethod && verb !== 'ANY') continue;
      const parameters = this.bind(candidate.segments, parts);
      if (parameters === undefined) continue;
      if (best === undefined || this.moreSpecific(candidate, best.candidate))
        best = { candidate, parameters };
    }
    if (best === undefined) return undefined;
    return {
      method: best.candidate.method,
      pathParameters: best.parameters.size > 0 ? fromEntries(best.parameters) : null,
    };
  }

  /** The path parameters when `segments` match `parts`, else `undefined`. */
  private bind(
    segments: readonly CompiledSegment[],
    parts: readonly string[],
  ): Map<string, string> | undefined {
    const parameters = new Map<string, string>();
    for (let index = 0; index < segments.length; index += 1) {
      const segment = segments[index];
      if (segment.greedy === true) {
        const rest = parts.slice(index);
        if (index !== segments.length - 1 || rest.length === 0 || rest.some((part) => part === ''))
          return undefined;
        parameters.set(segment.parameter!, safeDecode(rest.join('/')));
        return parameters;
      }
      const part = parts[index];
      if (part === undefined) return undefined;
      if (segment.literal !== undefined) {
        if (segment.literal !== part) return undefined;
      } else {
        if (part === '') return undefined;
        parameters.set(segment.parameter!, safeDecode(part));
      }
    }
    return parts.length === segments.length ? parameters : undefined;
  }

  private moreSpecific(a: CompiledMethod, b: CompiledMethod): boolean {
    const length = Math.max(a.segments.length, b.segments.length);
    for (let index = 0; index < length; index += 1) {
      const ra = a.segments[index] === undefined ? -1 : rank(a.segments[index]);
      const rb = b.segments[index] === undefined ? -1 : rank(b.segments[index]);
      if (ra !== rb) return ra > rb;
    }
    return a.method.httpMethod !== 'ANY' && b.method.httpMethod === 'ANY';
  }
}

/**
 * A plain object from entries, built without a prototype so that names such as `__proto__` or
 * `constructor` are ordinary keys (a client chooses them), then turned into what a Lambda
 * function receives: events reach it as JSON, and `JSON.parse` makes every key an own property.
 */
function fromEntries<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  for (const [name, value] of entries) map[name] = value;
  return map;
}

/** An event exactly as a Lambda function gets it: through JSON, as the Lambda service delivers it. */
export function asDelivered<T>(event: T): T {
  return JSON.parse(JSON.stringify(event)) as T;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const FORWARDED_FOR = 'x-forwarded-for';

/** What the local gateway read from one HTTP request. */
export interface HttpRequestParts {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Single-value map (last value wins) and multi-value map, header names as the client sent them. */
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly body: string | null;
  readonly sourceIp: string;
}

/** Splits a Node request into the parts API Gateway forwards (raw header names kept). */
export function requestParts(request: IncomingMessage, body: Buffer): HttpRequestParts {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  const headers = fromEntries<string>([]);
  const multiValueHeaders = fromEntries<string[]>([]);
  const forwardedFor: string[] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index];
    const value = request.rawHeaders[index + 1];
    if (name.toLowerCase() === FORWARDED_FOR) {
      forwardedFor.push(value);
      continue;
    }
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  // The local server stands in for CloudFront and API Gateway, and each appends the address it
  // received the request from: CloudFront the viewer's, API Gateway its peer's (the edge's). Both
  // are the socket's peer here, so a client's own X-Forwarded-For entries stay on the left, where
  // the functions ignore them (lambda/shared/http/viewer-address.ts), as they do behind CloudFront.
  const hops = [...forwardedFor, sourceIp, sourceIp].join(', ');
  headers['X-Forwarded-For'] = hops;
  multiValueHeaders['X-Forwarded-For'] = [hops];
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers,
    multiValueHeaders,
    body: body.length > 0 ? body.toString('utf8') : null,
    sourceIp,
  };
}

function queryMaps(
  query: URLSearchParams,
): Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'> {
  const single = fromEntries<string>([]);
  const multi = fromEntries<string[]>([]);
  for (const [name, value] of query) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length === 0
    ? { queryStringParameters: null, multiValueQueryStringParameters: null }
    : { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

/**
 * `requestContext.identity` of a REST API proxy event for an unsigned call: everything null but
 * the caller's address and user agent (API Gateway fills the IAM and Cognito-identity fields only
 * for IAM-authorized calls). Shared with the test event fixtures.
 */
export function callerIdentity(sourceIp: string, userAgent: string | null): APIGatewayEventIdentity {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

function requestContext(
  parts: HttpRequestParts,
  method: DeployedMethod,
  stage: string,
  requestId: string,
): APIGatewayEventRequestContext {
  const now = new Date();
  const userAgent = Object.entries(parts.headers).find(([name]) => name.toLowerCase() === 'user-agent')?.[1];
  return {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: LOCAL_API_ID,
    authorizer: null,
    domainName: 'localhost',
    domainPrefix: 'localhost',
    extendedRequestId: randomUUID(),
    httpMethod: parts.method,
    identity: callerIdentity(parts.sourceIp, userAgent ?? null),
    path: `/${stage}${parts.path}`,
    protocol: 'HTTP/1.1',
    requestId,
    requestTime: now.toUTCString(),
    requestTimeEpoch: now.getTime(),
    resourceId: method.operationName ?? method.resourcePath,
    resourcePath: method.resourcePath,
    stage,
  };
}

/** What the authorizer event and the proxy event both carry about the request. */
function requestFields(parts: HttpRequestParts, match: MethodMatch) {
  return {
    resource: match.method.resourcePath,
    path: parts.path,
    httpMethod: parts.method,
    headers: parts.headers,
    multiValueHeaders: parts.multiValueHeaders,
    pathParameters: match.pathParameters,
    ...queryMaps(parts.query),
    stageVariables: null,
  };
}

/** The method ARN API Gateway gives a REQUEST authorizer for this call. */
export function methodArn(stage: string, method: string, path: string): string {
  return `arn:aws:execute-api:local:${LOCAL_ACCOUNT_ID}:${LOCAL_API_ID}/${stage}/${method}${path}`;
}

/** The REQUEST authorizer event for a call (API Gateway REST, Lambda authorizer of type REQUEST). */
export function authorizerEventOf(
  parts: HttpRequestParts,
  match: MethodMatch,
  stage: string,
  requestId: string,
): APIGatewayRequestAuthorizerEvent {
  const { authorizer: _none, ...context } = requestContext(parts, match.method, stage, requestId);
  return asDelivered({
    type: 'REQUEST',
    methodArn: methodArn(stage, parts.method, parts.path),
    ...requestFields(parts, match),
    requestContext: { ...context, authorizer: undefined },
  });
}

/** The Lambda proxy event (REST API v1 payload) for a call; `authorizer` is what API Gateway forwards. */
export function proxyEventOf(
  parts: HttpRequestParts,
  match: MethodMatch,
  stage: string,
  requestId: string,
  authorizer: Record<string, unknown> | null,
): APIGatewayProxyEvent {
  return asDelivered({
    ...requestFields(parts, match),
    requestContext: { ...requestContext(parts, match.method, stage, requestId), authorizer },
    body: parts.body,
    isBase64Encoded: false,
  });
}
