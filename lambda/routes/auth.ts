import {
  challengeSchema,
  confirmPasswordSchema,
  forgotPasswordSchema,
  loginSchema,
  logoutSchema,
  refreshSchema,
  setRolesSchema,
  userSubSchema,
} from '../domain/auth/schemas';
import {
  forgotPasswordBody,
  loginOutcomeBody,
  ME_EXAMPLE,
  meBody,
  TOKENS_EXAMPLE,
  tokensBody,
  userRolesBody,
} from './responses/auth';
import { EXAMPLE_SUB } from './responses/common';
import { defineRoute, type DeclaredRoute } from '../shared/route';

const ANY_ROLE = ['admin', 'editor', 'viewer'] as const;

/** Who may ask who they are: every role, and machine callers that may read. */
const ME_ACCESS = { roles: ANY_ROLE, scopes: ['rampart/read'] } as const;

/** What `GET /me` answers (and its deprecated alias `GET /whoami`). */
const ME_RESPONSES = {
  success: {
    200: {
      description: 'The caller.',
      body: meBody,
      optionalHeaders: ['ratelimit-policy'],
      example: ME_EXAMPLE,
    },
  },
  errors: ['AUTH_TOKEN_INVALID', 'RATE_LIMITED'],
} as const;

/**
 * Login, tokens, password reset, the caller and role management. Part of the route manifest
 * (`lambda/routes/index.ts`). Auth routes are public but abuse-prone: their capacity classes get
 * tight method throttles, and the edge web ACL adds a per-IP limit on `/api/v1/auth/*`.
 */
