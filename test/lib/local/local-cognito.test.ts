import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  NotAuthorizedException,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserDirectory } from '../../../lib/constructs/identity/user-directory';
import {
  COGNITO_SESSION_VALIDITY_MS,
  DEPLOYED_PASSWORD_POLICY,
  LOCAL_AWS_CREDENTIALS,
  LOCAL_AWS_REGION,
  passwordPolicyViolation,
  startLocalCognito,
  type LocalCognito,
} from '../../../lib/local/local-cognito';
import { createLocalUser } from '../../../lambda/domain/auth/local-directory';
import { resetRuntimeAuthDeps } from '../../../lambda/runtime/auth';
import { resetBreakers } from '../../../lambda/shared/breaker';
import { captureStdout, type CapturedOutput } from '../../fixtures/captured-output';
import { testApp } from '../../support/synth';
import { call, claimsOf, expectedSecretHash, totp } from '../../lambda/domain/auth/auth-harness';

/**
 * The local Cognito (cognito-local behind the session guard) must be no kinder than Cognito:
 * the real auth handlers, through the real wrapper, against the real cognito-local as the local
 * stack starts it. cognito-local alone answers a made-up `Session` (admin tokens for a forged
 * NEW_PASSWORD_REQUIRED answer; CODE_MISMATCH for a known user but 401 for an unknown one),
 * skips the temporary password and enforces no password policy.
 */

const PASSWORD = 'Correct-Horse-42!';
const ADMIN = 'admin@example.com';
const VIEWER = 'viewer@example.com';
const NEWBIE = 'newbie@example.com';
const LATECOMER = 'latecomer@example.com';
const TOTP_ADMIN = 'totp-admin@example.com';
const UNKNOWN = 'nobody@example.com';
const TEMPORARY = 'Temporary-Pass-1!';
const FORGED_SESSION = 'AYABeC0ffee-forged-session-0000000000000000000000000000000000000000';

let dataDir: string;
let cognito: LocalCognito;
let output: CapturedOutput;
let clock = Date.now();

beforeAll(async () => {
  output = captureStdout();
  dataDir = mkdtempSync(join(tmpdir(), 'rampart-local-cognito-'));
  cognito = await startLocalCognito({
    dataDir,
    now: () => clock,
    users: [
      { email: ADMIN, password: PASSWORD, roles: ['admin'] },
      { email: VIEWER, password: PASSWORD, roles: ['viewer'] },
      { email: NEWBIE, password: TEMPORARY, temporaryPassword: true, roles: ['viewer'] },
      { email: LATECOMER, password: TEMPORARY, temporaryPassword: true, roles: ['viewer'] },
      { email: TOTP_ADMIN, password: PASSWORD, roles: ['admin'] },
    ],
  });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_AWS_REGION,
    COGNITO_ENDPOINT: cognito.endpoint,
    USER_POOL_ID: cognito.directory.userPoolId,
    LOGIN_CLIENT_ID: cognito.directory.clientId,
    LOGIN_CLIENT_SECRET: cognito.directory.clientSecret,
    REFRESH_TOKEN_ROTATION: 'false',
    REQUIRE_ADMIN_MFA: 'false',
  });
});

beforeEach(() => {
  clock = Date.now();
  resetRuntimeAuthDeps();
  resetBreakers();
});

