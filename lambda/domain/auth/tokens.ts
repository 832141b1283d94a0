import type { Role } from '../../shared/access';
import { ROLES } from '../../shared/access';

/**
 * Claims of a JWT, decoded WITHOUT verifying its signature. Only for tokens this code has just
 * received from Cognito over TLS (to read groups and lifetime); never for a token from a client,
 * which is the authorizer's job.
 */
export function unverifiedClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Rampart roles in a Cognito token's `cognito:groups` claim (other groups are ignored). */
export function rolesOf(claims: Record<string, unknown>): Role[] {
  const groups = claims['cognito:groups'];
  if (!Array.isArray(groups)) return [];
  return ROLES.filter((role) => groups.includes(role));
}

/** Seconds until the token expires (from `exp - iat`), for emulators that omit `ExpiresIn`. */
export function lifetimeSeconds(claims: Record<string, unknown>): number | undefined {
  const { exp, iat } = claims;
  return typeof exp === 'number' && typeof iat === 'number' && exp > iat ? exp - iat : undefined;
}
