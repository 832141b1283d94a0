import {
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetUsageCommand,
  TooManyRequestsException,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import fc from 'fast-check';
import { API_KEY_TIERS, SCOPES } from '../../../../lambda/shared/access';
import { ERROR_CATALOGUE } from '../../../../lambda/shared/errors';
import type { ApiHandler } from '../../../../lambda/shared/http/api';
import {
  apiEvent,
  EDITOR_USER,
  READ_API_KEY,
  VIEWER_USER,
  WRITE_CLIENT,
  type AuthorizerContextFixture,
  type ApiEventOptions,
} from '../../../fixtures/api-gateway-event';
import { invoke, type InvokeResult } from '../../../fixtures/invoke';
import {
  ADMIN_USER,
  apigw,
  gatewayWrites,
  mockGatewayDefaults,
  startHarness,
  TIERED_API_KEY,
  type Harness,
} from '../api-keys-support/harness';
import { propertyRuns } from '../../../support/property-runs';

/**
 * The five API key handlers through the real wrapper with real API Gateway events, real
 * PostgreSQL rows and the exact API Gateway SDK requests; then property tests per route.
 */

const NUM_RUNS = propertyRuns(1000);
let h: Harness;
let create: ApiHandler;
let list: ApiHandler;
let rotate: ApiHandler;
let revoke: ApiHandler;
let usage: ApiHandler;

beforeAll(async () => {
  h = await startHarness();
  // Imported after the environment is set: the wrapper reads USAGE_PLAN_LIMITS when it is built.
  create = (await import('../../../../lambda/functions/api-keys-create/handler')).handler;
  list = (await import('../../../../lambda/functions/api-keys-list/handler')).handler;
  rotate = (await import('../../../../lambda/functions/api-keys-rotate/handler')).handler;
  revoke = (await import('../../../../lambda/functions/api-keys-revoke/handler')).handler;
  usage = (await import('../../../../lambda/functions/api-keys-usage/handler')).handler;
});
afterAll(() => h.stop());
beforeEach(async () => {
  mockGatewayDefaults();
  h.output.clear();
  await h.db.query('TRUNCATE api_keys, idempotency_keys');
});

const createEvent = (
  body: unknown,
  authorizer: AuthorizerContextFixture | null = EDITOR_USER,
  headers = {},
) => apiEvent({ method: 'POST', path: '/api/v1/api-keys', body, authorizer, headers });
const keyEvent = (
  method: string,
  id: string,
  suffix: '' | '/rotate' | '/usage',
  authorizer: AuthorizerContextFixture | null = EDITOR_USER,
  extra: Partial<ApiEventOptions> = {},
) =>
  apiEvent({
    method,
    path: `/api/v1/api-keys/${encodeURIComponent(id)}${suffix}`,
    resource: `/api/v1/api-keys/{id}${suffix}`,
    pathParameters: { id },
    authorizer,
    ...extra,
  });

async function row(id: string) {
  return (await h.db.query('SELECT * FROM api_keys WHERE id = $1', [id])).rows[0];
}

async function createKey(authorizer = EDITOR_USER, body: Record<string, unknown> = {}) {
  const res = await invoke(
    create,
    createEvent({ name: 'ci', scopes: ['rampart/read'], tier: 'free', ...body }, authorizer),
  );
  expect(res.statusCode).toBe(201);
  return res.json as { id: string; key: string; prefix: string };
}

describe('POST /api/v1/api-keys', () => {
  it('201: the secret once, CreateApiKey + CreateUsagePlanKey exactly, hash and prefix stored', async () => {
    const res = await invoke(
      create,
      createEvent({
        name: 'deploy bot',
        scopes: ['rampart/write', 'rampart/read'],
        tier: 'standard',
        expiresAt: '2999-01-01T00:00:00Z',
      }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json as Record<string, string>;
    expect(body).toEqual({
      id: expect.any(String),
      name: 'deploy bot',
      prefix: body.key.slice(0, 12),
      key: expect.stringMatching(/^rmp_live_[0-9A-Za-z]{38}$/),
      scopes: ['rampart/read', 'rampart/write'],
      tier: 'standard',
      expiresAt: '2999-01-01T00:00:00.000Z',
    });
    expect(res.headers.location).toBe(`/api/v1/api-keys/${body.id}`);
    expect(res.headers['cache-control']).toBe('no-store');
    const stored = await row(body.id);
    expect(stored).toMatchObject({ owner_sub: EDITOR_USER.sub, api_gateway_key_id: 'gk1', status: 'active' });
    expect(apigw.commandCalls(CreateApiKeyCommand).map((c) => c.args[0].input)).toEqual([
      { name: `rampart-${body.id}`, value: stored.usage_identifier, enabled: true },
    ]);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'plan-std', keyId: 'gk1', keyType: 'API_KEY' },
    ]);
    expect(String(stored.usage_identifier)).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(JSON.stringify(stored)).not.toContain(body.key);
  });

  it('403 for scopes beyond the caller’s roles; 400 for a past expiry; nothing sent, nothing stored', async () => {
    const forbidden = await invoke(
      create,
      createEvent({ name: 'x', scopes: ['rampart/write'], tier: 'free' }, VIEWER_USER),
    );
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json).toMatchObject({ code: 'FORBIDDEN' });
    const past = await invoke(
      create,
      createEvent({ name: 'x', scopes: ['rampart/read'], tier: 'free', expiresAt: '2001-01-01T00:00:00Z' }),
    );
    expect(past.statusCode).toBe(400);
    expect(past.json).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body.expiresAt' }] });
    expect(apigw.calls()).toHaveLength(0);
    expect((await h.db.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n).toBe(0);
  });

  it('503 with Retry-After when the usage plan cannot be joined; the gateway key is deleted again', async () => {
    apigw
      .on(CreateUsagePlanKeyCommand)
      .rejects(new TooManyRequestsException({ message: 'slow', $metadata: { httpStatusCode: 429 } }));
    const res = await invoke(create, createEvent({ name: 'x', scopes: ['rampart/read'], tier: 'premium' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(apigw.commandCalls(DeleteApiKeyCommand).map((c) => c.args[0].input)).toEqual([{ apiKey: 'gk1' }]);
    expect((await h.db.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n).toBe(0);
  });

  it('400 UNSAFE_INPUT for NUL (U+0000) in the name, in the body or a query value; nothing sent, nothing stored', async () => {
    const before = await h.snapshot();
    const cases: [ReturnType<typeof createEvent>, string][] = [
      [createEvent({ name: 'ci\u0000bot', scopes: ['rampart/read'], tier: 'free' }), 'body.name'],
      [
        createEvent('{"name":"\\u0000","scopes":["rampart/read"],"tier":"free"}', EDITOR_USER, {
          'Idempotency-Key': 'nul-1',
        }),
        'body.name',
      ],
      [createEvent({ name: 'ci', scopes: ['rampart/read\u0000'], tier: 'free' }), 'body.scopes.0'],
      [
        apiEvent({
          method: 'POST',
          path: '/api/v1/api-keys',
          query: { note: 'a\u0000' },
          body: { name: 'ci', scopes: ['rampart/read'], tier: 'free' },
        }),
        'query.note',
      ],
    ];
    for (const [event, field] of cases) {
      const res = await invoke(create, event);
      expect(res.statusCode).toBe(400);
      expect(res.json).toMatchObject({ code: 'UNSAFE_INPUT', errors: [{ field }] });
    }
    expect(apigw.calls()).toHaveLength(0);
    expect(await h.snapshot()).toBe(before);
  });

  it('Idempotency-Key: the retry replays 201 without the secret and creates nothing', async () => {
    const body = { name: 'x', scopes: ['rampart/read'], tier: 'free' };
    const first = await invoke(create, createEvent(body, EDITOR_USER, { 'Idempotency-Key': 'abc' }));
    const retry = await invoke(create, createEvent(body, EDITOR_USER, { 'Idempotency-Key': 'abc' }));
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const { key, ...rest } = first.json as Record<string, unknown>;
    expect(key).toBeDefined();
    expect(retry.json).toEqual(rest);
    expect(apigw.commandCalls(CreateApiKeyCommand)).toHaveLength(1);
  });
});

describe('GET /api/v1/api-keys', () => {
  it('own keys for users, every key for admins; no hash, no secret', async () => {
    const mine = await createKey();
    await createKey(ADMIN_USER);
    const own = await invoke(list, apiEvent({ path: '/api/v1/api-keys' }));
    expect(own.statusCode).toBe(200);
    const items = (own.json as { items: Array<Record<string, unknown>> }).items;
    expect(items.map((i) => i.id)).toEqual([mine.id]);
    expect(items[0]).toMatchObject({
      prefix: mine.prefix,
      status: 'active',
      expiresAt: null,
      lastRotatedAt: null,
    });
    expect(own.body).not.toContain(mine.key);
    expect(own.body).not.toContain((await row(mine.id)).key_hash);
    const all = await invoke(list, apiEvent({ path: '/api/v1/api-keys', authorizer: ADMIN_USER }));
    expect((all.json as { items: unknown[] }).items).toHaveLength(2);
  });
});

describe('POST /api/v1/api-keys/{id}/rotate', () => {
  it('201 with the new secret; old key in grace for 24 h; a second plan key exactly like the first', async () => {
    const old = await createKey();
    apigw.resetHistory();
    const before = Date.now();
    const res = await invoke(rotate, keyEvent('POST', old.id, '/rotate'));
    expect(res.statusCode).toBe(201);
    const body = res.json as { id: string; key: string; previous: { id: string; graceEndsAt: string } };
    expect(body.key).not.toBe(old.key);
    expect(body.previous.id).toBe(old.id);
    const graceEnds = Date.parse(body.previous.graceEndsAt);
    expect(graceEnds).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
    expect(graceEnds).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
    expect(await row(old.id)).toMatchObject({ status: 'grace', replaced_by: body.id });
    const fresh = await row(body.id);
    expect(apigw.commandCalls(CreateApiKeyCommand).map((c) => c.args[0].input)).toEqual([
      { name: `rampart-${body.id}`, value: fresh.usage_identifier, enabled: true },
    ]);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'plan-free', keyId: fresh.api_gateway_key_id, keyType: 'API_KEY' },
    ]);
  });

  it('404 for someone else’s key, with nothing sent to API Gateway', async () => {
    const other = await createKey(ADMIN_USER);
    apigw.resetHistory();
    const res = await invoke(rotate, keyEvent('POST', other.id, '/rotate', VIEWER_USER));
    expect(res.statusCode).toBe(404);
    expect(apigw.calls()).toHaveLength(0);
  });
});

describe('DELETE /api/v1/api-keys/{id}', () => {
  it('204: UpdateApiKey enabled=false exactly, then revoked in the store', async () => {
    const key = await createKey();
    const gatewayId = (await row(key.id)).api_gateway_key_id;
    apigw.resetHistory();
    const res = await invoke(revoke, keyEvent('DELETE', key.id, ''));
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(apigw.commandCalls(UpdateApiKeyCommand).map((c) => c.args[0].input)).toEqual([
      { apiKey: gatewayId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] },
    ]);
    expect(await row(key.id)).toMatchObject({ status: 'revoked', revoked_at: expect.any(Date) });
  });

  it('503 when API Gateway refuses, and the store is unchanged', async () => {
    const key = await createKey();
    const before = await h.snapshot();
    apigw.on(UpdateApiKeyCommand).rejects(
      Object.assign(new Error('internal'), {
        name: 'ServiceUnavailableException',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const res = await invoke(revoke, keyEvent('DELETE', key.id, ''));
    expect(res.statusCode).toBe(503);
    expect(res.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(await h.snapshot()).toBe(before);
  });
});

describe('GET /api/v1/api-keys/{id}/usage', () => {
  it('200 per-day usage from GetUsage on the tier plan, exactly', async () => {
    const key = await createKey();
    const gatewayId = (await row(key.id)).api_gateway_key_id;
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const res = await invoke(usage, keyEvent('GET', key.id, '/usage', EDITOR_USER, { query: { from, to } }));
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({
      id: key.id,
      tier: 'free',
      from,
      to,
      days: [
        { date: from, used: 3, remaining: 997 },
        { date: to, used: 4, remaining: 993 },
      ],
    });
    expect(apigw.commandCalls(GetUsageCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'plan-free', keyId: gatewayId, startDate: from, endDate: to },
    ]);
  });

  it('400 for more than 90 days, with no call to API Gateway', async () => {
    const key = await createKey();
    apigw.resetHistory();
    const res = await invoke(
      usage,
      keyEvent('GET', key.id, '/usage', EDITOR_USER, { query: { from: '2000-01-01' } }),
    );
    expect(res.statusCode).toBe(400);
    expect(apigw.calls()).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: random input never gives a 5xx; a rejected request writes no row and sends
// nothing that changes API Gateway; API-key callers always get the RateLimit-Policy of their tier.

const principals: fc.Arbitrary<AuthorizerContextFixture | null> = fc.oneof(
  fc.constantFrom<AuthorizerContextFixture | null>(
    null,
    EDITOR_USER,
    VIEWER_USER,
    ADMIN_USER,
    WRITE_CLIENT,
    READ_API_KEY,
    TIERED_API_KEY,
  ),
  fc.record({
    sub: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
    roles: fc.option(fc.constantFrom('admin', 'editor', 'viewer', 'root', ''), { nil: undefined }),
    scopes: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    authType: fc.option(fc.constantFrom('user', 'client', 'apiKey'), { nil: undefined }),
    apiKeyId: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
    tier: fc.option(fc.constantFrom(...API_KEY_TIERS, 'gold'), { nil: undefined }),
  }),
);
/** Strings that often hold a NUL (U+0000), which PostgreSQL refuses in text: it must be a 400. */
const withNul = fc
  .tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }))
  .map(([before, after]) => `${before}\u0000${after}`);
const leaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('<b>x</b>'),
  withNul,
);
const junk = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 3 }),
);
const isoInstant = fc.oneof(
  fc
    .date({ min: new Date('1990-01-01'), max: new Date('2990-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom('2999-12-31T23:59:59+02:00', '2020-01-01T00:00:00Z', 'tomorrow', '2999-02-30T00:00:00Z'),
);
/** Accepted bodies for the user fixtures, so the success path is exercised in every run. */
const validCreateBody = fc.record(
  {
    name: fc.oneof(fc.constantFrom('ci', 'deploy bot', 'clé'), fc.stringMatching(/^[a-z][a-z0-9 ]{0,30}$/)),
    scopes: fc.constant(['rampart/read']),
    tier: fc.constantFrom(...API_KEY_TIERS),
    expiresAt: fc.constantFrom('2999-01-01T00:00:00Z', '2998-06-01T10:00:00+02:00'),
  },
  { requiredKeys: ['name', 'scopes', 'tier'] },
);
/** Valid but for a NUL in the name: gets past every other check, PostgreSQL would refuse it. */
const nulNameCreateBody = fc.tuple(validCreateBody, withNul).map(([body, name]) => ({ ...body, name }));
const createBody = fc.oneof(
  { arbitrary: validCreateBody, weight: 2 },
  nulNameCreateBody,
  fc.record(
    {
      name: fc.oneof(fc.string({ minLength: 1, maxLength: 110 }), leaf),
      scopes: fc.oneof(
        fc.uniqueArray(fc.constantFrom(...SCOPES), { maxLength: 3 }),
        fc.array(fc.oneof(fc.constantFrom(...SCOPES), leaf), { maxLength: 4 }),
      ),
      tier: fc.oneof(fc.constantFrom(...API_KEY_TIERS), leaf),
      expiresAt: isoInstant,
      extra: junk,
    },
    { requiredKeys: [] },
  ),
  junk,
);
const headers = fc.dictionary(
  fc.constantFrom('Idempotency-Key', 'If-None-Match', 'x-correlation-id', 'Content-Type', 'X-Api-Key'),
  fc.oneof(fc.string({ maxLength: 40 }), withNul),
  { maxKeys: 3 },
);
const day = fc.oneof(
  fc
    .integer({ min: -120, max: 3 })
    .map((d) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10)),
  fc.constantFrom('2024-02-30', 'yesterday', '', '9999-12-31', '0000-01-01', '2024-01-01\u0000'),
  fc.string({ maxLength: 12 }),
);
const usageQuery = fc.option(
  fc.record({ from: day, to: day, limit: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }),
  { nil: null },
);

/** Statuses a property produced: each property must reach both its success and some rejection. */
const seen = new Set<number>();
beforeEach(() => seen.clear());

/** Database digest after the previous case; each case reads it once, after its request. */
let digest: string;
async function digestChange(): Promise<{ before: string; after: string }> {
  const before = digest;
  digest = await h.snapshot();
  return { before, after: digest };
}

async function expectProperties(
  res: InvokeResult,
  authorizer: AuthorizerContextFixture | null,
  { before, after }: { before: string; after: string },
) {
  seen.add(res.statusCode);
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toBe('application/problem+json');
    const code = (res.json as { code: keyof typeof ERROR_CATALOGUE }).code;
    expect(ERROR_CATALOGUE[code].status).toBe(res.statusCode);
    expect(after).toBe(before);
    expect(gatewayWrites()).toEqual([]);
  }
  const tiered =
    authorizer !== null &&
    authorizer.authType === 'apiKey' &&
    typeof authorizer.tier === 'string' &&
    (API_KEY_TIERS as readonly string[]).includes(authorizer.tier) &&
    Boolean(authorizer.apiKeyId);
  if (tiered)
    expect(res.headers['ratelimit-policy']).toMatch(
      new RegExp(`^"${String(authorizer.tier)}";q=\\d+;w=\\d+, `),
    );
  else expect(res.headers['ratelimit-policy']).toBeUndefined();
  expect(res.headers['ratelimit']).toBeUndefined();
}

async function seededIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const owner of [EDITOR_USER, ADMIN_USER, VIEWER_USER]) ids.push((await createKey(owner)).id);
  return ids;
}
const pathId = (ids: string[]) =>
  fc.oneof(
    fc.constantFrom(...ids),
    fc.uuid(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('../x', '%00', ' ', '\u0000'),
    ...ids.map((id) => fc.constant(`${id}\u0000`)),
  );

describe('properties (1000 runs per route in the full run, through the real wrapper)', () => {
  it('POST /api-keys', async () => {
    digest = await h.snapshot();
    await fc.assert(
      fc.asyncProperty(createBody, principals, headers, async (body, authorizer, extra) => {
        apigw.resetHistory();
        const res = await invoke(create, createEvent(body, authorizer, extra));
        await expectProperties(res, authorizer, await digestChange());
        if (res.statusCode === 201) expect(res.json).toHaveProperty('id');
        h.output.clear();
      }),
      { numRuns: NUM_RUNS },
    );
    expect([...seen]).toEqual(expect.arrayContaining([201, 400, 403]));
  });

  it('GET /api-keys', async () => {
    await seededIds();
    digest = await h.snapshot();
    await fc.assert(
      fc.asyncProperty(principals, headers, usageQuery, async (authorizer, extra, query) => {
        apigw.resetHistory();
        const res = await invoke(
          list,
          apiEvent({ path: '/api/v1/api-keys', authorizer, headers: extra, query }),
        );
        const change = await digestChange();
        await expectProperties(res, authorizer, change);
        expect(change.after).toBe(change.before);
        h.output.clear();
      }),
      { numRuns: NUM_RUNS },
    );
    expect([...seen]).toEqual(expect.arrayContaining([200, 401, 403]));
  });

  it('POST /api-keys/{id}/rotate', async () => {
    const ids = await seededIds();
    digest = await h.snapshot();
    await fc.assert(
      fc.asyncProperty(
        pathId(ids),
        principals,
        fc.option(junk, { nil: undefined }),
        async (id, authorizer, body) => {
          apigw.resetHistory();
          const res = await invoke(rotate, keyEvent('POST', id, '/rotate', authorizer, { body }));
          await expectProperties(res, authorizer, await digestChange());
          h.output.clear();
        },
      ),
      // The owner rotating their own key first: the success path runs whatever the run count.
      { numRuns: NUM_RUNS, examples: [[ids[0], EDITOR_USER, undefined]] },
    );
    expect([...seen]).toEqual(expect.arrayContaining([201, 400, 403]));
  });

  it('DELETE /api-keys/{id}', async () => {
    const ids = await seededIds();
    digest = await h.snapshot();
    await fc.assert(
      fc.asyncProperty(pathId(ids), principals, headers, async (id, authorizer, extra) => {
        apigw.resetHistory();
        const res = await invoke(revoke, keyEvent('DELETE', id, '', authorizer, { headers: extra }));
        await expectProperties(res, authorizer, await digestChange());
        h.output.clear();
      }),
      { numRuns: NUM_RUNS, examples: [[ids[1], ADMIN_USER, {}]] },
    );
    expect([...seen]).toEqual(expect.arrayContaining([204, 400, 403]));
  });

  it('GET /api-keys/{id}/usage', async () => {
    const ids = await seededIds();
    digest = await h.snapshot();
    await fc.assert(
      fc.asyncProperty(pathId(ids), principals, usageQuery, async (id, authorizer, query) => {
        apigw.resetHistory();
        const res = await invoke(usage, keyEvent('GET', id, '/usage', authorizer, { query }));
        const change = await digestChange();
        await expectProperties(res, authorizer, change);
        expect(change.after).toBe(change.before);
        h.output.clear();
      }),
      { numRuns: NUM_RUNS, examples: [[ids[0], EDITOR_USER, null]] },
    );
    expect([...seen]).toEqual(expect.arrayContaining([200, 400, 403]));
  });
});
