import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  removedHeaderNames,
  SECURITY_HEADERS,
  securityHeaderValues,
  type SecurityHeadersDefinition,
} from '../security-headers';

export interface SecurityHeadersOptions {
  readonly definition?: SecurityHeadersDefinition;
}

const defaults = { definition: SECURITY_HEADERS };

/**
 * Step 3: sets the shared security headers on every response, success or error (its onError runs
 * after the error handler built the problem response), and removes stack-revealing headers.
 *
 * Not `@middy/http-security-headers`: its values differ from ours (HSTS 180 days, X-XSS-Protection
 * `1; mode=block`, CSP/COOP/X-Frame-Options only for text/html) and it rebuilds each header config
 * per request; ours is one precomputed map from the definition CloudFront also uses.
 */
export function securityHeadersMiddleware(
  opts: SecurityHeadersOptions = {},
): MiddlewareObj<unknown, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };
  const headerValues = securityHeaderValues(options.definition);
  const removed = removedHeaderNames(options.definition);

  const securityHeadersAfter = (request: Request<unknown, APIGatewayProxyResult>): void => {
    const response = request.response;
    if (response === null || response === undefined) return;
    const headers = (response.headers ??= {});
    for (const name of removed) {
      if (name in headers) delete headers[name];
    }
    Object.assign(headers, headerValues);
  };

  return { after: securityHeadersAfter, onError: securityHeadersAfter };
}
