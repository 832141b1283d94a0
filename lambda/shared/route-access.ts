import type { RouteDefinition } from './route';

/** What the authorizer reads of a route: who may call which method and path (no schemas). */
export type RouteAccessEntry = Pick<RouteDefinition, 'method' | 'path' | 'access'>;

/**
 * The global identifier esbuild replaces with the route manifest's access table in a bundle that
 * asks for it (`FUNCTION_BUNDLING_EXTRAS` in lib/constructs/compute/bundling.ts: the authorizer).
 */
export const ROUTE_ACCESS_GLOBAL = '__RAMPART_ROUTE_ACCESS__';

declare const __RAMPART_ROUTE_ACCESS__: readonly RouteAccessEntry[] | undefined;

/** esbuild's `define` for {@link ROUTE_ACCESS_GLOBAL}: `routes` reduced to their entries, as JSON. */
export function routeAccessDefine(routes: readonly RouteAccessEntry[]): Record<string, string> {
  const entries = routes.map(({ method, path, access }) => ({ method, path, access }));
  return { [ROUTE_ACCESS_GLOBAL]: JSON.stringify(entries) };
}

/** The access table compiled into this bundle, or `undefined` when running from source. */
export function compiledRouteAccess(): readonly RouteAccessEntry[] | undefined {
  return typeof __RAMPART_ROUTE_ACCESS__ === 'undefined' ? undefined : __RAMPART_ROUTE_ACCESS__;
}
