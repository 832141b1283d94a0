import type { core } from 'zod/mini';
import type { FieldError } from '../errors';

/**
 * English field messages for zod/mini issues. zod/mini ships no locale (every issue says
 * "Invalid input") and loading one would cost bundle size, so the messages are built here from the
 * issue's code and parameters. They describe the constraint, never echo the input.
 */

const DEFAULT_MESSAGE = 'Invalid input';

/**
 * Parse options that keep zod's own messages at "Invalid input" whatever its global config says.
 * That config lives on `globalThis` and anything else in the process can set it: classic `zod`
 * installs its English locale on import (lib/config does, and jest's global setup loads lib/config
 * in the process that runs a lone test file), and then every issue would carry a locale message
 * that `issueMessage` takes for the route author's. A message written on the schema still wins.
 */
export const PARSE_WITHOUT_LOCALE = { error: () => DEFAULT_MESSAGE } as const;

const NOUNS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  bigint: 'an integer',
  date: 'a date',
  array: 'an array',
  object: 'an object',
  tuple: 'an array',
  record: 'an object',
  null: 'null',
  undefined: 'absent',
  never: 'absent',
  nan: 'NaN',
};

const FORMATS: Readonly<Record<string, string>> = {
  email: 'a valid email address',
  url: 'a valid URL',
  uuid: 'a valid UUID',
  guid: 'a valid GUID',
  datetime: 'an ISO 8601 date-time',
  date: 'an ISO 8601 date (YYYY-MM-DD)',
  time: 'an ISO 8601 time',
  duration: 'an ISO 8601 duration',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  cidrv4: 'an IPv4 range',
  cidrv6: 'an IPv6 range',
  base64: 'base64 text',
  base64url: 'base64url text',
  e164: 'an E.164 phone number',
  jwt: 'a JWT',
  ulid: 'a valid ULID',
  nanoid: 'a valid nanoid',
  cuid: 'a valid cuid',
  cuid2: 'a valid cuid2',
  emoji: 'an emoji',
  lowercase: 'lower-case',
  uppercase: 'upper-case',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function sizeMessage(issue: core.$ZodIssueTooBig | core.$ZodIssueTooSmall, bound: 'most' | 'least'): string {
  const limit = issue.code === 'too_big' ? issue.maximum : issue.minimum;
  const exact = issue.exact === true;
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'string':
      return exact
        ? `must be exactly ${limit} characters long`
        : `must be at ${bound} ${limit} characters long`;
    case 'array':
    case 'set':
      return exact ? `must have exactly ${limit} items` : `must have at ${bound} ${limit} items`;
    case 'file':
      return `must be at ${bound} ${limit} bytes`;
    case 'date':
      return `must be ${bound === 'most' ? 'on or before' : 'on or after'} ${new Date(Number(limit)).toISOString()}`;
    default:
      if (exact) return `must be exactly ${limit}`;
      if (bound === 'most') return inclusive ? `must be at most ${limit}` : `must be less than ${limit}`;
      return inclusive ? `must be at least ${limit}` : `must be greater than ${limit}`;
  }
}

function formatMessage(issue: core.$ZodIssueInvalidStringFormat): string {
  const details = issue as core.$ZodIssueInvalidStringFormat & {
    prefix?: string;
    suffix?: string;
    includes?: string;
  };
  switch (issue.format) {
    case 'starts_with':
      return `must start with "${details.prefix}"`;
    case 'ends_with':
      return `must end with "${details.suffix}"`;
    case 'includes':
      return `must include "${details.includes}"`;
    case 'regex':
      return 'has an invalid format';
    default:
      return `must be ${FORMATS[issue.format] ?? `a valid ${issue.format}`}`;
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** One readable message for an issue; `input` is the value the schema received (to tell "missing" apart). */
export function issueMessage(issue: core.$ZodIssue, input: unknown): string {
  // A message written by the route author (`check(..., { error: '...' })`) wins.
  if (issue.message !== undefined && issue.message !== DEFAULT_MESSAGE) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined) return 'is required';
      return `must be ${NOUNS[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return sizeMessage(issue, 'most');
    case 'too_small':
      return sizeMessage(issue, 'least');
    case 'invalid_format':
      return formatMessage(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return 'is not allowed';
    case 'invalid_union':
      return 'does not match any of the allowed forms';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid entry';
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${describe(issue.values[0])}`
        : `must be one of ${issue.values.map(describe).join(', ')}`;
    default:
      return 'is invalid';
  }
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let field = prefix;
  for (const key of path) field += `.${String(key)}`;
  return field;
}

/** Field errors (`body.items.0.name`) for the issues of one request part (`body`, `query`, `path`). */
export function fieldErrors(
  prefix: string,
  issues: readonly core.$ZodIssue[],
  input: unknown,
  out: FieldError[],
): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ field: joinPath(prefix, [...issue.path, key]), message: 'is not allowed' });
      continue;
    }
    out.push({ field: joinPath(prefix, issue.path), message: issueMessage(issue, input) });
  }
}
