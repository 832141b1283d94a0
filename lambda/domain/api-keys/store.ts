import type { QueryResultRow } from 'pg';
import type { ApiKeyTier } from '../../shared/access';
import type { Db, QueryOptions } from '../../shared/db/client';
import { AppError } from '../../shared/errors';
import type { ApiKeyLookup, ApiKeyRecord, ApiKeyStatus } from '../authz/api-keys';

/** A row of `api_keys` (migration 0200). */
export interface ApiKeyRow extends QueryResultRow {
  id: string;
  owner_sub: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  tier: ApiKeyTier;
  api_gateway_key_id: string;
  usage_identifier: string;
  status: ApiKeyStatus;
  expires_at: Date | null;
  grace_ends_at: Date | null;
  replaced_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
  gateway_deleted_at: Date | null;
}

export const API_KEY_COLUMNS =
  'id, owner_sub, name, prefix, key_hash, scopes, tier, api_gateway_key_id, usage_identifier, status, ' +
  'expires_at, grace_ends_at, replaced_by, created_at, revoked_at, gateway_deleted_at';

/** What a new row holds (status `active`). */
export interface NewApiKeyRow {
  readonly id: string;
  readonly ownerSub: string;
  readonly name: string;
  readonly prefix: string;
  readonly hash: string;
  readonly scopes: readonly string[];
  readonly tier: ApiKeyTier;
  readonly gatewayKeyId: string;
  readonly usageIdentifier: string;
  readonly expiresAt: Date | null;
  readonly createdAt: Date;
}

export async function insertApiKey(tx: Db, row: NewApiKeyRow): Promise<ApiKeyRow> {
  const { rows } = await tx.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, owner_sub, name, prefix, key_hash, scopes, tier, api_gateway_key_id,
                           usage_identifier, status, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11)
     RETURNING ${API_KEY_COLUMNS}`,
    [
      row.id,
      row.ownerSub,
      row.name,
      row.prefix,
      row.hash,
      [...row.scopes],
      row.tier,
      row.gatewayKeyId,
      row.usageIdentifier,
      row.expiresAt,
      row.createdAt,
    ],
  );
  return rows[0];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The key `id` if `owner` may see it (`owner` undefined = an admin, who sees every key). Anything
 * else is the same 404, so callers cannot probe which ids exist.
 */
export async function findVisibleKey(
  db: Db,
  id: string,
  owner: string | undefined,
  options: QueryOptions & { readonly forUpdate?: boolean } = {},
): Promise<ApiKeyRow> {
  const row = UUID.test(id)
    ? (
        await db.query<ApiKeyRow>(
          `SELECT ${API_KEY_COLUMNS} FROM api_keys
            WHERE id = $1 AND ($2::text IS NULL OR owner_sub = $2)${options.forUpdate ? ' FOR UPDATE' : ''}`,
          [id, owner ?? null],
          { signal: options.signal },
        )
      ).rows[0]
    : undefined;
  if (!row) throw new AppError('NOT_FOUND', { detail: 'No API key with this id' });
  return row;
}

/** Resolves the scopes a key owner holds now (from their current roles); `undefined` when the owner is gone. */
export type OwnerScopesResolver = (ownerSub: string) => Promise<readonly string[] | undefined>;

/**
 * The authorizer's {@link ApiKeyLookup} on PostgreSQL: one indexed lookup by `key_hash` (unique),
 * every status returned so the authorizer can say why a key is refused. `ownerScopes` comes from
 * `resolveOwnerScopes`, so demoting a user demotes their keys.
 */
export class PostgresApiKeyLookup implements ApiKeyLookup {
  constructor(
    private readonly db: Db,
    private readonly resolveOwnerScopes: OwnerScopesResolver,
  ) {}

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const { rows } = await this.db.query<ApiKeyRow>(
      `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return undefined;
    const ownerScopes = (await this.resolveOwnerScopes(row.owner_sub)) ?? [];
    return {
      id: row.id,
      ownerSub: row.owner_sub,
      scopes: row.scopes,
      tier: row.tier,
      usageIdentifierKey: row.usage_identifier,
      status: row.status,
      ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
      ...(row.grace_ends_at ? { graceEndsAt: row.grace_ends_at } : {}),
      ownerScopes,
    };
  }
}
