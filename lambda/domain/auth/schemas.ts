import * as z from 'zod/mini';
import { ROLES } from '../../shared/access';

/** Request schemas of the auth routes (zod/mini). */

const email = z.string().check(z.trim(), z.minLength(3), z.maxLength(254), z.regex(/^[^\s@]+@[^\s@]+$/));
const password = z.string().check(z.minLength(1), z.maxLength(256));
const token = z.string().check(z.minLength(1), z.maxLength(8192));

export const loginSchema = z.strictObject({ email, password });

export const challengeSchema = z.strictObject({
  email,
  session: z.string().check(z.minLength(1), z.maxLength(4096)),
  challengeName: z.enum(['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP']),
  /** The new password for NEW_PASSWORD_REQUIRED. */
  newPassword: z.optional(password),
  /** The 6-digit TOTP code for SOFTWARE_TOKEN_MFA. */
  code: z.optional(z.string().check(z.maxLength(6), z.regex(/^\d{6}$/))),
});

export const refreshSchema = z.strictObject({
  refreshToken: token,
  /** The user's `sub` (from the ID token), required by Cognito's SECRET_HASH on refresh. */
  sub: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

export const logoutSchema = z.strictObject({ refreshToken: token });

export const forgotPasswordSchema = z.strictObject({ email });

export const confirmPasswordSchema = z.strictObject({
  email,
  code: z.string().check(z.maxLength(8), z.regex(/^\d{4,8}$/)),
  newPassword: password,
});

export const userSubSchema = z.strictObject({
  sub: z.string().check(z.maxLength(128), z.regex(/^[A-Za-z0-9-]{1,128}$/)),
});

export const setRolesSchema = z.strictObject({
  roles: z.array(z.enum(ROLES)).check(z.maxLength(ROLES.length)),
});
