import {
  hstsValue,
  removedHeaderNames,
  SECURITY_HEADERS,
  securityHeaderValues,
} from '../../../lambda/shared/security-headers';

describe('security headers definition', () => {
  const headers = securityHeaderValues();

  it('sets HSTS for at least a year with includeSubDomains and preload', () => {
    const hsts = headers['strict-transport-security'];
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(31_536_000);
    expect(hsts).toContain('; includeSubDomains');
    expect(hsts).toContain('; preload');
  });

  it('sets the exact values the wrapper and CloudFront must agree on', () => {
    expect(headers).toEqual({
      'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-xss-protection': '0',
      'permissions-policy': SECURITY_HEADERS.customHeaders['Permissions-Policy'],
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
  });

  it('uses a referrer policy that leaks no path', () => {
    expect(['no-referrer', 'strict-origin-when-cross-origin']).toContain(headers['referrer-policy']);
  });

  it('denies powerful features in Permissions-Policy', () => {
    for (const feature of ['camera', 'microphone', 'geolocation', 'payment']) {
      expect(headers['permissions-policy']).toContain(`${feature}=()`);
    }
  });

  it('removes Server and X-Powered-By', () => {
    expect(removedHeaderNames()).toEqual(['server', 'x-powered-by']);
  });

  it('is plain data a CDK construct can map field by field', () => {
    expect(JSON.parse(JSON.stringify(SECURITY_HEADERS))).toEqual(SECURITY_HEADERS);
    expect(SECURITY_HEADERS.xssProtection).toEqual({ protection: false });
    expect(SECURITY_HEADERS.frameOptions).toBe('DENY');
  });

  it('renders HSTS from the definition', () => {
    expect(hstsValue({ maxAgeSeconds: 31_536_000, includeSubDomains: false, preload: false } as never)).toBe(
      'max-age=31536000',
    );
  });

  it('returns a frozen map so no request can alter it', () => {
    expect(Object.isFrozen(headers)).toBe(true);
  });
});
