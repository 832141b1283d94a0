import * as z from 'zod/mini';
import { ROLES, SCOPES } from '../../shared/access';
import { EXAMPLE_SUB } from './common';

const jwt = z.string().check(z.minLength(1), z.maxLength(8192));

/** Tokens after a completed login, challenge or refresh (`Tokens` in lambda/domain/auth/sessions.ts). */
export const tokensBody = z.strictObject({
  accessToken: jwt,
  idToken: jwt,
  refreshToken: z.optional(jwt),
  expiresIn: z.int().check(z.gte(1), z.lte(86_400)),
  tokenType: z.literal('Bearer'),
});

/** Cognito wants more before it issues tokens (`PendingChallenge`). */
export const pendingChallengeBody = z.strictObject({
  challengeName: z.enum(['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP']),
  session: z.string().check(z.minLength(1), z.maxLength(4096)),
  secretCode: z.optional(z.string().check(z.maxLength(128))),
});

export const loginOutcomeBody = z.union([tokensBody, pendingChallengeBody]);

export const forgotPasswordBody = z.strictObject({ message: z.string().check(z.maxLength(200)) });

/**
 * The caller as the gateway's authorizer describes it. Bounds are those of what the authorizer
 * passes (its context values), not of well-formed Cognito values.
 */
export const meBody = z.strictObject({
  sub: z.string().check(z.maxLength(2048)),
  authType: z.enum(['user', 'client', 'apiKey']),
  roles: z.array(z.string().check(z.maxLength(2048))).check(z.maxLength(1000)),
  scopes: z.array(z.string().check(z.maxLength(2048))).check(z.maxLength(1000)),
  apiKeyId: z.optional(z.string().check(z.maxLength(2048))),
  email: z.optional(z.string().check(z.maxLength(254))),
  emailVerified: z.optional(z.boolean()),
});

export const userRolesBody = z.strictObject({
  sub: z.string().check(z.maxLength(128)),
  roles: z.array(z.enum(ROLES)).check(z.maxLength(ROLES.length)),
});

const EXAMPLE_JWT = 'eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiI4YzFiIn0.c2lnbmF0dXJl';

export const TOKENS_EXAMPLE = {
  accessToken: EXAMPLE_JWT,
  idToken: EXAMPLE_JWT,
  refreshToken: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.cmVmcmVzaA',
  expiresIn: 3600,
  tokenType: 'Bearer',
};

export const ME_EXAMPLE = {
  sub: EXAMPLE_SUB,
  authType: 'user',
  roles: ['editor'],
  scopes: SCOPES.slice(0, 2),
  email: 'ada@example.com',
  emailVerified: true,
};
