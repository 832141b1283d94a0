import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { GatewayMethod, RouteDefinition } from '../route';

/** `Cache-Control` for a successful read of the route, per its access and `cacheTtlSeconds`. */
export function cacheControlFor(route: Pick<RouteDefinition, 'access' | 'cacheTtlSeconds'>): string {
  const ttl = route.cacheTtlSeconds ?? 0;
  if (!(ttl > 0)) return 'no-store';
  return route.access.public === true
    ? `public, max-age=${Math.floor(ttl)}`
    : `private, max-age=${Math.floor(ttl)}`;
}

/**
 * `Deprecation` (RFC 9745: `@<unix seconds>`), `Sunset` (RFC 8594: HTTP-date) and
 * `Link: <url>; rel="deprecation"` for a deprecated route; empty otherwise.
 */
export function deprecationHeaders(
  deprecation: RouteDefinition['deprecation'],
): Readonly<Record<string, string>> {
  if (deprecation === undefined) return {};
  const since = Date.parse(deprecation.since);
  const sunset = Date.parse(deprecation.sunset);
  if (Number.isNaN(since) || Number.isNaN(sunset)) {
    throw new Error(
      `route deprecation dates must be ISO 8601: since=${deprecation.since} sunset=${deprecation.sunset}`,
    );
  }
  const headers: Record<string, string> = {
    deprecation: `@${Math.floor(since / 1000)}`,
    sunset: new Date(sunset).toUTCString(),
  };
  if (deprecation.link !== undefined) headers['link'] = `<${deprecation.link}>; rel="deprecation"`;
  return Object.freeze(headers);
}

export interface RouteHeadersOptions {
  /** A mounted app's method is `ANY`: never a cacheable GET. */
  readonly route: Pick<RouteDefinition, 'access' | 'cacheTtlSeconds' | 'deprecation'> & {
    readonly method: GatewayMethod;
  };
}

/**
 * Step 8b: `Cache-Control` on every response (cacheable only for 200/304 answers to a GET route with a
 * TTL; errors and writes are `no-store`) and the deprecation headers, errors included. A handler that
 * set its own `cache-control` keeps it on success. All values are computed once per `api()`.
 */
export function routeHeadersMiddleware(
  opts: RouteHeadersOptions,
): MiddlewareObj<unknown, APIGatewayProxyResult> {
  const options = { ...opts };
  const { route } = options;
  const readCacheControl = route.method === 'GET' ? cacheControlFor(route) : 'no-store';
  const deprecation = deprecationHeaders(route.deprecation);
  const hasDeprecation = route.deprecation !== undefined;

  const routeHeadersAfter = (request: Request<unknown, APIGatewayProxyResult>): void => {
    const response = request.response;
    if (response === null || response === undefined) return;
    const headers = (response.headers ??= {});
    if (headers['cache-control'] === undefined) {
      const status = response.statusCode;
      headers['cache-control'] = status === 200 || status === 304 ? readCacheControl : 'no-store';
    }
    if (hasDeprecation) Object.assign(headers, deprecation);
  };

  const routeHeadersOnError = (request: Request<unknown, APIGatewayProxyResult>): void => {
    const response = request.response;
    if (response === null || response === undefined) return;
    const headers = (response.headers ??= {});
    headers['cache-control'] = 'no-store';
    if (hasDeprecation) Object.assign(headers, deprecation);
  };

  return { after: routeHeadersAfter, onError: routeHeadersOnError };
}
