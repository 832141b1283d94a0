/**
 * `node --import tsx scripts/bench-authorizer.ts`: warm per-invocation latency of the real authorizer
 * handler (Middy chain, logger context, metrics middleware, aws-jwt-verify against the baked JWKS,
 * precomputed policy). Prints one JSON line last: `{"authorizerJwtUsP50": n, "authorizerApiKeyUsP50": n}`.
 *
 * The API key figure runs the same chain with an in-memory key store: it is the authorizer's own cost
 * (checksum, SHA-256, record checks, policy); the PostgreSQL round trip comes on top of it.
 */
import { ROLE_SCOPES } from '../lambda/shared/access';
import { generateApiKey } from '../lambda/shared/api-key-format';
import type { ApiKeyRecord } from '../lambda/domain/authz/api-keys';
import { authorizerEvent, TEST_TOKEN_USAGE_KEYS } from '../test/fixtures/authorizer-event';
import { lambdaContext } from '../test/fixtures/lambda-context';
import {
  LOGIN_CLIENT_ID,
  MACHINE_CLIENT_ID,
  TEST_JWKS,
  TEST_REGION,
  TEST_USER_POOL_ID,
  userAccessToken,
} from '../test/fixtures/tokens';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 5_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);

type Invoke = () => Promise<unknown>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(invoke: Invoke): Promise<{ p50: number; p90: number; p99: number }> {
  for (let index = 0; index < WARMUP; index += 1) await invoke();
  const samples = new Array<number>(ITERATIONS);
  for (let index = 0; index < ITERATIONS; index += 1) {
    const start = process.hrtime.bigint();
    await invoke();
    samples[index] = Number(process.hrtime.bigint() - start) / 1_000;
  }
  samples.sort((a, b) => a - b);
  const round = (value: number) => Number(value.toFixed(1));
  return {
    p50: round(percentile(samples, 50)),
    p90: round(percentile(samples, 90)),
    p99: round(percentile(samples, 99)),
  };
}

async function main(): Promise<void> {
  Object.assign(process.env, {
    AWS_REGION: TEST_REGION,
    USER_POOL_ID: TEST_USER_POOL_ID,
    ALLOWED_CLIENT_IDS: `${LOGIN_CLIENT_ID},${MACHINE_CLIENT_ID}`,
    JWKS: JSON.stringify(TEST_JWKS),
    TOKEN_USAGE_KEYS: JSON.stringify(TEST_TOKEN_USAGE_KEYS),
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  });
  // Imported after the environment is set, as Lambda initializes the module.
  const { handler, authorizerHandler } = await import('../lambda/functions/authorizer/handler');
  const { authorizerFromEnv } = await import('../lambda/runtime/authz');
  const { ROUTES } = await import('../lambda/routes');

  const context = lambdaContext({ functionName: 'rampart-bench-authorizer' });
  const jwtEvent = authorizerEvent({
    method: 'GET',
    resource: '/api/v1/projects/{id}',
    headers: { Authorization: `Bearer ${userAccessToken({ groups: ['editor'], expiresIn: 3_600 })}` },
  });
  const jwt = await measure(() => handler(jwtEvent, context));

  const { key, hash } = generateApiKey();
  const record: ApiKeyRecord = {
    id: '0b9e6f1c-0000-4000-8000-000000000001',
    ownerSub: '5f2a1c1e-0000-4000-8000-000000000009',
    scopes: ['rampart/read', 'rampart/write'],
    tier: 'standard',
    usageIdentifierKey: 'apigw-usage-key-value-000000000001',
    status: 'active',
    ownerScopes: ROLE_SCOPES.editor,
  };
  const apiKeyHandler = authorizerHandler(
    authorizerFromEnv(process.env, ROUTES, {
      apiKeys: { findByHash: async (candidate) => (candidate === hash ? record : undefined) },
    }),
  );
  const keyEvent = authorizerEvent({
    method: 'GET',
    resource: '/api/v1/projects',
    headers: { Authorization: `ApiKey ${key}` },
  });
  const apiKey = await measure(() => apiKeyHandler(keyEvent, context));

  // Sanity: both paths really allowed (a refusal would be a much cheaper, meaningless figure).
  const allowed = (await handler(jwtEvent, context)) as {
    policyDocument: { Statement: { Effect: string }[] };
  };
  const keyAllowed = (await apiKeyHandler(keyEvent, context)) as typeof allowed;
  if (
    allowed.policyDocument.Statement[0]?.Effect !== 'Allow' ||
    keyAllowed.policyDocument.Statement[0]?.Effect !== 'Allow'
  ) {
    throw new Error('bench requests were not allowed');
  }

  console.error(
    `authorizer JWT path  (us): p50 ${jwt.p50}  p90 ${jwt.p90}  p99 ${jwt.p99}  over ${ITERATIONS}`,
  );
  console.error(
    `authorizer key path  (us): p50 ${apiKey.p50}  p90 ${apiKey.p90}  p99 ${apiKey.p99}  over ${ITERATIONS}`,
  );
  console.log(JSON.stringify({ authorizerJwtUsP50: jwt.p50, authorizerApiKeyUsP50: apiKey.p50 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
