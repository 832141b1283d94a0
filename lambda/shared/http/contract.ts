import * as z from 'zod/mini';
import type { ZodMiniType } from 'zod/mini';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors';
import type { RouteDefinition } from '../route';
import { PARSE_WITHOUT_LOCALE } from './validation-messages';

/**
 * Response headers a route may declare on a success response. Each has one meaning everywhere; the
 * OpenAPI document describes them from here and the wrapper's response check requires the ones a
 * response declares as `required`.
 */
export const RESPONSE_HEADERS = {
  etag: { description: 'Version tag of the returned resource (strong); send it back in If-Match.' },
  location: { description: 'Path of the created resource.' },
  'idempotent-replayed': {
    description: 'true when this answer is a stored replay for a repeated Idempotency-Key.',
  },
  'ratelimit-policy': {
    description:
      'Quota and rate of the caller’s usage plan (draft-ietf-httpapi-ratelimit-headers), sent to API-key callers.',
  },
} as const;
export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

/** One success status a route answers with. */
export interface SuccessResponse {
  readonly description: string;
  /**
   * The body, as zod/mini; the wrapper checks every answer with it. Absent: the body is empty.
   * @default - no body
   */
  readonly body?: ZodMiniType;
  /** Headers this status always carries. @default - none */
  readonly headers?: readonly ResponseHeaderName[];
  /** Headers this status carries sometimes. @default - none */
  readonly optionalHeaders?: readonly ResponseHeaderName[];
  /** A realistic body, for the API reference. @default - none (only for bodiless statuses) */
  readonly example?: unknown;
}

/**
 * What a route answers: every success status, and the problem codes its own domain code returns.
 * The codes the wrapper and the gateway may answer for any route (`wrapperErrorCodes`,
 * `gatewayErrorCodes`) are added to them, so a route lists only what is its own.
 */
export interface RouteResponses {
  readonly success: Readonly<Record<number, SuccessResponse>>;
  /** @default - none beyond the wrapper's and the gateway's */
  readonly errors?: readonly ErrorCode[];
}

/**
 * The longest `instance` (the request path) a problem carries. A regional API Gateway passes URLs
 * of up to 10,240 characters to the function; a longer path is left out of the problem rather than
 * sent in an answer this schema refuses.
 */
export const MAX_PROBLEM_INSTANCE_LENGTH = 8192;

/** RFC 9457 problem details as Rampart sends them (handlers and gateway responses alike). */
export const problemSchema = z.strictObject({
  type: z.string().check(z.maxLength(200)),
  title: z.string().check(z.maxLength(200)),
  /** Absent only from the gateway's fallback responses, which keep API Gateway's own status. */
  status: z.optional(z.int().check(z.gte(400), z.lte(599))),
  detail: z.string().check(z.maxLength(2000)),
  code: z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]]),
  /** The request path, left out when longer (`MAX_PROBLEM_INSTANCE_LENGTH`). */
  instance: z.optional(z.string().check(z.maxLength(MAX_PROBLEM_INSTANCE_LENGTH))),
  correlationId: z.string().check(z.maxLength(200)),
  errors: z.optional(
    z
      .array(
        z.strictObject({
          /** Echoes the offending key: as long as a key a request body (16 KiB at most) can carry. */
          field: z.string().check(z.maxLength(20_000)),
          message: z.string().check(z.maxLength(2_000)),
        }),
      )
      .check(z.maxLength(100)),
  ),
});

type ContractRoute = Pick<
  RouteDefinition,
  'access' | 'method' | 'schemas' | 'conditionalUpdate' | 'idempotent' | 'needs'
> & { readonly responses?: RouteResponses };

/**
 * Problem codes the handler wrapper itself may answer for a route, from what the route declares:
 * input checks, the role re-check, conditional requests, the deadline and the catch-all.
 */
