import { api } from '../../../../lambda/shared/http/api';
import { principalFromAuthorizer } from '../../../../lambda/shared/http/authorize';
import {
  apiEvent,
  EDITOR_USER,
  READ_API_KEY,
  VIEWER_USER,
  WRITE_CLIENT,
  type AuthorizerContextFixture,
} from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';
import { createProject, publicStatus } from '../../../fixtures/test-routes';

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

async function callCreate(authorizer: AuthorizerContextFixture | null, body: unknown = { name: 'n' }) {
  const fn = jest.fn(() => ({ status: 201, body: {} }));
  const res = await invoke(api(createProject, fn), apiEvent({ method: 'POST', body, authorizer }));
  return { res, called: fn.mock.calls.length > 0 };
}

describe('role/scope re-check from the authorizer context', () => {
  it('allows a user whose role matches (comma-separated list)', async () => {
    const { res, called } = await callCreate(EDITOR_USER);
    expect(res.statusCode).toBe(201);
    expect(called).toBe(true);
  });

  it('allows a machine client whose scope matches (space-separated list)', async () => {
    expect((await callCreate(WRITE_CLIENT)).res.statusCode).toBe(201);
  });

  it('answers 403 FORBIDDEN when no role or scope matches', async () => {
    for (const principal of [VIEWER_USER, READ_API_KEY]) {
      const { res, called } = await callCreate(principal);
      expect(res.statusCode).toBe(403);
      expect(res.json?.code).toBe('FORBIDDEN');
      expect(called).toBe(false);
    }
  });

  it('answers 401 AUTH_REQUIRED without a principal, with WWW-Authenticate', async () => {
    const incomplete: AuthorizerContextFixture[] = [
      { principalId: 'x' },
      { ...EDITOR_USER, sub: '' },
      { ...EDITOR_USER, authType: 'superuser' },
      { ...READ_API_KEY, apiKeyId: undefined, sub: undefined },
    ];
    const { res: none } = await callCreate(null);
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const authorizer of incomplete) {
      const { res, called } = await callCreate(authorizer);
      expect(res.json?.code).toBe('AUTH_REQUIRED');
      expect(called).toBe(false);
    }
  });

  it('checks access before reading the body: an anonymous caller gets 401, not schema details', async () => {
    const { res } = await callCreate(null, { wrong: 'shape' });
    expect(res.statusCode).toBe(401);
    expect(res.json?.errors).toBeUndefined();
  });

  it('lets anyone call a public route and still passes a principal when there is one', async () => {
    const seen: unknown[] = [];
    const handler = api(publicStatus, (req) => {
      seen.push(req.principal?.sub);
      return { status: 200, body: {} };
    });
    expect((await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }))).statusCode).toBe(
      200,
    );
    expect(
      (await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: VIEWER_USER }))).statusCode,
    ).toBe(200);
    expect(seen).toEqual([undefined, VIEWER_USER.sub]);
  });
});

describe('principalFromAuthorizer', () => {
  it('parses roles and scopes from comma- or space-separated strings', () => {
    expect(
      principalFromAuthorizer({ sub: 's', authType: 'user', roles: 'admin, editor  viewer', scopes: '' }),
    ).toEqual({
      sub: 's',
      roles: ['admin', 'editor', 'viewer'],
      scopes: [],
      authType: 'user',
      apiKeyId: undefined,
    });
  });

  it('uses the API key id as sub for API-key callers', () => {
    expect(
      principalFromAuthorizer({ authType: 'apiKey', apiKeyId: 'k1', scopes: 'rampart/read' }),
    ).toMatchObject({
      sub: 'k1',
      apiKeyId: 'k1',
      scopes: ['rampart/read'],
    });
  });

  it('ignores non-string context values', () => {
    expect(principalFromAuthorizer({ sub: 5, authType: 'user' })).toBeUndefined();
    expect(principalFromAuthorizer(null)).toBeUndefined();
  });
});
