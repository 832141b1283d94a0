import type { GatewayMethod, RouteAccess } from './route';

/**
 * What the authorizer reads of a route: who may call which method and path (no schemas). A manifest
 * route is one entry; a mounted app gives one per rule and method (`ANY` for every method).
 */
export interface RouteAccessEntry {
  readonly method: GatewayMethod;
  /** With `{param}` (one segment) and `{param+}` (greedy) placeholders. */
  readonly path: string;
  readonly access: RouteAccess;
}

const PATH_PARAMETER = /\{[^}]+\}/g;

/**
 * `GET/api/v1/projects/*`: an entry as the tail of an execute-api method ARN, as IAM matches it
 * (each placeholder becomes `*`, which spans `/`; `ANY` becomes `*`).
 */
export function accessResource(entry: Pick<RouteAccessEntry, 'method' | 'path'>): string {
  return `${entry.method === 'ANY' ? '*' : entry.method}${entry.path.replace(PATH_PARAMETER, '*')}`;
}

/** An IAM resource pattern (`*` spans any characters, `/` included; `?` one) as an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

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
