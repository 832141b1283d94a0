import fc from 'fast-check';
import {
  decimalGreaterThanRegex,
  ruleAction,
  wafProblemBody,
} from '../../../../lib/constructs/edge/waf-rules';
import { ERROR_CATALOGUE } from '../../../../lambda/shared/errors';

describe('decimalGreaterThanRegex (Content-Length against the body limit)', () => {
  test('matches exactly the decimal strings whose value exceeds the limit (with or without leading zeros)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 100_000_000 }),
        fc.nat({ max: 200_000_000 }),
        fc.nat({ max: 3 }),
        (limit, value, zeros) => {
          const regex = new RegExp(decimalGreaterThanRegex(limit));
          expect(regex.test('0'.repeat(zeros) + String(value))).toBe(value > limit);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('boundaries of the API limit (1 MiB) and garbage', () => {
    const regex = new RegExp(decimalGreaterThanRegex(1_048_576));
    expect(regex.test('1048576')).toBe(false);
    expect(regex.test('1048577')).toBe(true);
    expect(regex.test('99999999999999999999')).toBe(true);
    expect(regex.test('')).toBe(false);
    expect(regex.test('12a')).toBe(false);
    expect(regex.test('-5')).toBe(false);
    expect(decimalGreaterThanRegex(1_048_576).length).toBeLessThanOrEqual(200);
  });

  test('refuses limits that are not non-negative integers', () => {
    expect(() => decimalGreaterThanRegex(-1)).toThrow(/not a non-negative integer/);
    expect(() => decimalGreaterThanRegex(1.5)).toThrow(/not a non-negative integer/);
  });
});

describe('problem bodies and actions', () => {
  test('bodies use the error catalogue (code, status, title)', () => {
    for (const [key, code] of [
      ['RateLimited', 'RATE_LIMITED'],
      ['PayloadTooLarge', 'PAYLOAD_TOO_LARGE'],
      ['Forbidden', 'FORBIDDEN'],
    ] as const) {
      const body = JSON.parse(wafProblemBody(key).content) as Record<string, unknown>;
      expect(body).toEqual({
        type: `https://docs.rampart.dev/errors#${code}`,
        title: ERROR_CATALOGUE[code].title,
        status: ERROR_CATALOGUE[code].status,
        detail: expect.stringContaining('web application firewall'),
        code,
      });
    }
  });

  test('count mode counts; block mode answers with the body, status and headers', () => {
    expect(ruleAction('count', 'RateLimited', { 'Retry-After': '60' })).toEqual({ count: {} });
    expect(ruleAction('block', 'RateLimited', { 'Retry-After': '60' })).toEqual({
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: 'RateLimited',
          responseHeaders: [{ name: 'Retry-After', value: '60' }],
        },
      },
    });
  });
});
