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
import { defineRoute, type RouteDefinition } from '../shared/route';

/** Auth routes are public but abuse-prone: tight per-method throttles (WAF adds per-IP limits). */
const AUTH_THROTTLE = { rateLimit: 10, burstLimit: 20 } as const;
const ANY_ROLE = ['admin', 'editor', 'viewer'] as const;

/** Login, tokens, password reset, the caller and role management. Part of the route manifest (`lambda/routes/index.ts`). */
export const authRoutes = {
  login: defineRoute({
    id: 'login',
    method: 'POST',
    path: '/api/v1/auth/login',
    handler: 'auth-login/handler.ts',
    access: { public: true },
    schemas: { body: loginSchema },
    bodyLimitBytes: 4_096,
    throttle: AUTH_THROTTLE,
  }),
  challenge: defineRoute({
    id: 'challenge',
    method: 'POST',
    path: '/api/v1/auth/challenge',
    handler: 'auth-challenge/handler.ts',
    access: { public: true },
    schemas: { body: challengeSchema },
    bodyLimitBytes: 8_192,
    throttle: AUTH_THROTTLE,
  }),
  refresh: defineRoute({
    id: 'refresh',
    method: 'POST',
    path: '/api/v1/auth/refresh',
    handler: 'auth-refresh/handler.ts',
    access: { public: true },
    schemas: { body: refreshSchema },
    bodyLimitBytes: 16_384,
    throttle: AUTH_THROTTLE,
  }),
  logout: defineRoute({
    id: 'logout',
    method: 'POST',
    path: '/api/v1/auth/logout',
    handler: 'auth-logout/handler.ts',
    access: { public: true },
    schemas: { body: logoutSchema },
    bodyLimitBytes: 16_384,
    throttle: AUTH_THROTTLE,
  }),
  forgotPassword: defineRoute({
    id: 'forgotPassword',
    method: 'POST',
    path: '/api/v1/auth/password/forgot',
    handler: 'auth-password-forgot/handler.ts',
    access: { public: true },
    schemas: { body: forgotPasswordSchema },
    bodyLimitBytes: 1_024,
    throttle: { rateLimit: 2, burstLimit: 5 },
  }),
  confirmPassword: defineRoute({
    id: 'confirmPassword',
    method: 'POST',
    path: '/api/v1/auth/password/confirm',
    handler: 'auth-password-confirm/handler.ts',
    access: { public: true },
    schemas: { body: confirmPasswordSchema },
    bodyLimitBytes: 2_048,
    throttle: AUTH_THROTTLE,
  }),
  me: defineRoute({
    id: 'me',
    method: 'GET',
    path: '/api/v1/me',
    handler: 'me/handler.ts',
    access: { roles: ANY_ROLE, scopes: ['rampart/read'] },
  }),
  setUserRoles: defineRoute({
    id: 'setUserRoles',
    method: 'PUT',
    path: '/api/v1/users/{sub}/roles',
    handler: 'users-roles/handler.ts',
    access: { roles: ['admin'], scopes: [] },
    schemas: { path: userSubSchema, body: setRolesSchema },
    bodyLimitBytes: 1_024,
  }),
} as const satisfies Record<string, RouteDefinition>;
