/**
 * THE definition of Rampart's response security headers, as plain data.
 *
 * Two consumers read it field by field:
 * - the CloudFront `ResponseHeadersPolicy` (CDK): `strictTransportSecurity`, `frameOptions`,
 *   `contentTypeOptions`, `referrerPolicy`, `contentSecurityPolicy` and `xssProtection` map onto
 *   `securityHeadersBehavior`; `customHeaders` onto `customHeadersBehavior`; `removeHeaders` onto
 *   `removeHeaders`;
 * - the Lambda handler wrapper, through {@link securityHeaderValues}, so local mode and direct calls
 *   carry the same headers as responses served through CloudFront.
 *
 * No CDK import here: Lambda bundles must not pull in aws-cdk-lib.
 */
export const SECURITY_HEADERS = {
  /** Two years: the HSTS preload list requires at least one year plus includeSubDomains and preload. */
  strictTransportSecurity: { maxAgeSeconds: 63_072_000, includeSubDomains: true, preload: true },
  /** An API response never belongs in a frame. */
  frameOptions: 'DENY',
  contentTypeOptions: 'nosniff',
  /** Nothing about API URLs (which carry ids) should leak to other sites. */
  referrerPolicy: 'no-referrer',
  /** JSON responses load nothing and may not be framed. */
  contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
  /**
   * OWASP: disable the legacy XSS auditor (`X-XSS-Protection: 0`); it introduced leaks of its own
   * and CSP replaces it. CloudFront: `xssProtection: { protection: false }`.
   */
  xssProtection: { protection: false },
  /** Headers CloudFront sets through `customHeadersBehavior` (it has no first-class field for them). */
  customHeaders: {
    'Permissions-Policy':
      'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), ' +
      'microphone=(), payment=(), usb=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  },
  /** Headers that reveal the server stack; removed from every response. */
  removeHeaders: ['Server', 'X-Powered-By'],
} as const;

export type SecurityHeadersDefinition = typeof SECURITY_HEADERS;

/** Renders the `Strict-Transport-Security` value of a definition. */
export function hstsValue(hsts: SecurityHeadersDefinition['strictTransportSecurity']): string {
  let value = `max-age=${hsts.maxAgeSeconds}`;
  if (hsts.includeSubDomains) value += '; includeSubDomains';
  if (hsts.preload) value += '; preload';
  return value;
}

/**
 * The header name -> value map the handler wrapper sets on every response (success and error).
 * Names are lower-case, as HTTP/2 sends them and as API Gateway passes them through.
 * Returns a new frozen object each call; the wrapper calls it once per `api()` and reuses it.
 */
export function securityHeaderValues(
  definition: SecurityHeadersDefinition = SECURITY_HEADERS,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {
    'strict-transport-security': hstsValue(definition.strictTransportSecurity),
    'x-frame-options': definition.frameOptions,
    'x-content-type-options': definition.contentTypeOptions,
    'referrer-policy': definition.referrerPolicy,
    'content-security-policy': definition.contentSecurityPolicy,
    'x-xss-protection': definition.xssProtection.protection ? '1; mode=block' : '0',
  };
  for (const [name, value] of Object.entries(definition.customHeaders)) {
    headers[name.toLowerCase()] = value;
  }
  return Object.freeze(headers);
}

/** Lower-case names of the headers the wrapper deletes from every response. */
export function removedHeaderNames(
  definition: SecurityHeadersDefinition = SECURITY_HEADERS,
): readonly string[] {
  return definition.removeHeaders.map((name) => name.toLowerCase());
}
