import type { AccessLogEntry } from '../../lib/local/gateway';
import type { LocalStack } from '../../lib/local/local-stack';
import { appDb } from '../../examples/hono-app/src/db';
import { runPendingJobs } from '../../examples/hono-app/src/jobs';
import { mounts } from '../../lambda/routes';
import { createPool } from '../../lambda/shared/db';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * The example Hono + Drizzle app (examples/hono-app) mounted at /api/v1/shop behind the local stack:
 * the gateway, the authorizer, the wrapper and the app, over HTTP. One carved-out endpoint
 * (`GET /api/v1/shop/customers/{id}`) is a Rampart handler and must win over the mount.
 */
const SHOP = mounts.shopApp.prefix;
let stack: LocalStack;
let clockMs = 1_000_000;
const log: AccessLogEntry[] = [];
const tokens: Record<'viewer' | 'editor' | 'admin', string> = { viewer: '', editor: '', admin: '' };

beforeAll(async () => {
  stack = await startE2eStack({ gatewayClock: () => clockMs, onRequest: (entry) => log.push(entry) });
  for (const role of ['viewer', 'editor', 'admin'] as const) {
    tokens[role] = (await login(stack, `${role}@example.com`)).accessToken;
  }
});

afterAll(async () => {
  await stack?.stop();
});

/** Lets the gateway's token buckets refill between tests (the clock only moves when told). */
beforeEach(() => {
  clockMs += 60_000;
});

const routeOf = (status: number, path: string) =>
  log.filter((entry) => entry.path === path && entry.status === status).at(-1)?.routeId;

