import fc from 'fast-check';
import { ERROR_CATALOGUE } from '../../../../lambda/shared/errors';
import { api } from '../../../../lambda/shared/http/api';
import {
  apiEvent,
  EDITOR_USER,
  READ_API_KEY,
  VIEWER_USER,
  WRITE_CLIENT,
  type AuthorizerContextFixture,
} from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke, type InvokeResult } from '../../../fixtures/invoke';
import { createProject, getProject } from '../../../fixtures/test-routes';
import { propertyRuns } from '../../../support/property-runs';

/**
 * Property tests: whatever arrives, the wrapper answers 2xx/3xx/4xx (never 5xx), every error is
 * problem+json with a catalogue code, and the handler function runs only for accepted requests
 * (which is how "no write on a rejected request" is proven at this layer).
 */

const NUM_RUNS = propertyRuns(1000);

let output: CapturedOutput;
beforeAll(() => {
  output = captureStdout();
});
afterEach(() => output.clear());
afterAll(() => output.restore());

function expectWellFormed(res: InvokeResult, called: boolean, successStatuses: readonly number[]): void {
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toBe('application/problem+json');
    const problem = res.json as {
      code: keyof typeof ERROR_CATALOGUE;
      status: number;
      type: string;
      correlationId: string;
    };
    expect(ERROR_CATALOGUE[problem.code].status).toBe(res.statusCode);
    expect(problem.status).toBe(res.statusCode);
    expect(problem.type).toBe(`https://docs.rampart.dev/errors#${problem.code}`);
    expect(problem.correlationId).toBe(res.headers['x-correlation-id']);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  }
  expect(called).toBe(successStatuses.includes(res.statusCode));
}

const interestingKey = fc.constantFrom(
  'name',
  'description',
  'priority',
  'tags',
  'fileKey',
  '__proto__',
  'constructor',
  'prototype',
  'nested',
);
const leaf = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('<script>alert(1)</script>', '<b>x</b>', '../../etc', '%252e%252e', 'a\u0000b', '€', ''),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(interestingKey, fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
})).value;

/** Bodies close to the schema, so accepted requests are generated too (with markup and traversal mixed in). */
const projectLike = fc.record(
  {
    name: fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), leaf),
    description: fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constant('<p>ok <img src=x onerror=alert(1)></p>'),
    ),
    priority: fc.oneof(fc.integer({ min: 1, max: 5 }), leaf),
    tags: fc.array(fc.string({ maxLength: 30 }), { maxLength: 10 }),
    fileKey: fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.constantFrom('a/../../b', '%2e%2e/x', 'C:\\x', 'docs/a.pdf'),
    ),
  },
  { requiredKeys: ['name'] },
);
const body = fc.oneof(projectLike, jsonish);

const rawBody = fc.oneof(
  body.map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant(''),
  fc.constant('x'.repeat(5000)),
);

const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/problem+json',
    'multipart/form-data',
    '',
  ),
  { nil: undefined },
);

const headerName = fc.oneof(
  fc.constantFrom(
    'x-correlation-id',
    'X-Request-Id',
    'If-None-Match',
    'If-Match',
    'Origin',
    'Idempotency-Key',
    'Accept',
  ),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/),
);
const headers = fc.dictionary(headerName, fc.string({ maxLength: 60 }), { maxKeys: 5 });

const authorizer: fc.Arbitrary<AuthorizerContextFixture | null> = fc.oneof(
  fc.constantFrom<AuthorizerContextFixture | null>(
    null,
    EDITOR_USER,
    VIEWER_USER,
    WRITE_CLIENT,
    READ_API_KEY,
  ),
  fc.record({
    sub: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
    roles: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    scopes: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    authType: fc.option(fc.constantFrom('user', 'client', 'apiKey', 'root'), { nil: undefined }),
    apiKeyId: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  }),
);

const validPath = fc.record({ id: fc.stringMatching(/^p-[a-z0-9-]{1,40}$/) });
const validQuery = fc.record({ include: fc.constantFrom('members', 'history') }, { requiredKeys: [] });

const params = fc.option(
  fc.dictionary(
    fc.oneof(fc.constantFrom('id', 'include', '__proto__'), fc.string({ maxLength: 6 })),
    fc.string({ maxLength: 30 }),
    { maxKeys: 3 },
  ),
  {
    nil: null,
  },
);

describe('wrapper properties', () => {
  const createFn = jest.fn(() => ({ status: 201, body: { ok: true } }));
  const createHandler = api(createProject, createFn);
  const getFn = jest.fn(() => ({ status: 200, body: { id: 'p-1' } }));
  const getHandler = api(getProject, getFn);

  const seenStatuses = new Set<number>();
  beforeEach(() => {
    createFn.mockClear();
    getFn.mockClear();
    seenStatuses.clear();
  });

  it('POST: random bodies, content types, headers and principals never give a 5xx, and rejected requests never reach the handler', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        contentType,
        fc.boolean(),
        headers,
        authorizer,
        async (body, type, base64, extra, auth) => {
          createFn.mockClear();
          const event = apiEvent({
            method: 'POST',
            body: base64 ? Buffer.from(body).toString('base64') : body,
            isBase64Encoded: base64,
            headers: extra,
            authorizer: auth,
          });
          delete event.headers['Content-Type'];
          if (type !== undefined) event.headers['Content-Type'] = type;
          const res = await invoke(createHandler, event);
          expectWellFormed(res, createFn.mock.calls.length > 0, [201]);
          output.clear();
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('POST: structured JSON bodies (including forbidden keys and markup) never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(body, authorizer, async (value, auth) => {
        createFn.mockClear();
        const res = await invoke(
          createHandler,
          apiEvent({ method: 'POST', body: JSON.stringify(value), authorizer: auth }),
        );
        expectWellFormed(res, createFn.mock.calls.length > 0, [201]);
        if (res.statusCode === 201) {
          const received = (createFn.mock.calls[0] as unknown as [{ body: Record<string, unknown> }])[0].body;
          expect(JSON.stringify(received)).not.toMatch(/<script/i);
        }
        seenStatuses.add(res.statusCode);
        output.clear();
      }),
      { numRuns: NUM_RUNS },
    );
    expect([...seenStatuses]).toEqual(expect.arrayContaining([201, 400, 401, 403]));
  });

  it('GET: random path parameters, query strings and headers never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(validPath, params),
        fc.oneof(validQuery, params),
        headers,
        authorizer,
        async (path, query, extra, auth) => {
          getFn.mockClear();
          const event = apiEvent({ path: '/api/v1/projects/x', headers: extra, authorizer: auth, query });
          event.pathParameters = path;
          const res = await invoke(getHandler, event);
          expectWellFormed(res, getFn.mock.calls.length > 0, [200, 304]);
          seenStatuses.add(res.statusCode);
          output.clear();
        },
      ),
      { numRuns: NUM_RUNS },
    );
    expect([...seenStatuses]).toEqual(expect.arrayContaining([200, 400, 401, 403]));
  });
});
