import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createError } from '@middy/util';
import { AppError } from '../../../../lambda/shared/errors';
import { api } from '../../../../lambda/shared/http/api';
import { logger, metrics } from '../../../../lambda/shared/powertools';
import { SECURITY_HEADERS } from '../../../../lambda/shared/security-headers';
import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';
import { createProject, getProject, publicStatus } from '../../../fixtures/test-routes';

const projectEvent = (overrides: Parameters<typeof apiEvent>[0] = {}) =>
  apiEvent({
    path: '/api/v1/projects/p-1',
    resource: '/api/v1/projects/{id}',
    pathParameters: { id: 'p-1' },
    ...overrides,
  });

let output: CapturedOutput;
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

describe('api(): request and result', () => {
  it('hands the function validated input, lower-case headers, the principal and the correlation id', async () => {
    let seen: unknown;
    const handler = api(getProject, (req) => {
      seen = {
        path: req.path,
        query: req.query,
        accept: req.headers['accept'],
        principal: req.principal,
        correlationId: req.correlationId,
        ifMatch: req.ifMatch,
        aborted: req.signal.aborted,
      };
      return { status: 200, body: { id: req.path.id } };
    });
    const res = await invoke(
      handler,
      projectEvent({
        query: { include: 'members' },
        headers: { 'X-Correlation-Id': 'corr-123', 'If-Match': '"abc"' },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ id: 'p-1' });
    expect(res.headers['content-type']).toBe('application/json');
    expect(seen).toEqual({
      path: { id: 'p-1' },
      query: { include: 'members' },
      accept: 'application/json',
      principal: {
        sub: '5f2a1c1e-0000-4000-8000-000000000001',
        roles: ['editor', 'viewer'],
        scopes: [],
        authType: 'user',
        apiKeyId: undefined,
      },
      correlationId: 'corr-123',
      ifMatch: '"abc"',
      aborted: false,
    });
  });

  it('serializes the body once as JSON, lower-cases handler headers, and sends 204 without a body', async () => {
    const handler = api(createProject, () => ({
      status: 204,
      body: { ignored: true },
      headers: { 'X-Custom': 'yes' },
    }));
    const res = await invoke(handler, apiEvent({ method: 'POST', body: { name: 'n' } }));
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['x-custom']).toBe('yes');
    expect(res.headers['content-type']).toBeUndefined();
  });

  it('answers 500 INTERNAL when the function returns an invalid status', async () => {
    const handler = api(publicStatus, () => ({ status: 42 }));
    const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    expect(res.statusCode).toBe(500);
    expect(res.json?.code).toBe('INTERNAL');
  });
});

describe('api(): correlation id and logging', () => {
  it('takes x-correlation-id, then x-request-id, else generates one, and echoes it', async () => {
    const handler = api(publicStatus, () => ({ status: 200, body: {} }));
    const event = (headers: Record<string, string>) =>
      apiEvent({ path: '/api/v1/status', authorizer: null, headers });

    expect((await invoke(handler, event({ 'x-correlation-id': 'a-1' }))).headers['x-correlation-id']).toBe(
      'a-1',
    );
    expect((await invoke(handler, event({ 'X-Request-Id': 'r-2' }))).headers['x-correlation-id']).toBe('r-2');
    const generated = (await invoke(handler, event({}))).headers['x-correlation-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an inbound id that could inject headers or log fields', async () => {
    const handler = api(publicStatus, () => ({ status: 200, body: {} }));
    const res = await invoke(
      handler,
      apiEvent({
        path: '/api/v1/status',
        authorizer: null,
        headers: { 'x-correlation-id': 'x\r\nSet-Cookie: a=b' },
      }),
    );
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('appends the correlation id to every log line of the request, and not to the next request', async () => {
    const handler = api(publicStatus, () => {
      logger.info('inside handler');
      return { status: 200, body: {} };
    });
    await invoke(
      handler,
      apiEvent({ path: '/api/v1/status', authorizer: null, headers: { 'x-correlation-id': 'first' } }),
    );
    await invoke(
      handler,
      apiEvent({ path: '/api/v1/status', authorizer: null, headers: { 'x-correlation-id': 'second' } }),
    );
    const logs = output.lines().filter((line) => line.message === 'inside handler');
    expect(logs.map((line) => line.correlation_id)).toEqual(['first', 'second']);
    expect(logs[0].function_request_id).toEqual(expect.any(String));
  });

  it("puts the viewer's address (the hop CloudFront appended, never one the client wrote) on every log line", async () => {
    const handler = api(publicStatus, () => {
      logger.info('inside handler');
      return { status: 200, body: {} };
    });
    await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null, sourceIp: '198.51.100.7' }));
    await invoke(
      handler,
      apiEvent({
        path: '/api/v1/status',
        authorizer: null,
        headers: { 'X-Forwarded-For': '192.0.2.66, 198.51.100.8, 130.176.0.1' },
      }),
    );
    const logs = output.lines().filter((line) => line.message === 'inside handler');
    expect(logs.map((line) => line.viewer_ip)).toEqual(['198.51.100.7', '198.51.100.8']);
  });

  it("puts each request's Lambda context on its log lines and drops a handler's keys when it ends", async () => {
    const handler = api(publicStatus, (req) => {
      logger.info('before append');
      if (req.headers['x-tenant'] !== undefined) logger.appendKeys({ tenant: req.headers['x-tenant'] });
      logger.info('inside handler');
      return { status: 200, body: {} };
    });
    await invoke(
      handler,
      apiEvent({ path: '/api/v1/status', authorizer: null, headers: { 'x-tenant': 'acme' } }),
      { awsRequestId: 'req-1' },
    );
    await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }), { awsRequestId: 'req-2' });
    const logs = output.lines().filter((line) => line.message === 'inside handler');
    expect(logs.map((line) => [line.function_request_id, line.tenant])).toEqual([
      ['req-1', 'acme'],
      ['req-2', undefined],
    ]);
  });

  it('never logs the request body or the response', async () => {
    const handler = api(createProject, () => ({ status: 201, body: { secret: 'response-secret' } }));
    await invoke(handler, apiEvent({ method: 'POST', body: { name: 'request-secret' } }));
    const text = JSON.stringify(output.lines());
    expect(text).not.toContain('request-secret');
    expect(text).not.toContain('response-secret');
  });
});

