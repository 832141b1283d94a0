import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import type { Db } from './client';

/**
 * `Idempotency-Key` support backed by PostgreSQL (`idempotency_keys`).
 *
 * 1. Claim: one autocommit statement inserts the key as `in_progress` with a short lease (or
 *    takes over an expired record / an abandoned claim for the same request).
 * 2. Work: ONE transaction runs the write AND completes the record with the response, guarded
 *    by the claim token; if anything fails both roll back, nothing is half-written.
 * 3. On failure the claim is released so the client may retry; if even that fails (database
 *    gone), the lease expires.
 *
 * A retry with the same key and body gets the stored response; a different body gets 422
 * IDEMPOTENCY_KEY_REUSED; a retry while the first is still running gets 409 IDEMPOTENCY_IN_PROGRESS.
 */

export interface IdempotencyScope {
  /** The client's `Idempotency-Key` header. */
  readonly key: string;
  /** Who asked (token `sub` or API key id): keys are per principal. */
  readonly principal: string;
  /** Route id: the same key on another route is another record. */
  readonly route: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IdempotencyOptions {
  /** How long a completed response is replayed. @default 86400 (24 h) */
  readonly ttlSeconds?: number;
  /** How long a claim blocks retries before another attempt may take it over. @default 60 */
  readonly leaseSeconds?: number;
}

export interface IdempotentResult {
  readonly response: StoredResponse;
  /** True when the response is the stored one from an earlier request. */
  readonly replayed: boolean;
}

/** Keys are printable ASCII, 1..255 characters (as the column allows). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** SHA-256 of the request in canonical JSON (key order does not matter). */
export function hashRequest(request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(request)) ?? 'undefined')
    .digest('hex');
}

interface KeyRow {
  request_hash: string;
  status: 'in_progress' | 'completed';
  locked_until: Date;
  response_status: number | null;
  response_body: unknown;
  response_headers: Record<string, string> | null;
}

async function claim(
  db: Db,
  scope: IdempotencyScope,
  requestHash: string,
  now: Date,
  opts: IdempotencyOptions,
) {
  const token = randomUUID();
  const lockedUntil = new Date(now.getTime() + (opts.leaseSeconds ?? 60) * 1000);
  const expiresAt = new Date(now.getTime() + (opts.ttlSeconds ?? 86_400) * 1000);
  const { rowCount } = await db.query(
    `INSERT INTO idempotency_keys
       (principal, route, key, request_hash, status, claim_token, locked_until, created_at, expires_at)
     VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7, $8)
     ON CONFLICT (principal, route, key) DO UPDATE SET
       request_hash = EXCLUDED.request_hash, status = 'in_progress', claim_token = EXCLUDED.claim_token,
       locked_until = EXCLUDED.locked_until, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
       response_status = NULL, response_body = NULL, response_headers = NULL
     WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
        OR (idempotency_keys.status = 'in_progress'
            AND idempotency_keys.locked_until <= EXCLUDED.created_at
            AND idempotency_keys.request_hash = EXCLUDED.request_hash)`,
    [scope.principal, scope.route, scope.key, requestHash, token, lockedUntil, now, expiresAt],
  );
  return rowCount === 1 ? token : undefined;
}

/**
 * Runs `work` at most once per (principal, route, key) and request body. `work` receives the
 * transaction to write in and returns the response to store; `afterCommit` effects (event
 * publishing) belong to the caller, after this resolves.
 */
export async function withIdempotency(
  db: Db,
  scope: IdempotencyScope,
  requestHash: string,
  now: Date,
  work: (tx: Db) => Promise<StoredResponse>,
  options: IdempotencyOptions = {},
): Promise<IdempotentResult> {
  if (!IDEMPOTENCY_KEY_PATTERN.test(scope.key)) {
    throw new AppError('VALIDATION_FAILED', {
      detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
      errors: [{ field: 'headers.idempotency-key', message: 'must be 1 to 255 printable ASCII characters' }],
    });
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const token = await claim(db, scope, requestHash, now, options);
    if (token) return { response: await runClaimed(db, scope, token, work), replayed: false };

    const { rows } = await db.query<KeyRow>(
      `SELECT request_hash, status, locked_until, response_status, response_body, response_headers
         FROM idempotency_keys WHERE principal = $1 AND route = $2 AND key = $3`,
      [scope.principal, scope.route, scope.key],
    );
    const existing = rows[0];
    if (!existing) continue; // released between our two statements: claim again
    if (existing.request_hash !== requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', {
        detail: 'This Idempotency-Key was already used with a different request body',
      });
    }
    if (existing.status === 'in_progress') {
      const seconds = Math.ceil((existing.locked_until.getTime() - now.getTime()) / 1000);
      throw new AppError('IDEMPOTENCY_IN_PROGRESS', { retryAfterSeconds: Math.max(1, seconds) });
    }
    return {
      replayed: true,
      response: {
        status: existing.response_status ?? 200,
        body: existing.response_body,
        headers: existing.response_headers ?? {},
      },
    };
  }
  throw new AppError('IDEMPOTENCY_IN_PROGRESS', { retryAfterSeconds: 1 });
}

async function runClaimed(
  db: Db,
  scope: IdempotencyScope,
  token: string,
  work: (tx: Db) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  try {
    return await db.transaction(async (tx) => {
      const response = await work(tx);
      const completed = await tx.query(
        `UPDATE idempotency_keys
            SET status = 'completed', response_status = $5, response_body = $6, response_headers = $7
          WHERE principal = $1 AND route = $2 AND key = $3 AND claim_token = $4 AND status = 'in_progress'`,
        [
          scope.principal,
          scope.route,
          scope.key,
          token,
          response.status,
          JSON.stringify(response.body ?? null),
          JSON.stringify(response.headers),
        ],
      );
      if (completed.rowCount !== 1) {
        // Our lease ran out and another attempt took the key over: undo our write.
        throw new AppError('IDEMPOTENCY_IN_PROGRESS', { retryAfterSeconds: 1 });
      }
      return response;
    });
  } catch (error) {
    await db
      .query(
        `DELETE FROM idempotency_keys
          WHERE principal = $1 AND route = $2 AND key = $3 AND claim_token = $4 AND status = 'in_progress'`,
        [scope.principal, scope.route, scope.key, token],
      )
      .catch(() => undefined); // the lease expires if the database is gone
    throw error;
  }
}
