import { createHash } from 'node:crypto';
import {
  cleanupApiKeys,
  createApiKey,
  getApiKeyUsage,
  listApiKeys,
  LocalKeyGateway,
  PostgresApiKeyLookup,
  revokeApiKey,
  rotateApiKey,
  usageRange,
  type ApiKeyCaller,
  type ApiKeyDeps,
  type KeyGateway,
} from '../../../../lambda/domain/api-keys';
import { refuseApiKey } from '../../../../lambda/domain/authz/api-keys';
import { hashApiKey, isWellFormedApiKey } from '../../../../lambda/shared/api-key-format';
import { ROLE_SCOPES, type Role } from '../../../../lambda/shared/access';
import type { Db } from '../../../../lambda/shared/db/client';
import { AppError } from '../../../../lambda/shared/errors';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

/** The in-process gateway with switchable failures per operation and a call log. */
class FaultyGateway implements KeyGateway {
  readonly local: LocalKeyGateway;
  readonly failing = new Set<keyof KeyGateway>();
  readonly calls: string[] = [];
  constructor(clock: { now(): Date }) {
    this.local = new LocalKeyGateway(clock, { free: 100, standard: 1000, premium: 10000 });
  }
  private check(op: keyof KeyGateway, detail: string) {
    this.calls.push(`${op} ${detail}`);
    if (this.failing.has(op)) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'API Gateway is unavailable; retry later' });
    }
  }
  async createKey(name: string, value: string, enabled: boolean) {
    this.check('createKey', name);
    return this.local.createKey(name, value, enabled);
  }
  async attachToUsagePlan(keyId: string, tier: 'free' | 'standard' | 'premium') {
    this.check('attachToUsagePlan', `${keyId} ${tier}`);
    return this.local.attachToUsagePlan(keyId, tier);
  }
  async disableKey(keyId: string) {
    this.check('disableKey', keyId);
    return this.local.disableKey(keyId);
  }
  async deleteKey(keyId: string) {
    this.check('deleteKey', keyId);
    return this.local.deleteKey(keyId);
  }
  async getUsage(keyId: string, tier: 'free' | 'standard' | 'premium', from: string, to: string) {
    this.check('getUsage', keyId);
    return this.local.getUsage(keyId, tier, from, to);
  }
}

let database: TestDatabase;
let db: Db;
let now: Date;
let gateway: FaultyGateway;
const clock = { now: () => now };

const user = (sub: string, ...roles: Role[]): ApiKeyCaller => ({ sub, roles, scopes: [], authType: 'user' });
const ALICE = user('alice', 'editor');
const BOB = user('bob', 'viewer');
const ADMIN = user('root', 'admin');

function deps(overrides: Partial<ApiKeyDeps> = {}): ApiKeyDeps {
  return {
    db,
    gateway,
    clock,
    config: { rotationGraceHours: 24, maxKeysPerOwner: 5, maxUsageDays: 90 },
    ...overrides,
  };
}

/** The authorizer's view: the lookup plus its refusal rules, owner scopes from current roles. */
const ownerRoles = new Map<string, Role[]>();
const lookup = () =>
  new PostgresApiKeyLookup(db, async (sub) => {
    const roles = ownerRoles.get(sub);
    return roles === undefined ? undefined : roles.flatMap((r) => ROLE_SCOPES[r]);
  });
async function authorize(key: string) {
  const record = await lookup().findByHash(hashApiKey(key));
  if (!record) return 'unknown';
  return refuseApiKey(record, now) ?? 'ok';
}

async function rows(where = 'true', values: unknown[] = []) {
  const result = await db.query(`SELECT * FROM api_keys WHERE ${where} ORDER BY created_at, id`, values);
  return result.rows;
}

