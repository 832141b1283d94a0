import fc from 'fast-check';
import { AppError } from '../../../lambda/shared/errors';
import {
  assertSafeName,
  assertSafePathParameters,
  isUnsafeName,
  MAX_DEPTH,
  sanitizeBody,
  sanitizeQuery,
  sanitizeRichText,
  stripHtml,
} from '../../../lambda/shared/sanitize';

const TAG_LIKE = /<[a-zA-Z!/?]/;

function unsafeErrorOf(fn: () => unknown): AppError | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error : undefined;
  }
  return undefined;
}

describe('stripHtml (plain-text profile)', () => {
  it.each([
    ['hi <b>there</b>', 'hi there'],
    ['<script>alert(1)</script>ok', 'ok'],
    ['<style>body{}</style>ok', 'ok'],
    ['<img src=x onerror=alert(1)>', ''],
    ['<scr<script>ipt>alert(1)</script>', ''],
    ['<<script>script>alert(1)<</script>/script>', ''],
    ['<a href="javascript:alert(1)">x</a>', 'x'],
  ])('%j -> %j', (input, expected) => {
    expect(stripHtml(input)).toBe(expected);
  });

  it('leaves plain text untouched, including < used as less-than and entities', () => {
    for (const text of ['a < b & c > d', 'Tom & Jerry', '5<6', '&lt;script&gt;', 'Ünïcödé €']) {
      expect(stripHtml(text)).toBe(text);
    }
  });

  it('never leaves something that parses as a tag (property)', () => {
    const pieces = fc.constantFrom(
      '<',
      '>',
      '/',
      'script',
      'img',
      ' ',
      'a',
      '=',
      '"',
      'onerror',
      '!',
      '--',
      'b',
      '?',
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join('')),
        (input) => {
          let out: string;
          try {
            out = stripHtml(input);
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
            return;
          }
          expect(TAG_LIKE.test(out)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('sanitizeRichText', () => {
  it('keeps allow-listed formatting and drops scripts, handlers and javascript: links', () => {
    expect(
      sanitizeRichText('<p>Hi <strong>all</strong> <a href="https://x.dev" onclick="e()">link</a></p>'),
    ).toBe('<p>Hi <strong>all</strong> <a href="https://x.dev">link</a></p>');
    expect(
      sanitizeRichText('<a href="javascript:alert(1)">x</a><script>bad()</script><iframe src=x></iframe>'),
    ).toBe('<a href>x</a>');
  });
});

describe('isUnsafeName', () => {
  it.each([
    '..',
    '../etc/passwd',
    'a/../../b',
    '%2e%2e',
    '%2E%2E%2F',
    '.%2e',
    '%252e%252e',
    '%25252e%25252e',
    'a%00',
    'a\u0000b',
    'a\\b',
    '%5c',
    '/abs',
    '%2fabs',
    'C:\\x',
    'c:/x',
    '%2e%2e%zz',
    '%c0%ae%c0%ae',
  ])('rejects %j', (value) => {
    expect(isUnsafeName(value)).toBe(true);
  });

  it.each(['p-1', 'report.pdf', 'uploads/2025/a.txt', 'a.b.c', '50%25', '100%', 'caf%C3%A9', 'é'])(
    'accepts %j',
    (value) => {
      expect(isUnsafeName(value)).toBe(false);
    },
  );

  it('rejects every way of encoding .. inside a value (property)', () => {
    const dot = fc.constantFrom('.', '%2e', '%2E', '%252e', '%252E');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        dot,
        dot,
        fc.string({ maxLength: 10 }),
        (before, d1, d2, after) => {
          expect(isUnsafeName(`${before}${d1}${d2}${after}`)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('assertSafeName names the field', () => {
    const error = unsafeErrorOf(() => assertSafeName('../x', 'body.fileKey'));
    expect(error?.code).toBe('UNSAFE_INPUT');
    expect(error?.errors?.[0].field).toBe('body.fileKey');
  });
});

describe('sanitizeBody', () => {
  it('rejects forbidden keys at any depth, on raw JSON.parse output', () => {
    for (const raw of [
      '{"__proto__":{"x":1}}',
      '{"a":[{"constructor":{}}]}',
      '{"a":{"b":{"prototype":1}}}',
    ]) {
      const error = unsafeErrorOf(() => sanitizeBody(JSON.parse(raw)));
      expect(error?.code).toBe('UNSAFE_INPUT');
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('rejects a forbidden key wherever it is inserted (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(
        json,
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
        fc.jsonValue({ maxDepth: 1 }),
        (value, key, payload) => {
          // Insert the key into the first object found, or wrap the value in one.
          const raw = JSON.stringify({ wrapper: value, list: [{ [key]: payload }] });
          expect(unsafeErrorOf(() => sanitizeBody(JSON.parse(raw)))?.code).toBe('UNSAFE_INPUT');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('strips markup from plain fields, keeps rich text for listed fields (array indices ignored)', () => {
    const body = sanitizeBody(
      { title: '<b>T</b>', items: [{ note: '<em>x</em><script>y</script>' }], other: [1, null, true] },
      new Set(['items.note']),
    );
    expect(body).toEqual({ title: 'T', items: [{ note: '<em>x</em>' }], other: [1, null, true] });
  });

  it('rejects traversal in key-like fields only', () => {
    expect(unsafeErrorOf(() => sanitizeBody({ s3Key: '../a' }))?.errors?.[0].field).toBe('body.s3Key');
    expect(unsafeErrorOf(() => sanitizeBody({ upload: { file_name: '..\\a' } }))?.errors?.[0].field).toBe(
      'body.upload.file_name',
    );
    expect(sanitizeBody({ title: 'So... yes', monkey: '../x' })).toEqual({
      title: 'So... yes',
      monkey: '../x',
    });
  });

  it('rejects NUL (U+0000) in any string or key, naming the field; PostgreSQL cannot store it', () => {
    const cases: [string, string][] = [
      ['{"name":"a\\u0000b"}', 'body.name'],
      ['{"description":"\\u0000"}', 'body.description'],
      ['{"tags":["ok","x\\u0000"]}', 'body.tags.1'],
      ['{"nested":{"title":"<b>\\u0000</b>"}}', 'body.nested.title'],
      ['{"nested":{"a\\u0000b":1}}', 'body.nested'],
      ['{"a\\u0000b":"x"}', 'body'],
      ['"top\\u0000level"', 'body'],
    ];
    for (const [raw, field] of cases) {
      const error = unsafeErrorOf(() => sanitizeBody(JSON.parse(raw)));
      expect(error?.code).toBe('UNSAFE_INPUT');
      expect(error?.errors).toEqual([{ field, message: expect.stringContaining('NUL') }]);
      expect(error?.detail).toBe(`${field} ${error?.errors?.[0].message}`);
    }
    // Rich-text fields are no exception.
    const rich = unsafeErrorOf(() => sanitizeBody({ body: 'x\u0000' }, new Set(['body'])));
    expect(rich?.errors?.[0].field).toBe('body.body');
  });

  it('rejects a lone surrogate in any string or key: it would be stored as U+FFFD, not as sent', () => {
    const cases: [string, string][] = [
      ['{"name":"sur\\ud800rogate"}', 'body.name'],
      ['{"description":"x\\udfffy"}', 'body.description'],
      ['{"tags":["ok","\\udc00\\ud800"]}', 'body.tags.1'],
      ['{"nested":{"a\\ud800":1}}', 'body.nested'],
      ['"\\ud83d"', 'body'],
    ];
    for (const [raw, field] of cases) {
      const error = unsafeErrorOf(() => sanitizeBody(JSON.parse(raw)));
      expect(error?.code).toBe('UNSAFE_INPUT');
      expect(error?.errors).toEqual([{ field, message: expect.stringContaining('surrogate') }]);
    }
    // A pair is one character (here U+1F600) and stays.
    expect(sanitizeBody(JSON.parse('{"name":"\\ud83d\\ude00"}'))).toEqual({ name: '\u{1F600}' });
    for (const [fn, field] of [
      [() => sanitizeQuery({ owner: 'a\ud800' }), 'query.owner'],
      [() => sanitizeQuery({ '\udc00': 'x' }), 'query'],
      [() => assertSafePathParameters({ id: '\ud800' }), 'path.id'],
    ] as const) {
      expect(unsafeErrorOf(fn)?.errors).toEqual([{ field, message: expect.stringContaining('surrogate') }]);
    }
  });

  it('rejects a NUL wherever it is inserted into a string (property)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }),
        fc.string({ maxLength: 8 }),
        fc.string({ maxLength: 8 }),
        (value, before, after) => {
          const body = { wrapper: value, list: [{ text: `${before}\u0000${after}` }] };
          const error = unsafeErrorOf(() => sanitizeBody(JSON.parse(JSON.stringify(body))));
          expect(error?.code).toBe('UNSAFE_INPUT');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it(`rejects nesting deeper than ${MAX_DEPTH} instead of overflowing the stack`, () => {
    const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000));
    expect(unsafeErrorOf(() => sanitizeBody(deep))?.code).toBe('UNSAFE_INPUT');
  });

  it('returns plain values and top-level strings sanitized', () => {
    expect(sanitizeBody('<b>x</b>')).toBe('x');
    expect(sanitizeBody(5)).toBe(5);
  });
});

describe('query and path parameters', () => {
  it('sanitizeQuery strips markup and rejects forbidden keys and traversal in key-like names', () => {
    expect(sanitizeQuery({ q: '<i>term</i>', page: '2' })).toEqual({ q: 'term', page: '2' });
    expect(unsafeErrorOf(() => sanitizeQuery(JSON.parse('{"constructor":"x"}')))?.code).toBe('UNSAFE_INPUT');
    expect(unsafeErrorOf(() => sanitizeQuery({ path: '%2e%2e/etc' }))?.errors?.[0].field).toBe('query.path');
  });

  it('rejects NUL (U+0000) in query and path names and values, naming the field', () => {
    for (const [fn, field] of [
      [() => sanitizeQuery({ owner: 'a\u0000b' }), 'query.owner'],
      [() => sanitizeQuery({ status: 'x', namePrefix: '\u0000' }), 'query.namePrefix'],
      [() => sanitizeQuery({ 'a\u0000': 'x' }), 'query'],
      [() => assertSafePathParameters({ slug: 'a\u0000b' }), 'path.slug'],
      [() => assertSafePathParameters({ 'i\u0000d': 'x' }), 'path'],
    ] as const) {
      const error = unsafeErrorOf(fn);
      expect(error?.code).toBe('UNSAFE_INPUT');
      expect(error?.errors).toEqual([{ field, message: expect.stringContaining('NUL') }]);
    }
    // The percent-encoded form is three ordinary characters in a plain query value.
    expect(sanitizeQuery({ q: '%00' })).toEqual({ q: '%00' });
  });

  it('assertSafePathParameters rejects traversal and markup in any path parameter', () => {
    expect(() => assertSafePathParameters({ id: 'p-1' })).not.toThrow();
    expect(unsafeErrorOf(() => assertSafePathParameters({ id: '<svg onload=x>' }))?.errors?.[0].field).toBe(
      'path.id',
    );
    expect(unsafeErrorOf(() => assertSafePathParameters({ id: '%252e%252e' }))?.code).toBe('UNSAFE_INPUT');
  });
});
