import { api } from '../../../../lambda/shared/http/api';
import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { createHandler } from '../../../fixtures/create-handler';
import { invoke } from '../../../fixtures/invoke';
import { getProject } from '../../../fixtures/test-routes';

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

const post = (body: unknown) => apiEvent({ method: 'POST', body });

describe('schema validation', () => {
  it('reports every invalid field with a readable message and never calls the function', async () => {
    const { fn, handler } = createHandler();
    const res = await invoke(handler, post({ name: '', priority: 2.5, tags: ['a', 7], description: 3 }));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      detail: '4 fields are invalid',
    });
    expect(res.json?.errors).toEqual([
      { field: 'body.name', message: 'must be at least 1 characters long' },
      { field: 'body.description', message: 'must be a string' },
      { field: 'body.priority', message: 'must be an integer' },
      { field: 'body.tags.1', message: 'must be a string' },
    ]);
    expect(fn).not.toHaveBeenCalled();
  });

  it('builds the same messages when classic zod has installed its English locale in the process', async () => {
    // Classic zod sets the locale on globalThis when imported (lib/config imports it; jest's global
    // setup loads lib/config in the process that runs a lone test file). Without parsing with
    // PARSE_WITHOUT_LOCALE, the locale's "Invalid input: expected string, received number" was taken
    // for a message the route author wrote.
    const { config, locales } = await import('zod');
    config(locales.en());
    try {
      const { handler } = createHandler();
      const res = await invoke(handler, post({ name: '', priority: 2.5, tags: ['a', 7], description: 3 }));
      expect(res.json?.errors).toEqual([
        { field: 'body.name', message: 'must be at least 1 characters long' },
        { field: 'body.description', message: 'must be a string' },
        { field: 'body.priority', message: 'must be an integer' },
        { field: 'body.tags.1', message: 'must be a string' },
      ]);
    } finally {
      config({ localeError: undefined });
    }
  });

  it('says "is required" for missing fields and gives bounds for numbers', async () => {
    const { handler } = createHandler();
    const res = await invoke(handler, post({ priority: 9 }));
    expect(res.json?.errors).toEqual([
      { field: 'body.name', message: 'is required' },
      { field: 'body.priority', message: 'must be at most 5' },
    ]);
  });

  it('validates path and query against their schemas and reports enum choices', async () => {
    const fn = jest.fn(() => ({ status: 200, body: {} }));
    const handler = api(getProject, fn);
    const res = await invoke(
      handler,
      apiEvent({
        path: '/api/v1/projects/P_1',
        pathParameters: { id: 'P_1' },
        query: { include: 'secrets' },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json?.errors).toEqual([
      { field: 'path.id', message: 'has an invalid format' },
      { field: 'query.include', message: 'must be one of "members", "history"' },
    ]);
    expect(fn).not.toHaveBeenCalled();
  });

  it('gives the function the schema output (unknown keys stripped)', async () => {
    const { fn, handler } = createHandler();
    const res = await invoke(handler, post({ name: 'Roadmap', isAdmin: true }));
    expect(res.statusCode).toBe(201);
    expect(fn.mock.calls[0][0].body).toEqual({ name: 'Roadmap' });
  });
});

describe('sanitization through the wrapper', () => {
  it('strips HTML from plain fields and keeps allow-listed tags in rich-text fields', async () => {
    const { fn, handler } = createHandler();
    await invoke(
      handler,
      post({
        name: 'Q3 <script>alert(1)</script><b>plan</b>',
        description: '<p>Hello <strong>team</strong><img src=x onerror=alert(1)><script>x()</script></p>',
        tags: ['<i>a</i>'],
      }),
    );
    expect(fn.mock.calls[0][0].body).toEqual({
      name: 'Q3 plan',
      description: '<p>Hello <strong>team</strong></p>',
      tags: ['a'],
    });
  });

  it('validates the sanitized value: markup-only names become empty and fail minLength', async () => {
    const { fn, handler } = createHandler();
    const res = await invoke(handler, post({ name: '<script>steal()</script>' }));
    expect(res.statusCode).toBe(400);
    expect(res.json?.errors).toEqual([{ field: 'body.name', message: 'must be at least 1 characters long' }]);
    expect(fn).not.toHaveBeenCalled();
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects a %s key anywhere in the body', async (key) => {
    const { fn, handler } = createHandler();
    const raw = `{"name":"x","tags":[],"nested":{"deeper":[{"${key}":{"isAdmin":true}}]}}`;
    const res = await invoke(handler, apiEvent({ method: 'POST', body: raw }));
    expect(res.statusCode).toBe(400);
    expect(res.json?.code).toBe('UNSAFE_INPUT');
    expect(res.json?.errors).toEqual([
      { field: `body.nested.deeper.0.${key}`, message: 'is a forbidden key' },
    ]);
    expect(fn).not.toHaveBeenCalled();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('rejects a unicode-escaped __proto__ key (JSON.parse decodes it before the check)', async () => {
    const { handler } = createHandler();
    const res = await invoke(
      handler,
      apiEvent({ method: 'POST', body: '{"name":"x","\\u005f_proto__":{"a":1}}' }),
    );
    expect(res.json?.code).toBe('UNSAFE_INPUT');
  });

  it.each(['../../etc/passwd', '%2e%2e%2fsecret', '%252e%252e%252f', 'a%00b', 'a\\b', '/etc/passwd'])(
    'rejects traversal %j in a path parameter',
    async (id) => {
      const fn = jest.fn(() => ({ status: 200, body: {} }));
      const res = await invoke(
        api(getProject, fn),
        apiEvent({ path: '/api/v1/projects/x', pathParameters: { id } }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json?.code).toBe('UNSAFE_INPUT');
      expect(res.json?.errors).toEqual([{ field: 'path.id', message: expect.any(String) }]);
      expect(fn).not.toHaveBeenCalled();
    },
  );

  it('rejects traversal in key-like body fields but not in free-text names', async () => {
    const { fn, handler } = createHandler();
    const bad = await invoke(handler, post({ name: 'x', fileKey: 'uploads/../../secrets' }));
    expect(bad.json?.errors).toEqual([
      { field: 'body.fileKey', message: expect.stringContaining('traversal') },
    ]);
    const ok = await invoke(handler, post({ name: 'Wait... what?', fileKey: 'uploads/2025/report.pdf' }));
    expect(ok.statusCode).toBe(201);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('rejects forbidden query keys and strips HTML from query values', async () => {
    const seen: unknown[] = [];
    const handler = api(getProject, (req) => {
      seen.push(req.query);
      return { status: 200, body: {} };
    });
    const event = apiEvent({ path: '/api/v1/projects/p-1', pathParameters: { id: 'p-1' } });
    event.queryStringParameters = JSON.parse('{"__proto__":"x"}');
    expect((await invoke(handler, event)).json?.code).toBe('UNSAFE_INPUT');
    expect(seen).toHaveLength(0);

    const marked = apiEvent({
      path: '/api/v1/projects/p-1',
      pathParameters: { id: 'p-1' },
      query: { include: '<b>members</b>' },
    });
    expect((await invoke(handler, marked)).statusCode).toBe(200);
    expect(seen).toEqual([{ include: 'members' }]);
  });
});
