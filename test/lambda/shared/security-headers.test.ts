import {
  hstsValue,
  removedHeaderNames,
  SECURITY_HEADERS,
  securityHeaderValues,
} from '../../../lambda/shared/security-headers';

/**
 * The values below are written out as a security reviewer expects them (OWASP Secure Headers
 * Project, HSTS preload list requirements), not read back from the definition: changing a header
 * means changing this file on purpose.
 */
const EXPECTED_PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), ' +
  'microphone=(), payment=(), usb=()';

describe('security headers definition', () => {
  const headers = securityHeaderValues();

  it('sends exactly these headers on every response, names lower-case', () => {
    expect(headers).toEqual({
      'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-xss-protection': '0',
      'permissions-policy': EXPECTED_PERMISSIONS_POLICY,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
  });

  it('meets the HSTS preload list: max-age of at least a year, includeSubDomains, preload', () => {
    const directives = headers['strict-transport-security'].split('; ');
    expect(Number(directives[0].replace('max-age=', ''))).toBeGreaterThanOrEqual(31_536_000);
    expect(directives.slice(1)).toEqual(['includeSubDomains', 'preload']);
  });

  it('grants no origin any powerful feature in Permissions-Policy', () => {
    const directives = headers['permissions-policy'].split(', ').map((directive) => directive.split('='));
    expect(directives.map(([feature]) => feature)).toEqual(
      expect.arrayContaining(['camera', 'microphone', 'geolocation', 'payment', 'usb', 'display-capture']),
    );
    // `()` is the empty allowlist: not even this origin may use the feature.
    for (const [feature, allowlist] of directives)
      expect({ feature, allowlist }).toEqual({ feature, allowlist: '()' });
  });

  it('removes Server and X-Powered-By', () => {
    expect(removedHeaderNames()).toEqual(['server', 'x-powered-by']);
  });

  it('gives CloudFront plain data with the same values, field by field', () => {
    // What the ResponseHeadersPolicy maps: JSON-safe (no functions, no CDK types) and equal to the
    // values above in CloudFront's own shapes.
    expect(JSON.parse(JSON.stringify(SECURITY_HEADERS))).toEqual({
      strictTransportSecurity: { maxAgeSeconds: 63_072_000, includeSubDomains: true, preload: true },
      frameOptions: 'DENY',
      contentTypeOptions: 'nosniff',
      referrerPolicy: 'no-referrer',
      contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
      xssProtection: { protection: false },
      customHeaders: {
        'Permissions-Policy': EXPECTED_PERMISSIONS_POLICY,
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
      removeHeaders: ['Server', 'X-Powered-By'],
    });
  });

  it('renders HSTS and X-XSS-Protection from any definition', () => {
    expect(hstsValue({ maxAgeSeconds: 31_536_000, includeSubDomains: false, preload: false } as never)).toBe(
      'max-age=31536000',
    );
    expect(hstsValue({ maxAgeSeconds: 600, includeSubDomains: true, preload: false } as never)).toBe(
      'max-age=600; includeSubDomains',
    );
    const legacy = securityHeaderValues({
      ...SECURITY_HEADERS,
      xssProtection: { protection: true },
    } as never);
    expect(legacy['x-xss-protection']).toBe('1; mode=block');
  });

  it('returns a frozen map so no request can alter it', () => {
    expect(Object.isFrozen(headers)).toBe(true);
    expect(() => {
      (headers as Record<string, string>)['x-frame-options'] = 'SAMEORIGIN';
    }).toThrow(TypeError);
  });
});
