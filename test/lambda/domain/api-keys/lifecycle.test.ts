import {
  cleanupApiKeys,
  createApiKey,
  LocalKeyGateway,
  PostgresApiKeyLookup,
  revokeApiKey,
  rotateApiKey,
  type ApiKeyCaller,
  type ApiKeyDeps,
} from '../../../../lambda/domain/api-keys';
import { createAccessTokenVerifier } from '../../../../lambda/domain/authz/access-token';
import { createAuthorizer, type Authorizer } from '../../../../lambda/domain/authz/authorizer';
import { RoutePolicies } from '../../../../lambda/domain/authz/policy';
import { ROUTES } from '../../../../lambda/routes';
import { ROLE_SCOPES } from '../../../../lambda/shared/access';
import type { Db } from '../../../../lambda/shared/db/client';
import { authorizerEvent, TEST_TOKEN_USAGE_KEYS } from '../../../fixtures/authorizer-event';
import {
  LOGIN_CLIENT_ID,
  MACHINE_CLIENT_ID,
  TEST_JWKS,
  TEST_REGION,
  TEST_USER_POOL_ID,
} from '../../../fixtures/tokens';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

/**
 * The whole key lifecycle through the REAL authorizer (`createAuthorizer`) reading the PostgreSQL
 * store, with the in-process gateway standing in for API Gateway's metering: what the authorizer
 * returns as usageIdentifierKey must be a key the gateway meters, and refusals must follow the
 * store at once.
 */

let database: TestDatabase;
let db: Db;
let now: Date;
let gateway: LocalKeyGateway;
let authorize: Authorizer;
const refusals: string[] = [];
const ALICE: ApiKeyCaller = { sub: 'alice-sub', roles: ['editor'], scopes: [], authType: 'user' };

const deps = (): ApiKeyDeps => ({
  db,
  gateway,
  clock: { now: () => now },
  config: { rotationGraceHours: 24, maxKeysPerOwner: 20, maxUsageDays: 90 },
});

/** Calls the authorizer as API Gateway would for GET /api/v1/projects with `key`. */
async function call(key: string) {
  return authorize(
    authorizerEvent({ resource: '/api/v1/projects', headers: { Authorization: `ApiKey ${key}` } }),
  );
}

beforeAll(async () => {
  database = await startTestDatabase();
  db = database.createDb();
  authorize = createAuthorizer({
    tokenUsageKeys: TEST_TOKEN_USAGE_KEYS,
    tokens: createAccessTokenVerifier({
      region: TEST_REGION,
      userPoolId: TEST_USER_POOL_ID,
      allowedClientIds: [LOGIN_CLIENT_ID, MACHINE_CLIENT_ID],
      jwks: TEST_JWKS as never,
    }),
    apiKeys: new PostgresApiKeyLookup(db, async (sub) =>
      sub === 'alice-sub' ? ROLE_SCOPES.editor : undefined,
    ),
    policies: new RoutePolicies(ROUTES),
    observer: {
      refused: (_outcome, details) => refusals.push(details.reason ?? 'unknown'),
      failed: (_details, error) => {
        throw error;
      },
    },
    now: () => now,
  });
});
afterAll(() => database.stop());

it('create -> authorized and metered -> rotate -> both valid in grace -> grace ends -> old refused -> revoke -> refused -> cleanup', async () => {
  now = new Date('2026-06-01T12:00:00Z');
  gateway = new LocalKeyGateway({ now: () => now }, { free: 1000 });

  const first = (
    await createApiKey(deps(), {
      caller: ALICE,
      input: { name: 'ci', scopes: ['rampart/read'], tier: 'free' },
    })
  ).body as { id: string; key: string };
  const granted = await call(first.key);
  expect(granted.principalId).toBe(first.id);
  expect(granted.context).toMatchObject({ authType: 'apiKey', apiKeyId: first.id, tier: 'free' });
  const { rows } = await db.query('SELECT usage_identifier FROM api_keys WHERE id = $1', [first.id]);
  expect(granted.usageIdentifierKey).toBe(rows[0].usage_identifier);
  // API Gateway would meter the call on that key's usage plan.
  expect(gateway.recordCall(granted.usageIdentifierKey!)).toBe(true);

  now = new Date('2026-06-01T13:00:00Z');
  const rotated = await rotateApiKey(deps(), { caller: ALICE, id: first.id });
  const oldGrant = await call(first.key);
  const newGrant = await call(rotated.key.key);
  expect(oldGrant.principalId).toBe(first.id);
  expect(newGrant.principalId).toBe(rotated.key.id);
  expect(newGrant.usageIdentifierKey).not.toBe(oldGrant.usageIdentifierKey);
  expect(gateway.recordCall(oldGrant.usageIdentifierKey!)).toBe(true);
  expect(gateway.recordCall(newGrant.usageIdentifierKey!)).toBe(true);

  now = new Date('2026-06-02T13:00:00Z'); // grace over
  await expect(call(first.key)).rejects.toThrow('Unauthorized');
  await expect(call(rotated.key.key)).resolves.toMatchObject({ principalId: rotated.key.id });

  await revokeApiKey(deps(), { caller: ALICE, id: rotated.key.id });
  await expect(call(rotated.key.key)).rejects.toThrow('Unauthorized');
  // Disabled at the gateway too: even a cached authorizer answer would no longer be metered.
  expect(gateway.recordCall(newGrant.usageIdentifierKey!)).toBe(false);

  await expect(cleanupApiKeys(deps())).resolves.toEqual({ removed: 2, failed: 0 });
  expect(gateway.keys.size).toBe(0);
  await expect(call(first.key)).rejects.toThrow('Unauthorized');
  expect(refusals).toEqual(['grace-ended', 'revoked', 'revoked']);
});
