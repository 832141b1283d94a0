import type { ApiKeyTier } from '../../shared/access';

/** Lifecycle of a stored key: `grace` is an old key after rotation, valid until `graceEndsAt`. */
export type ApiKeyStatus = 'active' | 'grace' | 'revoked';

/**
 * What the authorizer needs to know about one API key. The api-keys domain stores it (PostgreSQL
 * `api_keys`, looked up by the SHA-256 hex hash of the key, see `lambda/shared/api-key-format.ts`).
 */
export interface ApiKeyRecord {
  /** Key id (uuid): the principal's `apiKeyId` and `sub`. */
  readonly id: string;
  /** Cognito `sub` of the user who created the key. */
  readonly ownerSub: string;
  /** Scopes granted to the key at creation. */
  readonly scopes: readonly string[];
  readonly tier: ApiKeyTier;
  /**
   * Value of the API Gateway API key attached to the tier's usage plan. The authorizer returns it
   * as `usageIdentifierKey` (`apiKeySource = AUTHORIZER`) so the plan throttles and meters this key.
   * It is a metering handle, not a credential: the gateway never accepts it from a client.
   */
  readonly usageIdentifierKey: string;
  readonly status: ApiKeyStatus;
  /** Set when the key expires; at or after it the key is refused (401). */
  readonly expiresAt?: Date;
  /** Set for `grace` keys; at or after it the key is refused (401). */
  readonly graceEndsAt?: Date;
  /**
   * Scopes the owner may hold NOW (ROLE_SCOPES of the owner's current roles; empty when the owner
   * was removed). A key whose scopes exceed them is refused with 403: demoting a user demotes their keys.
   */
  readonly ownerScopes: readonly string[];
}

/** The authorizer's view of the key store; the api-keys domain implements it on PostgreSQL. */
export interface ApiKeyLookup {
  /**
   * The key whose SHA-256 hex hash is `hash`, or `undefined`. Revoked, expired and grace-ended keys
   * may be returned (the authorizer refuses them) or omitted (same 401).
   */
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
}

/** Why a stored key is refused; `scope-exceeds-owner` is a 403, every other reason a 401. */
export type ApiKeyRefusal = 'revoked' | 'expired' | 'grace-ended' | 'scope-exceeds-owner' | 'unknown-status';

/**
 * Checks a found key against the clock and its owner's current scopes.
 * @returns `undefined` when the key may be used, else the reason it may not
 */
export function refuseApiKey(record: ApiKeyRecord, now: Date): ApiKeyRefusal | undefined {
  const time = now.getTime();
  if (record.status === 'revoked') return 'revoked';
  if (record.status !== 'active' && record.status !== 'grace') return 'unknown-status';
  if (record.expiresAt !== undefined && record.expiresAt !== null && time >= record.expiresAt.getTime()) {
    return 'expired';
  }
  if (record.status === 'grace') {
    // A grace key without an end date would live forever: refuse it.
    if (record.graceEndsAt === undefined || record.graceEndsAt === null) return 'grace-ended';
    if (time >= record.graceEndsAt.getTime()) return 'grace-ended';
  }
  const ownerScopes = new Set(record.ownerScopes);
  for (const scope of record.scopes) {
    if (!ownerScopes.has(scope)) return 'scope-exceeds-owner';
  }
  return undefined;
}
