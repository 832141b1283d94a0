import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { ROUTES } from '../../../lambda/routes';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../lambda/shared/errors';
import { declaredErrorCodes } from '../../../lambda/shared/http/contract';
import { securityHeaderValues } from '../../../lambda/shared/security-headers';
import type { DeclaredRoute } from '../../../lambda/shared/route';
import { invalidObject, invalidValue, validValue, type Schema } from './arbitraries';

/** Kinds of caller the fuzz suite sends each operation's requests as. */
export const CALLERS = ['anonymous', 'viewer', 'editor', 'admin', 'readKey', 'writeKey'] as const;
export type Caller = (typeof CALLERS)[number];

/** One operation of the OpenAPI document, with its manifest route. */
export interface Operation {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly route: DeclaredRoute;
  readonly document: Schema;
}

/** A generated request: who sends it, what it fills in, and whether it was meant to be valid. */
export interface FuzzRequest {
  readonly caller: Caller;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** A JSON value to send, or raw text (`{ raw }`) for bodies that are not JSON. */
  readonly body?: { readonly json: unknown } | { readonly raw: string; readonly contentType: string };
}

/** Values the suite knows exist (a project, a key), so valid requests reach the domain, not only 404. */
export interface KnownIds {
  readonly projectId: string;
  readonly apiKeyId: string;
  readonly userSub: string;
}

export function operationsOf(document: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths as Schema)) {
    for (const [method, operation] of Object.entries(item as Schema)) {
      // A mounted app's operations describe no bodies, so there is no contract to hold its answers to;
      // hostile input to the mount is test/e2e/mounted-app.test.ts's.
      if (operation['x-rampart-mount'] !== undefined) continue;
      const route = ROUTES.find((candidate) => candidate.id === operation.operationId);
      if (route === undefined) throw new Error(`operation ${operation.operationId} has no route`);
      operations.push({
        id: route.id,
        method: method.toUpperCase(),
        path,
        route,
        document: operation as Schema,
      });
    }
  }
  return operations;
}

function parametersIn(operation: Operation, where: 'path' | 'query'): Schema[] {
  return ((operation.document.parameters ?? []) as Schema[]).filter((parameter) => parameter.in === where);
}

function knownValue(name: string, operation: Operation, known: KnownIds): string | undefined {
  if (name === 'sub') return known.userSub;
  if (name !== 'id') return undefined;
  return operation.path.startsWith('/api/v1/api-keys') ? known.apiKeyId : known.projectId;
}

/**
 * URLs stay under 8 KB, as CloudFront and API Gateway require (longer ones never reach the API:
 * CloudFront answers 414 itself), so an oversized value in a URL is cut to 6,000 characters.
 */
const inUrl = (value: string) => (value.length > 6_000 ? value.slice(0, 6_000) : value);

/** Path parameter values: mostly valid (often one that exists), sometimes broken or hostile. */
function pathParameters(operation: Operation, known: KnownIds): fc.Arbitrary<Record<string, string>> {
  const shape: Record<string, fc.Arbitrary<string>> = {};
  for (const parameter of parametersIn(operation, 'path')) {
    const existing = knownValue(parameter.name as string, operation, known);
    const options: fc.WeightedArbitrary<string>[] = [
      { arbitrary: validValue(parameter.schema as Schema).map(String), weight: 3 },
      { arbitrary: invalidValue(parameter.schema as Schema).map((value) => inUrl(String(value))), weight: 2 },
    ];
    if (existing !== undefined) options.push({ arbitrary: fc.constant(existing), weight: 3 });
    shape[parameter.name as string] = fc.oneof(...options);
  }
  return fc.record(shape);
}

/** Query strings: valid, with a value broken, or with a parameter the operation does not take. */
function query(operation: Operation): fc.Arbitrary<Record<string, string>> {
  const parameters = parametersIn(operation, 'query');
  const extra = fc.record({ unexpected: fc.string({ maxLength: 20 }) });
  if (parameters.length === 0)
    return fc.oneof({ arbitrary: fc.constant({}), weight: 4 }, { arbitrary: extra, weight: 1 });
  const schema: Schema = {
    type: 'object',
    properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema])),
    required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  };
  const asStrings = (value: unknown) =>
    Object.fromEntries(
      Object.entries((value ?? {}) as Record<string, unknown>).map(([name, item]) => [
        name,
        inUrl(typeof item === 'string' ? item : JSON.stringify(item)),
      ]),
    );
  return fc.oneof(
    { arbitrary: validValue(schema).map(asStrings), weight: 3 },
    {
      arbitrary: invalidObject(schema)
        .filter((value) => value !== null && typeof value === 'object' && !Array.isArray(value))
        .map(asStrings),
      weight: 2,
    },
  );
}

