import type { ApiKeyTier } from '../../shared/access';
import type { Db } from '../../shared/db/client';
import type { KeyGateway } from './key-gateway';

/** A gateway that can also list its keys' values (to find what a retried recreation already made). */
export interface KeyInventory extends KeyGateway {
  /** Id of every key this gateway holds, by its value. */
  keyIdsByValue(): Promise<ReadonlyMap<string, string>>;
}

/** What a recreation did, for the drill report. */
export interface GatewayKeyRecreation {
  /** Keys created in this region's gateway. */
  readonly created: number;
  /** Keys whose value the gateway held already (a retried step): re-attached only. */
  readonly existing: number;
  /** Rows whose `api_gateway_key_id` now names this region's key. */
  readonly repointed: number;
}

interface LiveKeyRow {
  readonly id: string;
  readonly tier: ApiKeyTier;
  readonly usage_identifier: string;
  readonly api_gateway_key_id: string;
}

/**
 * After a region failover (the promoted standby database is writable): recreates in this region's
 * API Gateway every API key the database still honours (active or in its rotation grace, not
 * expired), with its stored usage identifier as the key VALUE in its tier's usage plan, and points
 * each row at the new gateway key so that revocation and cleanup act on keys that exist here.
 * Clients keep their keys: Rampart stores only their hashes, and the gateway key is the separate
 * usage identifier the authorizer returns. Idempotent: a value the gateway already holds is reused.
 * Usage counters start from zero (API Gateway keeps them per region).
 */
export async function recreateGatewayKeys(deps: {
  readonly db: Db;
  readonly gateway: KeyInventory;
}): Promise<GatewayKeyRecreation> {
  const existing = await deps.gateway.keyIdsByValue();
  const { rows } = await deps.db.query<LiveKeyRow & Record<string, unknown>>(
    `SELECT id, tier, usage_identifier, api_gateway_key_id FROM api_keys
      WHERE status <> 'revoked' AND gateway_deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
      ORDER BY created_at, id`,
  );
  let created = 0;
  let reused = 0;
  let repointed = 0;
  for (const row of rows) {
    let keyId = existing.get(row.usage_identifier);
    if (keyId === undefined) {
      // The name the key was created with in the primary (createApiKey).
      keyId = await deps.gateway.createKey(`rampart-${row.id}`, row.usage_identifier, true);
      created += 1;
    } else {
      reused += 1;
    }
    await deps.gateway.attachToUsagePlan(keyId, row.tier);
    if (row.api_gateway_key_id !== keyId) {
      await deps.db.query('UPDATE api_keys SET api_gateway_key_id = $2 WHERE id = $1', [row.id, keyId]);
      repointed += 1;
    }
  }
  return { created, existing: reused, repointed };
}
