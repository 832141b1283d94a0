import type { LocalStack } from '../../lib/local/local-stack';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * A user's session over HTTP, through the local gateway, the real authorizer and cognito-local:
 * login -> protected call -> refresh -> logout -> the refresh token is refused. On PGlite, the
 * database `npm start` runs on (the other e2e files use the run's PostgreSQL server).
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startE2eStack({ pglite: true });
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

describe('a deprecated route over HTTP: GET /whoami, the alias of GET /me (docs/versioning.md)', () => {
  const DEPRECATION_HEADERS = {
    // RFC 9745: 2026-12-04T00:00:00Z as a structured-field date; RFC 8594: an HTTP-date.
    deprecation: '@1796342400',
    sunset: 'Wed, 30 Jun 2027 00:00:00 GMT',
    link: '<https://github.com/example-org/rampart/blob/main/docs/api/CHANGELOG.md#110-2026-12-04>; rel="deprecation"',
  };
  const deprecationOf = (headers: Headers) => ({
    deprecation: headers.get('deprecation'),
    sunset: headers.get('sunset'),
    link: headers.get('link'),
  });

  it('answers what /me answers, saying on every answer of its function when it stops working', async () => {
    const { accessToken } = await login(stack, 'viewer@example.com');
    const me = await call(stack, 'GET', '/api/v1/me', { token: accessToken });
    const whoami = await call(stack, 'GET', '/api/v1/whoami', { token: accessToken });
    expect(whoami.status).toBe(200);
    expect(whoami.json).toEqual(me.json);
    expect(deprecationOf(whoami.headers)).toEqual(DEPRECATION_HEADERS);
    expect(deprecationOf(me.headers)).toEqual({ deprecation: null, sunset: null, link: null });

    // A conditional repeat: the 304 carries them too (problems from the wrapper do as well:
    // test/lambda/domain/auth/auth-routes.property.test.ts).
    const etag = whoami.headers.get('etag');
    expect(etag).not.toBeNull();
    const unchanged = await call(stack, 'GET', '/api/v1/whoami', {
      token: accessToken,
      headers: { 'if-none-match': etag! },
    });
    expect(unchanged.status).toBe(304);
    expect(deprecationOf(unchanged.headers)).toEqual(DEPRECATION_HEADERS);
  });

  it("the gateway's own refusals are API-wide and cannot carry them", async () => {
    const anonymous = await call(stack, 'GET', '/api/v1/whoami');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ code: 'AUTH_REQUIRED' });
    expect(deprecationOf(anonymous.headers)).toEqual({ deprecation: null, sunset: null, link: null });
  });
});
