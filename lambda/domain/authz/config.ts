import type { Jwks } from 'aws-jwt-verify/jwk';
import {
  createAccessTokenVerifier,
  refusingVerifier,
  type AccessTokenConfig,
  type AccessTokenVerifier,
} from './access-token';

/** Environment variables the authorizer reads (set by the Api stack's authorizer function). */
export interface AuthorizerEnvironment {
  readonly AWS_REGION?: string;
  /** Cognito user pool id, e.g. `eu-west-1_AbCdEfGhI`. */
  readonly USER_POOL_ID?: string;
  /** Issuer override for cognito-local; unset in AWS. */
  readonly TOKEN_ISSUER?: string;
  /** Comma-separated app client ids whose access tokens are accepted. */
  readonly ALLOWED_CLIENT_IDS?: string;
  /** The user pool's JWKS JSON (`{"keys":[...]}`), fetched at deploy time. */
  readonly JWKS?: string;
  /** `{"user":"<key value>","client":"<key value>"}`: usage identifier keys of token callers. */
  readonly TOKEN_USAGE_KEYS?: string;
}

/** Usage identifier key per kind of token caller (the token usage plan's keys). */
export interface TokenUsageKeys {
  readonly user: string;
  readonly client: string;
}

/**
 * Reads `TOKEN_USAGE_KEYS`.
 * @throws Error when it is missing or not an object with a non-empty `user` and `client`
 */
export function tokenUsageKeysFromEnv(env: AuthorizerEnvironment): TokenUsageKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(required(env, 'TOKEN_USAGE_KEYS'));
  } catch (error) {
    throw new Error(
      `TOKEN_USAGE_KEYS is not valid: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const keys = parsed as Partial<Record<keyof TokenUsageKeys, unknown>> | null;
  const valid = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
  if (!valid(keys?.user) || !valid(keys?.client))
    throw new Error('TOKEN_USAGE_KEYS needs a non-empty "user" and "client"');
  return { user: keys.user, client: keys.client };
}

function required(env: AuthorizerEnvironment, name: keyof AuthorizerEnvironment): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

function parseJwks(text: string): Jwks {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('JWKS is not JSON');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('JWKS has no keys');
  for (const key of keys) {
    if (key === null || typeof key !== 'object' || typeof (key as { kid?: unknown }).kid !== 'string') {
      throw new Error('JWKS has a key without a kid');
    }
  }
  return parsed as Jwks;
}

/**
 * Reads the token verification settings.
 * @throws Error naming the variable that is missing or invalid
 */
export function accessTokenConfigFromEnv(env: AuthorizerEnvironment): AccessTokenConfig {
  const issuer = env.TOKEN_ISSUER?.trim() || undefined;
  const allowedClientIds = required(env, 'ALLOWED_CLIENT_IDS')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (allowedClientIds.length === 0) throw new Error('ALLOWED_CLIENT_IDS is empty');
  return {
    region: required(env, 'AWS_REGION'),
    userPoolId: required(env, 'USER_POOL_ID'),
    issuer,
    allowedClientIds,
    jwks: parseJwks(required(env, 'JWKS')),
  };
}

/**
 * The token verifier for this environment, built once at module init. A broken configuration
 * must not crash the init (API Gateway would answer 500 for every call): it is reported through
 * `onConfigError` and every token is then refused (401) until the function is redeployed.
 */
export function tokenVerifierFromEnv(
  env: AuthorizerEnvironment,
  onConfigError: (error: Error) => void,
): AccessTokenVerifier {
  try {
    return createAccessTokenVerifier(accessTokenConfigFromEnv(env));
  } catch (error) {
    onConfigError(error instanceof Error ? error : new Error(String(error)));
    return refusingVerifier();
  }
}
