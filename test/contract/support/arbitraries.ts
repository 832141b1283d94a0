import fc from 'fast-check';

/** A JSON Schema node of the OpenAPI document (draft 2020-12, as zod writes it). */
export type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Characters that have broken parsers, databases, templates and logs somewhere. */
export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '../../etc/passwd',
  '%2e%2e%2f',
  '{{7*7}}${7*7}',
  '\u202Eevil',
  '\uD800',
  '😀'.repeat(50),
  '\r\nX-Injected: 1',
  'null',
  '__proto__',
] as const;

const hostile = fc.constantFrom(...HOSTILE_STRINGS);

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const dates = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T00:00:00Z'),
  noInvalidDate: true,
});

/** Strings that satisfy a string schema (boundary lengths included). */
function validString(schema: Schema): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if ('const' in schema) return fc.constant(schema.const as string);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'date':
      return dates.map(isoDate);
    case 'date-time':
      return dates.map((date) => date.toISOString());
    default:
      break;
  }
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = Math.min((schema.maxLength as number | undefined) ?? 64, 4096);
  if (schema.pattern) {
    return fc
      .stringMatching(new RegExp(schema.pattern as string))
      .filter((value) => value.length >= min && value.length <= max);
  }
  return fc.oneof(
    fc.string({ minLength: min, maxLength: Math.min(max, min + 40) }),
    // Boundaries: exactly the shortest and the longest accepted, of printable text.
    fc.constant('n'.repeat(Math.max(min, 1))).filter((value) => value.length <= max),
    fc.constant('m'.repeat(max)),
  );
}

/** Values that satisfy `schema` (including its boundaries); `anyOf` picks a branch. */
export function validValue(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...(schema.anyOf as Schema[]).map(validValue));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'string':
      return validString(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.uniqueArray(validValue(schema.items as Schema), {
        minLength: schema.minItems ?? 0,
        maxLength: schema.maxItems ?? 5,
        selector: (item) => JSON.stringify(item),
      });
    case 'object':
      return validObject(schema);
    default:
      return fc.jsonValue();
  }
}

function validObject(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const shape = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValue(property)]),
  );
  return fc.record(shape, { requiredKeys: [...required].filter((name) => name in shape) }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

/** A value that breaks `schema` in one of the ways clients and attackers do. */
export function invalidValue(schema: Schema): fc.Arbitrary<unknown> {
  const wrongType = fc.constantFrom<unknown>(7, -1.5, true, null, [], {}, 'text', [1, 2]);
  const options: fc.Arbitrary<unknown>[] = [wrongType, hostile];
  if (schema.type === 'string') {
    const max = (schema.maxLength as number | undefined) ?? 64;
    options.push(fc.constantFrom('x'.repeat(max + 1), 'y'.repeat(20_000)));
    if (schema.minLength) options.push(fc.constant(''));
    if (schema.format || schema.pattern || schema.enum) options.push(fc.string({ maxLength: 20 }));
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    options.push(fc.constantFrom((schema.maximum ?? 0) + 1, (schema.minimum ?? 0) - 1, 1e308, 0.5));
  }
  if (schema.type === 'array') {
    options.push(fc.constant(Array.from({ length: (schema.maxItems ?? 10) + 1 }, () => 'x')));
  }
  return fc.oneof(...options);
}

/**
 * An object that breaks an object schema: a required field missing, a field of the wrong kind,
 * an unknown field (the schemas are strict), a hostile key, or not an object at all.
 */
export function invalidObject(schema: Schema): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const names = Object.keys(properties);
  const required = (schema.required ?? []) as string[];
  const base = validObject(schema);
  const options: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(null, [], 'text', 42, true),
    base.chain((value) =>
      fc
        .constantFrom('unexpected', '__proto__', 'constructor', '$where')
        .map((key) => ({ ...value, [key]: 'x' })),
    ),
  ];
  if (required.length > 0) {
    options.push(
      fc.tuple(base, fc.constantFrom(...required)).map(([value, drop]) => {
        const { [drop]: _dropped, ...rest } = value;
        return rest;
      }),
    );
  }
  if (names.length > 0) {
    options.push(
      fc
        .constantFrom(...names)
        .chain((name) =>
          fc
            .tuple(base, fc.constant(name), invalidValue(properties[name]))
            .map(([value, key, bad]) => ({ ...value, [key]: bad })),
        ),
    );
  }
  return fc.oneof(...options);
}