afterAll(async () => {
  output.restore();
  resetRuntimeAuthDeps();
  await cognito.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The problem body without the per-request members. */
function stable(body: Record<string, unknown> | undefined): Record<string, unknown> {
  const { correlationId: _c, instance: _i, ...rest } = body ?? {};
  return rest;
}

async function loginStatus(email: string, password: string): Promise<number> {
  return (await call('login', { email, password })).statusCode;
}

async function challengeSession(email: string, password = TEMPORARY): Promise<string> {
  const response = await call('login', { email, password });
  expect(response.json).toEqual({ challengeName: expect.any(String), session: expect.any(String) });
  return String(response.json?.session);
}

function sdkClient(): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: cognito.endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
}

describe('a session the local Cognito did not issue is 401, identical for known and unknown users', () => {
  test('NEW_PASSWORD_REQUIRED for admin@example.com: no tokens, and the password is not changed', async () => {
    const attack = (email: string) =>
      call('challenge', {
        email,
        challengeName: 'NEW_PASSWORD_REQUIRED',
        session: FORGED_SESSION,
        newPassword: 'Attacker-Chosen-1!',
      });
    const known = await attack(ADMIN);
    const unknown = await attack(UNKNOWN);
    expect(known.statusCode).toBe(401);
    expect(known.json?.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(known.body).not.toMatch(/eyJ/);
    expect(stable(known.json)).toEqual(stable(unknown.json));
    expect(await loginStatus(ADMIN, 'Attacker-Chosen-1!')).toBe(401);
    expect(await loginStatus(ADMIN, PASSWORD)).toBe(200);
  });

  test('SOFTWARE_TOKEN_MFA: a known email no longer answers CODE_MISMATCH where an unknown one gets 401', async () => {
    const attempt = (email: string) =>
      call('challenge', {
        email,
        challengeName: 'SOFTWARE_TOKEN_MFA',
        session: FORGED_SESSION,
        code: '123456',
      });
    const known = await attempt(ADMIN);
    const unknown = await attempt(UNKNOWN);
    expect(known.statusCode).toBe(401);
    expect(known.json?.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(stable(known.json)).toEqual(stable(unknown.json));
    const { 'x-correlation-id': _a, ...knownHeaders } = known.headers;
    const { 'x-correlation-id': _b, ...unknownHeaders } = unknown.headers;
    expect(knownHeaders).toEqual(unknownHeaders);
  });

  test('on the wire: Cognito’s error shape and x-amzn-errortype, which the SDK reads as NotAuthorizedException', async () => {
    const body = {
      ClientId: cognito.directory.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: FORGED_SESSION,
      ChallengeResponses: {
        USERNAME: ADMIN,
        NEW_PASSWORD: 'Attacker-Chosen-1!',
        SECRET_HASH: expectedSecretHash(ADMIN, cognito.directory.clientId, cognito.directory.clientSecret),
      },
    };
    const post = (origin: string, username = ADMIN) =>
      fetch(origin, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.RespondToAuthChallenge',
        },
        body: JSON.stringify({
          ...body,
          ChallengeResponses: { ...body.ChallengeResponses, USERNAME: username },
        }),
      });
    const refused = await post(cognito.endpoint);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-amzn-errortype')).toMatch(/^NotAuthorizedException:/);
    const refusal = (await refused.json()) as Record<string, unknown>;
    expect(refusal).toEqual({ __type: 'NotAuthorizedException', message: 'Invalid session for the user.' });
    // cognito-local's own errors have the same members. (Only an unknown user: for a known one,
    // cognito-local itself would take the forged session and set the password.)
    const upstream = new URL(cognito.issuer).origin;
    const own = await post(upstream, UNKNOWN).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(Object.keys(own).sort()).toEqual(Object.keys(refusal).sort());

    const client = sdkClient();
    try {
      await expect(client.send(new RespondToAuthChallengeCommand(body as never))).rejects.toBeInstanceOf(
        NotAuthorizedException,
      );
    } finally {
      client.destroy();
    }
  });
});

describe('a session the local Cognito issued', () => {
  test('is bound to its user and its challenge, holds new passwords to the policy, and is used up by success', async () => {
    const session = await challengeSession(NEWBIE);
    const answer = (body: Record<string, unknown>) =>
      call('challenge', { email: NEWBIE, challengeName: 'NEW_PASSWORD_REQUIRED', session, ...body });

    // Another user's name with this session, or another challenge: refused like a forged session.
    const stolen = await answer({ email: ADMIN, newPassword: 'Attacker-Chosen-1!' });
    expect(stolen.statusCode).toBe(401);
    expect(stolen.json?.code).toBe('AUTH_INVALID_CREDENTIALS');
    const otherChallenge = await answer({ challengeName: 'SOFTWARE_TOKEN_MFA', code: '123456' });
    expect(otherChallenge.statusCode).toBe(401);
    expect(await loginStatus(ADMIN, PASSWORD)).toBe(200);

    // The policy of the deployed pool (12+ characters, upper, lower, digit, symbol).
    for (const weak of [
      'Short-1!',
      'alllowercase-1!',
      'ALLUPPERCASE-1!',
      'No-Digits-Here!',
      'NoSymbols12345',
    ]) {
      const response = await answer({ newPassword: weak });
      expect([weak, response.statusCode, response.json?.code]).toEqual([weak, 400, 'VALIDATION_FAILED']);
      expect(response.json?.errors).toEqual([{ field: 'body.newPassword', message: expect.any(String) }]);
    }

    // A failed answer leaves the session usable; the right one yields tokens and uses it up.
    const done = await answer({ newPassword: 'Brand-New-Pass-7!' });
    expect(done.statusCode).toBe(200);
    expect(claimsOf(done.json?.accessToken).sub).toBe(cognito.directory.users.get(NEWBIE));
    const replay = await answer({ newPassword: 'Another-New-Pass-8!' });
    expect(replay.statusCode).toBe(401);
    expect(await loginStatus(NEWBIE, 'Brand-New-Pass-7!')).toBe(200);
    expect(await loginStatus(NEWBIE, 'Another-New-Pass-8!')).toBe(401);
  });

  test(`expires after ${COGNITO_SESSION_VALIDITY_MS / 60_000} minutes, as Cognito's sessions do`, async () => {
    const session = await challengeSession(LATECOMER);
    const answer = (newPassword: string) =>
      call('challenge', { email: LATECOMER, challengeName: 'NEW_PASSWORD_REQUIRED', session, newPassword });
    clock += COGNITO_SESSION_VALIDITY_MS - 1_000;
    // Still valid a second before: the policy answers, not the session check.
    expect((await answer('weak')).json?.code).toBe('VALIDATION_FAILED');
    clock += 1_000;
    const late = await answer('Brand-New-Pass-7!');
    expect(late.statusCode).toBe(401);
    expect(late.json?.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(await loginStatus(LATECOMER, 'Brand-New-Pass-7!')).toBe(401);
  });

  test('SOFTWARE_TOKEN_MFA: a wrong code is CODE_MISMATCH and the session stays; the right code uses it up', async () => {
    // Enrol TOTP the way a client does: with its own access token, straight to Cognito (through the guard).
    const tokens = (await call('login', { email: TOTP_ADMIN, password: PASSWORD })).json ?? {};
    const accessToken = String(tokens.accessToken);
    const client = sdkClient();
    let secret: string;
    try {
      secret = String(
        (await client.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }))).SecretCode,
      );
      await client.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totp(secret) }));
      await client.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: accessToken,
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        }),
      );
    } finally {
      client.destroy();
    }

    const session = await challengeSession(TOTP_ADMIN, PASSWORD);
    const answer = (code: string) =>
      call('challenge', { email: TOTP_ADMIN, challengeName: 'SOFTWARE_TOKEN_MFA', session, code });
    const good = totp(secret);
    const wrong = await answer(good === '123456' ? '654321' : '123456');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json?.code).toBe('CODE_MISMATCH');
    const right = await answer(good);
    expect(right.statusCode).toBe(200);
    expect(claimsOf(right.json?.accessToken)['cognito:groups']).toEqual(['admin']);
    expect((await answer(good)).statusCode).toBe(401);
  });
});

