import { request } from 'node:http';
import type { LocalStack } from '../../lib/local/local-stack';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * The attacks of the pre-deploy review, replayed over HTTP against the local stack (real
 * authorizer, real handlers, PGlite, cognito-local behind its session guard), with the dev
 * template's authorizer cache on: whatever a request primed, an `Authorization: ApiKey` request
 * without a valid key is never let in, two credentials are 401, and no input is a 5xx.
 */
let stack: LocalStack;
let editor: string;
let apiKey: string;

beforeAll(async () => {
  stack = await startE2eStack();
  editor = (await login(stack, 'editor@example.com')).accessToken;
  const created = await call(stack, 'POST', '/api/v1/api-keys', {
    token: editor,
    body: { name: 'attack', scopes: ['rampart/read'], tier: 'premium' },
  });
  expect(created.status).toBe(201);
  apiKey = created.json.key;
});

afterAll(async () => {
  await stack?.stop();
});

/** A request whose headers may repeat a name (fetch would merge them). */
function rawCall(path: string, headers: [string, string][]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.url}${path}`,
      { method: 'GET', headers: [['Host', 'localhost'], ...headers].flat() },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('credentials an attacker controls', () => {
  it('the old bypass: "Authorization: ApiKey" plus x-api-key never allows, before or after the key primed the cache', async () => {
    const bare = ['/api/v1/projects', { headers: { authorization: 'ApiKey', 'x-api-key': apiKey } }] as const;
    expect((await call(stack, 'GET', ...bare)).status).toBe(401);
    expect((await call(stack, 'GET', '/api/v1/projects', { token: apiKey })).status).toBe(200);
    expect((await call(stack, 'GET', ...bare)).status).toBe(401);
    expect(
      (await call(stack, 'GET', '/api/v1/projects', { headers: { authorization: 'ApiKey' } })).status,
    ).toBe(401);
    expect((await call(stack, 'GET', '/api/v1/projects', { headers: { 'x-api-key': apiKey } })).status).toBe(
      401,
    );
  });

  it('two Authorization headers are 401 whatever their order, even when one of them is cached', async () => {
    expect((await rawCall('/api/v1/projects', [['authorization', `Bearer ${editor}`]])).status).toBe(200);
    for (const pair of [
      [`Bearer ${editor}`, `ApiKey ${apiKey}`],
      [`ApiKey ${apiKey}`, `Bearer ${editor}`],
      [`Bearer ${editor}`, `Bearer ${editor}`],
      ['Bearer forged', `Bearer ${editor}`],
    ]) {
      const response = await rawCall('/api/v1/projects', [
        ['Authorization', pair[0]],
        ['authorization', pair[1]],
      ]);
      expect({ pair, status: response.status }).toEqual({ pair, status: 401 });
      expect(JSON.parse(response.body)).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    }
  });

  it('a forged challenge session is 401, identical for a known and an unknown user', async () => {
    const answers = [];
    for (const email of ['admin@example.com', 'nobody@example.com']) {
      const response = await call(stack, 'POST', '/api/v1/auth/challenge', {
        body: {
          email,
          session: 'forged-session-value',
          challengeName: 'NEW_PASSWORD_REQUIRED',
          newPassword: 'weak',
        },
      });
      answers.push([response.status, response.json?.code]);
    }
    expect(answers[0][0]).toBeLessThan(500);
    expect(answers[0]).toEqual(answers[1]);
  });
});

describe('hostile input is never a 5xx', () => {
  it('NUL in a body string, hostile query and header names', async () => {
    const nul = await call(stack, 'POST', '/api/v1/projects', {
      token: editor,
      body: '{"name":"a\\u0000b"}',
    });
    expect(nul.status).toBe(400);
    for (const path of ['/api/v1/projects', '/api/v1/health']) {
      const response = await rawCall(`${path}?constructor=1&__proto__=2&toString=3&hasOwnProperty=4`, [
        ['__proto__', 'x'],
        ['constructor', 'y'],
        ['Authorization', `Bearer ${editor}`],
      ]);
      expect(response.status).toBeLessThan(500);
    }
    const unauthenticated = await rawCall('/api/v1/projects?__proto__=1', [['constructor', 'x']]);
    expect(unauthenticated.status).toBe(401);
  });
});
