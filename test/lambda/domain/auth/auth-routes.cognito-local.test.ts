import {
  AdminGetUserCommand,
  AssociateSoftwareTokenCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { resetRuntimeAuthDeps, runtimeAuthDeps } from '../../../../lambda/runtime/auth';
import { resetBreakers } from '../../../../lambda/shared/breaker';
import { CLOUDFRONT_EDGE_IP, READ_API_KEY, VIEWER_IP } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { startCognitoLocal, type CognitoLocal } from '../../../support/cognito-local';
import {
  call,
  claimsOf,
  expectedSecretHash,
  recordCommands,
  totp,
  userPrincipal,
  type SentCommand,
} from './auth-harness';

/**
 * The auth routes end to end: real handlers and wrapper, real API Gateway events, the real Cognito
 * SDK against cognito-local (started per file on a free loopback port, data in a temp dir).
 * cognito-local does not check SECRET_HASH, so the requests are recorded by an SDK middleware and
 * their SECRET_HASH compared with an independently computed one.
 */

const PASSWORD = 'Correct-Horse-42!';
const VIEWER = 'viewer@example.com';
const ADMIN = 'admin@example.com';
const NEWBIE = 'newbie@example.com';
const FORGETFUL = 'forgetful@example.com';
const TARGET = 'target@example.com';
const TOTP_ADMIN = 'totp-admin@example.com';

let cognito: CognitoLocal;
let output: CapturedOutput;
let sent: SentCommand[];

function useEnvironment(overrides: Record<string, string> = {}): void {
  Object.assign(
    process.env,
    cognito.env,
    { REFRESH_TOKEN_ROTATION: 'false', REQUIRE_ADMIN_MFA: 'false' },
    overrides,
  );
  resetRuntimeAuthDeps();
  resetBreakers();
  sent = recordCommands(runtimeAuthDeps().cognito);
}

function sub(email: string): string {
  const value = cognito.users.get(email);
  if (value === undefined) throw new Error(`no user ${email}`);
  return value;
}

/** The problem body without the per-request members. */
function stable(body: Record<string, unknown> | undefined): Record<string, unknown> {
  const { correlationId: _c, instance: _i, ...rest } = body ?? {};
  return rest;
}

beforeAll(async () => {
  output = captureStdout();
  cognito = await startCognitoLocal({
    users: [
      { email: VIEWER, password: PASSWORD, roles: ['viewer'] },
      { email: ADMIN, password: PASSWORD, roles: ['admin'] },
      { email: NEWBIE, password: 'Temporary-Pass-1!', temporaryPassword: true, roles: ['viewer'] },
      { email: FORGETFUL, password: PASSWORD, roles: ['viewer'] },
      { email: TARGET, password: PASSWORD, roles: ['viewer'] },
      { email: TOTP_ADMIN, password: PASSWORD, roles: ['admin'] },
    ],
  });
});

beforeEach(() => useEnvironment());

afterAll(async () => {
  output.restore();
  resetRuntimeAuthDeps();
  await cognito.stop();
});

describe('login', () => {
  test('returns Bearer tokens carrying the groups, and sends SECRET_HASH computed from the email', async () => {
    const response = await call('login', { email: VIEWER, password: PASSWORD });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json ?? {}).sort()).toEqual(
      ['accessToken', 'expiresIn', 'idToken', 'refreshToken', 'tokenType'].sort(),
    );
    expect(response.json?.tokenType).toBe('Bearer');
    expect(response.json?.expiresIn).toBeGreaterThan(0);
    const access = claimsOf(response.json?.accessToken);
    expect(access).toMatchObject({ sub: sub(VIEWER), 'cognito:groups': ['viewer'], iss: cognito.issuer });
    expect(response.headers['cache-control']).toMatch(/no-store/);

    expect(sent.map((s) => s.command)).toEqual(['InitiateAuthCommand']);
    expect(sent[0].input).toEqual({
      ClientId: cognito.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: {
        USERNAME: VIEWER,
        PASSWORD,
        SECRET_HASH: expectedSecretHash(VIEWER, cognito.clientId, cognito.clientSecret),
      },
      UserContextData: { IpAddress: VIEWER_IP },
    });
  });

  test('threat protection gets the address CloudFront appended, never one the client wrote in X-Forwarded-For', async () => {
    // The client claims 198.51.100.66; CloudFront appends the address it saw, API Gateway the edge's.
    const response = await call(
      'login',
      { email: VIEWER, password: PASSWORD },
      { headers: { 'X-Forwarded-For': `198.51.100.66, 10.0.0.1, 192.0.2.44, ${CLOUDFRONT_EDGE_IP}` } },
    );
    expect(response.statusCode).toBe(200);
    expect(sent[0].input.UserContextData).toEqual({ IpAddress: '192.0.2.44' });
  });

  test('a wrong password and an unknown user get byte-identical answers (apart from the correlation id)', async () => {
    const wrong = await call('login', { email: VIEWER, password: 'not-the-password' });
    const unknown = await call('login', { email: 'nobody@example.com', password: 'not-the-password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(stable(wrong.json)).toEqual(stable(unknown.json));
    expect(wrong.json?.code).toBe('AUTH_INVALID_CREDENTIALS');
    const headersWithout = (h: Record<string, string>) => {
      const { 'x-correlation-id': _id, ...rest } = h;
      return rest;
    };
    expect(headersWithout(wrong.headers)).toEqual(headersWithout(unknown.headers));
    // Both really reached Cognito: the sameness is ours, not a short-cut.
    expect(sent.map((s) => s.command)).toEqual(['InitiateAuthCommand', 'InitiateAuthCommand']);
  });

  test('an invalid body is 400 and never reaches Cognito', async () => {
    const response = await call('login', { email: 'not-an-email', password: PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.json?.code).toBe('VALIDATION_FAILED');
    expect(sent).toHaveLength(0);
  });
});

describe('NEW_PASSWORD_REQUIRED', () => {
  test('login answers with the challenge; the challenge route sets the password and returns tokens', async () => {
    const first = await call('login', { email: NEWBIE, password: 'Temporary-Pass-1!' });
    expect(first.statusCode).toBe(200);
    expect(first.json).toEqual({ challengeName: 'NEW_PASSWORD_REQUIRED', session: expect.any(String) });

    const missing = await call('challenge', {
      email: NEWBIE,
      challengeName: 'NEW_PASSWORD_REQUIRED',
      session: first.json?.session,
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json?.errors).toEqual([{ field: 'body.newPassword', message: expect.any(String) }]);

    const answered = await call('challenge', {
      email: NEWBIE,
      challengeName: 'NEW_PASSWORD_REQUIRED',
      session: first.json?.session,
      newPassword: 'Brand-New-Pass-9!',
    });
    expect(answered.statusCode).toBe(200);
    expect(claimsOf(answered.json?.accessToken).sub).toBe(sub(NEWBIE));
    const respond = sent.find((s) => s.command === 'RespondToAuthChallengeCommand');
    expect(respond?.input).toEqual({
      ClientId: cognito.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: first.json?.session,
      ChallengeResponses: {
        USERNAME: NEWBIE,
        NEW_PASSWORD: 'Brand-New-Pass-9!',
        SECRET_HASH: expectedSecretHash(NEWBIE, cognito.clientId, cognito.clientSecret),
      },
      UserContextData: { IpAddress: VIEWER_IP },
    });

    const again = await call('login', { email: NEWBIE, password: 'Brand-New-Pass-9!' });
    expect(again.statusCode).toBe(200);
    expect(again.json?.accessToken).toEqual(expect.any(String));
  });
});

describe('refresh and logout (REFRESH_TOKEN_ROTATION=false: InitiateAuth REFRESH_TOKEN_AUTH)', () => {
  test('refresh returns new access and ID tokens; SECRET_HASH uses the sub', async () => {
    const tokens = (await call('login', { email: VIEWER, password: PASSWORD })).json ?? {};
    const userSub = String(claimsOf(tokens.idToken).sub);
    const refreshed = await call('refresh', { refreshToken: tokens.refreshToken, sub: userSub });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number) });
    expect(refreshed.json?.refreshToken).toBeUndefined();
    expect(claimsOf(refreshed.json?.accessToken)).toMatchObject({
      sub: userSub,
      'cognito:groups': ['viewer'],
    });
    expect(sent[1].input).toEqual({
      ClientId: cognito.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: {
        REFRESH_TOKEN: tokens.refreshToken,
        SECRET_HASH: expectedSecretHash(userSub, cognito.clientId, cognito.clientSecret),
      },
      UserContextData: { IpAddress: VIEWER_IP },
    });
  });

  test('refresh without sub is a 400 naming the field, without a Cognito call', async () => {
    const response = await call('refresh', { refreshToken: 'x'.repeat(40) });
    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([{ field: 'body.sub', message: expect.any(String) }]);
    expect(sent).toHaveLength(0);
  });

  test('logout revokes the refresh token: 204, then refresh with it is 401, and logout again is still 204', async () => {
    const tokens = (await call('login', { email: VIEWER, password: PASSWORD })).json ?? {};
    const userSub = String(claimsOf(tokens.idToken).sub);
    const out = await call('logout', { refreshToken: tokens.refreshToken });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    expect(sent[1]).toMatchObject({
      command: 'RevokeTokenCommand',
      input: { Token: tokens.refreshToken, ClientId: cognito.clientId, ClientSecret: cognito.clientSecret },
    });

    const after = await call('refresh', { refreshToken: tokens.refreshToken, sub: userSub });
    expect(after.statusCode).toBe(401);
    expect(after.json?.code).toBe('AUTH_TOKEN_INVALID');

    expect((await call('logout', { refreshToken: tokens.refreshToken })).statusCode).toBe(204);
  });

  test('a made-up refresh token is 401 AUTH_TOKEN_INVALID', async () => {
    const response = await call('refresh', { refreshToken: 'made-up-token', sub: sub(VIEWER) });
    expect(response.statusCode).toBe(401);
    expect(response.json?.code).toBe('AUTH_TOKEN_INVALID');
  });
});