describe('api(): metrics', () => {
  const emf = () => output.lines().filter((line) => line._aws !== undefined);

  it('writes no EMF line for a request that recorded no metric (API Gateway measures routes)', async () => {
    const ok = api(publicStatus, () => ({ status: 200, body: {} }));
    await invoke(ok, apiEvent({ path: '/api/v1/status', authorizer: null }));
    await invoke(
      api(getProject, () => ({ status: 200, body: {} })),
      projectEvent({ authorizer: null }),
    );
    expect(emf().filter((line) => line.ColdStart === undefined)).toEqual([]);
    expect(output.lines().filter((line) => String(line.message).includes('No application metrics'))).toEqual(
      [],
    );
  });

  it('publishes what the request recorded, on success and on error', async () => {
    const recording = (fail: boolean) =>
      api(publicStatus, () => {
        metrics.addMetric('ThingsDone', MetricUnit.Count, 1);
        if (fail) throw new Error('boom');
        return { status: 200, body: {} };
      });
    await invoke(recording(false), apiEvent({ path: '/api/v1/status', authorizer: null }));
    await invoke(recording(true), apiEvent({ path: '/api/v1/status', authorizer: null }));
    expect(emf().filter((line) => line.ThingsDone === 1)).toHaveLength(2);
  });
});

describe('api(): security headers', () => {
  const expectSecurityHeaders = (headers: Record<string, string>) => {
    expect(headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(headers['x-xss-protection']).toBe('0');
    expect(headers['referrer-policy']).toBe(SECURITY_HEADERS.referrerPolicy);
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  };

  it('sets them on success and removes Server / X-Powered-By set by the function', async () => {
    const handler = api(publicStatus, () => ({
      status: 200,
      body: {},
      headers: { Server: 'nginx', 'X-Powered-By': 'Express', 'X-Frame-Options': 'ALLOWALL' },
    }));
    const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    expectSecurityHeaders(res.headers);
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('sets them on error responses too', async () => {
    const handler = api(getProject, () => ({ status: 200, body: {} }));
    const res = await invoke(handler, projectEvent({ authorizer: null }));
    expect(res.statusCode).toBe(401);
    expectSecurityHeaders(res.headers);
  });
});

describe('api(): errors become problem+json', () => {
  it('hides the message and stack of unexpected errors and logs them with the correlation id', async () => {
    const handler = api(publicStatus, () => {
      throw new Error('db password is hunter2');
    });
    const res = await invoke(
      handler,
      apiEvent({ path: '/api/v1/status', authorizer: null, headers: { 'x-correlation-id': 'c-500' } }),
    );
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json).toEqual({
      type: 'https://docs.rampart.dev/errors#INTERNAL',
      title: 'Internal error',
      status: 500,
      detail: 'Internal error',
      code: 'INTERNAL',
      instance: '/api/v1/status',
      correlationId: 'c-500',
    });
    expect(res.body).not.toContain('hunter2');
    const errorLog = output.lines().find((line) => line.level === 'ERROR');
    expect(errorLog).toMatchObject({ correlation_id: 'c-500', code: 'INTERNAL' });
    expect(JSON.stringify(errorLog)).toContain('hunter2');
  });

  it('renders AppError with its code, detail, Retry-After and extra headers', async () => {
    const handler = api(publicStatus, () => {
      throw new AppError('RATE_LIMITED', {
        detail: 'Slow down',
        retryAfterSeconds: 7.2,
        headers: { 'X-RateLimit-Reset': '7' },
      });
    });
    const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('8');
    expect(res.headers['x-ratelimit-reset']).toBe('7');
    expect(res.json).toMatchObject({
      code: 'RATE_LIMITED',
      detail: 'Slow down',
      status: 429,
      title: 'Too many requests',
    });
  });

  it('maps Middy http-errors to catalogue codes without leaking their message', async () => {
    const cases: [number, string, string][] = [
      [415, 'Invalid or malformed JSON was provided', 'MALFORMED_JSON'],
      [415, 'Unsupported Media Type', 'UNSUPPORTED_MEDIA_TYPE'],
      [422, 'Unprocessable Entity', 'VALIDATION_FAILED'],
      [404, 'Not Found', 'NOT_FOUND'],
      [418, "I'm a teapot", 'INTERNAL'],
    ];
    for (const [status, message, code] of cases) {
      const handler = api(publicStatus, () => {
        throw createError(status, message);
      });
      const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
      expect({ status, code: res.json?.code }).toEqual({ status, code });
      expect(res.body).not.toContain(message);
    }
  });

  it('survives errors that are not Error instances', async () => {
    const handler = api(publicStatus, () => {
      throw 'a string';
    });
    const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    expect(res.statusCode).toBe(500);
    expect(res.json?.code).toBe('INTERNAL');
  });

  it('answers 500 INTERNAL when the body cannot be serialized', async () => {
    const handler = api(publicStatus, () => ({ status: 200, body: { big: BigInt(1) } }));
    const res = await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });
});
