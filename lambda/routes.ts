import {
  createProjectSchema,
  listProjectsQuerySchema,
  projectIdSchema,
  updateProjectSchema,
} from './domain/projects/schemas';
import { apiKeyIdSchema, createApiKeySchema, usageQuerySchema } from './domain/api-keys/schemas';
import {
  challengeSchema,
  confirmPasswordSchema,
  forgotPasswordSchema,
  loginSchema,
  logoutSchema,
  refreshSchema,
  setRolesSchema,
  userSubSchema,
} from './domain/auth/schemas';
import { defineRoute, type RouteDefinition } from './shared/route';

/** Auth routes are public but abuse-prone: tight per-method throttles (WAF adds per-IP limits). */
const AUTH_THROTTLE = { rateLimit: 10, burstLimit: 20 } as const;
const ANY_ROLE = ['admin', 'editor', 'viewer'] as const;

/**
 * The route manifest: every API route, declared once. API Gateway methods, the authorizer's
 * policy, per-route alarms, the OpenAPI description, the local server and each handler's
 * wrapper are all built from this object. Adding a route is one entry here plus one
 * `lambda/functions/<dir>/handler.ts` file.
 */
export const routes = {
  health: defineRoute({
    id: 'health',
    method: 'GET',
    path: '/api/v1/health',
    handler: 'health/handler.ts',
    access: { public: true },
    throttle: { rateLimit: 50, burstLimit: 100 },
    timeoutMs: 2_000,
  }),
  healthReady: defineRoute({
    id: 'healthReady',
    method: 'GET',
    path: '/api/v1/health/ready',
    handler: 'health-ready/handler.ts',
    access: { public: true },
    throttle: { rateLimit: 20, burstLimit: 40 },
    timeoutMs: 5_000,
  }),
  healthDetails: defineRoute({
    id: 'healthDetails',
    method: 'GET',
    path: '/api/v1/health/details',
    handler: 'health-details/handler.ts',
    access: { roles: ['admin'], scopes: ['rampart/admin'] },
    timeoutMs: 5_000,
  }),
  listProjects: defineRoute({
    id: 'listProjects',
    method: 'GET',
    path: '/api/v1/projects',
    handler: 'projects-list/handler.ts',
    access: { roles: ['admin', 'editor', 'viewer'], scopes: ['rampart/read'] },
    schemas: { query: listProjectsQuerySchema },
  }),
  getProject: defineRoute({
    id: 'getProject',
    method: 'GET',
    path: '/api/v1/projects/{id}',
    handler: 'projects-get/handler.ts',
    access: { roles: ['admin', 'editor', 'viewer'], scopes: ['rampart/read'] },
    schemas: { path: projectIdSchema },
  }),
  createProject: defineRoute({
    id: 'createProject',
    method: 'POST',
    path: '/api/v1/projects',
    handler: 'projects-create/handler.ts',
    access: { roles: ['admin', 'editor'], scopes: ['rampart/write'] },
    schemas: { body: createProjectSchema },
    bodyLimitBytes: 16_384,
    idempotent: true,
    throttle: { rateLimit: 20, burstLimit: 40 },
  }),
  updateProject: defineRoute({
    id: 'updateProject',
    method: 'PATCH',
    path: '/api/v1/projects/{id}',
    handler: 'projects-update/handler.ts',
    access: { roles: ['admin', 'editor'], scopes: ['rampart/write'] },
    schemas: { path: projectIdSchema, body: updateProjectSchema },
    bodyLimitBytes: 16_384,
    conditionalUpdate: true,
  }),
  deleteProject: defineRoute({
    id: 'deleteProject',
    method: 'DELETE',
    path: '/api/v1/projects/{id}',
    handler: 'projects-delete/handler.ts',
    access: { roles: ['admin'], scopes: ['rampart/admin'] },
    schemas: { path: projectIdSchema },
  }),
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
  createApiKey: defineRoute({
    id: 'createApiKey',
    method: 'POST',
    path: '/api/v1/api-keys',
    handler: 'api-keys-create/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { body: createApiKeySchema },
    bodyLimitBytes: 2_048,
    idempotent: true,
  }),
  listApiKeys: defineRoute({
    id: 'listApiKeys',
    method: 'GET',
    path: '/api/v1/api-keys',
    handler: 'api-keys-list/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
  }),
  rotateApiKey: defineRoute({
    id: 'rotateApiKey',
    method: 'POST',
    path: '/api/v1/api-keys/{id}/rotate',
    handler: 'api-keys-rotate/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { path: apiKeyIdSchema },
  }),
  revokeApiKey: defineRoute({
    id: 'revokeApiKey',
    method: 'DELETE',
    path: '/api/v1/api-keys/{id}',
    handler: 'api-keys-revoke/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { path: apiKeyIdSchema },
  }),
  apiKeyUsage: defineRoute({
    id: 'apiKeyUsage',
    method: 'GET',
    path: '/api/v1/api-keys/{id}/usage',
    handler: 'api-keys-usage/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { path: apiKeyIdSchema, query: usageQuerySchema },
  }),
} as const satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof routes;

/** Every route, in declaration order. */
export const ROUTES: readonly RouteDefinition[] = Object.values(routes);
