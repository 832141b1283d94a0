import { randomBytes, randomUUID } from 'node:crypto';
import { ROLE_SCOPES, type ApiKeyTier, type Role } from '../../shared/access';
import { generateApiKey, type GeneratedApiKey } from '../../shared/api-key-format';
import type { Db } from '../../shared/db/client';
import { hashRequest, withIdempotency } from '../../shared/db/idempotency';
import type { IdempotencyOptions, StoredResponse } from '../../shared/db/idempotency';
import { AppError } from '../../shared/errors';
import type { Principal } from '../../shared/http/types';
import { logger, metrics } from '../../shared/powertools';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ApiKeyStatus } from '../authz/api-keys';
import type { Clock } from '../events/types';
import type { KeyGateway, UsageDay } from './key-gateway';
import type { CreateApiKeyInput, UsageQuery } from './schemas';
import { API_KEY_COLUMNS, findVisibleKey, insertApiKey, type ApiKeyRow } from './store';

/** Tunables of the API key routes (env, see `readApiKeyConfig`). */
export interface ApiKeyConfig {
  /** Hours an old key keeps working after a rotation. @default 24 */
  readonly rotationGraceHours: number;
  /** Keys (active or in grace) one owner may hold; API Gateway allows 10,000 per region. @default 20 */
  readonly maxKeysPerOwner: number;
  /** Longest `from`..`to` span of a usage query, in days. @default 90 */
  readonly maxUsageDays: number;
}

export const DEFAULT_API_KEY_CONFIG: ApiKeyConfig = {
  rotationGraceHours: 24,
  maxKeysPerOwner: 20,
  maxUsageDays: 90,
};

/** What the API key functions need; the handlers build it once per execution environment. */
export interface ApiKeyDeps {
  readonly db: Db;
  readonly gateway: KeyGateway;
  readonly clock: Clock;
  readonly config: ApiKeyConfig;
  readonly idempotency?: IdempotencyOptions;
  /** @default generateApiKey from `shared/api-key-format` */
  readonly generateKey?: () => GeneratedApiKey;
  /** The API Gateway key value (metering handle). @default 40 random base64url characters */
  readonly generateUsageIdentifier?: () => string;
}

/** Who is calling (the wrapper's principal). */
export type ApiKeyCaller = Pick<Principal, 'sub' | 'roles' | 'scopes' | 'authType'>;

/** Effective state of a key as clients see it (`expired` is derived from `expiresAt`). */
export type ApiKeyState = ApiKeyStatus | 'expired';

/** A key as listings return it: never the secret, never the hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly owner: string;
  readonly scopes: readonly string[];
  readonly tier: ApiKeyTier;
  readonly status: ApiKeyState;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  /** For a rotated (old) key: when it stops working. */
  readonly graceEndsAt: string | null;
  readonly revokedAt: string | null;
  /** The key that replaced this one at rotation. */
  readonly replacedBy: string | null;
  /** The key this one replaced. */
  readonly replaces: string | null;
  /** When this key's lineage was last rotated (its own creation by rotation, or its replacement's). */
  readonly lastRotatedAt: string | null;
}

