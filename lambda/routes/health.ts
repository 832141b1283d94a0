import { defineRoute, type ManifestRoute } from '../shared/route';

/** Liveness and readiness. Part of the route manifest (`lambda/routes/index.ts`). */
export const healthRoutes = {
  health: defineRoute({
    id: 'health',
    method: 'GET',
    path: '/api/v1/health',
    handler: 'health/handler.ts',
    access: { public: true },
    capacityClass: 'health',
    timeoutMs: 2_000,
  }),
  healthReady: defineRoute({
    id: 'healthReady',
    needs: ['database', 'queueStatus'],
    method: 'GET',
    path: '/api/v1/health/ready',
    handler: 'health-ready/handler.ts',
    access: { public: true },
    capacityClass: 'readiness',
    timeoutMs: 5_000,
  }),
  healthDetails: defineRoute({
    id: 'healthDetails',
    needs: ['database', 'queueStatus'],
    method: 'GET',
    path: '/api/v1/health/details',
    handler: 'health-details/handler.ts',
    access: { roles: ['admin'], scopes: ['rampart/admin'] },
    capacityClass: 'read',
    timeoutMs: 5_000,
  }),
} as const satisfies Record<string, ManifestRoute>;
