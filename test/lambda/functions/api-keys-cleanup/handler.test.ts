import { DeleteApiKeyCommand, NotFoundException } from '@aws-sdk/client-api-gateway';
import type { ScheduledEvent } from 'aws-lambda';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { apigw, mockGatewayDefaults, startHarness, type Harness } from '../api-keys-support/harness';

/** The scheduled cleanup through its real Middy handler, on real PostgreSQL rows. */

let h: Harness;
let handler: (event: ScheduledEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const event: ScheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2025-03-01T12:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/rampart-api-keys-cleanup'],
  detail: {},
};

const HOUR = 3_600_000;
let seq = 0;

async function insert(
  status: string,
  opts: { expiresIn?: number; graceEndsIn?: number; revoked?: boolean } = {},
) {
  // A grace row needs its replacement.
  const replacement = status === 'grace' ? await insert('active') : undefined;
  seq += 1;
  const id = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
  const now = Date.now();
  await h.db.query(
    `INSERT INTO api_keys (id, owner_sub, name, prefix, key_hash, scopes, tier, api_gateway_key_id, usage_identifier,
                           status, expires_at, grace_ends_at, replaced_by, created_at, revoked_at)
     VALUES ($1, 'alice', 'k', 'rmp_live_abc', $2, '{rampart/read}', 'free', $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      seq.toString(16).padStart(64, '0'),
      `gk-${seq}`,
      `usage-identifier-${String(seq).padStart(8, '0')}`,
      status,
      opts.expiresIn === undefined ? null : new Date(now + opts.expiresIn),
      opts.graceEndsIn === undefined ? null : new Date(now + opts.graceEndsIn),
      replacement?.id ?? null,
      new Date(now - 48 * HOUR + seq),
      status === 'revoked' ? new Date(now - HOUR) : null,
    ],
  );
  return { id, gatewayKeyId: `gk-${seq}` };
}

beforeAll(async () => {
  h = await startHarness();
  handler = (await import('../../../../lambda/functions/api-keys-cleanup/handler')).handler as typeof handler;
});
afterAll(() => h.stop());
beforeEach(async () => {
  mockGatewayDefaults();
  await h.db.query('TRUNCATE api_keys');
});

async function state(id: string) {
  const { rows } = await h.db.query(
    'SELECT status, gateway_deleted_at, revoked_at FROM api_keys WHERE id = $1',
    [id],
  );
  return rows[0];
}

it('deletes exactly the gateway keys of expired, grace-ended and revoked keys, marks them, and is idempotent', async () => {
  const live = await insert('active', { expiresIn: HOUR });
  const forever = await insert('active');
  const expired = await insert('active', { expiresIn: -1 });
  const inGrace = await insert('grace', { graceEndsIn: HOUR });
  const graceOver = await insert('grace', { graceEndsIn: -1 });
  const revoked = await insert('revoked');
  // The first deletion answers "not found": a key already gone counts as removed.
  apigw
    .on(DeleteApiKeyCommand, { apiKey: expired.gatewayKeyId })
    .rejects(new NotFoundException({ message: 'gone', $metadata: { httpStatusCode: 404 } }));

  await expect(
    handler(event, lambdaContext({ functionName: 'rampart-dev-api-keys-cleanup' })),
  ).resolves.toEqual({
    removed: 3,
    failed: 0,
  });
  expect(apigw.commandCalls(DeleteApiKeyCommand).map((c) => c.args[0].input)).toEqual([
    { apiKey: expired.gatewayKeyId },
    { apiKey: graceOver.gatewayKeyId },
    { apiKey: revoked.gatewayKeyId },
  ]);
  for (const key of [expired, graceOver, revoked]) {
    expect(await state(key.id)).toMatchObject({
      status: 'revoked',
      gateway_deleted_at: expect.any(Date),
      revoked_at: expect.any(Date),
    });
  }
  for (const key of [live, forever, inGrace]) {
    expect(await state(key.id)).toMatchObject({ gateway_deleted_at: null });
  }
  expect((await state(inGrace.id)).status).toBe('grace');

  apigw.resetHistory();
  await expect(handler(event, lambdaContext())).resolves.toEqual({ removed: 0, failed: 0 });
  expect(apigw.commandCalls(DeleteApiKeyCommand)).toHaveLength(0);
});

it('a gateway failure leaves the row for the next run; near the deadline it starts no batch', async () => {
  const expired = await insert('active', { expiresIn: -1 });
  apigw
    .on(DeleteApiKeyCommand)
    .rejects(Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 500 } }));
  await expect(handler(event, lambdaContext())).resolves.toEqual({ removed: 0, failed: 1 });
  expect(await state(expired.id)).toMatchObject({ status: 'active', gateway_deleted_at: null });

  mockGatewayDefaults();
  await expect(handler(event, lambdaContext({ timeoutMs: 4_000 }))).resolves.toEqual({
    removed: 0,
    failed: 0,
  });
  expect(apigw.calls()).toHaveLength(0);
  await expect(handler(event, lambdaContext())).resolves.toEqual({ removed: 1, failed: 0 });
});