describe('password reset', () => {
  test('forgot answers 202 with the same body for a known and an unknown email', async () => {
    const known = await call('forgotPassword', { email: FORGETFUL });
    const unknown = await call('forgotPassword', { email: 'ghost@example.com' });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    expect(sent.map((s) => s.command)).toEqual(['ForgotPasswordCommand', 'ForgotPasswordCommand']);
    expect(sent[0].input).toEqual({
      ClientId: cognito.clientId,
      Username: FORGETFUL,
      SecretHash: expectedSecretHash(FORGETFUL, cognito.clientId, cognito.clientSecret),
      UserContextData: { IpAddress: VIEWER_IP },
    });
    expect(cognito.confirmationCode(sub(FORGETFUL))).toMatch(/^\d+$/);
  });

  test('confirm with the emailed code sets the new password (204); a wrong code or unknown user is 400 CODE_MISMATCH', async () => {
    await call('forgotPassword', { email: FORGETFUL });
    const code = String(cognito.confirmationCode(sub(FORGETFUL)));
    const wrongCode = code === '000000' ? '111111' : '000000';

    const wrong = await call('confirmPassword', {
      email: FORGETFUL,
      code: wrongCode,
      newPassword: 'Reset-Pass-77!',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json?.code).toBe('CODE_MISMATCH');
    const ghost = await call('confirmPassword', {
      email: 'ghost@example.com',
      code,
      newPassword: 'Reset-Pass-77!',
    });
    expect(stable(ghost.json)).toEqual(stable(wrong.json));

    const confirmed = await call('confirmPassword', {
      email: FORGETFUL,
      code,
      newPassword: 'Reset-Pass-77!',
    });
    expect(confirmed.statusCode).toBe(204);
    expect(sent.filter((s) => s.command === 'ConfirmForgotPasswordCommand').at(-1)?.input).toEqual({
      ClientId: cognito.clientId,
      Username: FORGETFUL,
      ConfirmationCode: code,
      Password: 'Reset-Pass-77!',
      SecretHash: expectedSecretHash(FORGETFUL, cognito.clientId, cognito.clientSecret),
      UserContextData: { IpAddress: VIEWER_IP },
    });
    expect((await call('login', { email: FORGETFUL, password: PASSWORD })).statusCode).toBe(401);
    expect((await call('login', { email: FORGETFUL, password: 'Reset-Pass-77!' })).statusCode).toBe(200);
  });
});

describe('GET /me', () => {
  test('a user gets token-derived identity plus the email from the directory', async () => {
    const response = await call('me', undefined, { authorizer: userPrincipal(sub(VIEWER), ['viewer']) });
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      sub: sub(VIEWER),
      authType: 'user',
      roles: ['viewer'],
      scopes: [],
      email: VIEWER,
      emailVerified: true,
    });
    expect(sent[0]).toMatchObject({
      command: 'AdminGetUserCommand',
      input: { UserPoolId: cognito.userPoolId, Username: sub(VIEWER) },
    });
  });

  test('an API key caller gets its identity without any directory call', async () => {
    const response = await call('me', undefined, { authorizer: READ_API_KEY });
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      sub: READ_API_KEY.sub,
      authType: 'apiKey',
      roles: [],
      scopes: ['rampart/read'],
      apiKeyId: READ_API_KEY.apiKeyId,
    });
    expect(sent).toHaveLength(0);
  });

  test('a token of a user who no longer exists is 401', async () => {
    const response = await call('me', undefined, {
      authorizer: userPrincipal('00000000-0000-4000-8000-000000000000', ['viewer']),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json?.code).toBe('AUTH_TOKEN_INVALID');
  });
});

