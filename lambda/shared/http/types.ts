import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { output, ZodMiniType } from 'zod/mini';
import type { RouteDefinition } from '../route';

/** Kinds of caller the Lambda authorizer distinguishes. */
export type AuthType = 'user' | 'client' | 'apiKey';

/** The authenticated caller, rebuilt from the authorizer context API Gateway passes to the handler. */
export interface Principal {
  /** Cognito `sub` for users, client id for machine tokens, key id for API keys. */
  readonly sub: string;
  /** Cognito groups of a user (empty for machines). */
  readonly roles: readonly string[];
  /** OAuth scopes of a machine token or API key. */
  readonly scopes: readonly string[];
  readonly authType: AuthType;
  /** Set for API-key callers. */
  readonly apiKeyId?: string;
}

type SchemaOutput<S, Fallback> = S extends ZodMiniType ? output<S> : Fallback;
type SchemaOf<R extends RouteDefinition, K extends 'body' | 'query' | 'path'> = R['schemas'] extends {
  readonly [P in K]?: infer S;
}
  ? S
  : undefined;

/** Raw string parameters, used for `query`/`path` when the route declares no schema for them. */
export type RawParameters = Readonly<Record<string, string | undefined>>;

/** `req.body`: the schema's output type; `undefined` for routes without a body schema (they reject bodies). */
export type RequestBody<R extends RouteDefinition> = SchemaOutput<SchemaOf<R, 'body'>, undefined>;
export type RequestQuery<R extends RouteDefinition> = SchemaOutput<SchemaOf<R, 'query'>, RawParameters>;
export type RequestPath<R extends RouteDefinition> = SchemaOutput<SchemaOf<R, 'path'>, RawParameters>;
/** Public routes may be called anonymously; every other route always has a principal. */
export type RequestPrincipal<R extends RouteDefinition> = R['access'] extends { readonly public: true }
  ? Principal | undefined
  : Principal;

/** What a handler function receives: validated, sanitized input plus request-scoped context. */
export interface ApiRequest<R extends RouteDefinition = RouteDefinition> {
  readonly body: RequestBody<R>;
  readonly query: RequestQuery<R>;
  readonly path: RequestPath<R>;
  /** Request headers with lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly principal: RequestPrincipal<R>;
  /** From `x-correlation-id` / `x-request-id`, else generated; on every log line and echoed in the response. */
  readonly correlationId: string;
  /** Aborted when the wrapper answers 504; pass it to DB queries and SDK calls so they stop. */
  readonly signal: AbortSignal;
  /** `If-Match` request header, for {@link assertIfMatch}. */
  readonly ifMatch: string | undefined;
  /** `Idempotency-Key` request header. */
  readonly idempotencyKey: string | undefined;
  /**
   * The client's IP address as CloudFront saw it: the last `X-Forwarded-For` hop before API
   * Gateway's own, never one the client wrote (`viewer-address.ts`). For Cognito threat protection.
   */
  readonly viewerIp: string | undefined;
  /** Milliseconds left before the wrapper answers 504 (bounded by the route's `timeoutMs`). */
  remainingMs(): number;
}

/** What a handler function returns; the wrapper serializes `body` as JSON (once). */
export interface ApiResult {
  readonly status: number;
  /** Any JSON-serializable value; omitted (or `undefined`) means an empty body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type ApiHandlerFn<R extends RouteDefinition> = (req: ApiRequest<R>) => Promise<ApiResult> | ApiResult;

/** The Lambda handler `api()` returns: an API Gateway REST (v1) proxy handler. */
export type ApiEvent = APIGatewayProxyEvent;
/** The wrapper always answers with single-value `headers` (lower-case names) and a string body. */
export type ApiResponse = APIGatewayProxyResult & { headers: Record<string, string | number | boolean> };
