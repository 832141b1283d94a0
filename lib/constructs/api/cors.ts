/** Request headers browsers may send cross-origin (preflight `Access-Control-Allow-Headers`). */
export const CORS_REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'If-None-Match',
  'X-Correlation-Id',
];

/** Response headers browsers may read cross-origin. */
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'RateLimit-Policy',
  'X-Correlation-Id',
];
