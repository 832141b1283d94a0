import {
  livenessBody,
  READINESS_DETAILS_EXAMPLE,
  readinessBody,
  readinessDetailsBody,
} from './responses/health';
import { defineRoute, type DeclaredRoute } from '../shared/route';

/** Liveness and readiness. Part of the route manifest (`lambda/routes/index.ts`). */
export const healthRoutes = {
  health: defineRoute({
    id: 'health',
    summary: 'Liveness',
    description: 'Answers without touching any dependency: the function runs.',
    responses: {
      success: { 200: { description: 'The function runs.', body: livenessBody, example: { status: 'ok' } } },
    },
    method: 'GET',
    path: '/api/v1/health',
    handler: 'health/handler.ts',
    access: { public: true },
    capacityClass: 'health',
    timeoutMs: 2_000,
  }),
  healthReady: defineRoute({
    id: 'healthReady',
    summary: 'Readiness',
    description: 'The overall state of the dependencies (database, queue, worker); details are admin-only.',
    responses: {
      success: {
        200: { description: 'Ready (`ok`) or degraded.', body: readinessBody, example: { status: 'ok' } },
        503: { description: 'A dependency is down.', body: readinessBody, example: { status: 'down' } },
      },
    },
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
    summary: 'Readiness with details',
    description: 'Each check with its latency, the worker’s last heartbeat and the circuit breakers.',
    responses: {
      success: {
        200: {
          description: 'Ready or degraded.',
          body: readinessDetailsBody,
          example: READINESS_DETAILS_EXAMPLE,
        },
        503: {
          description: 'A dependency is down.',
          body: readinessDetailsBody,
          example: { ...READINESS_DETAILS_EXAMPLE, status: 'down' },
        },
      },
    },
    needs: ['database', 'queueStatus'],
    method: 'GET',
    path: '/api/v1/health/details',
    handler: 'health-details/handler.ts',
    access: { roles: ['admin'], scopes: ['rampart/admin'] },
    capacityClass: 'read',
    timeoutMs: 5_000,
  }),
} as const satisfies Record<string, DeclaredRoute>;
