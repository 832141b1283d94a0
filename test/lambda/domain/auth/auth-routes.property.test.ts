import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AssociateSoftwareTokenCommand,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  NotAuthorizedException,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  UserNotFoundException,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { resetRuntimeAuthDeps } from '../../../../lambda/runtime/auth';
import { routes } from '../../../../lambda/routes';
import { resetBreakers } from '../../../../lambda/shared/breaker';
import { ERROR_CATALOGUE } from '../../../../lambda/shared/errors';
import type { AuthorizerContextFixture } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { call, userPrincipal, type AuthRouteId } from './auth-harness';
import { propertyRuns } from '../../../support/property-runs';

/**
 * Property tests for the auth handlers through the real wrapper and real API Gateway events:
 * random bodies, headers, path values and principals never give a 5xx, every error is a catalogue
 * code, and input the wrapper or domain rejects never reaches Cognito (no call at all, so nothing is
 * written). Cognito is mocked with the answers a real pool gives to made-up credentials (wrong
 * password, unknown user, wrong code) so that 1000 runs per route stay fast; the real emulator runs
 * in auth-routes.cognito-local.test.ts.
 */

const RUNS = propertyRuns(1000);
const meta = { $metadata: {} };
const cognito = mockClient(CognitoIdentityProviderClient);
let output: CapturedOutput;

beforeAll(() => {
  output = captureStdout();
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    LOGIN_CLIENT_ID: 'client-id',
    LOGIN_CLIENT_SECRET: 'client-secret',
    USER_POOL_ID: 'eu-west-1_Pool1',
    REFRESH_TOKEN_ROTATION: 'false',
    REQUIRE_ADMIN_MFA: 'true',
  });
  resetRuntimeAuthDeps();
});
afterAll(() => output.restore());

beforeEach(() => {
  cognito.reset();
  resetBreakers();
  const notAuthorized = new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta });
  const noUser = new UserNotFoundException({ message: 'User does not exist.', ...meta });
  cognito.on(InitiateAuthCommand).rejects(notAuthorized);
  cognito.on(RespondToAuthChallengeCommand).rejects(notAuthorized);
  cognito.on(GetTokensFromRefreshTokenCommand).rejects(notAuthorized);
  cognito.on(RevokeTokenCommand).rejects(notAuthorized);
  cognito.on(AssociateSoftwareTokenCommand).rejects(notAuthorized);
  cognito.on(VerifySoftwareTokenCommand).rejects(notAuthorized);
  cognito.on(ForgotPasswordCommand).rejects(noUser);
  cognito
    .on(ConfirmForgotPasswordCommand)
    .rejects(new CodeMismatchException({ message: 'Invalid code', ...meta }));
  cognito.on(AdminGetUserCommand).rejects(noUser);
  cognito.on(AdminListGroupsForUserCommand).rejects(noUser);
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  // fast-check's strings never hold a NUL (U+0000); the wrapper refuses it everywhere.
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.constantFrom(
    '',
    ' ',
    'a@b',
    'admin@example.com',
    '<script>',
    '../../etc',
    '\u0000',
    '123456',
    'x'.repeat(300),
  ),
);
const wellFormedEmail = fc
  .tuple(fc.stringMatching(/^[a-z0-9._+-]{1,16}$/), fc.stringMatching(/^[a-z0-9-]{1,10}\.[a-z]{2,5}$/))
  .map(([user, host]) => `${user}@${host}`);
const email = fc.oneof(wellFormedEmail, fc.emailAddress(), text);
const anyValue = fc.oneof(
  text,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
);

/** Bodies shaped like each route's schema (so the domain runs), mixed with anything at all. */
const bodies: Record<AuthRouteId, fc.Arbitrary<unknown>> = {
  login: fc.record({ email, password: text }, { requiredKeys: [] }),
  challenge: fc.oneof(
    fc.record({
      email: wellFormedEmail,
      session: fc.string({ minLength: 1, maxLength: 64 }),
      challengeName: fc.constantFrom('NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP'),
      newPassword: fc.string({ minLength: 1, maxLength: 64 }),
      code: fc.stringMatching(/^\d{6}$/),
    }),
    fc.record(
      {
        email,
        session: text,
        challengeName: fc.oneof(
          fc.constantFrom('NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP'),
          text,
        ),
        newPassword: text,
        code: fc.oneof(fc.stringMatching(/^\d{6}$/), text),
      },
      { requiredKeys: [] },
    ),
  ),
  refresh: fc.record({ refreshToken: text, sub: text }, { requiredKeys: [] }),
  logout: fc.record({ refreshToken: text }, { requiredKeys: [] }),
  forgotPassword: fc.record({ email }, { requiredKeys: [] }),
  confirmPassword: fc.record(
    { email, code: fc.oneof(fc.stringMatching(/^\d{4,8}$/), text), newPassword: text },
    { requiredKeys: [] },
  ),
  me: fc.constant(undefined),
  whoami: fc.constant(undefined),
  setUserRoles: fc.record(
    { roles: fc.oneof(fc.subarray(['admin', 'editor', 'viewer']), fc.array(text, { maxLength: 4 })) },
    { requiredKeys: [] },
  ),
};

