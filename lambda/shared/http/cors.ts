import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { StatefulEvent } from './request-state';

/** Parsed CORS policy. Data-shaped so the API Gateway/CloudFront side can be built from the same values. */
export interface CorsConfig {
  /** Exact origins (`https://app.example.com`), or `['*']` for any origin (never with credentials). */
  readonly allowedOrigins: readonly string[];
  readonly allowCredentials: boolean;
  /** Response headers a browser script may read. */
  readonly exposeHeaders: readonly string[];
}

export const DEFAULT_EXPOSE_HEADERS: readonly string[] = [
  'ETag',
  'Retry-After',
  'Deprecation',
  'Sunset',
  'Link',
  'x-correlation-id',
];

/**
 * Reads the CORS policy from the function's environment: `CORS_ALLOWED_ORIGINS` (comma list; empty
 * or unset = no CORS headers at all) and `CORS_ALLOW_CREDENTIALS` (`true` to allow credentials).
 * Throws when `*` is combined with credentials: that would let any site make credentialed calls.
 */
export function corsConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CorsConfig {
  const allowedOrigins = (env.CORS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');
  const allowCredentials = (env.CORS_ALLOW_CREDENTIALS ?? '').trim().toLowerCase() === 'true';
  return validateCorsConfig({ allowedOrigins, allowCredentials, exposeHeaders: DEFAULT_EXPOSE_HEADERS });
}

export function validateCorsConfig(config: CorsConfig): CorsConfig {
  const wildcard = config.allowedOrigins.includes('*');
  if (wildcard && config.allowCredentials) {
    throw new Error(
      'CORS_ALLOWED_ORIGINS must list exact origins when CORS_ALLOW_CREDENTIALS is true, not "*"',
    );
  }
  if (wildcard && config.allowedOrigins.length > 1) {
    throw new Error('CORS_ALLOWED_ORIGINS is either "*" or a list of exact origins, not both');
  }
  for (const origin of config.allowedOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s*]+$/.test(origin)) {
      throw new Error(`CORS_ALLOWED_ORIGINS entry "${origin}" is not an origin like https://app.example.com`);
    }
  }
  return config;
}

export interface CorsOptions {
  readonly config?: CorsConfig;
}

/**
 * Step 3b: `Access-Control-Allow-Origin` for allowed origins on every response (errors too).
 *
 * Not `@middy/http-cors`: with `origins: ['*']` plus credentials it reflects ANY origin with
 * credentials allowed, and it `structuredClone`s the response headers on every request. Preflight
 * (OPTIONS) is answered by API Gateway, not by route handlers.
 */
export function corsMiddleware(opts: CorsOptions = {}): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const config = validateCorsConfig(opts.config ?? corsConfigFromEnv());
  const enabled = config.allowedOrigins.length > 0;
  const anyOrigin = config.allowedOrigins[0] === '*';
  const allowed = new Set(config.allowedOrigins);
  const exposeHeaders = config.exposeHeaders.join(', ');

  const corsAfter = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    const response = request.response;
    if (!enabled || response === null || response === undefined) return;
    const headers = (response.headers ??= {});
    if (anyOrigin) {
      headers['access-control-allow-origin'] = '*';
      headers['access-control-expose-headers'] = exposeHeaders;
      return;
    }
    // The answer depends on Origin: caches must key on it even when the origin is refused.
    const vary = headers['vary'];
    headers['vary'] = vary === undefined || vary === '' ? 'Origin' : `${vary}, Origin`;
    const origin = request.event.headers?.['origin'];
    if (origin === undefined || !allowed.has(origin)) return;
    headers['access-control-allow-origin'] = origin;
    headers['access-control-expose-headers'] = exposeHeaders;
    if (config.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  };

  return { after: corsAfter, onError: corsAfter };
}
