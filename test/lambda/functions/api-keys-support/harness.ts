import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetUsageCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { resetBreakers } from '../../../../lambda/shared/breaker';
import { closeDb } from '../../../../lambda/shared/db';
import type { Db } from '../../../../lambda/shared/db/client';
import type { AuthorizerContextFixture } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

/**
 * What the API key handler tests share: a real PostgreSQL (the handlers reach it through their
 * own module-scope pool via `DATABASE_URL`), the API Gateway SDK mocked (no local API Gateway
 * exists) with every request recorded, and the function environment the Api stack sets.
 */
export const USAGE_PLAN_IDS = { free: 'plan-free', standard: 'plan-std', premium: 'plan-prem' } as const;
export const USAGE_PLAN_LIMITS = {
  free: { rateLimit: 5, burstLimit: 10, quotaLimit: 1000, quotaPeriod: 'DAY' },
  standard: { rateLimit: 50, burstLimit: 100, quotaLimit: 100000, quotaPeriod: 'MONTH' },
  premium: { rateLimit: 500, burstLimit: 1000, quotaLimit: 1000000, quotaPeriod: 'WEEK' },
} as const;

export const apigw = mockClient(APIGatewayClient);

export const ADMIN_USER: AuthorizerContextFixture = {
  principalId: 'user-0',
  sub: '5f2a1c1e-0000-4000-8000-0000000000aa',
  roles: 'admin',
  scopes: '',
  authType: 'user',
};

export const TIERED_API_KEY: AuthorizerContextFixture = {
  principalId: 'key-1',
  sub: '0b1e6f1a-0000-4000-8000-000000000001',
  apiKeyId: '0b1e6f1a-0000-4000-8000-000000000001',
  roles: '',
  scopes: 'rampart/read',
  authType: 'apiKey',
  tier: 'free',
};

let gatewayKeys = 0;

/** Default SDK answers: every key gets a fresh id; usage is two days of counts. */
export function mockGatewayDefaults(): void {
  apigw.reset();
  gatewayKeys = 0;
  apigw.on(CreateApiKeyCommand).callsFake(async () => ({ id: `gk${(gatewayKeys += 1)}`, enabled: true }));
  apigw.on(CreateUsagePlanKeyCommand).resolves({});
  apigw.on(UpdateApiKeyCommand).resolves({});
  apigw.on(DeleteApiKeyCommand).resolves({});
  apigw.on(GetUsageCommand).callsFake(async (input: { keyId: string }) => ({
    items: {
      [input.keyId]: [
        [3, 997],
        [4, 993],
      ],
    },
  }));
}

/** Requests that change something at API Gateway, in order. */
export function gatewayWrites(): string[] {
  return apigw
    .calls()
    .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)
    .filter((name) => name !== 'GetUsageCommand');
}

export interface Harness {
  readonly database: TestDatabase;
  readonly db: Db;
  readonly output: CapturedOutput;
  /** A digest of every row the API key routes may write (`api_keys`, `idempotency_keys`). */
  snapshot(): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = await startTestDatabase();
  const { host, port, user, password, database: name } = database.connection;
  const auth = password ? `${user}:${encodeURIComponent(String(password))}` : String(user);
  Object.assign(process.env, {
    DATABASE_URL: `postgres://${auth}@${host}:${port}/${name}`,
    DB_POOL_MAX: '1',
    USAGE_PLAN_IDS: JSON.stringify(USAGE_PLAN_IDS),
    USAGE_PLAN_LIMITS: JSON.stringify(USAGE_PLAN_LIMITS),
    API_KEY_MAX_PER_OWNER: '5',
    ...env,
  });
  resetBreakers();
  mockGatewayDefaults();
  const db = database.createDb();
  const output = captureStdout();
  return {
    database,
    db,
    output,
    async snapshot() {
      const { rows } = await db.query<{ digest: string }>(
        `SELECT (SELECT md5(coalesce(string_agg(k::text, '|' ORDER BY k.id), '')) FROM api_keys k) ||
                (SELECT md5(coalesce(string_agg(i::text, '|' ORDER BY i.key), '')) FROM idempotency_keys i) AS digest`,
      );
      return rows[0].digest;
    },
    async stop() {
      output.restore();
      await closeDb();
      await database.stop();
    },
  };
}
