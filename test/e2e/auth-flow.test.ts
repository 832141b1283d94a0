import type { LocalStack } from '../../lib/local/local-stack';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * A user's session over HTTP, through the local gateway, the real authorizer and cognito-local:
 * login -> protected call -> refresh -> logout -> the refresh token is refused.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startE2eStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('session over HTTP', () => {
  it('logs in, calls a protected route, refreshes, logs out, and the refresh token stops working', async () => {
    const editor = stack.users.find((user) => user.email === 'editor@example.com')!;
    const tokens = await login(stack, editor.email);
    expect(tokens.accessToken).toMatch(/^ey/);

    const created = await call(stack, 'POST', '/api/v1/projects', {
      token: tokens.accessToken,
      body: { name: 'From the e2e test' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'From the e2e test', owner: editor.sub });

    const me = await call(stack, 'GET', '/api/v1/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ sub: editor.sub, roles: ['editor'] });

    const refreshed = await call(stack, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: tokens.refreshToken, sub: editor.sub },
    });
    expect(refreshed.status).toBe(200);
    const listed = await call(stack, 'GET', '/api/v1/projects', { token: refreshed.json.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((p: { name: string }) => p.name)).toContain('From the e2e test');

    const logout = await call(stack, 'POST', '/api/v1/auth/logout', {
      body: { refreshToken: tokens.refreshToken },
    });
    expect(logout.status).toBe(204);

    const refused = await call(stack, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: tokens.refreshToken, sub: editor.sub },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 401 problem+json without credentials and with a forged token', async () => {
    const anonymous = await call(stack, 'GET', '/api/v1/projects');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ code: 'AUTH_REQUIRED', status: 401 });

    const forged = await call(stack, 'GET', '/api/v1/projects', { token: 'eyJhbGciOiJub25lIn0.e30.' });
    expect(forged.status).toBe(401);
    expect(forged.json).toMatchObject({ code: 'AUTH_REQUIRED' });
  });

  it('lets the worker record the activity of a created project (outbox -> local queue -> worker)', async () => {
    const { accessToken } = await login(stack, 'admin@example.com');
    const created = await call(stack, 'POST', '/api/v1/projects', {
      token: accessToken,
      body: { name: 'Queued' },
    });
    expect(created.status).toBe(201);
    await stack.queue.drain();
    expect(stack.queue.deadLetters()).toEqual([]);
    const details = await call(stack, 'GET', '/api/v1/health/details', { token: accessToken });
    expect(details.status).toBe(200);
    expect(details.json.checks.worker.status).toBe('ok');
    expect(details.json.checks.queue).toMatchObject({ status: 'ok', deadLetters: 0 });
  });
});
