/**
 * The error catalogue: every problem response Rampart returns has one of these stable codes.
 * `docs/errors.md` documents each one for API clients; a test keeps the two in step.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the schema' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  UNSAFE_INPUT: { status: 400, title: 'The request contains a forbidden value' },
  AUTH_REQUIRED: { status: 401, title: 'Authentication is required' },
  AUTH_TOKEN_INVALID: { status: 401, title: 'The credentials are not valid' },
  AUTH_TOKEN_EXPIRED: { status: 401, title: 'The token has expired' },
  AUTH_INVALID_CREDENTIALS: { status: 401, title: 'The user name or password is wrong' },
  USER_NOT_CONFIRMED: { status: 403, title: 'The account has not been confirmed' },
  PASSWORD_RESET_REQUIRED: { status: 403, title: 'The password must be reset before signing in' },
  MFA_REQUIRED: { status: 403, title: 'Multi-factor authentication is required for this account' },
  CODE_MISMATCH: { status: 400, title: 'The verification code is wrong' },
  CODE_EXPIRED: { status: 400, title: 'The verification code has expired' },
  FORBIDDEN: { status: 403, title: 'The caller may not perform this action' },
  NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  PRECONDITION_FAILED: { status: 412, title: 'The resource has changed since it was read' },
  PRECONDITION_REQUIRED: { status: 428, title: 'The request must be conditional (If-Match)' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  MALFORMED_REQUEST: { status: 400, title: 'The request is not well-formed HTTP' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  /** API Gateway's fallback for a 4xx Rampart does not map (types AWS may add): its status is kept. */
  REQUEST_REFUSED: { status: 400, title: 'The API gateway refused the request' },
  INTERNAL: { status: 500, title: 'Internal error' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A dependency is unavailable' },
  TIMEOUT: { status: 504, title: 'The request took too long' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One field-level problem, as returned in `errors` of a `VALIDATION_FAILED` response. */
export interface FieldError {
  /** JSON pointer-like dotted path, e.g. `body.name` or `query.limit`. */
  readonly field: string;
  readonly message: string;
}

export interface AppErrorOptions {
  /** Human-readable explanation specific to this occurrence; safe to show to the client. */
  readonly detail?: string;
  /** Field-level errors for validation problems. */
  readonly errors?: readonly FieldError[];
  /** Seconds the client should wait before retrying (sets `Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The underlying error, logged but never returned to the client. */
  readonly cause?: unknown;
}

/** An expected failure with a stable code: the error handler turns it into problem+json. */
export class AppError extends Error {
  public readonly code: ErrorCode;
  public readonly status: number;
  public readonly detail?: string;
  public readonly errors?: readonly FieldError[];
  public readonly retryAfterSeconds?: number;
  public readonly headers?: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.detail ?? ERROR_CATALOGUE[code].title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.detail = options.detail;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
