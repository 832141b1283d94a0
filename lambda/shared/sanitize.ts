import { FilterXSS, type IFilterXSSOptions } from 'xss';
import { AppError } from './errors';
import { hasLoneSurrogate } from './unicode';

/**
 * Input sanitization, applied by the handler wrapper to every request before schema validation
 * (so schema constraints such as `minLength` hold for the value that is stored):
 *
 * - object keys `__proto__`, `constructor`, `prototype` are rejected anywhere in the parsed JSON body
 *   and in the query string. The check runs on the raw `JSON.parse` output, before zod or any object
 *   spread copies keys into new objects (where `__proto__` would set a prototype);
 * - string values lose HTML tags and the bodies of `<script>`/`<style>` (plain-text profile), except
 *   fields a route lists in `richTextFields`, which keep an allow-listed set of formatting tags;
 * - path parameters, and body/query fields whose name says they hold a key, path or file name,
 *   reject traversal: `..` (also `%2e%2e`, double-encoded `%252e%252e`), NUL (`\0`, `%00`),
 *   backslashes, and absolute paths (`/x`, `C:\x`);
 * - NUL (U+0000) is rejected in every string and every object key of the body, query and path:
 *   PostgreSQL cannot store it in `text`/`jsonb` (SQLSTATE 22021), and no legitimate text holds it.
 *   Refusing it here, once, means no route has to remember it (the error handler's mapping of
 *   SQLSTATE class 22 to 400 remains as the net for values that are decoded later, e.g. cursors);
 * - a lone surrogate (`"\ud800"` in JSON) is rejected in the same places: it is not Unicode text, and
 *   encoding it to UTF-8 for PostgreSQL silently turns it into U+FFFD, so the row would not hold what
 *   the client sent.
 */

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper JSON than this is rejected rather than walked (no legitimate request nests this far). */
export const MAX_DEPTH = 64;

/**
 * Field names treated as names/keys of stored objects: `key`, `path`, `fileName`, `file_name`,
 * and camel/snake suffixes (`objectKey`, `s3_path`). Display names (`name`, `title`) are free text
 * and may contain `..` ("Wait... what?").
 */
const NAME_FIELD = /(?:^|_)(?:key|path|file_?name)$|[a-z0-9](?:Key|Path|FileName|Filename)$/;

/** A `<` that starts something an HTML parser would treat as markup. Plain text like `a < b` is left alone. */
const TAG_LIKE = /<[a-zA-Z!/?]/;

// Plain-text profile: no tag survives; script/style bodies go with their tags. Text is NOT
// entity-escaped (the API stores and returns JSON, so "a & b" must stay "a & b"); instead the filter
// runs to a fixed point so split tags such as `<scr<script>ipt>` cannot reassemble.
const plainFilter = new FilterXSS({
  whiteList: {},
  stripIgnoreTag: true,
  stripIgnoreTagBody: ['script', 'style'],
  escapeHtml: (html) => html,
});

/** Allow-listed formatting for fields that opt in; js-xss drops `javascript:` URLs and event handlers. */
export const RICH_TEXT_PROFILE: IFilterXSSOptions = {
  whiteList: {
    a: ['href', 'title'],
    b: [],
    strong: [],
    i: [],
    em: [],
    u: [],
    s: [],
    p: [],
    br: [],
    ul: [],
    ol: [],
    li: [],
    blockquote: [],
    code: [],
    pre: [],
    h1: [],
    h2: [],
    h3: [],
    h4: [],
  },
  stripIgnoreTag: true,
  stripIgnoreTagBody: ['script', 'style'],
};
const richFilter = new FilterXSS(RICH_TEXT_PROFILE);

const MAX_STRIP_PASSES = 5;

/** Strips HTML from a plain-text value. Strings without markup are returned as they are, with no copying. */
export function stripHtml(value: string): string {
  if (!TAG_LIKE.test(value)) return value;
  let out = value;
  for (let pass = 0; pass < MAX_STRIP_PASSES; pass++) {
    const next = plainFilter.process(out);
    if (!TAG_LIKE.test(next)) return next;
    if (next === out) break;
    out = next;
  }
  // Something tag-like survives (an unterminated `<img<`, or markup that keeps reassembling):
  // crafted input. Refuse it rather than store something a browser might still parse as a tag.
  throw new AppError('UNSAFE_INPUT', { detail: 'The request contains markup that cannot be removed safely' });
}

