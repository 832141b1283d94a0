import { AppError } from '../../shared/errors';

/** The auth operations whose Cognito failures map differently. */
export type AuthOperation =
  'login' | 'challenge' | 'refresh' | 'logout' | 'forgotPassword' | 'confirmPassword' | 'directory';

/** Seconds a client should wait after Cognito throttled us (Cognito itself sends no hint). */
export const THROTTLED_RETRY_AFTER_SECONDS = 5;
/** Seconds after a per-user attempt limit (LimitExceeded / TooManyFailedAttempts): these last longer. */
export const LIMIT_RETRY_AFTER_SECONDS = 60;

const PASSWORD_POLICY_MESSAGE =
  'does not meet the password policy (at least 12 characters, mixed case, digits and symbols)';

function nameOf(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * True for failures of Cognito itself (5xx, network, no response), which count against the
 * circuit breaker; a caller's wrong password or bad code never does.
 */
export function isCognitoOutage(error: unknown): boolean {
  if (error instanceof AppError) return false;
  const name = nameOf(error);
  if (name === 'AbortError' || name === 'TimeoutError') return false;
  const fault = (error as { $fault?: unknown } | null)?.$fault;
  if (fault === 'client') return false;
  return true;
}

/**
 * Maps a failed Cognito call to Rampart's error vocabulary. Messages from Cognito never reach the
 * client. Anything not listed (including InvalidParameter and ResourceNotFound, which mean our
 * configuration is wrong, and network failures) becomes 503 DEPENDENCY_UNAVAILABLE, never 500.
 */
export function cognitoError(error: unknown, operation: AuthOperation): AppError {
  if (error instanceof AppError) return error;
  const name = nameOf(error);
  switch (name) {
    case 'AbortError':
    case 'TimeoutError':
      // The wrapper's timeout guard aborted the call: keep its meaning (504).
      return new AppError('TIMEOUT', { cause: error });
    case 'TooManyRequestsException':
      return new AppError('RATE_LIMITED', { retryAfterSeconds: THROTTLED_RETRY_AFTER_SECONDS, cause: error });
    case 'LimitExceededException':
    case 'TooManyFailedAttemptsException':
      return new AppError('RATE_LIMITED', { retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, cause: error });
    case 'CodeMismatchException':
      return new AppError('CODE_MISMATCH', { cause: error });
    case 'ExpiredCodeException':
      return new AppError('CODE_EXPIRED', { cause: error });
    case 'UserNotConfirmedException':
      return new AppError('USER_NOT_CONFIRMED', { cause: error });
    case 'PasswordResetRequiredException':
      return new AppError('PASSWORD_RESET_REQUIRED', { cause: error });
    case 'InvalidPasswordException':
      // At login this is a wrong password (cognito-local says so where Cognito says NotAuthorized);
      // everywhere else it is a new password that breaks the policy.
      if (operation === 'login') return invalidCredentials(error);
      return new AppError('VALIDATION_FAILED', {
        detail: `body.newPassword ${PASSWORD_POLICY_MESSAGE}`,
        errors: [{ field: 'body.newPassword', message: PASSWORD_POLICY_MESSAGE }],
        cause: error,
      });
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      if (operation === 'login' || operation === 'challenge') return invalidCredentials(error);
      if (operation === 'refresh' || operation === 'logout')
        return new AppError('AUTH_TOKEN_INVALID', { cause: error });
      if (operation === 'confirmPassword') return new AppError('CODE_MISMATCH', { cause: error });
      if (operation === 'directory' && name === 'UserNotFoundException')
        return new AppError('NOT_FOUND', { detail: 'No such user', cause: error });
      break;
    default:
      break;
  }
  return new AppError('DEPENDENCY_UNAVAILABLE', {
    detail: 'The identity provider is unavailable; retry later',
    retryAfterSeconds: THROTTLED_RETRY_AFTER_SECONDS,
    cause: error,
  });
}

/** One response for wrong password, unknown user and disabled user: nothing tells them apart. */
function invalidCredentials(cause: unknown): AppError {
  return new AppError('AUTH_INVALID_CREDENTIALS', { cause });
}
