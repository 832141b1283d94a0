import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { getBreaker } from '../../shared/breaker';
import { AppError } from '../../shared/errors';
import { cognitoError, isCognitoOutage, type AuthOperation } from './cognito-errors';

/** Id and secret of the Cognito app client behind `/api/v1/auth/*`. */
export interface LoginClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** What the auth domain needs; built once per execution environment (see `lambda/runtime/auth.ts`). */
export interface AuthDependencies {
  readonly cognito: CognitoIdentityProviderClient;
  /** The login client's id and secret (cached; Secrets Manager in AWS, env locally). */
  readonly loginClient: () => Promise<LoginClientCredentials>;
  /** The user pool, for the admin calls of `/me` and `/users/{sub}/roles`. */
  readonly userPoolId?: string;
  /**
   * Refresh with GetTokensFromRefreshToken (the pool rotates refresh tokens) instead of
   * InitiateAuth REFRESH_TOKEN_AUTH (emulators).
   */
  readonly refreshTokenRotation: boolean;
  /** Refuse admins who logged in without an MFA challenge (403 MFA_REQUIRED). */
  readonly requireAdminMfa: boolean;
}

/**
 * Runs one Cognito call through the `identityProvider` circuit breaker and maps any failure with
 * {@link cognitoError}, so a Cognito problem is never a 500:
 * `callCognito('login', () => deps.cognito.send(new InitiateAuthCommand(...), { abortSignal }))`.
 */
export async function callCognito<O>(operation: AuthOperation, call: () => Promise<O>): Promise<O> {
  try {
    return await getBreaker('identityProvider', { isFailure: isCognitoOutage }).execute(call);
  } catch (error) {
    throw cognitoError(error, operation);
  }
}

/** The pool id, or 503 when the function was deployed without it (a configuration fault). */
export function requireUserPoolId(deps: AuthDependencies): string {
  if (deps.userPoolId === undefined || deps.userPoolId === '') {
    throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The user directory is not configured' });
  }
  return deps.userPoolId;
}
