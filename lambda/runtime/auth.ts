import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AppError } from '../shared/errors';
import { logger } from '../shared/powertools';
import { getSecretJson } from '../shared/secrets';
import type { ClientSecretRotationDependencies } from '../domain/auth/client-secret-rotation';
import type { AuthDependencies, LoginClientCredentials } from '../domain/auth/dependencies';

/** The environment variables the auth functions read (all set by the Api stack, or by the local stack). */
export interface AuthEnvironment {
  /** Local only: the Cognito emulator's endpoint. */
  readonly COGNITO_ENDPOINT?: string;
  /** Secrets Manager secret `{ clientId, clientSecret }` of the login client (AWS). */
  readonly LOGIN_CLIENT_SECRET_ARN?: string;
  /** Local only: the login client's id and secret, instead of the secret ARN. */
  readonly LOGIN_CLIENT_ID?: string;
  readonly LOGIN_CLIENT_SECRET?: string;
  readonly USER_POOL_ID?: string;
  /** `false` only against cognito-local (no GetTokensFromRefreshToken); anything else means the pool rotates refresh tokens. */
  readonly REFRESH_TOKEN_ROTATION?: string;
  /** Anything but `false` refuses admins who did not pass an MFA challenge (secure default). */
  readonly REQUIRE_ADMIN_MFA?: string;
}

export interface AuthRuntimeOptions {
  /** @default - a client created from the environment on first use */
  readonly cognito?: CognitoIdentityProviderClient;
  /** @default getSecretJson (the shared, rotation-aware Secrets Manager cache) */
  readonly readSecretJson?: (secretId: string) => Promise<unknown>;
}

function isCredentials(value: unknown): value is LoginClientCredentials {
  const v = value as Partial<LoginClientCredentials> | null;
  return (
    typeof v?.clientId === 'string' &&
    v.clientId !== '' &&
    typeof v.clientSecret === 'string' &&
    v.clientSecret !== ''
  );
}

/**
 * Builds the auth dependencies from the environment. The login client's secret comes from env
 * (local) or from Secrets Manager through the shared cache (AWS); a missing or malformed secret is
 * a 503 (logged), never a 500 and never a request to Cognito without SECRET_HASH.
 */
export function authDependenciesFromEnv(
  env: AuthEnvironment,
  options: AuthRuntimeOptions = {},
): AuthDependencies {
  const readSecretJson = options.readSecretJson ?? getSecretJson;
  const cognito =
    options.cognito ??
    new CognitoIdentityProviderClient(env.COGNITO_ENDPOINT ? { endpoint: env.COGNITO_ENDPOINT } : {});
  const loginClient = async (): Promise<LoginClientCredentials> => {
    if (env.LOGIN_CLIENT_ID && env.LOGIN_CLIENT_SECRET) {
      return { clientId: env.LOGIN_CLIENT_ID, clientSecret: env.LOGIN_CLIENT_SECRET };
    }
    if (!env.LOGIN_CLIENT_SECRET_ARN) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The login client is not configured' });
    }
    let secret: unknown;
    try {
      secret = await readSecretJson(env.LOGIN_CLIENT_SECRET_ARN);
    } catch (error) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', {
        detail: 'The login client secret is unavailable',
        cause: error,
      });
    }
    if (!isCredentials(secret)) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The login client secret is malformed' });
    }
    return secret;
  };
  return {
    cognito,
    loginClient,
    userPoolId: env.USER_POOL_ID || undefined,
    refreshTokenRotation: env.REFRESH_TOKEN_ROTATION !== 'false',
    requireAdminMfa: env.REQUIRE_ADMIN_MFA !== 'false',
  };
}

let runtime: AuthDependencies | undefined;

/**
 * The execution environment's auth dependencies: one Cognito client at module scope, created on
 * first use (not at import), like the pg pool.
 */
export function runtimeAuthDeps(): AuthDependencies {
  runtime ??= authDependenciesFromEnv(process.env);
  return runtime;
}

/** Forgets the cached dependencies (tests that change the environment between cases). */
export function resetRuntimeAuthDeps(): void {
  runtime?.cognito.destroy();
  runtime = undefined;
}

/** What the login client secret's rotation function reads from its environment (set by the Api stack). */
export interface ClientSecretRotationEnvironment {
  /** The pool of the login client. */
  readonly USER_POOL_ID?: string;
}

let rotation: ClientSecretRotationDependencies | undefined;

/**
 * The rotation function's dependencies: a Secrets Manager and a Cognito client at module scope,
 * created on first use. `log` writes one structured line per action.
 */
export function clientSecretRotationDeps(
  env: ClientSecretRotationEnvironment = process.env,
): ClientSecretRotationDependencies {
  if (rotation !== undefined) return rotation;
  if (!env.USER_POOL_ID) throw new Error('USER_POOL_ID is not set');
  rotation = {
    secrets: new SecretsManagerClient({}),
    cognito: new CognitoIdentityProviderClient({}),
    userPoolId: env.USER_POOL_ID,
    log: (message, details) => logger.info(message, details ?? {}),
  };
  return rotation;
}

/** Forgets the rotation dependencies (tests that change the environment). */
export function resetClientSecretRotationDeps(): void {
  rotation?.secrets.destroy();
  rotation?.cognito.destroy();
  rotation = undefined;
}