export const authRoutes = {
  login: defineRoute({
    id: 'login',
    requestExample: { body: { email: 'ada@example.com', password: 'correct horse battery staple' } },
    summary: 'Sign in with email and password',
    description:
      'Answers tokens, or a challenge (new password, TOTP code, TOTP enrolment) to answer at `/auth/challenge`.',
    responses: {
      success: {
        200: {
          description: 'Tokens or a pending challenge.',
          body: loginOutcomeBody,
          example: TOKENS_EXAMPLE,
        },
      },
      errors: [
        'AUTH_INVALID_CREDENTIALS',
        'USER_NOT_CONFIRMED',
        'PASSWORD_RESET_REQUIRED',
        'MFA_REQUIRED',
        'RATE_LIMITED',
        'DEPENDENCY_UNAVAILABLE',
      ],
    },
    needs: ['loginClient'],
    method: 'POST',
    path: '/api/v1/auth/login',
    handler: 'auth-login/handler.ts',
    access: { public: true },
    schemas: { body: loginSchema },
    bodyLimitBytes: 4_096,
    capacityClass: 'auth',
  }),
  challenge: defineRoute({
    id: 'challenge',
    requestExample: {
      body: {
        email: 'ada@example.com',
        session: 'AYABeC1hZ2VudC1zZXNzaW9u',
        challengeName: 'SOFTWARE_TOKEN_MFA',
        code: '123456',
      },
    },
    summary: 'Answer a sign-in challenge',
    responses: {
      success: {
        200: {
          description: 'Tokens or the next challenge.',
          body: loginOutcomeBody,
          example: TOKENS_EXAMPLE,
        },
      },
      errors: [
        'AUTH_INVALID_CREDENTIALS',
        'AUTH_TOKEN_INVALID',
        'CODE_MISMATCH',
        'CODE_EXPIRED',
        'MFA_REQUIRED',
        'RATE_LIMITED',
        'DEPENDENCY_UNAVAILABLE',
      ],
    },
    needs: ['loginClient'],
    method: 'POST',
    path: '/api/v1/auth/challenge',
    handler: 'auth-challenge/handler.ts',
    access: { public: true },
    schemas: { body: challengeSchema },
    bodyLimitBytes: 8_192,
    capacityClass: 'auth',
  }),
  refresh: defineRoute({
    id: 'refresh',
    requestExample: {
      body: { refreshToken: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.cmVmcmVzaA', sub: EXAMPLE_SUB },
    },
    summary: 'New tokens from a refresh token',
    responses: {
      success: {
        200: {
          description: 'New access and ID tokens (and a new refresh token when rotation is on).',
          body: tokensBody,
          example: TOKENS_EXAMPLE,
        },
      },
      errors: ['AUTH_INVALID_CREDENTIALS', 'AUTH_TOKEN_INVALID', 'RATE_LIMITED', 'DEPENDENCY_UNAVAILABLE'],
    },
    needs: ['loginClient'],
    method: 'POST',
    path: '/api/v1/auth/refresh',
    handler: 'auth-refresh/handler.ts',
    access: { public: true },
    schemas: { body: refreshSchema },
    bodyLimitBytes: 16_384,
    capacityClass: 'auth',
  }),
  logout: defineRoute({
    id: 'logout',
    requestExample: { body: { refreshToken: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.cmVmcmVzaA' } },
    summary: 'Sign out (revoke the refresh token)',
    responses: {
      success: { 204: { description: 'Revoked; its access tokens stop working.' } },
      errors: ['AUTH_INVALID_CREDENTIALS', 'AUTH_TOKEN_INVALID', 'RATE_LIMITED', 'DEPENDENCY_UNAVAILABLE'],
    },
    needs: ['loginClient'],
    method: 'POST',
    path: '/api/v1/auth/logout',
    handler: 'auth-logout/handler.ts',
    access: { public: true },
    schemas: { body: logoutSchema },
    bodyLimitBytes: 16_384,
    capacityClass: 'auth',
  }),
  forgotPassword: defineRoute({
    id: 'forgotPassword',
    requestExample: { body: { email: 'ada@example.com' } },
    summary: 'Send a password reset code',
    description: 'The answer is the same whether the account exists or not.',
    responses: {
      success: {
        202: {
          description: 'Accepted.',
          body: forgotPasswordBody,
          example: { message: 'If an account exists for this email, a reset code has been sent to it.' },
        },
      },
      errors: ['RATE_LIMITED', 'DEPENDENCY_UNAVAILABLE'],
    },
    needs: ['loginClient'],
    method: 'POST',
    path: '/api/v1/auth/password/forgot',
    handler: 'auth-password-forgot/handler.ts',
    access: { public: true },
    schemas: { body: forgotPasswordSchema },
    bodyLimitBytes: 1_024,
    capacityClass: 'passwordReset',
  }),
  confirmPassword: defineRoute({
    id: 'confirmPassword',
    requestExample: {
      body: { email: 'ada@example.com', code: '482913', newPassword: 'a new long passphrase' },
    },
    summary: 'Set a new password with the reset code',
    responses: {
      success: { 204: { description: 'The password is changed.' } },
      errors: [
        'CODE_MISMATCH',
        'CODE_EXPIRED',
        'AUTH_INVALID_CREDENTIALS',
        'USER_NOT_CONFIRMED',
        'RATE_LIMITED',
        'DEPENDENCY_UNAVAILABLE',
      ],
    },
    needs: ['loginClient'],
    method: 'POST',
    path: '/api/v1/auth/password/confirm',
    handler: 'auth-password-confirm/handler.ts',
    access: { public: true },
    schemas: { body: confirmPasswordSchema },
    bodyLimitBytes: 2_048,
    capacityClass: 'auth',
  }),
  me: defineRoute({
    id: 'me',
    summary: 'Who is calling',
    responses: ME_RESPONSES,
    needs: ['directoryRead'],
    method: 'GET',
    path: '/api/v1/me',
    handler: 'me/handler.ts',
    access: ME_ACCESS,
    capacityClass: 'directory',
  }),
  whoami: defineRoute({
    id: 'whoami',
    summary: 'Who is calling (alias of `GET /me`)',
    description:
      'An alias of `GET /api/v1/me` with the same access and the same answer, deprecated from the start. ' +
      'Call `GET /api/v1/me` instead. This is the worked example of deprecating a route (docs/versioning.md).',
    deprecation: {
      since: '2026-12-04',
      sunset: '2027-06-30',
      // Where callers read what to do: under prod's alarms.docsBaseUrl (still the placeholder
      // repository), which test/contract/breaking-changes.test.ts holds it to.
      link: 'https://github.com/example-org/rampart/blob/main/docs/api/CHANGELOG.md#110-2026-12-04',
    },
    responses: ME_RESPONSES,
    needs: ['directoryRead'],
    method: 'GET',
    path: '/api/v1/whoami',
    handler: 'whoami/handler.ts',
    access: ME_ACCESS,
    capacityClass: 'directory',
  }),
  setUserRoles: defineRoute({
    id: 'setUserRoles',
    requestExample: { path: { sub: EXAMPLE_SUB }, body: { roles: ['editor', 'viewer'] } },
    summary: 'Set a user’s roles',
    description: 'Replaces the user’s groups; an administrator cannot remove their own admin role.',
    responses: {
      success: {
        200: {
          description: 'The user’s roles now.',
          body: userRolesBody,
          example: { sub: EXAMPLE_SUB, roles: ['editor', 'viewer'] },
        },
      },
      errors: ['NOT_FOUND', 'CONFLICT', 'RATE_LIMITED'],
    },
    needs: ['directoryAdmin'],
    method: 'PUT',
    path: '/api/v1/users/{sub}/roles',
    handler: 'users-roles/handler.ts',
    access: { roles: ['admin'], scopes: [] },
    schemas: { path: userSubSchema, body: setRolesSchema },
    bodyLimitBytes: 1_024,
    capacityClass: 'admin',
  }),
} as const satisfies Record<string, DeclaredRoute>;