const anyBody = fc.oneof(
  fc.dictionary(text, anyValue, { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
  text, // raw, usually not JSON
);

const headers = fc.dictionary(
  fc.constantFrom('content-type', 'x-correlation-id', 'if-match', 'idempotency-key', 'accept', 'x-api-key'),
  text,
  { maxKeys: 3 },
);

const principal: fc.Arbitrary<AuthorizerContextFixture | null> = fc.oneof(
  fc.constant(null),
  fc.record({
    sub: fc.oneof(fc.uuid(), text),
    roles: fc.subarray(['admin', 'editor', 'viewer']).map((r) => r.join(',')),
    scopes: fc.constantFrom('', 'rampart/read', 'rampart/admin'),
    authType: fc.constantFrom('user', 'client', 'apiKey', 'root', ''),
    apiKeyId: fc.constantFrom('key-1', ''),
  }),
);

const CODES = new Set(Object.keys(ERROR_CATALOGUE));

describe.each(Object.keys(bodies) as AuthRouteId[])('%s: random requests', (id) => {
  test(`never 5xx, only catalogue codes, and nothing reaches Cognito when the input is rejected (${RUNS} runs)`, async () => {
    const route = routes[id];
    const pathSub = fc.oneof(fc.uuid(), text);
    let reachedCognito = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: bodies[id] }, { weight: 1, arbitrary: anyBody }),
        headers,
        id === 'setUserRoles' || id === 'me' || id === 'whoami'
          ? fc.oneof(
              principal,
              fc.uuid().map((sub) => userPrincipal(sub, ['admin'])),
            )
          : principal,
        pathSub,
        async (body, extraHeaders, authorizer, sub) => {
          cognito.resetHistory();
          const pathParameters = route.path.includes('{sub}') ? { sub } : undefined;
          const response = await call(id, body, {
            headers: extraHeaders,
            authorizer,
            pathParameters,
          });
          expect(response.statusCode).toBeLessThan(500);
          // A deprecated route says so on every answer of its function, errors included.
          if ('deprecation' in route) {
            expect(response.headers).toMatchObject({
              deprecation: expect.stringMatching(/^@\d+$/),
              sunset: expect.stringMatching(/ GMT$/),
              link: expect.stringMatching(/; rel="deprecation"$/),
            });
          } else {
            expect(response.headers.deprecation).toBeUndefined();
          }
          if (response.statusCode >= 400) {
            expect(CODES.has(String(response.json?.code))).toBe(true);
            expect(response.headers['content-type']).toBe('application/problem+json');
          }
          const rejectedByWrapper =
            [400, 401, 403, 413, 415].includes(response.statusCode) &&
            [
              'VALIDATION_FAILED',
              'MALFORMED_JSON',
              'UNSAFE_INPUT',
              'PAYLOAD_TOO_LARGE',
              'UNSUPPORTED_MEDIA_TYPE',
              'AUTH_REQUIRED',
              'FORBIDDEN',
            ].includes(String(response.json?.code));
          if (rejectedByWrapper) expect(cognito.calls()).toHaveLength(0);
          if (cognito.calls().length > 0) reachedCognito += 1;
        },
      ),
      { numRuns: RUNS },
    );
    // The generators are not so wild that everything bounces off validation: the domain really ran.
    // At least 2 % (binomially far below what the generators give, so no run fails by chance).
    expect(reachedCognito).toBeGreaterThan(RUNS / 50);
  });
});

describe('forgot password never tells users apart', () => {
  test(`a known and an unknown email get the same 202 body (${RUNS} runs)`, async () => {
    let exists = false;
    cognito
      .on(ForgotPasswordCommand)
      .callsFake(() =>
        exists
          ? Promise.resolve({ CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } })
          : Promise.reject(new UserNotFoundException({ message: 'User does not exist.', ...meta })),
      );
    const local = fc.stringMatching(/^[a-z0-9._%+-]{1,20}$/);
    const domain = fc.stringMatching(/^[a-z0-9-]{1,12}\.[a-z]{2,6}$/);
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(local, domain, fc.boolean(), async (user, host, known) => {
        exists = known;
        const response = await call('forgotPassword', { email: `${user}@${host}` });
        expect(response.statusCode).toBe(202);
        seen.add(response.body);
      }),
      { numRuns: RUNS },
    );
    expect(seen.size).toBe(1);
    expect(cognito.commandCalls(ForgotPasswordCommand)).toHaveLength(RUNS);
  });
});

describe('setUserRoles: only admins reach the directory', () => {
  test(`a principal without the admin role is 403 and Cognito is never called (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(['editor', 'viewer']),
        fc.uuid(),
        fc.subarray(['admin', 'editor', 'viewer']),
        async (roles, sub, wanted) => {
          cognito.resetHistory();
          const response = await call(
            'setUserRoles',
            { roles: wanted },
            {
              authorizer: userPrincipal(sub, roles),
              pathParameters: { sub },
            },
          );
          expect(response.statusCode).toBe(403);
          expect(cognito.calls()).toHaveLength(0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
