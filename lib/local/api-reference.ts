import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { securityHeaderValues } from '../../lambda/shared/security-headers';

/** Where the local stack serves the API's contract and its reference (local mode only). */
export const API_REFERENCE_PATHS = {
  document: '/api/v1/openapi.json',
  page: '/api/v1/docs',
  script: '/api/v1/docs/redoc.standalone.js',
} as const;

/**
 * The reference page may run Redoc's script from this origin and nothing else: no CDN, no fonts
 * from elsewhere, no frames. Redoc styles with inline `<style>` and searches in a blob worker.
 */
export const API_REFERENCE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function page(): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Rampart API reference</title>',
    '</head>',
    '<body>',
    `<redoc spec-url="${API_REFERENCE_PATHS.document}" hide-download-button="false"></redoc>`,
    `<script src="${API_REFERENCE_PATHS.script}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * A request listener for the contract (`GET /api/v1/openapi.json`, the committed
 * docs/api/openapi.json) and a browsable reference (`GET /api/v1/docs`, Redoc from node_modules, so
 * it works offline). Answers `true` when it served the request; everything else goes to the gateway.
 * Files are read per request: `npm run openapi` shows up without a restart.
 */
export function apiReferenceListener(
  rootDir: string,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const files: Record<string, { file: string; type: string } | { html: () => string }> = {
    [API_REFERENCE_PATHS.document]: {
      file: path.join(rootDir, 'docs/api/openapi.json'),
      type: 'application/json',
    },
    [API_REFERENCE_PATHS.script]: {
      file: require.resolve('redoc/bundles/redoc.standalone.js', { paths: [rootDir] }),
      type: 'text/javascript; charset=utf-8',
    },
    [API_REFERENCE_PATHS.page]: { html: page },
  };
  return (request, response) => {
    const pathname = (request.url ?? '').split('?')[0];
    const served = files[pathname];
    if (served === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    const body = 'html' in served ? served.html() : readFileSync(served.file);
    response.writeHead(200, {
      ...securityHeaderValues(),
      'content-type': 'html' in served ? 'text/html; charset=utf-8' : served.type,
      'content-security-policy': API_REFERENCE_CSP,
      'cache-control': 'no-cache',
      'content-length': String(Buffer.byteLength(body)),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  };
}
