import {
  AdminGetUserCommand,
  AssociateSoftwareTokenCommand,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ExpiredCodeException,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  InternalErrorException,
  InvalidParameterException,
  InvalidPasswordException,
  LimitExceededException,
  NotAuthorizedException,
  PasswordResetRequiredException,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  TooManyRequestsException,
  UserNotConfirmedException,
  UserNotFoundException,
  VerifySoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { resetRuntimeAuthDeps } from '../../../../lambda/runtime/auth';
import { resetBreakers } from '../../../../lambda/shared/breaker';
import { invalidateSecret } from '../../../../lambda/shared/secrets';
import { CLOUDFRONT_EDGE_IP, VIEWER_IP } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { call, expectedSecretHash, userPrincipal } from './auth-harness';

/**
 * Paths cognito-local cannot exercise (GetTokensFromRefreshToken, MFA_SETUP through a session,
 * Cognito's own throttling and outages, Secrets Manager): the SDK is mocked and the exact request
 * asserted, always through the real handlers and wrapper.
 */

const CLIENT_ID = 'login-client-id';
const CLIENT_SECRET = 'login-client-secret';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:rampart/login-client-AbCdEf';
const meta = { $metadata: {} };

/** An unsigned JWT with the given claims: enough for the domain, which only reads fresh Cognito tokens. */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.sig`;
}

const cognito = mockClient(CognitoIdentityProviderClient);
const secrets = mockClient(SecretsManagerClient);
let output: CapturedOutput;

beforeAll(() => {
  output = captureStdout();
});
afterAll(() => output.restore());

beforeEach(() => {
  cognito.reset();
  secrets.reset();
  resetBreakers();
  invalidateSecret();
  resetRuntimeAuthDeps();
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    LOGIN_CLIENT_ID: CLIENT_ID,
    LOGIN_CLIENT_SECRET: CLIENT_SECRET,
    USER_POOL_ID: 'eu-west-1_Pool1',
    REFRESH_TOKEN_ROTATION: 'true',
    REQUIRE_ADMIN_MFA: 'true',
  });
  delete process.env.COGNITO_ENDPOINT;
  delete process.env.LOGIN_CLIENT_SECRET_ARN;
});

describe('refresh with rotation (GetTokensFromRefreshToken)', () => {
  test('sends exactly the refresh token, client id and client secret, and returns the rotated refresh token', async () => {
    const access = jwt({ sub: 'u-1', iat: 1000, exp: 1900 });
    cognito.on(GetTokensFromRefreshTokenCommand).resolves({
      AuthenticationResult: {
        AccessToken: access,
        IdToken: 'id',
        RefreshToken: 'rotated',
        ExpiresIn: 900,
        TokenType: 'Bearer',
      },
    });
    const response = await call('refresh', { refreshToken: 'old-refresh' });
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      accessToken: access,
      idToken: 'id',
      refreshToken: 'rotated',
      expiresIn: 900,
      tokenType: 'Bearer',
    });
    expect(cognito).toHaveReceivedCommandTimes(GetTokensFromRefreshTokenCommand, 1);
    expect(cognito.commandCalls(GetTokensFromRefreshTokenCommand)[0].args[0].input).toEqual({
      RefreshToken: 'old-refresh',
      ClientId: CLIENT_ID,
      ClientSecret: CLIENT_SECRET,
    });
    expect(cognito).not.toHaveReceivedCommand(InitiateAuthCommand);
  });

  test('a revoked or expired refresh token is 401 AUTH_TOKEN_INVALID', async () => {
    cognito
      .on(GetTokensFromRefreshTokenCommand)
      .rejects(new NotAuthorizedException({ message: 'Refresh Token has been revoked', ...meta }));
    const response = await call('refresh', { refreshToken: 'revoked' });
    expect(response.statusCode).toBe(401);
    expect(response.json?.code).toBe('AUTH_TOKEN_INVALID');
  });
});

describe('MFA_SETUP (AssociateSoftwareToken / VerifySoftwareToken with the session)', () => {
  test('step 1 returns the TOTP secret and a new session; step 2 verifies the code and completes the login', async () => {
    cognito.on(AssociateSoftwareTokenCommand).resolves({ SecretCode: 'JBSWY3DPEHPK3PXP', Session: 's2' });
    const step1 = await call('challenge', {
      email: 'a@example.com',
      challengeName: 'MFA_SETUP',
      session: 's1',
    });
    expect(step1.statusCode).toBe(200);
    expect(step1.json).toEqual({ challengeName: 'MFA_SETUP', session: 's2', secretCode: 'JBSWY3DPEHPK3PXP' });
    expect(cognito.commandCalls(AssociateSoftwareTokenCommand)[0].args[0].input).toEqual({ Session: 's1' });

    const access = jwt({ sub: 'u-1', 'cognito:groups': ['admin'], iat: 1, exp: 901 });
    cognito.on(VerifySoftwareTokenCommand).resolves({ Status: 'SUCCESS', Session: 's3' });
    cognito.on(RespondToAuthChallengeCommand).resolves({
      AuthenticationResult: { AccessToken: access, IdToken: 'id', RefreshToken: 'r' },
    });
    const step2 = await call('challenge', {
      email: 'a@example.com',
      challengeName: 'MFA_SETUP',
      session: 's2',
      code: '123456',
    });
    expect(step2.statusCode).toBe(200);
    expect(step2.json).toMatchObject({ accessToken: access, expiresIn: 900, refreshToken: 'r' });
    expect(cognito.commandCalls(VerifySoftwareTokenCommand)[0].args[0].input).toEqual({
      Session: 's2',
      UserCode: '123456',
    });
    expect(cognito.commandCalls(RespondToAuthChallengeCommand)[0].args[0].input).toEqual({
      ClientId: CLIENT_ID,
      ChallengeName: 'MFA_SETUP',
      Session: 's3',
      ChallengeResponses: {
        USERNAME: 'a@example.com',
        SECRET_HASH: expectedSecretHash('a@example.com', CLIENT_ID, CLIENT_SECRET),
      },
      UserContextData: { IpAddress: VIEWER_IP },
    });
    // An admin who just passed MFA setup is not refused.
    expect(cognito).not.toHaveReceivedCommand(RevokeTokenCommand);
  });

  test('a failed verification is 400 CODE_MISMATCH and does not complete the login', async () => {
    cognito.on(VerifySoftwareTokenCommand).resolves({ Status: 'ERROR' });
    const response = await call('challenge', {
      email: 'a@example.com',
      challengeName: 'MFA_SETUP',
      session: 's2',
      code: '000000',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json?.code).toBe('CODE_MISMATCH');
    expect(cognito).not.toHaveReceivedCommand(RespondToAuthChallengeCommand);
  });
});

describe('Cognito failures map to stable codes, never 500', () => {
  const cases: [string, Error, number, string, string | undefined][] = [
    [
      'disabled user',
      new NotAuthorizedException({ message: 'User is disabled.', ...meta }),
      401,
      'AUTH_INVALID_CREDENTIALS',
      undefined,
    ],
    [
      'unknown user',
      new UserNotFoundException({ message: 'x', ...meta }),
      401,
      'AUTH_INVALID_CREDENTIALS',
      undefined,
    ],
    [
      'unconfirmed user',
      new UserNotConfirmedException({ message: 'x', ...meta }),
      403,
      'USER_NOT_CONFIRMED',
      undefined,
    ],
    [
      'reset required',
      new PasswordResetRequiredException({ message: 'x', ...meta }),
      403,
      'PASSWORD_RESET_REQUIRED',
      undefined,
    ],
    ['Cognito throttling', new TooManyRequestsException({ message: 'x', ...meta }), 429, 'RATE_LIMITED', '5'],
    ['attempt limit', new LimitExceededException({ message: 'x', ...meta }), 429, 'RATE_LIMITED', '60'],
    [
      'Cognito internal error',
      new InternalErrorException({ message: 'x', ...meta }),
      503,
      'DEPENDENCY_UNAVAILABLE',
      '5',
    ],
    [
      'our misconfiguration',
      new InvalidParameterException({ message: 'USER_PASSWORD_AUTH flow not enabled', ...meta }),
      503,
      'DEPENDENCY_UNAVAILABLE',
      '5',
    ],
    [
      'network failure',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      503,
      'DEPENDENCY_UNAVAILABLE',
      '5',
    ],
  ];
  test.each(cases)('login: %s', async (_label, error, status, code, retryAfter) => {
    cognito.on(InitiateAuthCommand).rejects(error);
    const response = await call('login', { email: 'a@example.com', password: 'whatever-password' });
    expect(response.statusCode).toBe(status);
    expect(response.json?.code).toBe(code);
    expect(response.headers['retry-after']).toBe(retryAfter);
    expect(response.body).not.toContain(error.message);
  });

  test('a disabled user gets the same body as a wrong password', async () => {
    cognito
      .on(InitiateAuthCommand)
      .rejects(new NotAuthorizedException({ message: 'User is disabled.', ...meta }));
    const a = await call('login', { email: 'a@example.com', password: 'whatever-password' });
    cognito
      .on(InitiateAuthCommand)
      .rejects(new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta }));
    const b = await call('login', { email: 'a@example.com', password: 'whatever-password' });
    expect(a.statusCode).toBe(401);
    expect({ ...a.json, correlationId: 0 }).toEqual({ ...b.json, correlationId: 0 });
  });

  test('a new password that breaks the policy is 400 VALIDATION_FAILED on body.newPassword', async () => {
    cognito
      .on(ConfirmForgotPasswordCommand)
      .rejects(new InvalidPasswordException({ message: 'Password not long enough', ...meta }));
    const response = await call('confirmPassword', {
      email: 'a@example.com',
      code: '123456',
      newPassword: 'short',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json?.code).toBe('VALIDATION_FAILED');
    expect(response.json?.errors).toEqual([
      { field: 'body.newPassword', message: expect.stringContaining('password policy') },
    ]);
  });

  test('an expired reset code is 400 CODE_EXPIRED; a wrong one CODE_MISMATCH', async () => {
    const body = { email: 'a@example.com', code: '123456', newPassword: 'Long-Enough-Pass-1!' };
    cognito.on(ConfirmForgotPasswordCommand).rejects(new ExpiredCodeException({ message: 'x', ...meta }));
    expect((await call('confirmPassword', body)).json?.code).toBe('CODE_EXPIRED');
    cognito.on(ConfirmForgotPasswordCommand).rejects(new CodeMismatchException({ message: 'x', ...meta }));
    expect((await call('confirmPassword', body)).json?.code).toBe('CODE_MISMATCH');
  });

  test('forgot password: unknown, unverified and disabled users all get the same 202; throttling still shows', async () => {
    const bodies: string[] = [];
    for (const error of [
      new UserNotFoundException({ message: 'x', ...meta }),
      new InvalidParameterException({ message: 'no verified email', ...meta }),
      new NotAuthorizedException({ message: 'disabled', ...meta }),
    ]) {
      cognito.on(ForgotPasswordCommand).rejects(error);
      const response = await call('forgotPassword', { email: 'a@example.com' });
      expect(response.statusCode).toBe(202);
      bodies.push(response.body);
    }
    cognito.on(ForgotPasswordCommand).resolves({ CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } });
    bodies.push((await call('forgotPassword', { email: 'a@example.com' })).body);
    expect(new Set(bodies).size).toBe(1);
    cognito.on(ForgotPasswordCommand).rejects(new LimitExceededException({ message: 'x', ...meta }));
    expect((await call('forgotPassword', { email: 'a@example.com' })).statusCode).toBe(429);
  });

  test('a challenge the API does not support (SMS_MFA) is 503, not a half-finished login', async () => {
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'SMS_MFA', Session: 's' });
    const response = await call('login', { email: 'a@example.com', password: 'whatever-password' });
    expect(response.statusCode).toBe(503);
  });

  test('five consecutive outages open the breaker: the sixth call fails fast without reaching Cognito', async () => {
    cognito.on(InitiateAuthCommand).rejects(new InternalErrorException({ message: 'x', ...meta }));
    for (let i = 0; i < 5; i += 1)
      await call('login', { email: 'a@example.com', password: 'whatever-password' });
    const response = await call('login', { email: 'a@example.com', password: 'whatever-password' });
    expect(response.statusCode).toBe(503);
    expect(cognito).toHaveReceivedCommandTimes(InitiateAuthCommand, 5);
  });

  test('wrong passwords never open the breaker', async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'x', ...meta }));
    for (let i = 0; i < 7; i += 1) {
      expect(
        (await call('login', { email: 'a@example.com', password: 'whatever-password' })).statusCode,
      ).toBe(401);
    }
    expect(cognito).toHaveReceivedCommandTimes(InitiateAuthCommand, 7);
  });
});

describe('admin MFA rule', () => {
  test('the refusal stays 403 MFA_REQUIRED even if revoking the refresh token fails', async () => {
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: jwt({ 'cognito:groups': ['admin'] }),
        IdToken: 'id',
        RefreshToken: 'r',
      },
    });
    cognito.on(RevokeTokenCommand).rejects(new InternalErrorException({ message: 'x', ...meta }));
    const response = await call('login', { email: 'a@example.com', password: 'whatever-password' });
    expect(response.statusCode).toBe(403);
    expect(response.json?.code).toBe('MFA_REQUIRED');
    expect(cognito.commandCalls(RevokeTokenCommand)[0].args[0].input).toEqual({
      Token: 'r',
      ClientId: CLIENT_ID,
      ClientSecret: CLIENT_SECRET,
    });
  });

  test('is on unless REQUIRE_ADMIN_MFA=false', async () => {
    delete process.env.REQUIRE_ADMIN_MFA;
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: jwt({ 'cognito:groups': ['admin'] }),
        IdToken: 'id',
        RefreshToken: 'r',
      },
    });
    expect((await call('login', { email: 'a@example.com', password: 'whatever-password' })).statusCode).toBe(
      403,
    );
  });
});

describe('login client credentials from Secrets Manager (LOGIN_CLIENT_SECRET_ARN)', () => {
  beforeEach(() => {
    delete process.env.LOGIN_CLIENT_ID;
    delete process.env.LOGIN_CLIENT_SECRET;
    process.env.LOGIN_CLIENT_SECRET_ARN = SECRET_ARN;
    secrets.on(DescribeSecretCommand).resolves({});
  });

  test('reads {clientId, clientSecret} once and computes SECRET_HASH with them', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify({ clientId: 'from-sm', clientSecret: 'sm-secret' }) });
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'x', ...meta }));
    await call('login', { email: 'a@example.com', password: 'whatever-password' });
    await call('login', { email: 'a@example.com', password: 'whatever-password' });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(cognito.commandCalls(InitiateAuthCommand)[0].args[0].input).toMatchObject({
      ClientId: 'from-sm',
      AuthParameters: { SECRET_HASH: expectedSecretHash('a@example.com', 'from-sm', 'sm-secret') },
    });
  });

  test('a malformed secret or an unreachable Secrets Manager is 503, and Cognito is never called without a SECRET_HASH', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify({ clientId: 'only-id' }) });
    expect((await call('login', { email: 'a@example.com', password: 'whatever-password' })).statusCode).toBe(
      503,
    );
    invalidateSecret();
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('timeout'));
    expect((await call('login', { email: 'a@example.com', password: 'whatever-password' })).statusCode).toBe(
      503,
    );
    expect(cognito).not.toHaveReceivedCommand(InitiateAuthCommand);
  });
});

describe('GET /me without a configured pool', () => {
  test('is 503 for a user (configuration fault), never 500', async () => {
    delete process.env.USER_POOL_ID;
    const response = await call('me', undefined, { authorizer: userPrincipal('u-1', ['viewer']) });
    expect(response.statusCode).toBe(503);
    expect(cognito).not.toHaveReceivedCommand(AdminGetUserCommand);
  });
});

describe('UserContextData (threat protection sees the end user, not the NAT gateway)', () => {
  test('forgot and confirm password send the viewer address CloudFront appended', async () => {
    cognito.on(ForgotPasswordCommand).resolves({});
    cognito.on(ConfirmForgotPasswordCommand).resolves({});
    await call('forgotPassword', { email: 'a@example.com' });
    await call('confirmPassword', {
      email: 'a@example.com',
      code: '123456',
      newPassword: 'Long-Enough-Pass-1!',
    });
    expect(cognito.commandCalls(ForgotPasswordCommand)[0].args[0].input).toEqual({
      ClientId: CLIENT_ID,
      Username: 'a@example.com',
      SecretHash: expectedSecretHash('a@example.com', CLIENT_ID, CLIENT_SECRET),
      UserContextData: { IpAddress: VIEWER_IP },
    });
    expect(cognito.commandCalls(ConfirmForgotPasswordCommand)[0].args[0].input).toEqual({
      ClientId: CLIENT_ID,
      Username: 'a@example.com',
      ConfirmationCode: '123456',
      Password: 'Long-Enough-Pass-1!',
      SecretHash: expectedSecretHash('a@example.com', CLIENT_ID, CLIENT_SECRET),
      UserContextData: { IpAddress: VIEWER_IP },
    });
  });

  test('without a usable address the call goes without UserContextData rather than with a made-up one', async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'x', ...meta }));
    await call(
      'login',
      { email: 'a@example.com', password: 'whatever-password' },
      { headers: { 'X-Forwarded-For': `unknown, ${CLOUDFRONT_EDGE_IP}` } },
    );
    expect(cognito.commandCalls(InitiateAuthCommand)[0].args[0].input).toEqual({
      ClientId: CLIENT_ID,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: {
        USERNAME: 'a@example.com',
        PASSWORD: 'whatever-password',
        SECRET_HASH: expectedSecretHash('a@example.com', CLIENT_ID, CLIENT_SECRET),
      },
    });
  });

  test('logout: RevokeToken takes no UserContextData', async () => {
    cognito.on(RevokeTokenCommand).resolves({});
    await call('logout', { refreshToken: 'r' });
    expect(cognito.commandCalls(RevokeTokenCommand)[0].args[0].input).toEqual({
      Token: 'r',
      ClientId: CLIENT_ID,
      ClientSecret: CLIENT_SECRET,
    });
  });
});
