import type { DeclaredRoute } from '../shared/route';
import { apiKeyRoutes } from './api-keys';
import { authRoutes } from './auth';
import { healthRoutes } from './health';
import { projectRoutes } from './projects';

/**
 * The route manifest: every API route, declared once. API Gateway methods, the authorizer's
 * policy, per-route alarms, the OpenAPI description, the local server and each handler's
 * wrapper are all built from it. Adding a route is one entry in its area's file plus one
 * `lambda/functions/<dir>/handler.ts`. Handlers import their area's file, not this index, so a
 * bundle carries only the schemas it validates with.
 */
export const routes = {
  ...healthRoutes,
  ...projectRoutes,
  ...authRoutes,
  ...apiKeyRoutes,
} as const satisfies Record<string, DeclaredRoute>;

export type RouteId = keyof typeof routes;

/** Every route, in declaration order. */
export const ROUTES: readonly DeclaredRoute[] = Object.values(routes);