describe('what cognito-local skips and the guard checks', () => {
  test('NEW_PASSWORD_REQUIRED only after the right temporary password; a wrong one looks like an unknown user', async () => {
    const fresh = 'fresh@example.com';
    // Created after start, straight at cognito-local, as an operator would.
    const client = new CognitoIdentityProviderClient({
      endpoint: new URL(cognito.issuer).origin,
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    try {
      await createLocalUser(client, cognito.directory.userPoolId, {
        email: fresh,
        password: TEMPORARY,
        temporaryPassword: true,
      });
    } finally {
      client.destroy();
    }
    const wrong = await call('login', { email: fresh, password: 'Not-The-Temporary-1!' });
    const unknown = await call('login', { email: UNKNOWN, password: 'Not-The-Temporary-1!' });
    expect(wrong.statusCode).toBe(401);
    expect(stable(wrong.json)).toEqual(stable(unknown.json));
    expect(wrong.body).not.toContain('session');
    const right = await call('login', { email: fresh, password: TEMPORARY });
    expect(right.json).toMatchObject({ challengeName: 'NEW_PASSWORD_REQUIRED' });
  });

  test('a password reset must meet the policy too (ConfirmForgotPassword)', async () => {
    expect((await call('forgotPassword', { email: VIEWER })).statusCode).toBe(202);
    const sub = cognito.directory.users.get(VIEWER) ?? '';
    const db = JSON.parse(
      readFileSync(join(dataDir, '.cognito', 'db', `${cognito.directory.userPoolId}.json`), 'utf8'),
    ) as { Users: Record<string, { ConfirmationCode?: string }> };
    const code = String(db.Users[sub].ConfirmationCode);
    const weak = await call('confirmPassword', { email: VIEWER, code, newPassword: 'password' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json?.code).toBe('VALIDATION_FAILED');
    expect(await loginStatus(VIEWER, 'password')).toBe(401);
    const strong = await call('confirmPassword', { email: VIEWER, code, newPassword: 'Reset-Pass-Word-9!' });
    expect(strong.statusCode).toBe(204);
    expect(await loginStatus(VIEWER, 'Reset-Pass-Word-9!')).toBe(200);
  });
});

describe('the policy and session lifetime are the deployed pool’s', () => {
  test('DEPLOYED_PASSWORD_POLICY is what the UserDirectory construct synthesizes; no client changes AuthSessionValidity', () => {
    const stack = new Stack(testApp(), 'Directory', {
      env: { account: '111111111111', region: 'eu-west-1' },
    });
    new UserDirectory(stack, 'Users', {
      mfa: 'optional',
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      refreshTokenRotationGracePeriod: Duration.seconds(60),
      plusFeatures: false,
      domainPrefix: 'rampart-test',
      retain: false,
      secretKey: new Key(stack, 'Key'),
    });
    const template = Template.fromStack(stack);
    const pools = Object.values(template.findResources('AWS::Cognito::UserPool'));
    expect(pools).toHaveLength(1);
    expect(pools[0].Properties.Policies.PasswordPolicy).toMatchObject(DEPLOYED_PASSWORD_POLICY);
    for (const client of Object.values(template.findResources('AWS::Cognito::UserPoolClient'))) {
      expect(client.Properties.AuthSessionValidity).toBeUndefined(); // Cognito's default: 3 minutes
    }
  });

  test.each([
    ['Correct-Horse-42!', undefined],
    ['Correct Horse 42a', undefined], // space counts as a symbol for Cognito
    ['Short-1!a', 'Password not long enough'],
    ['no-upper-case-1!', 'Password must have uppercase characters'],
    ['NO-LOWER-CASE-1!', 'Password must have lowercase characters'],
    ['No-Digits-At-All!', 'Password must have numeric characters'],
    ['NoSymbolsAtAll123', 'Password must have symbol characters'],
  ])('passwordPolicyViolation(%j) is %j', (password, violation) => {
    expect(passwordPolicyViolation(password, DEPLOYED_PASSWORD_POLICY)).toBe(violation);
  });
});
