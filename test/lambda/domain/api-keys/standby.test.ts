import {
  createApiKey,
  LocalKeyGateway,
  recreateGatewayKeys,
  revokeApiKey,
  rotateApiKey,
  type ApiKeyCaller,
  type ApiKeyDeps,
} from '../../../../lambda/domain/api-keys';
import type { Db } from '../../../../lambda/shared/db/client';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

/**
 * The failover step that recreates the standby region's gateway keys, on a real PostgreSQL with the
 * keys made by the real create/rotate/revoke flow, and the in-process gateway as both regions'
 * API Gateway (it refuses a duplicate value, as API Gateway does).
 */

let database: TestDatabase;
let db: Db;
let now: Date;
const clock = { now: () => now };
const ALICE: ApiKeyCaller = { sub: 'alice', roles: ['editor'], scopes: [], authType: 'user' };
const input = { name: 'ci', scopes: ['rampart/read' as const], tier: 'standard' as const };

let output: CapturedOutput;
beforeAll(async () => {
  output = captureStdout();
  database = await startTestDatabase();
  db = database.createDb();
});
afterAll(async () => {
  output.restore();
  await database.stop();
});
beforeEach(async () => {
  now = new Date('2025-03-01T12:00:00.000Z');
  await db.query('DELETE FROM idempotency_keys');
  await db.query('TRUNCATE api_keys');
});

function primaryDeps(gateway: LocalKeyGateway): ApiKeyDeps {
  return { db, gateway, clock, config: { rotationGraceHours: 24, maxKeysPerOwner: 10, maxUsageDays: 90 } };
}

async function id(body: unknown): Promise<string> {
  return (body as { id: string }).id;
}

describe('recreateGatewayKeys (region failover)', () => {
  test('every key the database honours gets its value in its plan here; revoked and expired keys do not', async () => {
    const primary = new LocalKeyGateway(clock);
    const deps = primaryDeps(primary);
    const kept = await id((await createApiKey(deps, { caller: ALICE, input })).body);
    const premium = await id(
      (await createApiKey(deps, { caller: ALICE, input: { ...input, name: 'big', tier: 'premium' } })).body,
    );
    const rotated = await id(
      (await createApiKey(deps, { caller: ALICE, input: { ...input, name: 'old' } })).body,
    );
    const { key: replacement } = await rotateApiKey(deps, { caller: ALICE, id: rotated });
    const revoked = await id(
      (await createApiKey(deps, { caller: ALICE, input: { ...input, name: 'gone' } })).body,
    );
    await revokeApiKey(deps, { caller: ALICE, id: revoked });
    const expiring = await id(
      (
        await createApiKey(deps, {
          caller: ALICE,
          input: { ...input, name: 'short', expiresAt: '2025-03-02T00:00:00.000Z' },
        })
      ).body,
    );
    await db.query(`UPDATE api_keys SET expires_at = now() - interval '1 hour' WHERE id = $1`, [expiring]);

    const standby = new LocalKeyGateway(clock);
    const result = await recreateGatewayKeys({ db, gateway: standby });

    const honoured = [kept, premium, rotated, replacement.id];
    expect(result).toEqual({ created: 4, existing: 0, repointed: 4 });
    const { rows } = await db.query<{
      id: string;
      tier: string;
      usage_identifier: string;
      api_gateway_key_id: string;
    }>('SELECT id, tier, usage_identifier, api_gateway_key_id FROM api_keys WHERE id = ANY($1) ORDER BY id', [
      honoured,
    ]);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const key = standby.keys.get(row.api_gateway_key_id);
      expect(key).toEqual({
        id: row.api_gateway_key_id,
        name: `rampart-${row.id}`,
        value: row.usage_identifier,
        enabled: true,
        tier: row.tier,
      });
    }
    expect(standby.keys.size).toBe(4);
    // The revoked and the expired rows still name their primary gateway keys.
    const { rows: untouched } = await db.query<{ api_gateway_key_id: string }>(
      'SELECT api_gateway_key_id FROM api_keys WHERE id = ANY($1)',
      [[revoked, expiring]],
    );
    for (const row of untouched) expect(primary.keys.has(row.api_gateway_key_id)).toBe(true);
  });

  test('a second run (a retried step) creates nothing and repoints nothing', async () => {
    const deps = primaryDeps(new LocalKeyGateway(clock));
    await createApiKey(deps, { caller: ALICE, input });
    await createApiKey(deps, { caller: ALICE, input: { ...input, name: 'two', tier: 'free' } });
    const standby = new LocalKeyGateway(clock);
    expect(await recreateGatewayKeys({ db, gateway: standby })).toEqual({
      created: 2,
      existing: 0,
      repointed: 2,
    });
    expect(await recreateGatewayKeys({ db, gateway: standby })).toEqual({
      created: 0,
      existing: 2,
      repointed: 0,
    });
    expect(standby.keys.size).toBe(2);
  });

  test('a key created in the gateway whose row update was lost is reused, not duplicated', async () => {
    const deps = primaryDeps(new LocalKeyGateway(clock));
    const key = await id((await createApiKey(deps, { caller: ALICE, input })).body);
    const standby = new LocalKeyGateway(clock);
    const { rows } = await db.query<{ usage_identifier: string }>('SELECT usage_identifier FROM api_keys');
    const made = await standby.createKey(`rampart-${key}`, rows[0].usage_identifier, true);
    expect(await recreateGatewayKeys({ db, gateway: standby })).toEqual({
      created: 0,
      existing: 1,
      repointed: 1,
    });
    const { rows: after } = await db.query('SELECT api_gateway_key_id FROM api_keys');
    expect(after[0].api_gateway_key_id).toBe(made);
    expect(standby.keys.get(made)?.tier).toBe('standard');
  });
});