let output: CapturedOutput;
beforeAll(async () => {
  output = captureStdout(); // the Db's EMF metrics and the cleanup's warnings
  database = await startTestDatabase();
  db = database.createDb();
});
afterAll(async () => {
  output.restore();
  await database.stop();
});
beforeEach(async () => {
  now = new Date('2025-03-01T12:00:00.000Z');
  gateway = new FaultyGateway(clock);
  await db.query('DELETE FROM idempotency_keys');
  await db.query('TRUNCATE api_keys');
  ownerRoles.clear();
  ownerRoles.set('alice', ['editor']).set('bob', ['viewer']).set('root', ['admin']);
});

const input = { name: 'ci', scopes: ['rampart/read' as const], tier: 'standard' as const };

describe('createApiKey', () => {
  it('stores only hash and prefix, returns the secret once, and meters through a new plan key', async () => {
    const { body, replayed } = await createApiKey(deps(), { caller: ALICE, input });
    expect(replayed).toBe(false);
    const created = body as { key: string; id: string; prefix: string };
    expect(isWellFormedApiKey(created.key)).toBe(true);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const [row] = await rows();
    expect(row).toMatchObject({
      id: created.id,
      owner_sub: 'alice',
      name: 'ci',
      prefix: created.prefix,
      key_hash: createHash('sha256').update(created.key).digest('hex'),
      scopes: ['rampart/read'],
      tier: 'standard',
      status: 'active',
      expires_at: null,
      created_at: now,
    });
    // The secret is nowhere in the row.
    expect(JSON.stringify(row)).not.toContain(created.key.slice(12));
    const gatewayKey = gateway.local.keys.get(row.api_gateway_key_id as string);
    expect(gatewayKey).toMatchObject({
      name: `rampart-${created.id}`,
      value: row.usage_identifier,
      enabled: true,
      tier: 'standard',
    });
    expect(row.usage_identifier).not.toBe(created.key);
  });

  it('403 when asking for scopes the caller does not hold, with nothing created anywhere', async () => {
    const attempt = createApiKey(deps(), {
      caller: BOB,
      input: { ...input, scopes: ['rampart/read', 'rampart/write'] },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'FORBIDDEN',
      detail: expect.stringContaining('rampart/write'),
    });
    expect(gateway.calls).toEqual([]);
    expect(await rows()).toEqual([]);
  });

  it('machine callers may delegate exactly their own scopes', async () => {
    const machine: ApiKeyCaller = { sub: 'svc', roles: [], scopes: ['rampart/write'], authType: 'client' };
    await expect(createApiKey(deps(), { caller: machine, input })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await createApiKey(deps(), { caller: machine, input: { ...input, scopes: ['rampart/write'] } });
    expect(await rows()).toHaveLength(1);
  });

  it('400 for an expiry that is not in the future', async () => {
    for (const expiresAt of [now.toISOString(), '2025-03-01T11:59:59Z']) {
      await expect(
        createApiKey(deps(), { caller: ALICE, input: { ...input, expiresAt } }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'body.expiresAt', message: 'must be in the future' }],
      });
    }
    expect(gateway.calls).toEqual([]);
  });

  it('deletes the gateway key again when the database insert fails (no usable orphan)', async () => {
    // Same hash twice violates the unique key_hash: the insert fails after the gateway key exists.
    const fixed = { key: 'rmp_live_fixed', prefix: 'rmp_live_fix', hash: 'a'.repeat(64) };
    await createApiKey(deps({ generateKey: () => fixed }), { caller: ALICE, input });
    gateway.calls.length = 0;
    await expect(
      createApiKey(deps({ generateKey: () => fixed }), { caller: ALICE, input }),
    ).rejects.toThrow();
    expect(gateway.calls.map((c) => c.split(' ')[0])).toEqual([
      'createKey',
      'attachToUsagePlan',
      'deleteKey',
    ]);
    expect(gateway.local.keys.size).toBe(1);
    expect(await rows()).toHaveLength(1);
  });

  it('deletes the gateway key when attaching it to the plan fails', async () => {
    gateway.failing.add('attachToUsagePlan');
    await expect(createApiKey(deps(), { caller: ALICE, input })).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
    });
    expect(gateway.local.keys.size).toBe(0);
    expect(await rows()).toEqual([]);
  });

  it('503 and nothing stored when API Gateway is down', async () => {
    gateway.failing.add('createKey');
    await expect(createApiKey(deps(), { caller: ALICE, input })).rejects.toMatchObject({ status: 503 });
    expect(await rows()).toEqual([]);
  });

  it('Idempotency-Key: a retry creates nothing and replays the answer without the secret', async () => {
    const first = await createApiKey(deps(), { caller: ALICE, input, idempotencyKey: 'idem-1' });
    const retry = await createApiKey(deps(), { caller: ALICE, input, idempotencyKey: 'idem-1' });
    expect(retry.replayed).toBe(true);
    const { key, ...withoutKey } = first.body as { key: string };
    expect(key).toMatch(/^rmp_live_/);
    expect(retry.body).toEqual(withoutKey);
    expect(await rows()).toHaveLength(1);
    expect(gateway.local.keys.size).toBe(1);
    const stored = await db.query('SELECT response_body::text AS body FROM idempotency_keys');
    expect(stored.rows[0].body).not.toContain(key);
    await expect(
      createApiKey(deps(), { caller: ALICE, input: { ...input, name: 'other' }, idempotencyKey: 'idem-1' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('409 once the owner holds the maximum number of live keys', async () => {
    for (let i = 0; i < 5; i += 1) await createApiKey(deps(), { caller: ALICE, input });
    await expect(createApiKey(deps(), { caller: ALICE, input })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(gateway.local.keys.size).toBe(5);
  });
});

describe('the key lifecycle as the authorizer sees it', () => {
  it('create -> valid -> rotate -> both valid in grace -> grace ends -> old invalid -> revoke -> invalid', async () => {
    const created = (await createApiKey(deps(), { caller: ALICE, input })).body as {
      key: string;
      id: string;
    };
    expect(await authorize(created.key)).toBe('ok');
    const record = await lookup().findByHash(hashApiKey(created.key));
    const [row] = await rows();
    expect(record).toEqual({
      id: created.id,
      ownerSub: 'alice',
      scopes: ['rampart/read'],
      tier: 'standard',
      usageIdentifierKey: row.usage_identifier,
      status: 'active',
      ownerScopes: ['rampart/read', 'rampart/write'],
    });

    now = new Date('2025-03-01T13:00:00.000Z');
    const rotated = await rotateApiKey(deps(), { caller: ALICE, id: created.id });
    expect(rotated.previous).toEqual({ id: created.id, graceEndsAt: '2025-03-02T13:00:00.000Z' });
    expect(await authorize(created.key)).toBe('ok');
    expect(await authorize(rotated.key.key)).toBe('ok');
    const [old, fresh] = await rows();
    expect(old).toMatchObject({
      status: 'grace',
      replaced_by: fresh.id,
      grace_ends_at: new Date('2025-03-02T13:00:00Z'),
    });
    expect(fresh).toMatchObject({ status: 'active', name: 'ci', scopes: ['rampart/read'], tier: 'standard' });
    expect(fresh.api_gateway_key_id).not.toBe(old.api_gateway_key_id);
    expect(gateway.local.keys.get(fresh.api_gateway_key_id as string)?.tier).toBe('standard');

    now = new Date('2025-03-02T13:00:00.000Z');
    expect(await authorize(created.key)).toBe('grace-ended');
    expect(await authorize(rotated.key.key)).toBe('ok');

    await revokeApiKey(deps(), { caller: ALICE, id: rotated.key.id });
    expect(await authorize(rotated.key.key)).toBe('revoked');
    expect(gateway.local.keys.get(fresh.api_gateway_key_id as string)?.enabled).toBe(false);
  });

  it('a demoted owner demotes their keys (ownerScopes from current roles)', async () => {
    const created = (
      await createApiKey(deps(), { caller: ALICE, input: { ...input, scopes: ['rampart/write'] } })
    ).body as { key: string };
    ownerRoles.set('alice', ['viewer']);
    expect(await authorize(created.key)).toBe('scope-exceeds-owner');
    ownerRoles.delete('alice');
    expect(await authorize(created.key)).toBe('scope-exceeds-owner');
  });

  it('an expired key is refused and unknown or malformed hashes find nothing', async () => {
    const created = (
      await createApiKey(deps(), { caller: ALICE, input: { ...input, expiresAt: '2025-03-01T12:00:01Z' } })
    ).body as { key: string };
    now = new Date('2025-03-01T12:00:01Z');
    expect(await authorize(created.key)).toBe('expired');
    await expect(lookup().findByHash('0'.repeat(64))).resolves.toBeUndefined();
    await expect(lookup().findByHash("x' OR 1=1 --")).resolves.toBeUndefined();
  });
});

describe('rotate, revoke, list, usage: access', () => {
  it('non-owners get 404 for every operation on someone else’s key; admins may act', async () => {
    const { id } = (await createApiKey(deps(), { caller: ALICE, input })).body;
    const before = await rows();
    await expect(rotateApiKey(deps(), { caller: BOB, id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(revokeApiKey(deps(), { caller: BOB, id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getApiKeyUsage(deps(), { caller: BOB, id, query: {} })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(revokeApiKey(deps(), { caller: BOB, id: 'not-a-uuid' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await rows()).toEqual(before);
    expect((await listApiKeys(deps(), BOB)).items).toEqual([]);

    await rotateApiKey(deps(), { caller: ADMIN, id });
    expect((await listApiKeys(deps(), ADMIN)).items).toHaveLength(2);
  });

  it('rotating a key that is not active is 409, and the new gateway key is undone', async () => {
    const { id } = (await createApiKey(deps(), { caller: ALICE, input })).body;
    await rotateApiKey(deps(), { caller: ALICE, id });
    const keysBefore = gateway.local.keys.size;
    await expect(rotateApiKey(deps(), { caller: ALICE, id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(gateway.local.keys.size).toBe(keysBefore);
    expect(await rows()).toHaveLength(2);
  });

  it('revoke: if disabling at the gateway fails -> 503 and the store is unchanged; then it succeeds, idempotently', async () => {
    const { id } = (await createApiKey(deps(), { caller: ALICE, input })).body;
    gateway.failing.add('disableKey');
    await expect(revokeApiKey(deps(), { caller: ALICE, id })).rejects.toMatchObject({ status: 503 });
    expect((await rows())[0]).toMatchObject({ status: 'active', revoked_at: null });
    gateway.failing.clear();
    now = new Date('2025-03-01T12:30:00Z');
    await revokeApiKey(deps(), { caller: ALICE, id });
    await revokeApiKey(deps(), { caller: ALICE, id });
    expect((await rows())[0]).toMatchObject({ status: 'revoked', revoked_at: now });
    expect(gateway.calls.filter((c) => c.startsWith('disableKey'))).toHaveLength(2); // the failed one + one
  });

  it('lists own keys with status, expiry and rotation, never the hash or the secret', async () => {
    const { id } = (
      await createApiKey(deps(), { caller: ALICE, input: { ...input, expiresAt: '2026-01-01T00:00:00Z' } })
    ).body;
    now = new Date('2025-03-05T00:00:00Z');
    const rotated = await rotateApiKey(deps(), { caller: ALICE, id });
    await createApiKey(deps(), { caller: BOB, input });
    const { items } = await listApiKeys(deps(), ALICE);
    expect(items).toEqual([
      expect.objectContaining({
        id: rotated.key.id,
        status: 'active',
        replaces: id,
        replacedBy: null,
        lastRotatedAt: '2025-03-05T00:00:00.000Z',
        expiresAt: '2026-01-01T00:00:00.000Z',
      }),
      expect.objectContaining({
        id,
        status: 'grace',
        owner: 'alice',
        replacedBy: rotated.key.id,
        graceEndsAt: '2025-03-06T00:00:00.000Z',
        lastRotatedAt: '2025-03-05T00:00:00.000Z',
      }),
    ]);
    const text = JSON.stringify(items);
    for (const row of await rows()) expect(text).not.toContain(row.key_hash);
    expect(text).not.toContain(rotated.key.key);
    expect(text).not.toContain('usage');
  });
});

describe('usage', () => {
  it('returns per-day counts from the key’s usage plan for the asked range', async () => {
    const { id } = (await createApiKey(deps(), { caller: ALICE, input })).body;
    const [row] = await rows();
    gateway.local.recordCall(row.usage_identifier as string);
    gateway.local.recordCall(row.usage_identifier as string);
    await expect(
      getApiKeyUsage(deps(), { caller: ALICE, id, query: { from: '2025-02-28' } }),
    ).resolves.toEqual({
      id,
      tier: 'standard',
      from: '2025-02-28',
      to: '2025-03-01',
      days: [
        { date: '2025-02-28', used: 0, remaining: 1000 },
        { date: '2025-03-01', used: 2, remaining: 998 },
      ],
    });
  });

  it('bounds the range: default 7 days, at most 90, not reversed, not in the future', () => {
    expect(usageRange({}, now, 90)).toEqual({ from: '2025-02-23', to: '2025-03-01' });
    expect(usageRange({ from: '2024-12-02', to: '2025-03-01' }, now, 90)).toEqual({
      from: '2024-12-02',
      to: '2025-03-01',
    });
    expect(() => usageRange({ from: '2024-12-01', to: '2025-03-01' }, now, 90)).toThrow('at most 90 days');
    expect(() => usageRange({ from: '2025-03-01', to: '2025-02-28' }, now, 90)).toThrow('after to');
    expect(() => usageRange({ to: '2025-03-02' }, now, 90)).toThrow('future');
  });
});

describe('cleanupApiKeys', () => {
  it('deletes gateway keys of expired, grace-ended and revoked keys, marks the rows, and is idempotent', async () => {
    const live = (await createApiKey(deps(), { caller: ALICE, input })).body;
    const expiring = (
      await createApiKey(deps(), { caller: ALICE, input: { ...input, expiresAt: '2025-03-02T00:00:00Z' } })
    ).body;
    const rotating = (await createApiKey(deps(), { caller: ALICE, input })).body;
    const revoked = (await createApiKey(deps(), { caller: ALICE, input })).body;
    const rotated = await rotateApiKey(deps(), { caller: ALICE, id: rotating.id });
    await revokeApiKey(deps(), { caller: ALICE, id: revoked.id });
    const gatewayIdOf = async (id: string) => (await rows('id = $1', [id]))[0].api_gateway_key_id as string;

    // Before anything is due, only the revoked key goes.
    expect(await cleanupApiKeys(deps())).toEqual({ removed: 1, failed: 0 });
    now = new Date('2025-03-02T12:00:00Z'); // expiry and grace end have passed
    gateway.failing.add('deleteKey');
    expect(await cleanupApiKeys(deps())).toEqual({ removed: 0, failed: 2 });
    expect(await rows('gateway_deleted_at IS NULL AND status <> $1', ['active'])).toHaveLength(1);
    gateway.failing.clear();
    expect(await cleanupApiKeys(deps({}), { batchSize: 1 })).toEqual({ removed: 2, failed: 0 });
    expect(await cleanupApiKeys(deps())).toEqual({ removed: 0, failed: 0 });

    for (const id of [expiring.id, rotating.id, revoked.id]) {
      expect((await rows('id = $1', [id]))[0]).toMatchObject({
        status: 'revoked',
        gateway_deleted_at: expect.any(Date),
      });
      expect(gateway.local.keys.has(await gatewayIdOf(id))).toBe(false);
    }
    for (const id of [live.id, rotated.key.id]) {
      expect((await rows('id = $1', [id]))[0]).toMatchObject({ status: 'active', gateway_deleted_at: null });
      expect(gateway.local.keys.has(await gatewayIdOf(id))).toBe(true);
    }
    await expect(getApiKeyUsage(deps(), { caller: ALICE, id: revoked.id, query: {} })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
