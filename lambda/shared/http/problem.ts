import * as jwtErrors from 'aws-jwt-verify/error';
import { describeDbError } from '../db/errors';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type FieldError } from '../errors';
import { MAX_PROBLEM_INSTANCE_LENGTH } from './contract';

/** Base of every problem `type`: one anchor per code in docs/errors.md. */
export const PROBLEM_TYPE_BASE = 'https://docs.rampart.dev/errors#';

/** RFC 9457 problem details, plus Rampart's stable `code` and the correlation id. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance?: string;
  readonly correlationId: string;
  readonly errors?: readonly FieldError[];
}

/** An error reduced to what may be shown to a client, and whether it deserves an error log line. */
export interface ClassifiedError {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  readonly retryAfterSeconds?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Unexpected: log it (with stack) at error level. */
  readonly unexpected: boolean;
  /** Expected, but worth a warning line with these attributes (never shown to the client). */
  readonly warning?: Readonly<Record<string, unknown>>;
}

/** aws-jwt-verify failures that are our side (JWKS fetch/config), not the caller's token. */
const JWT_INFRASTRUCTURE_ERRORS: readonly (abstract new (...args: never[]) => Error)[] = [
  jwtErrors.FetchError,
  jwtErrors.JwksNotAvailableInCacheError,
  jwtErrors.JwksValidationError,
  jwtErrors.JwkValidationError,
  jwtErrors.WaitPeriodNotYetEndedJwkError,
  jwtErrors.ParameterValidationError,
  jwtErrors.NotSupportedError,
  jwtErrors.AlbJwksNotExposedError,
];

/**
 * aws-jwt-verify's classes do not set `name` (it stays "Error"), so `instanceof` is the reliable test;
 * a `name` check covers errors re-created elsewhere (another copy of the library, a serialized error).
 */
function classifyJwtError(error: Error): ErrorCode | undefined {
  if (error instanceof jwtErrors.JwtExpiredError || error.name === 'JwtExpiredError')
    return 'AUTH_TOKEN_EXPIRED';
  if (error instanceof jwtErrors.JwtBaseError) {
    for (const infrastructure of JWT_INFRASTRUCTURE_ERRORS) {
      if (error instanceof infrastructure) return 'DEPENDENCY_UNAVAILABLE';
    }
    return 'AUTH_TOKEN_INVALID';
  }
  if (/^Jwt(Invalid\w*|Parse|NotBefore|WithoutValidKid)Error$/.test(error.name)) return 'AUTH_TOKEN_INVALID';
  return undefined;
}

/**
 * Rampart's code for an HTTP status: for errors thrown by Middy middlewares (`@middy/util`
 * createError) and similar libraries, and for a mounted app's error answers (`mount.ts`).
 */
export const STATUS_ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'AUTH_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  428: 'PRECONDITION_REQUIRED',
  429: 'RATE_LIMITED',
  503: 'DEPENDENCY_UNAVAILABLE',
  504: 'TIMEOUT',
};

function classifyHttpError(error: Error): ErrorCode | undefined {
  const status =
    (error as { statusCode?: unknown; status?: unknown }).statusCode ??
    (error as { status?: unknown }).status;
  if (typeof status !== 'number') return undefined;
  // @middy/http-json-body-parser reports unparsable JSON as 415/422 "Invalid or malformed JSON".
  if ((status === 415 || status === 422 || status === 400) && /malformed JSON/i.test(error.message)) {
    return 'MALFORMED_JSON';
  }
  return STATUS_ERROR_CODES[status];
}

/** SQLSTATE class 22, data exception: 22021 (NUL in text), 22001, 22P02, 22003, 22007, 22008, ... */
const DATA_EXCEPTION_SQLSTATE = /^22[0-9A-Z]{3}$/;

/**
 * PostgreSQL refused a value the request carried (a NUL the sanitizer could not see because it
 * was encoded, e.g. inside a cursor; a string longer than its column; text that is not a valid
 * uuid, number or date; a number out of range). That is the request's fault, so 400, never 500:
 * 22021 (character not in repertoire, which is what NUL raises) is `UNSAFE_INPUT` like the
 * sanitizer's refusal, the rest `VALIDATION_FAILED`. The database's message quotes the value and
 * names types and columns: it goes to the warning log line only.
 */
function classifyDataException(error: unknown): ClassifiedError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const sqlState = (error as { code?: unknown }).code;
  if (typeof sqlState !== 'string' || !DATA_EXCEPTION_SQLSTATE.test(sqlState)) return undefined;
  const warning = { reason: 'database-data-exception', sqlState, error: describeDbError(error) };
  if (sqlState === '22021') {
    return {
      code: 'UNSAFE_INPUT',
      detail: 'The request contains a character that cannot be stored',
      unexpected: false,
      warning,
    };
  }
  return {
    code: 'VALIDATION_FAILED',
    detail: 'The request contains a value that cannot be stored',
    unexpected: false,
    warning,
  };
}

/** Maps anything thrown to a catalogue code. Messages of foreign errors never reach the client. */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof AppError) {
    return {
      code: error.code,
      detail: error.detail,
      errors: error.errors,
      retryAfterSeconds: error.retryAfterSeconds,
      headers: error.headers,
      unexpected: error.status >= 500,
    };
  }
  // AbortSignal reasons are DOMExceptions, which may come from another realm: test the name only.
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { code: 'TIMEOUT', unexpected: true };
  const dataException = classifyDataException(error);
  if (dataException !== undefined) return dataException;
  if (error instanceof Error) {
    const jwtCode = classifyJwtError(error);
    if (jwtCode !== undefined) return { code: jwtCode, unexpected: jwtCode === 'DEPENDENCY_UNAVAILABLE' };
    const httpCode = classifyHttpError(error);
    if (httpCode !== undefined)
      return { code: httpCode, unexpected: ERROR_CATALOGUE[httpCode].status >= 500 };
  }
  return { code: 'INTERNAL', unexpected: true };
}

/** The problem body for a classified error. */
export function problemDetails(
  classified: ClassifiedError,
  correlationId: string,
  instance: string | undefined,
): ProblemDetails {
  const entry = ERROR_CATALOGUE[classified.code];
  return {
    type: PROBLEM_TYPE_BASE + classified.code,
    title: entry.title,
    status: entry.status,
    detail: classified.detail ?? entry.title,
    code: classified.code,
    instance: instance !== undefined && instance.length <= MAX_PROBLEM_INSTANCE_LENGTH ? instance : undefined,
    correlationId,
    errors: classified.errors !== undefined && classified.errors.length > 0 ? classified.errors : undefined,
  };
}