describe('PUT /users/{sub}/roles', () => {
  const admin = () => userPrincipal(sub(ADMIN), ['admin']);

  test('sets group membership exactly; a fresh login carries the new cognito:groups', async () => {
    const response = await call(
      'setUserRoles',
      { roles: ['editor', 'admin'] },
      {
        authorizer: admin(),
        pathParameters: { sub: sub(TARGET) },
      },
    );
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ sub: sub(TARGET), roles: ['admin', 'editor'] });
    const fresh = await call('login', { email: TARGET, password: PASSWORD });
    expect(claimsOf(fresh.json?.accessToken)['cognito:groups']).toEqual(
      expect.arrayContaining(['admin', 'editor']),
    );
    expect(claimsOf(fresh.json?.accessToken)['cognito:groups']).not.toContain('viewer');

    const emptied = await call(
      'setUserRoles',
      { roles: [] },
      { authorizer: admin(), pathParameters: { sub: sub(TARGET) } },
    );
    expect(emptied.json).toEqual({ sub: sub(TARGET), roles: [] });
    const after = await call('login', { email: TARGET, password: PASSWORD });
    expect(claimsOf(after.json?.accessToken)['cognito:groups'] ?? []).toEqual([]);
  });

  test('an unknown user is 404', async () => {
    const response = await call(
      'setUserRoles',
      { roles: ['viewer'] },
      {
        authorizer: admin(),
        pathParameters: { sub: '00000000-0000-4000-8000-000000000000' },
      },
    );
    expect(response.statusCode).toBe(404);
    expect(response.json?.code).toBe('NOT_FOUND');
  });

  test('an admin removing their own admin role is 409 and nothing changes', async () => {
    const response = await call(
      'setUserRoles',
      { roles: ['viewer'] },
      {
        authorizer: admin(),
        pathParameters: { sub: sub(ADMIN) },
      },
    );
    expect(response.statusCode).toBe(409);
    expect(response.json?.code).toBe('CONFLICT');
    expect(sent).toHaveLength(0);
  });

  test('a non-admin is 403 before any directory call', async () => {
    const response = await call(
      'setUserRoles',
      { roles: ['admin'] },
      {
        authorizer: userPrincipal(sub(VIEWER), ['viewer']),
        pathParameters: { sub: sub(VIEWER) },
      },
    );
    expect(response.statusCode).toBe(403);
    expect(sent).toHaveLength(0);
  });
});