describe('a Hono app mounted behind Rampart', () => {
  it('refuses unauthenticated calls at the gateway, before the app runs', async () => {
    const result = await call(stack, 'GET', `${SHOP}/orders`);
    expect(result.status).toBe(401);
    expect(result.headers.get('content-type')).toBe('application/problem+json');
    expect(result.json.code).toBe('AUTH_REQUIRED');
  });

  it('serves the app with the security headers, and keeps its responses', async () => {
    const created = await call(stack, 'POST', `${SHOP}/customers`, {
      token: tokens.editor,
      body: { name: 'Ada', email: 'ada@example.com' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    expect(created.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(created.headers.get('x-content-type-options')).toBe('nosniff');
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('x-correlation-id')).toBeTruthy();
    const listed = await call(stack, 'GET', `${SHOP}/customers`, { token: tokens.viewer });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((c: { email: string }) => c.email)).toContain('ada@example.com');
  });

  it('enforces the access rules per sub-path and method', async () => {
    const customer = await call(stack, 'POST', `${SHOP}/customers`, {
      token: tokens.admin,
      body: { name: 'Grace', email: 'grace@example.com' },
    });
    const order = { customerId: customer.json.id, totalCents: 4200 };
    // Viewers read, but may not write.
    expect((await call(stack, 'POST', `${SHOP}/orders`, { token: tokens.viewer, body: order })).status).toBe(
      403,
    );
    const created = await call(stack, 'POST', `${SHOP}/orders`, { token: tokens.editor, body: order });
    expect(created.status).toBe(201);
    const orderPath = `${SHOP}/orders/${created.json.id}`;
    expect((await call(stack, 'GET', orderPath, { token: tokens.viewer })).status).toBe(200);
    // Deleting orders is narrower than the writers' DELETE rule: admins only.
    const editorDelete = await call(stack, 'DELETE', orderPath, { token: tokens.editor });
    expect(editorDelete.status).toBe(403);
    expect(editorDelete.json.code).toBe('FORBIDDEN');
    // The same DELETE spelled so the rules read another path (`%6f` is `o`): refused, the order kept.
    const encoded = await call(stack, 'DELETE', `${SHOP}/%6frders/${created.json.id}`, {
      token: tokens.editor,
    });
    expect({ status: encoded.status, code: encoded.json.code }).toEqual({
      status: 400,
      code: 'UNSAFE_INPUT',
    });
    expect((await call(stack, 'GET', orderPath, { token: tokens.viewer })).status).toBe(200);
    expect((await call(stack, 'DELETE', orderPath, { token: tokens.admin })).status).toBe(204);
    expect((await call(stack, 'GET', orderPath, { token: tokens.viewer })).status).toBe(404);
  });

  it('filters the list with the query builder and runs its background job', async () => {
    const customer = await call(stack, 'POST', `${SHOP}/customers`, {
      token: tokens.admin,
      body: { name: 'Linus', email: 'linus@example.com' },
    });
    for (const totalCents of [100, 5_000, 9_000]) {
      await call(stack, 'POST', `${SHOP}/orders`, {
        token: tokens.editor,
        body: { customerId: customer.json.id, totalCents },
      });
    }
    const filtered = await call(
      stack,
      'GET',
      `${SHOP}/orders?customerId=${customer.json.id}&minTotalCents=1000&sort=totalCents`,
      { token: tokens.viewer },
    );
    expect(filtered.status).toBe(200);
    expect(filtered.json.items.map((o: { totalCents: number }) => o.totalCents)).toEqual([5_000, 9_000]);
    const queued = await call(stack, 'POST', `${SHOP}/orders/${filtered.json.items[0].id}/invoice`, {
      token: tokens.editor,
    });
    expect(queued.status).toBe(202);
    expect(typeof queued.json.jobId).toBe('number');
    // The job runner, on the database the stack serves (the deployed schedule is docs/adopting.md's).
    const pool = createPool({ connectionString: stack.databaseUrl, max: 1 });
    try {
      expect(await runPendingJobs(appDb(pool))).toBeGreaterThanOrEqual(1);
    } finally {
      await pool.end();
    }
    const invoiced = await call(stack, 'GET', `${SHOP}/orders/${filtered.json.items[0].id}`, {
      token: tokens.viewer,
    });
    expect(invoiced.json.invoicedAt).toEqual(expect.any(String));
  });

  it('passes the principal as typed context variables, never from client headers', async () => {
    const me = await call(stack, 'GET', `${SHOP}/whoami`, {
      token: tokens.viewer,
      headers: { 'x-rampart-sub': 'attacker', 'x-rampart-roles': 'admin' },
    });
    expect(me.status).toBe(200);
    const viewer = stack.users.find((user) => user.email === 'viewer@example.com');
    expect(me.json).toMatchObject({ sub: viewer?.sub, roles: ['viewer'], authType: 'user' });
    expect(me.json.clientPrincipalHeader).toBeNull();
    expect(me.json.correlationId).toBe(me.headers.get('x-correlation-id'));
  });

  it("turns the app's errors into problem+json with stable codes", async () => {
    const missing = await call(stack, 'GET', `${SHOP}/orders/00000000-0000-4000-8000-000000000000`, {
      token: tokens.viewer,
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.json).toMatchObject({ code: 'NOT_FOUND', detail: 'no such order' });
    const duplicate = await call(stack, 'POST', `${SHOP}/customers`, {
      token: tokens.editor,
      body: { name: 'Ada again', email: 'ada@example.com' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.code).toBe('CONFLICT');
  });

  it('answers hostile input with 4xx, never 5xx', async () => {
    const attempts: [string, string, Parameters<typeof call>[3]][] = [
      [
        'POST',
        `${SHOP}/orders`,
        { token: tokens.editor, body: '{"customerId":', headers: { 'content-type': 'application/json' } },
      ],
      [
        'POST',
        `${SHOP}/orders`,
        { token: tokens.editor, body: 'customerId=1', headers: { 'content-type': 'text/plain' } },
      ],
      [
        'POST',
        `${SHOP}/customers`,
        { token: tokens.editor, body: { name: 'x\u0000y', email: 'nul@example.com' } },
      ],
      ['GET', `${SHOP}/orders?status=open'%20OR%201=1--`, { token: tokens.viewer }],
      ['GET', `${SHOP}/orders?limit=99999999999999999999`, { token: tokens.viewer }],
      ['GET', `${SHOP}/orders/1%00`, { token: tokens.viewer }],
      ['GET', `${SHOP}/orders/..%2f..%2fwhoami`, { token: tokens.viewer }],
      ['PATCH', `${SHOP}/orders/not-a-uuid`, { token: tokens.editor, body: { status: 'paid' } }],
      [
        'POST',
        `${SHOP}/orders`,
        { token: tokens.editor, body: { customerId: '00000000-0000-4000-8000-000000000000', totalCents: 1 } },
      ],
      [
        'POST',
        `${SHOP}/orders`,
        { token: tokens.editor, body: 'x'.repeat(20_000), headers: { 'content-type': 'application/json' } },
      ],
      ['GET', `${SHOP}/nothing/here`, { token: tokens.viewer }],
    ];
    for (const [method, path, options] of attempts) {
      const result = await call(stack, method, path, options);
      expect({ method, path, status: result.status < 500 && result.status >= 400 }).toEqual({
        method,
        path,
        status: true,
      });
      expect(result.headers.get('content-type')).toMatch(/^application\/problem\+json|^application\/json/);
    }
  });

  it('throttles the mount with its own method limit (429 with Retry-After)', async () => {
    let throttled: Awaited<ReturnType<typeof call>> | undefined;
    for (let attempt = 0; attempt < 100 && throttled === undefined; attempt += 1) {
      const result = await call(stack, 'GET', `${SHOP}/whoami`, { token: tokens.viewer });
      if (result.status === 429) throttled = result;
      else expect(result.status).toBe(200);
    }
    expect(throttled?.json.code).toBe('RATE_LIMITED');
    expect(Number(throttled?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('lets a carved-out manifest route win over the mounted prefix', async () => {
    const customer = await call(stack, 'POST', `${SHOP}/customers`, {
      token: tokens.editor,
      body: { name: 'Barbara', email: 'barbara@example.com' },
    });
    const path = `${SHOP}/customers/${customer.json.id}`;
    const carved = await call(stack, 'GET', path, { token: tokens.viewer });
    expect(carved.status).toBe(200);
    expect(carved.json).toEqual({
      id: customer.json.id,
      name: 'Barbara',
      email: 'barbara@example.com',
      createdAt: expect.any(String),
    });
    expect(routeOf(200, path)).toBe('getShopCustomer');
    // Other methods on the same path, and deeper paths, still reach the app.
    expect(routeOf(201, `${SHOP}/customers`)).toBe('shopApp');
    const carvedMissing = await call(stack, 'GET', `${SHOP}/customers/00000000-0000-4000-8000-000000000000`, {
      token: tokens.viewer,
    });
    expect(carvedMissing.json.code).toBe('NOT_FOUND');
    expect(routeOf(404, `${SHOP}/customers/00000000-0000-4000-8000-000000000000`)).toBe('getShopCustomer');
  });
});