/** The creation/rotation answer: the only time the secret `key` is ever shown. */
export interface CreatedApiKey {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly key: string;
  readonly scopes: readonly string[];
  readonly tier: ApiKeyTier;
  readonly expiresAt: string | null;
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function defaultUsageIdentifier(): string {
  // 240 bits; API Gateway accepts 20..128 characters.
  return randomBytes(30).toString('base64url');
}

/** The scopes a caller may delegate: a user's role scopes, or a machine's / key's own scopes. */
export function grantableScopes(caller: ApiKeyCaller): ReadonlySet<string> {
  if (caller.authType !== 'user') return new Set(caller.scopes);
  const scopes = new Set<string>();
  for (const role of caller.roles) {
    for (const scope of ROLE_SCOPES[role as Role] ?? []) scopes.add(scope);
  }
  return scopes;
}

/** Admins (role `admin`, or the `rampart/admin` scope) manage every key. */
export function isKeyAdmin(caller: ApiKeyCaller): boolean {
  return caller.roles.includes('admin') || caller.scopes.includes('rampart/admin');
}

function ownerFilter(caller: ApiKeyCaller): string | undefined {
  return isKeyAdmin(caller) ? undefined : caller.sub;
}

/** Creates the gateway key and attaches it to the plan; deletes it again if attaching fails. */
async function provisionGatewayKey(
  deps: ApiKeyDeps,
  id: string,
  tier: ApiKeyTier,
  signal: AbortSignal | undefined,
): Promise<{ gatewayKeyId: string; usageIdentifier: string }> {
  const usageIdentifier = (deps.generateUsageIdentifier ?? defaultUsageIdentifier)();
  const gatewayKeyId = await deps.gateway.createKey(`rampart-${id}`, usageIdentifier, true, { signal });
  try {
    await deps.gateway.attachToUsagePlan(gatewayKeyId, tier, { signal });
  } catch (error) {
    await compensate(deps, gatewayKeyId);
    throw error;
  }
  return { gatewayKeyId, usageIdentifier };
}

/**
 * Undoes a gateway key whose row was never committed. Even if this fails the key is unusable
 * (the authorizer only ever returns values it finds in `api_keys`); it is logged for removal.
 */
async function compensate(deps: ApiKeyDeps, gatewayKeyId: string): Promise<void> {
  try {
    await deps.gateway.deleteKey(gatewayKeyId);
  } catch (error) {
    logger.error('Could not delete an orphaned API Gateway key', {
      gatewayKeyId,
      error: error instanceof Error ? error.message : String(error),
    });
    metrics.addMetric('ApiKeyGatewayOrphan', MetricUnit.Count, 1);
  }
}

/** Runs `write` after `provision`, deleting the provisioned gateway key if `write` (or its commit) fails. */
async function withCompensation<T>(
  deps: ApiKeyDeps,
  write: (track: (gatewayKeyId: string) => void) => Promise<T>,
): Promise<T> {
  let gatewayKeyId: string | undefined;
  try {
    return await write((id) => {
      gatewayKeyId = id;
    });
  } catch (error) {
    if (gatewayKeyId !== undefined) await compensate(deps, gatewayKeyId);
    throw error;
  }
}

async function assertBelowKeyLimit(deps: ApiKeyDeps, tx: Db, owner: string): Promise<void> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM api_keys WHERE owner_sub = $1 AND status <> 'revoked'`,
    [owner],
  );
  if (rows[0].n >= deps.config.maxKeysPerOwner) {
    throw new AppError('CONFLICT', {
      detail: `You already hold ${deps.config.maxKeysPerOwner} API keys; revoke one first`,
    });
  }
}

export interface CreateApiKeyRequest {
  readonly caller: ApiKeyCaller;
  readonly input: CreateApiKeyInput;
  readonly idempotencyKey?: string;
  /** Idempotency scope. @default 'createApiKey' */
  readonly route?: string;
  readonly signal?: AbortSignal;
}

export interface CreateApiKeyResult {
  /** Without `key` when the response is a replay (the secret is never stored). */
  readonly body: CreatedApiKey | Omit<CreatedApiKey, 'key'>;
  readonly replayed: boolean;
}

/**
 * Creates a key: checks the scopes (a subset of the caller's, else 403) and the expiry (future,
 * else 400), creates the API Gateway key with a fresh metering value, attaches it to the tier's
 * usage plan, then stores hash + prefix. If the store fails the gateway key is deleted again.
 * With an `Idempotency-Key` a retry replays the stored answer WITHOUT the secret (it is never
 * stored anywhere): a client that lost the first answer revokes that key and creates another.
 */
export async function createApiKey(
  deps: ApiKeyDeps,
  request: CreateApiKeyRequest,
): Promise<CreateApiKeyResult> {
  const { caller, input, signal } = request;
  const now = deps.clock.now();
  const grantable = grantableScopes(caller);
  const missing = input.scopes.filter((scope) => !grantable.has(scope));
  if (missing.length > 0) {
    throw new AppError('FORBIDDEN', {
      detail: `You cannot grant scopes you do not hold: ${missing.join(', ')}`,
    });
  }
  let expiresAt: Date | null = null;
  if (input.expiresAt !== undefined) {
    expiresAt = new Date(input.expiresAt);
    if (!(expiresAt.getTime() > now.getTime())) {
      throw new AppError('VALIDATION_FAILED', {
        detail: 'body.expiresAt must be in the future',
        errors: [{ field: 'body.expiresAt', message: 'must be in the future' }],
      });
    }
  }
  const scopes = [...new Set(input.scopes)].sort();
  let secret: string | undefined;

  const work =
    (track: (gatewayKeyId: string) => void) =>
    async (tx: Db): Promise<StoredResponse> => {
      await assertBelowKeyLimit(deps, tx, caller.sub);
      const id = randomUUID();
      const generated = (deps.generateKey ?? generateApiKey)();
      const { gatewayKeyId, usageIdentifier } = await provisionGatewayKey(deps, id, input.tier, signal);
      track(gatewayKeyId);
      const row = await insertApiKey(tx, {
        id,
        ownerSub: caller.sub,
        name: input.name,
        prefix: generated.prefix,
        hash: generated.hash,
        scopes,
        tier: input.tier,
        gatewayKeyId,
        usageIdentifier,
        expiresAt,
        createdAt: now,
      });
      secret = generated.key;
      const body: Omit<CreatedApiKey, 'key'> = {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        scopes: row.scopes,
        tier: row.tier,
        expiresAt: iso(row.expires_at),
      };
      return { status: 201, body, headers: { location: `/api/v1/api-keys/${row.id}` } };
    };

  const result = await withCompensation(deps, async (track) => {
    if (request.idempotencyKey === undefined) {
      return { response: await deps.db.transaction(work(track), { signal }), replayed: false };
    }
    return withIdempotency(
      deps.db,
      { key: request.idempotencyKey, principal: caller.sub, route: request.route ?? 'createApiKey' },
      hashRequest(input),
      now,
      work(track),
      deps.idempotency,
    );
  });
  const stored = result.response.body as Omit<CreatedApiKey, 'key'>;
  if (result.replayed || secret === undefined) return { body: stored, replayed: true };
  return { body: { ...stored, key: secret }, replayed: false };
}

interface ListedRow extends ApiKeyRow {
  replaces: string | null;
  replacement_created_at: Date | null;
}

/** The largest listing returned (owners hold at most `maxKeysPerOwner` live keys). */
export const MAX_LISTED_KEYS = 1000;

function stateOf(row: ApiKeyRow, now: Date): ApiKeyState {
  if (row.status === 'revoked') return 'revoked';
  if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime()) return 'expired';
  if (row.status === 'grace' && row.grace_ends_at !== null && row.grace_ends_at.getTime() <= now.getTime()) {
    return 'revoked';
  }
  return row.status;
}

function toView(row: ListedRow, now: Date): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    owner: row.owner_sub,
    scopes: row.scopes,
    tier: row.tier,
    status: stateOf(row, now),
    createdAt: row.created_at.toISOString(),
    expiresAt: iso(row.expires_at),
    graceEndsAt: iso(row.grace_ends_at),
    revokedAt: iso(row.revoked_at),
    replacedBy: row.replaced_by,
    replaces: row.replaces,
    lastRotatedAt: iso(row.replacement_created_at ?? (row.replaces !== null ? row.created_at : null)),
  };
}

/** The caller's keys, newest first (admins: every key, with `owner`). Never the secret or the hash. */
export async function listApiKeys(
  deps: Pick<ApiKeyDeps, 'db' | 'clock'>,
  caller: ApiKeyCaller,
  options: { readonly signal?: AbortSignal } = {},
): Promise<{ items: ApiKeyView[] }> {
  const columns = API_KEY_COLUMNS.split(', ')
    .map((c) => `k.${c}`)
    .join(', ');
  const { rows } = await deps.db.query<ListedRow>(
    `SELECT ${columns}, p.id AS replaces, r.created_at AS replacement_created_at
       FROM api_keys k
       LEFT JOIN api_keys r ON r.id = k.replaced_by
       LEFT JOIN api_keys p ON p.replaced_by = k.id
      WHERE ($1::text IS NULL OR k.owner_sub = $1)
      ORDER BY k.created_at DESC, k.id
      LIMIT ${MAX_LISTED_KEYS}`,
    [ownerFilter(caller) ?? null],
    options,
  );
  const now = deps.clock.now();
  return { items: rows.map((row) => toView(row, now)) };
}

export interface RotateApiKeyResult {
  readonly key: CreatedApiKey;
  /** The old key, valid until `graceEndsAt`. */
  readonly previous: { readonly id: string; readonly graceEndsAt: string };
}

/**
 * Rotates an active key: a new key (new gateway key in the same plan) now, the old one moves to
 * `grace` until now + `rotationGraceHours`. Only the owner or an admin; others get 404.
 */
export async function rotateApiKey(
  deps: ApiKeyDeps,
  request: { readonly caller: ApiKeyCaller; readonly id: string; readonly signal?: AbortSignal },
): Promise<RotateApiKeyResult> {
  const { caller, id, signal } = request;
  const now = deps.clock.now();
  const old = await findVisibleKey(deps.db, id, ownerFilter(caller), { signal });
  const assertRotatable = (row: ApiKeyRow) => {
    if (row.status !== 'active' || (row.expires_at !== null && row.expires_at.getTime() <= now.getTime())) {
      throw new AppError('CONFLICT', { detail: 'Only an active, unexpired key can be rotated' });
    }
  };
  assertRotatable(old);
  const graceEndsAt = new Date(now.getTime() + deps.config.rotationGraceHours * 3_600_000);
  const generated = (deps.generateKey ?? generateApiKey)();
  const newId = randomUUID();

  const row = await withCompensation(deps, async (track) => {
    const { gatewayKeyId, usageIdentifier } = await provisionGatewayKey(deps, newId, old.tier, signal);
    track(gatewayKeyId);
    return deps.db.transaction(
      async (tx) => {
        // Re-read under lock: a concurrent rotation or revocation wins, this one is undone.
        assertRotatable(await findVisibleKey(tx, id, ownerFilter(caller), { forUpdate: true }));
        const created = await insertApiKey(tx, {
          id: newId,
          ownerSub: old.owner_sub,
          name: old.name,
          prefix: generated.prefix,
          hash: generated.hash,
          scopes: old.scopes,
          tier: old.tier,
          gatewayKeyId,
          usageIdentifier,
          expiresAt: old.expires_at,
          createdAt: now,
        });
        await tx.query(
          `UPDATE api_keys SET status = 'grace', grace_ends_at = $2, replaced_by = $3 WHERE id = $1`,
          [id, graceEndsAt, newId],
        );
        return created;
      },
      { signal },
    );
  });
  return {
    key: {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      key: generated.key,
      scopes: row.scopes,
      tier: row.tier,
      expiresAt: iso(row.expires_at),
    },
    previous: { id, graceEndsAt: graceEndsAt.toISOString() },
  };
}

/**
 * Revokes a key: disabled at the gateway first (if that fails: 503 and the store is unchanged),
 * then `revoked` in the store. Revoking a revoked key succeeds. Only the owner or an admin.
 */
export async function revokeApiKey(
  deps: ApiKeyDeps,
  request: { readonly caller: ApiKeyCaller; readonly id: string; readonly signal?: AbortSignal },
): Promise<void> {
  const { caller, id, signal } = request;
  const row = await findVisibleKey(deps.db, id, ownerFilter(caller), { signal });
  if (row.status === 'revoked') return;
  await deps.gateway.disableKey(row.api_gateway_key_id, { signal });
  await deps.db.query(
    `UPDATE api_keys SET status = 'revoked', revoked_at = $2 WHERE id = $1 AND status <> 'revoked'`,
    [id, deps.clock.now()],
    { signal },
  );
}

export interface ApiKeyUsage {
  readonly id: string;
  readonly tier: ApiKeyTier;
  readonly from: string;
  readonly to: string;
  readonly days: readonly UsageDay[];
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function usageRangeError(field: 'query.from' | 'query.to', message: string): AppError {
  return new AppError('VALIDATION_FAILED', { detail: `${field} ${message}`, errors: [{ field, message }] });
}

/** The `from`..`to` days of a usage query: defaults to the last 7 days, at most `maxUsageDays`, not in the future. */
export function usageRange(query: UsageQuery, now: Date, maxDays: number): { from: string; to: string } {
  const today = utcDay(now);
  const to = query.to ?? today;
  const toTime = Date.parse(`${to}T00:00:00Z`);
  const from =
    query.from ?? utcDay(new Date(Math.min(toTime, Date.parse(`${today}T00:00:00Z`)) - 6 * 86_400_000));
  const fromTime = Date.parse(`${from}T00:00:00Z`);
  if (to > today) throw usageRangeError('query.to', 'must not be in the future');
  if (fromTime > toTime) throw usageRangeError('query.from', 'must not be after to');
  if ((toTime - fromTime) / 86_400_000 + 1 > maxDays) {
    throw usageRangeError('query.from', `must be at most ${maxDays} days before to`);
  }
  return { from, to };
}

/** Per-day usage of a key from its usage plan. Only the owner or an admin. */
export async function getApiKeyUsage(
  deps: ApiKeyDeps,
  request: {
    readonly caller: ApiKeyCaller;
    readonly id: string;
    readonly query: UsageQuery;
    readonly signal?: AbortSignal;
  },
): Promise<ApiKeyUsage> {
  const { caller, id, signal } = request;
  const { from, to } = usageRange(request.query, deps.clock.now(), deps.config.maxUsageDays);
  const row = await findVisibleKey(deps.db, id, ownerFilter(caller), { signal });
  if (row.gateway_deleted_at !== null) {
    throw new AppError('NOT_FOUND', { detail: 'The usage of this key is no longer available' });
  }
  const days = await deps.gateway.getUsage(row.api_gateway_key_id, row.tier, from, to, { signal });
  return { id, tier: row.tier, from, to, days };
}