/** Request bodies: valid, broken (see `invalidObject`), not JSON, or of another media type. */
function body(operation: Operation): fc.Arbitrary<FuzzRequest['body']> {
  const schema = operation.document.requestBody?.content?.['application/json']?.schema as Schema | undefined;
  if (schema === undefined) {
    // Operations without a body must refuse one (fetch sends none with GET).
    if (operation.method === 'GET') return fc.constant(undefined);
    return fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 5 },
      { arbitrary: fc.constant({ json: { unexpected: true } }), weight: 1 },
    );
  }
  return fc.oneof(
    { arbitrary: validValue(schema).map((json) => ({ json })), weight: 4 },
    { arbitrary: invalidObject(schema).map((json) => ({ json })), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        { raw: '{"name":', contentType: 'application/json' },
        { raw: 'name=x', contentType: 'application/x-www-form-urlencoded' },
        { raw: '<a/>', contentType: 'text/xml' },
      ),
      weight: 1,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

function headers(operation: Operation): fc.Arbitrary<Record<string, string>> {
  const names = ((operation.document.parameters ?? []) as Schema[])
    .filter((parameter) => parameter.in === 'header')
    .map((parameter) => parameter.name as string);
  const shape: Record<string, fc.Arbitrary<string>> = {};
  if (names.includes('If-Match'))
    shape['if-match'] = fc.constantFrom('"v1"', '"v2"', '*', 'W/"v1"', 'garbage', '');
  if (names.includes('Idempotency-Key'))
    shape['idempotency-key'] = fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }));
  return fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

/** Requests for one operation, from its part of the contract. */
export function requestsFor(operation: Operation, known: KnownIds): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    caller: fc.constantFrom(...CALLERS),
    pathParameters: pathParameters(operation, known),
    query: query(operation),
    headers: headers(operation),
    body: body(operation),
  });
}

/** Percent-encoding of any string: a lone surrogate (not encodable) goes as U+FFFD. */
function encode(value: string): string {
  return encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

/** The URL path and query of a request. */
export function urlOf(operation: Operation, request: FuzzRequest): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) =>
    encode(request.pathParameters[name] ?? ''),
  );
  const search = Object.entries(request.query)
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join('&');
  return search === '' ? path : `${path}?${search}`;
}

/** Headers every answer carries, whoever produced it (the gateway's problems cannot carry quoted values). */
const ALWAYS_PRESENT_HEADERS = Object.entries(securityHeaderValues())
  .filter(([, value]) => !value.includes("'"))
  .map(([name]) => name);

const ajv = addFormats(new Ajv2020({ strict: false, allErrors: false }));
const validators = new Map<Schema, ValidateFunction>();
function validatorOf(schema: Schema): ValidateFunction {
  let validate = validators.get(schema);
  if (validate === undefined) validators.set(schema, (validate = ajv.compile(schema)));
  return validate;
}

/** What an answer got wrong against the operation's contract; empty when it conforms. */
export function contractViolations(
  operation: Operation,
  problemSchema: Schema,
  response: { status: number; headers: Headers; text: string },
): string[] {
  const violations: string[] = [];
  const { status } = response;
  if (status >= 500) violations.push(`a ${status}: no input may produce a 5xx`);
  const declared = (operation.document.responses as Schema)[String(status)] as Schema | undefined;
  if (declared === undefined) return [...violations, `status ${status} is not declared by ${operation.id}`];
  // Gateway refusals (401, 429, ...) are API-wide and cannot carry them; the function's answers do.
  if (operation.document.deprecated === true && status < 400) {
    for (const name of ['deprecation', 'sunset', 'link']) {
      if (!response.headers.has(name)) violations.push(`deprecated operation without its ${name} header`);
    }
  }
  for (const name of ALWAYS_PRESENT_HEADERS) {
    if (!response.headers.has(name)) violations.push(`security header ${name} is missing`);
  }
  const contentType = response.headers.get('content-type') ?? '';
  let json: unknown;
  if (response.text !== '') {
    try {
      json = JSON.parse(response.text);
    } catch {
      return [...violations, `the body is not JSON: ${response.text.slice(0, 200)}`];
    }
  }
  const content = declared.content as Schema | undefined;
  if (content === undefined) {
    if (response.text !== '') violations.push(`status ${status} declares no body but has one`);
    return violations;
  }
  if (content['application/problem+json'] !== undefined) {
    if (!contentType.startsWith('application/problem+json'))
      violations.push(`problem with content-type ${contentType}`);
    if (!validatorOf(problemSchema)(json))
      violations.push(`not a problem body: ${ajv.errorsText(validatorOf(problemSchema).errors)}`);
    const code = (json as { code?: ErrorCode } | undefined)?.code;
    if (code === undefined || !declaredErrorCodes(operation.route).includes(code)) {
      violations.push(`problem code ${String(code)} is not declared by ${operation.id}`);
    } else if (ERROR_CATALOGUE[code].status !== status) {
      violations.push(`problem code ${code} came with status ${status}`);
    }
    return violations;
  }
  const schema = content['application/json']?.schema as Schema | undefined;
  if (schema === undefined) return [...violations, `status ${status}: no JSON schema declared`];
  if (!contentType.startsWith('application/json')) violations.push(`content-type ${contentType}`);
  const validate = validatorOf(schema);
  if (!validate(json)) violations.push(`body does not match its schema: ${ajv.errorsText(validate.errors)}`);
  return violations;
}
