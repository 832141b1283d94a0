import { mountAccessEntries, mountedMethod, type MountedMethod } from '../shared/mount-access';
import type { DeclaredRoute, MountDefinition } from '../shared/route';
import type { RouteAccessEntry } from '../shared/route-access';
import { apiKeyRoutes } from './api-keys';
import { authRoutes } from './auth';
import { healthRoutes } from './health';
import { projectRoutes } from './projects';
import { shopMounts, shopRoutes } from './shop';

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
  ...shopRoutes,
} as const satisfies Record<string, DeclaredRoute>;

export type RouteId = keyof typeof routes;

/** Every route, in declaration order. */
export const ROUTES: readonly DeclaredRoute[] = Object.values(routes);

/**
 * Mounted apps: existing web applications serving a whole prefix (`ANY {prefix}/{proxy+}`) behind the
 * same gateway, authorizer and wrapper. A route above under the same prefix takes precedence.
 */
export const mounts = {
  ...shopMounts,
} as const satisfies Record<string, MountDefinition>;

/** Every mount, in declaration order. */
export const MOUNTS: readonly MountDefinition[] = Object.values(mounts);

/** What the authorizer's policy is built from: every route, and every rule of every mount. */
export const ACCESS_ENTRIES: readonly RouteAccessEntry[] = [...ROUTES, ...MOUNTS.flatMap(mountAccessEntries)];

/** Every gateway method with its own throttle, function and alarms: each route, and each mount's `ANY`. */
export const GATEWAY_METHODS: readonly (DeclaredRoute | MountedMethod)[] = [
  ...ROUTES,
  ...MOUNTS.map(mountedMethod),
];