/** Keeps only the allow-listed rich-text tags and attributes. */
export function sanitizeRichText(value: string): string {
  if (!TAG_LIKE.test(value) && !value.includes('>')) return value;
  return richFilter.process(value);
}

function hasTraversal(value: string): boolean {
  return (
    value.includes('..') ||
    value.includes('\0') ||
    value.includes('\\') ||
    value.startsWith('/') ||
    (value.length > 1 && value[1] === ':' && /^[a-zA-Z]:/.test(value))
  );
}

/** Overlong UTF-8 encodings of `.`, `/` and `\\` (old decoder bypasses); never legitimate. */
const OVERLONG = /%c0%(?:ae|af|9v|qf)|%c1%(?:1c|9c|pc)|%e0%80%(?:ae|af)/i;

/** Decodes %XX escapes of ASCII characters only; unlike decodeURIComponent it never throws. */
function decodeAsciiEscapes(value: string): string {
  return value.replace(/%([0-7][0-9a-fA-F])/g, (_match, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * True when a name/key/path value tries to leave its directory: checked on the value and on up to
 * three levels of percent-decoding (`%252e%252e` -> `%2e%2e` -> `..`). Decoding is lenient (a stray
 * `%` does not stop it), so `%2e%2e%zz` cannot hide its dots behind an invalid escape.
 */
export function isUnsafeName(value: string): boolean {
  let current = value;
  for (let level = 0; level < 4; level++) {
    if (hasTraversal(current)) return true;
    if (!current.includes('%')) return false;
    if (OVERLONG.test(current)) return true;
    const decoded = decodeAsciiEscapes(current);
    if (decoded === current) return false;
    current = decoded;
  }
  // Still decoding after four levels: nothing legitimate is encoded that deep.
  return true;
}

/** Throws `UNSAFE_INPUT` naming `field` when `value` is not a safe name/key/path segment. */
export function assertSafeName(value: string, field: string): void {
  if (isUnsafeName(value)) {
    throw unsafe(field, 'must not contain path traversal, NUL, backslashes or an absolute path');
  }
}

const NUL = '\0';
const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
const NUL_KEY_MESSAGE = 'must not have a key containing the NUL character (U+0000)';
const SURROGATE_MESSAGE = 'must be well-formed Unicode (a lone surrogate is not a character)';
const SURROGATE_KEY_MESSAGE = 'must not have a key holding a lone surrogate';

function unsafe(field: string, message: string): AppError {
  return new AppError('UNSAFE_INPUT', {
    detail: `${field} ${message}`,
    errors: [{ field, message }],
  });
}

function fieldName(prefix: string, path: readonly (string | number)[]): string {
  return path.length === 0 ? prefix : `${prefix}.${path.join('.')}`;
}

/** Dotted path of object keys only (array indices skipped), the form `richTextFields` uses. */
function keyPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') continue;
    out = out === '' ? part : `${out}.${part}`;
  }
  return out;
}

interface WalkOptions {
  readonly prefix: string;
  readonly richTextFields: ReadonlySet<string>;
}

function sanitizeString(
  value: string,
  key: string | number | undefined,
  path: (string | number)[],
  options: WalkOptions,
): string {
  if (value.includes(NUL)) throw unsafe(fieldName(options.prefix, path), NUL_MESSAGE);
  if (hasLoneSurrogate(value)) throw unsafe(fieldName(options.prefix, path), SURROGATE_MESSAGE);
  if (typeof key === 'string' && NAME_FIELD.test(key) && isUnsafeName(value)) {
    throw unsafe(
      fieldName(options.prefix, path),
      'must not contain path traversal, NUL, backslashes or an absolute path',
    );
  }
  if (options.richTextFields.size > 0 && options.richTextFields.has(keyPath(path))) {
    return sanitizeRichText(value);
  }
  return stripHtml(value);
}

// Walks freshly parsed JSON in place (the caller owns it). `path` is a shared stack, so nothing
// is allocated per node unless a rich-text lookup or an error needs the dotted name.
function walk(
  node: unknown,
  key: string | number | undefined,
  path: (string | number)[],
  depth: number,
  options: WalkOptions,
): unknown {
  if (typeof node === 'string') return sanitizeString(node, key, path, options);
  if (node === null || typeof node !== 'object') return node;
  if (depth > MAX_DEPTH)
    throw unsafe(fieldName(options.prefix, path), `nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      path.push(i);
      const item = node[i];
      const cleaned = walk(item, key, path, depth + 1, options);
      if (cleaned !== item) node[i] = cleaned;
      path.pop();
    }
    return node;
  }
  const record = node as Record<string, unknown>;
  // Object.keys sees own keys only, including an own `__proto__` created by JSON.parse.
  for (const name of Object.keys(record)) {
    // Named by the object that holds it: a field name with a NUL in it is no use in a message.
    if (name.includes(NUL)) throw unsafe(fieldName(options.prefix, path), NUL_KEY_MESSAGE);
    if (hasLoneSurrogate(name)) throw unsafe(fieldName(options.prefix, path), SURROGATE_KEY_MESSAGE);
    path.push(name);
    if (FORBIDDEN_KEYS.has(name)) throw unsafe(fieldName(options.prefix, path), 'is a forbidden key');
    const value = record[name];
    const cleaned = walk(value, name, path, depth + 1, options);
    if (cleaned !== value) record[name] = cleaned;
    path.pop();
  }
  return record;
}

const NO_RICH_TEXT: ReadonlySet<string> = new Set();

/**
 * Sanitizes a parsed JSON body in place and returns it (a top-level string is returned as a new
 * value). Throws `UNSAFE_INPUT` with the offending field for forbidden keys, NUL in a string or
 * key, traversal in name/key fields, markup that cannot be stripped, or excessive nesting.
 */
export function sanitizeBody(body: unknown, richTextFields: ReadonlySet<string> = NO_RICH_TEXT): unknown {
  return walk(body, undefined, [], 0, { prefix: 'body', richTextFields });
}

/**
 * Sanitizes query string parameters in place: forbidden keys and NUL rejected, HTML stripped from
 * values, traversal rejected in name/key parameters.
 */
export function sanitizeQuery(query: Record<string, string | undefined>): Record<string, string | undefined> {
  for (const name of Object.keys(query)) {
    const value = query[name];
    if (name.includes(NUL)) throw unsafe('query', NUL_KEY_MESSAGE);
    if (hasLoneSurrogate(name)) throw unsafe('query', SURROGATE_KEY_MESSAGE);
    if (FORBIDDEN_KEYS.has(name)) throw unsafe(`query.${name}`, 'is a forbidden key');
    if (typeof value !== 'string') continue;
    if (value.includes(NUL)) throw unsafe(`query.${name}`, NUL_MESSAGE);
    if (hasLoneSurrogate(value)) throw unsafe(`query.${name}`, SURROGATE_MESSAGE);
    if (NAME_FIELD.test(name) && isUnsafeName(value)) {
      throw unsafe(`query.${name}`, 'must not contain path traversal, NUL, backslashes or an absolute path');
    }
    const cleaned = stripHtml(value);
    if (cleaned !== value) query[name] = cleaned;
  }
  return query;
}

/**
 * Checks path parameters: every one is a name/key (ids, slugs), so NUL, traversal and markup are
 * all rejected outright; an id is never silently rewritten.
 */
export function assertSafePathParameters(params: Record<string, string | undefined>): void {
  for (const name of Object.keys(params)) {
    const value = params[name];
    if (name.includes(NUL)) throw unsafe('path', NUL_KEY_MESSAGE);
    if (hasLoneSurrogate(name)) throw unsafe('path', SURROGATE_KEY_MESSAGE);
    if (FORBIDDEN_KEYS.has(name)) throw unsafe(`path.${name}`, 'is a forbidden key');
    if (typeof value !== 'string') continue;
    if (value.includes(NUL)) throw unsafe(`path.${name}`, NUL_MESSAGE);
    if (hasLoneSurrogate(value)) throw unsafe(`path.${name}`, SURROGATE_MESSAGE);
    assertSafeName(value, `path.${name}`);
    if (TAG_LIKE.test(value)) throw unsafe(`path.${name}`, 'must not contain markup');
  }
}
