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
import { defineRoute, type ManifestRoute } from '../shared/route';

const ANY_ROLE = ['admin', 'editor', 'viewer'] as const;

/**
 * Login, tokens, password reset, the caller and role management. Part of the route manifest
 * (`lambda/routes/index.ts`). Auth routes are public but abuse-prone: their capacity classes get
 * tight method throttles, and the edge web ACL adds a per-IP limit on `/api/v1/auth/*`.
 */
export const authRoutes = {
  login: defineRoute({
    id: 'login',
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
    needs: ['directoryRead'],
    method: 'GET',
    path: '/api/v1/me',
    handler: 'me/handler.ts',
    access: { roles: ANY_ROLE, scopes: ['rampart/read'] },
    capacityClass: 'directory',
  }),
  setUserRoles: defineRoute({
    id: 'setUserRoles',
    needs: ['directoryAdmin'],
    method: 'PUT',
    path: '/api/v1/users/{sub}/roles',
    handler: 'users-roles/handler.ts',
    access: { roles: ['admin'], scopes: [] },
    schemas: { path: userSubSchema, body: setRolesSchema },
    bodyLimitBytes: 1_024,
    capacityClass: 'admin',
  }),
} as const satisfies Record<string, ManifestRoute>;
