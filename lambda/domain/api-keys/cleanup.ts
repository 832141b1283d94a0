import type { Db } from '../../shared/db/client';
import { logger } from '../../shared/powertools';
import type { Clock } from '../events/types';
import type { KeyGateway } from './key-gateway';

export interface CleanupDeps {
  readonly db: Db;
  readonly gateway: KeyGateway;
  readonly clock: Clock;
}

export interface CleanupOptions {
  /** Rows read per batch. @default 100 */
  readonly batchSize?: number;
  /** Stop starting new batches when this returns false (e.g. the Lambda is about to time out). */
  readonly shouldContinue?: () => boolean;
}

export interface CleanupResult {
  /** Gateway keys deleted and rows marked. */
  readonly removed: number;
  /** Keys whose gateway deletion failed; the next run retries them. */
  readonly failed: number;
}

interface DueRow {
  id: string;
  api_gateway_key_id: string;
  created_at: Date;
}

/**
 * The scheduled cleanup: every key that can no longer be used (expired, grace ended, revoked) and
 * still has an API Gateway key gets that key deleted (it frees one of the region's 10,000 keys and
 * ends metering), then its row is marked `revoked` with `gateway_deleted_at`. The gateway key is
 * deleted BEFORE the row is marked, so a crash in between is repaired by the next run (deleting a
 * missing key succeeds); the run is idempotent. Rows are kept for the audit trail.
 */
export async function cleanupApiKeys(
  deps: CleanupDeps,
  options: CleanupOptions = {},
): Promise<CleanupResult> {
  const batchSize = options.batchSize ?? 100;
  const now = deps.clock.now();
  let removed = 0;
  let failed = 0;
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    if (options.shouldContinue && !options.shouldContinue()) break;
    const { rows } = await deps.db.query<DueRow>(
      `SELECT id, api_gateway_key_id, created_at FROM api_keys
        WHERE gateway_deleted_at IS NULL
          AND (status = 'revoked' OR expires_at <= $1 OR (status = 'grace' AND grace_ends_at <= $1))
          AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY created_at, id
        LIMIT $4`,
      [now, after?.createdAt ?? null, after?.id ?? null, batchSize],
    );
    for (const row of rows) {
      try {
        await deps.gateway.deleteKey(row.api_gateway_key_id);
      } catch (error) {
        failed += 1;
        logger.warn('Could not delete an API Gateway key; the next run retries', {
          apiKeyId: row.id,
          error: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      const marked = await deps.db.query(
        `UPDATE api_keys SET status = 'revoked', revoked_at = COALESCE(revoked_at, $2), gateway_deleted_at = $2
          WHERE id = $1 AND gateway_deleted_at IS NULL`,
        [row.id, now],
      );
      removed += marked.rowCount ?? 0;
    }
    if (rows.length < batchSize) break;
    const last = rows[rows.length - 1];
    after = { createdAt: last.created_at, id: last.id };
  }
  return { removed, failed };
}