export function wrapperErrorCodes(route: ContractRoute): ErrorCode[] {
  const codes: ErrorCode[] = [
    // Any request may carry a body (413 before anything else), an unsafe value or unexpected input.
    'PAYLOAD_TOO_LARGE',
    'VALIDATION_FAILED',
    'UNSAFE_INPUT',
    'INTERNAL',
    'TIMEOUT',
  ];
  if (route.schemas?.body !== undefined) codes.push('UNSUPPORTED_MEDIA_TYPE', 'MALFORMED_JSON');
  if (route.access.public !== true) codes.push('AUTH_REQUIRED', 'FORBIDDEN');
  if (route.conditionalUpdate === true) codes.push('PRECONDITION_REQUIRED', 'PRECONDITION_FAILED');
  if (route.idempotent === true) codes.push('IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS');
  // A route with a dependency can find it down (breaker open, pool exhausted).
  if ((route.needs ?? []).length > 0) codes.push('DEPENDENCY_UNAVAILABLE');
  return codes;
}

/**
 * Problem codes API Gateway answers for a route before or instead of its function (gateway
 * responses, lib/constructs/api/gateway-responses.ts): throttling and quotas, request validation,
 * WAF and, on protected routes, the authorizer.
 */
export function gatewayErrorCodes(route: ContractRoute): ErrorCode[] {
  const codes: ErrorCode[] = [
    'RATE_LIMITED',
    'VALIDATION_FAILED',
    'PAYLOAD_TOO_LARGE',
    'FORBIDDEN',
    'TIMEOUT',
    'DEPENDENCY_UNAVAILABLE',
    'INTERNAL',
  ];
  if (route.schemas?.body !== undefined) codes.push('UNSUPPORTED_MEDIA_TYPE');
  if (route.access.public !== true) codes.push('AUTH_REQUIRED', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_EXPIRED');
  return codes;
}

/** Every code the route's function may answer: its own plus the wrapper's, catalogue order. */
export function handlerErrorCodes(route: ContractRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>([...wrapperErrorCodes(route), ...(route.responses?.errors ?? [])]);
  return (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter((code) => codes.has(code));
}

/** Every code a caller may see for the route (function and gateway), catalogue order. */
export function declaredErrorCodes(route: ContractRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>([...handlerErrorCodes(route), ...gatewayErrorCodes(route)]);
  return (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter((code) => codes.has(code));
}

/** The answer as the wrapper produced it (API Gateway proxy result shape). */
export interface CheckedResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly body?: string;
}

function parseJson(body: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (body === undefined || body === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

function issuesOf(schema: ZodMiniType, value: unknown): string | undefined {
  const result = schema.safeParse(value, PARSE_WITHOUT_LOCALE);
  if (result.success) return undefined;
  return result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * How the answer departs from the route's declaration; empty when it conforms. A 304 (conditional
 * GET) is the declared 200 unchanged and needs no declaration of its own.
 */
export function responseViolations(
  route: ContractRoute & { readonly id?: string },
  response: CheckedResponse,
): string[] {
  const responses = route.responses;
  if (responses === undefined) return [];
  const status = response.statusCode;
  const headers = response.headers ?? {};
  const parsed = parseJson(response.body);
  if (!parsed.ok) return [`status ${status}: the body is not JSON`];
  if (status === 304 && route.method === 'GET' && responses.success[200] !== undefined) return [];

  const success = responses.success[status];
  if (success !== undefined) {
    const violations: string[] = [];
    if (success.body === undefined && parsed.value !== undefined)
      violations.push(`status ${status}: a body where none is declared`);
    if (success.body !== undefined) {
      const issues = issuesOf(success.body, parsed.value);
      if (issues !== undefined) violations.push(`status ${status}: body does not match: ${issues}`);
    }
    for (const name of success.headers ?? []) {
      if (headers[name] === undefined) violations.push(`status ${status}: header ${name} is missing`);
    }
    return violations;
  }
  if (status < 400) return [`status ${status} is not declared`];
  const issues = issuesOf(problemSchema, parsed.value);
  if (issues !== undefined) return [`status ${status}: not a problem body: ${issues}`];
  const { code } = parsed.value as z.infer<typeof problemSchema>;
  if (!handlerErrorCodes(route).includes(code)) return [`status ${status}: code ${code} is not declared`];
  if (ERROR_CATALOGUE[code].status !== status)
    return [`status ${status}: code ${code} belongs to status ${ERROR_CATALOGUE[code].status}`];
  return [];
}
