import type { LocalStack } from '../../lib/local/local-stack';
import { call, devTemplateWith, login, startE2eStack } from './support/local-stack';

/**
 * The API key lifecycle over HTTP: keys are created, metered and disabled in the local key gateway
 * (same interface as the API Gateway one) and checked by the real authorizer on PostgreSQL.
 * Rotation keeps the old key working for the grace period (here 1.8 s:
 * API_KEY_ROTATION_GRACE_HOURS=0.0005), revocation takes effect on the next call.
 */
let stack: LocalStack;
let viewerToken: string;

beforeAll(async () => {
  // The authorizer cache is off here: with it, API Gateway (and the local gateway) keep allowing a
  // key until its cached answer expires, which test/e2e/attacks.test.ts covers.
  stack = await startE2eStack({
    apiTemplate: devTemplateWith('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 }),
    functionEnvironment: { API_KEY_ROTATION_GRACE_HOURS: '0.0005' },
  });
  viewerToken = (await login(stack, 'viewer@example.com')).accessToken;
});

afterAll(async () => {
  await stack?.stop();
});

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await probe();
  for (let attempt = 1; attempt < attempts && !done(value); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}

describe('API key lifecycle over HTTP', () => {
  it('creates a key that reads with its scope, meters it, rotates it with grace and revokes it', async () => {
    const created = await call(stack, 'POST', '/api/v1/api-keys', {
      token: viewerToken,
      body: { name: 'e2e reader', scopes: ['rampart/read'], tier: 'premium' },
    });
    expect(created.status).toBe(201);
    const key: string = created.json.key;

    const read = await call(stack, 'GET', '/api/v1/projects', { token: key });
    expect(read.status).toBe(200);
    expect(read.headers.get('ratelimit-policy')).toBe('"premium";q=20000;w=86400, "premium-rate";q=20;w=1');

    // A read key may not write: the authorizer's policy denies it at the gateway.
    const write = await call(stack, 'POST', '/api/v1/projects', { token: key, body: { name: 'nope' } });
    expect(write.status).toBe(403);
    expect(write.json).toMatchObject({ code: 'FORBIDDEN' });

    const usage = await call(stack, 'GET', `/api/v1/api-keys/${created.json.id}/usage`, {
      token: viewerToken,
    });
    expect(usage.status).toBe(200);
    expect(usage.json.days.at(-1)).toMatchObject({ used: 1, remaining: 19_999 });

    const rotated = await call(stack, 'POST', `/api/v1/api-keys/${created.json.id}/rotate`, {
      token: viewerToken,
    });
    expect(rotated.status).toBe(201);
    const newKey: string = rotated.json.key;
    expect(newKey).not.toBe(key);
    expect((await call(stack, 'GET', '/api/v1/projects', { token: newKey })).status).toBe(200);

    // The old key keeps working during the grace period, then is refused.
    const graceEndsAt = Date.parse(rotated.json.previous.graceEndsAt);
    const duringGrace = await call(stack, 'GET', '/api/v1/projects', { token: key });
    if (Date.now() < graceEndsAt) expect(duringGrace.status).toBe(200);
    const afterGrace = await until(
      () => call(stack, 'GET', '/api/v1/projects', { token: key }),
      (result) => result.status !== 200,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(graceEndsAt);
    expect(afterGrace.status).toBe(401);

    const revoked = await call(stack, 'DELETE', `/api/v1/api-keys/${rotated.json.id}`, {
      token: viewerToken,
    });
    expect(revoked.status).toBe(204);
    const refused = await call(stack, 'GET', '/api/v1/projects', { token: newKey });
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ code: 'AUTH_REQUIRED' });

    const listed = await call(stack, 'GET', '/api/v1/api-keys', { token: viewerToken });
    expect(listed.status).toBe(200);
    const states = Object.fromEntries(
      (listed.json.items as { id: string; status: string }[]).map((item) => [item.id, item.status]),
    );
    expect(states[rotated.json.id]).toBe('revoked');
  });

  it('refuses a key whose scopes exceed the creator', async () => {
    const created = await call(stack, 'POST', '/api/v1/api-keys', {
      token: viewerToken,
      body: { name: 'too much', scopes: ['rampart/write'], tier: 'free' },
    });
    expect(created.status).toBe(403);
    expect(created.headers.get('content-type')).toBe('application/problem+json');
  });
});
