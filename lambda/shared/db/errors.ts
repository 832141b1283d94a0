import { AppError, isAppError } from '../errors';

/**
 * Classification of errors raised by `pg` (and the sockets under it). Two questions matter:
 * is the connection dead (so the statement may be retried once on a fresh one), and is the
 * failure the database's fault rather than the request's (so it counts against the breaker)?
 */

/** Node socket error codes that mean the connection never worked or went away. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs that say the server dropped or refused the session (not the statement). */
const SESSION_LOST_SQLSTATES = new Set([
  '57P01', // admin_shutdown (RDS Proxy / failover / restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
]);

/** SQLSTATEs that are the server's fault or overload, not the request's. */
const INFRASTRUCTURE_SQLSTATES = new Set([
  ...SESSION_LOST_SQLSTATES,
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '57014', // query_canceled (statement_timeout)
  '28000', // invalid_authorization_specification (expired IAM token, rotated secret)
  '28P01', // invalid_password
  '58000', // system_error
  '58030', // io_error
  'XX000', // internal_error
]);

/** Messages `pg`/`pg-pool` use for dead or unobtainable connections (they carry no code). */
const CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
  'terminating connection',
];

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/** True when the socket under the statement died: the statement did not (knowingly) run. */
export function isStaleConnectionError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && (CONNECTION_ERRNOS.has(code) || SESSION_LOST_SQLSTATES.has(code))) return true;
  if (code?.startsWith('08')) return true; // connection_exception class
  const message = errorMessage(error);
  return CONNECTION_MESSAGES.some((m) => message.includes(m));
}

/**
 * True for failures that say the database (or the path to it) is unhealthy: connection errors,
 * timeouts, overload, authentication of the service itself. Client errors (constraint
 * violations, syntax, serialization conflicts) are false: they must never open a breaker.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof DbAbortedError) return true;
  if (isAppError(error)) return error.code === 'DEPENDENCY_UNAVAILABLE' || error.code === 'TIMEOUT';
  if (isStaleConnectionError(error)) return true;
  const code = errorCode(error);
  return code !== undefined && INFRASTRUCTURE_SQLSTATES.has(code);
}

/** True for SQLSTATE 23505 (unique_violation). */
export function isUniqueViolation(error: unknown): boolean {
  return errorCode(error) === '23505';
}

/** Raised when the caller's AbortSignal fired while a statement was in flight. */
export class DbAbortedError extends Error {
  constructor(cause: unknown) {
    super('The database statement was cancelled', { cause });
    this.name = 'DbAbortedError';
  }
}

/**
 * Turns an infrastructure failure into the stable problem the client sees. Other errors pass
 * through unchanged so domain code can map them (e.g. a unique violation to CONFLICT).
 */
export function toDependencyError(error: unknown): unknown {
  if (isAppError(error)) return error;
  if (error instanceof DbAbortedError || errorCode(error) === '57014') {
    return new AppError('TIMEOUT', { detail: 'The database did not answer in time', cause: error });
  }
  if (isInfrastructureError(error)) {
    return new AppError('DEPENDENCY_UNAVAILABLE', {
      detail: 'The database is unavailable',
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  return error;
}

/**
 * What to log about a pg error: message and codes only. pg errors carry the whole client
 * (connection parameters included) on some paths; never log the raw object.
 */
export function describeDbError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, severity, routine } = error as { code?: unknown; severity?: unknown; routine?: unknown };
  return { name: error.name, message: error.message, code, severity, routine };
}
