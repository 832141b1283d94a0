import type { LocalStack } from '../../lib/local/local-stack';
import { call, login, startE2eStack, type HttpResult } from './support/local-stack';

/**
 * The gateway's throttles over HTTP, with the dev environment's limits: a route's own throttle
 * (login: 10 rps, burst 20) and a usage plan per API key (free: 1 rps, burst 5) answer 429
 * problem+json with Retry-After; a client within its limits is not affected by another's excess.
 *
 * The gateway runs on a manual clock that only the test moves, so the counts are exact whatever
 * the machine's speed: between two moves no token is refilled, and each move refills exactly
 * `rate x elapsed` tokens (capped at the burst).
 */
let stack: LocalStack;
let editorToken: string;
let clockMs = Date.now();
const advance = (ms: number): void => {
  clockMs += ms;
};

beforeAll(async () => {
  stack = await startE2eStack({ gatewayClock: () => clockMs });
  // Takes one token of the login route's bucket; the first test refills it.
  editorToken = (await login(stack, 'editor@example.com')).accessToken;
});

afterAll(async () => {
  await stack?.stop();
});

function expectThrottled(result: HttpResult): void {
  expect(result.status).toBe(429);
  expect(result.json).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
  expect(result.headers.get('retry-after')).toBe('1');
  expect(result.headers.get('content-type')).toBe('application/problem+json');
}

const badLogin = () =>
  call(stack, 'POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'x' } });

describe('throttling', () => {
  it('lets exactly the burst through at once, 429 with Retry-After past it, then refills at the rate', async () => {
    // Ten idle seconds refill 100 tokens' worth, but the bucket holds only the burst.
    advance(10_000);
    const attempts = await Promise.all(Array.from({ length: 30 }, badLogin));
    const throttled = attempts.filter((result) => result.status === 429);
    const served = attempts.filter((result) => result.status !== 429);
    expect(served).toHaveLength(20);
    expect(throttled).toHaveLength(10);
    // The handler answered the served ones (unknown user), never the gateway.
    for (const result of served) expect(result.json).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    throttled.forEach(expectThrottled);

    // No time passed: still empty.
    expectThrottled(await badLogin());
    // Half a second at 10 per second: exactly five more.
    advance(500);
    const statuses = [];
    for (let index = 0; index < 6; index += 1) statuses.push((await badLogin()).status);
    expect(statuses.slice(0, 5).every((status) => status !== 429)).toBe(true);
    expect(statuses[5]).toBe(429);
  });

  it('throttles one API key on its usage plan while another client keeps being served', async () => {
    const created = await call(stack, 'POST', '/api/v1/api-keys', {
      token: editorToken,
      body: { name: 'free tier', scopes: ['rampart/read'], tier: 'free' },
    });
    expect(created.status).toBe(201);
    const results = [];
    for (let index = 0; index < 8; index += 1) {
      results.push(await call(stack, 'GET', '/api/v1/projects', { token: created.json.key }));
    }
    // Burst 5, then nothing until the clock moves.
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    results.slice(5).forEach(expectThrottled);

    const other = await call(stack, 'GET', '/api/v1/projects', { token: editorToken });
    expect(other.status).toBe(200);

    // One second at 1 per second: one more call for the key, and only one.
    advance(1_000);
    expect((await call(stack, 'GET', '/api/v1/projects', { token: created.json.key })).status).toBe(200);
    expectThrottled(await call(stack, 'GET', '/api/v1/projects', { token: created.json.key }));
  });
});