describe('admins must use MFA (REQUIRE_ADMIN_MFA=true)', () => {
  test('an admin without TOTP is refused with 403 MFA_REQUIRED, gets no tokens, and the issued refresh token is revoked', async () => {
    useEnvironment({ REQUIRE_ADMIN_MFA: 'true' });
    const response = await call('login', { email: ADMIN, password: PASSWORD });
    expect(response.statusCode).toBe(403);
    expect(response.json?.code).toBe('MFA_REQUIRED');
    expect(response.body).not.toMatch(/eyJ/); // no JWT anywhere in the answer
    expect(sent.map((s) => s.command)).toEqual(['InitiateAuthCommand', 'RevokeTokenCommand']);
    const issued = (sent[0].output?.AuthenticationResult as { RefreshToken: string }).RefreshToken;
    expect(sent[1].input).toEqual({
      Token: issued,
      ClientId: cognito.clientId,
      ClientSecret: cognito.clientSecret,
    });
    const reuse = await call('refresh', { refreshToken: issued, sub: sub(ADMIN) });
    expect(reuse.statusCode).toBe(401);
  });

  test('a viewer is unaffected by the admin rule', async () => {
    useEnvironment({ REQUIRE_ADMIN_MFA: 'true' });
    expect((await call('login', { email: VIEWER, password: PASSWORD })).statusCode).toBe(200);
  });

  test('an admin with TOTP gets SOFTWARE_TOKEN_MFA, and the right code yields tokens; a wrong one is CODE_MISMATCH', async () => {
    // Enrol TOTP the way a client does: straight to Cognito with its own access token.
    useEnvironment({ REQUIRE_ADMIN_MFA: 'false' });
    const enrolTokens = (await call('login', { email: TOTP_ADMIN, password: PASSWORD })).json ?? {};
    const accessToken = String(enrolTokens.accessToken);
    const { SecretCode } = await cognito.client.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    await cognito.client.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totp(String(SecretCode)) }),
    );
    await cognito.client.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );

    useEnvironment({ REQUIRE_ADMIN_MFA: 'true' });
    const first = await call('login', { email: TOTP_ADMIN, password: PASSWORD });
    expect(first.json).toEqual({ challengeName: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    const good = totp(String(SecretCode));
    const wrong = await call('challenge', {
      email: TOTP_ADMIN,
      challengeName: 'SOFTWARE_TOKEN_MFA',
      session: first.json?.session,
      code: good === '123456' ? '654321' : '123456',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json?.code).toBe('CODE_MISMATCH');
    const answered = await call('challenge', {
      email: TOTP_ADMIN,
      challengeName: 'SOFTWARE_TOKEN_MFA',
      session: first.json?.session,
      code: good,
    });
    expect(answered.statusCode).toBe(200);
    expect(claimsOf(answered.json?.accessToken)['cognito:groups']).toEqual(['admin']);
    const user = await cognito.client.send(
      new AdminGetUserCommand({ UserPoolId: cognito.userPoolId, Username: sub(TOTP_ADMIN) }),
    );
    expect(user.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA']);
  });
});
