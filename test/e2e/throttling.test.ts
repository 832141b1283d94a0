import type { LocalStack } from '../../lib/local/local-stack';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * The gateway's throttles over HTTP, with the dev environment's limits: a route's own throttle
 * (login: 10 rps, burst 20) and a usage plan per API key (free: 1 rps, burst 5) answer 429
 * problem+json with Retry-After; a client within its limits is not affected by another's excess.
 */
let stack: LocalStack;
let editorToken: string;

beforeAll(async () => {
  stack = await startE2eStack();
  // Before the login route's bucket is drained by the first test.
  editorToken = (await login(stack, 'editor@example.com')).accessToken;
});

afterAll(async () => {
  await stack?.stop();
});

describe('throttling', () => {
  it('throttles a route past its burst with 429 and Retry-After', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(stack, 'POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'x' } }),
      ),
    );
    const throttled = attempts.filter((result) => result.status === 429);
    // Burst 20 plus at most the tokens refilled (10/s) while the 30 calls were made.
    expect(throttled.length).toBeGreaterThan(0);
    expect(attempts.length - throttled.length).toBeGreaterThanOrEqual(20);
    for (const result of throttled) {
      expect(result.json).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(result.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('throttles one API key on its usage plan while another client keeps being served', async () => {
    const accessToken = editorToken;
    const created = await call(stack, 'POST', '/api/v1/api-keys', {
      token: accessToken,
      body: { name: 'free tier', scopes: ['rampart/read'], tier: 'free' },
    });
    expect(created.status).toBe(201);
    const results = [];
    for (let index = 0; index < 8; index += 1) {
      results.push(await call(stack, 'GET', '/api/v1/projects', { token: created.json.key }));
    }
    const statuses = results.map((result) => result.status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses).toContain(429);
    const throttled = results.find((result) => result.status === 429)!;
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.json).toMatchObject({ code: 'RATE_LIMITED' });

    const other = await call(stack, 'GET', '/api/v1/projects', { token: accessToken });
    expect(other.status).toBe(200);
  });
});
