import { compiledRouteAccess, type RouteAccessEntry } from '../shared/route-access';

/**
 * The route manifest as the authorizer reads it: method, path and access of every route.
 *
 * Deployed, that table is compiled into the authorizer's bundle as data (`routeAccessDefine` at
 * bundling), so its init never evaluates the manifest's request schemas and zod, which it does
 * not use: they were a quarter of its cold start. From source (tests, local mode), and in a bundle
 * built without the table, it is the manifest itself.
 */
export function authorizerRoutes(): readonly RouteAccessEntry[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return compiledRouteAccess() ?? (require('./index') as typeof import('./index')).ACCESS_ENTRIES;
}
