import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent } from 'aws-lambda';
import {
  createLocalGateway,
  gatewayResponse,
  negotiateEncoding,
  policyAllows,
  type LocalGatewayOptions,
  type ProxyHandler,
} from '../../../lib/local/gateway';
import { PeriodQuota, TokenBucket } from '../../../lib/local/token-bucket';
import type { RouteDefinition } from '../../../lambda/shared/route';

/**
 * The local gateway with stand-in handlers: what it adds around a handler (matching, event shape,
 * authorizer policy, compression threshold, integration failures, payload limit) and its throttle
 * arithmetic on a fake clock.
 */
const ROUTES: RouteDefinition[] = [
  { id: 'open', method: 'GET', path: '/api/v1/open/{name}', handler: 'x', access: { public: true } },
  {
    id: 'closed',
    method: 'GET',
    path: '/api/v1/closed',
    handler: 'x',
    access: { roles: ['admin'], scopes: [] },
  },
  { id: 'fails', method: 'POST', path: '/api/v1/fails', handler: 'x', access: { public: true } },
];

let server: Server;
let url: string;
const seen: APIGatewayProxyEvent[] = [];
let body = '{}';

const handlers: Record<string, ProxyHandler> = {
  open: async (event) => {
    seen.push(event);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
  },
  closed: async () => ({ statusCode: 200, body: '{"secret":true}' }),
  fails: async () => {
    throw new Error('handler crashed');
  },
};

const allowClosed: APIGatewayAuthorizerResult = {
  principalId: 'p',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: ['arn:aws:execute-api:*/GET/api/v1/closed'] },
    ],
  },
  context: { sub: 's' },
};

beforeAll(async () => {
  const options: LocalGatewayOptions = {
    routes: ROUTES,
    handlerFor: (route) => handlers[route.id],
    authorizer: async () => allowClosed,
    stageThrottle: { rateLimit: 1000, burstLimit: 1000 },
    usagePlans: {
      free: { rateLimit: 1, burstLimit: 1, quotaLimit: 1, quotaPeriod: 'DAY' },
      standard: { rateLimit: 1, burstLimit: 1, quotaLimit: 1, quotaPeriod: 'DAY' },
      premium: { rateLimit: 1, burstLimit: 1, quotaLimit: 1, quotaPeriod: 'DAY' },
    },
    meterApiKey: () => true,
    minimumCompressionBytes: 1024,
    maxBodyBytes: 64,
  };
  server = createServer(createLocalGateway(options));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function send(method: string, path: string, headers: Record<string, string> = {}, payload?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(`${url}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end(payload);
    },
  );
}

describe('local gateway', () => {
  it('builds a REST v1 proxy event with path parameters, query and multi-value headers', async () => {
    seen.length = 0;
    const response = await send('GET', '/api/v1/open/caf%C3%A9?a=1&a=2&b=x', { 'X-Multi': 'one' });
    expect(response.status).toBe(200);
    const event = seen[0];
    expect(event).toMatchObject({
      resource: '/api/v1/open/{name}',
      path: '/api/v1/open/caf%C3%A9',
      httpMethod: 'GET',
      pathParameters: { name: 'café' },
      queryStringParameters: { a: '2', b: 'x' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x'] },
      isBase64Encoded: false,
      body: null,
      requestContext: {
        stage: 'local',
        resourcePath: '/api/v1/open/{name}',
        authorizer: null,
        httpMethod: 'GET',
      },
    });
    expect(event.headers['X-Multi']).toBe('one');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one']);
  });

  it('compresses only bodies at or above the minimum compression size', async () => {
    body = JSON.stringify({ small: true });
    const small = await send('GET', '/api/v1/open/a', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    body = JSON.stringify({ large: 'y'.repeat(2000) });
    const large = await send('GET', '/api/v1/open/a', { 'accept-encoding': 'gzip' });
    expect(large.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(large.body).toString())).toEqual({ large: 'y'.repeat(2000) });
  });

  it('answers 403 when the policy denies the route, 503 when a handler throws, 413 past the payload limit', async () => {
    const denied = await send('GET', '/api/v1/closed', { authorization: 'Bearer x' });
    expect(denied.status).toBe(403);
    const failed = await send('POST', '/api/v1/fails');
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('5');
    expect(JSON.parse(failed.body.toString())).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    const large = await send('POST', '/api/v1/fails', { 'content-type': 'application/json' }, 'x'.repeat(65));
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body.toString())).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('renders the gateway response templates with the request id', () => {
    const result = gatewayResponse({ type: 'BAD_REQUEST_BODY', message: 'bad "x"' }, 'req-1');
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({
      detail: 'bad "x"',
      correlationId: 'req-1',
      code: 'VALIDATION_FAILED',
    });
    expect(result.headers).toMatchObject({
      'x-correlation-id': 'req-1',
      'Content-Type': 'application/problem+json',
    });
  });

  it('evaluates policies with IAM wildcards and Deny precedence', () => {
    const arn = 'arn:aws:execute-api:local:0:local/local/GET/api/v1/projects/1';
    const policy = (
      statements: { Effect: 'Allow' | 'Deny'; Resource: string[] }[],
    ): APIGatewayAuthorizerResult => ({
      principalId: 'p',
      policyDocument: {
        Version: '2012-10-17',
        Statement: statements.map((s) => ({ ...s, Action: 'execute-api:Invoke' })),
      },
    });
    expect(
      policyAllows(
        policy([
          { Effect: 'Allow', Resource: ['arn:aws:execute-api:local:0:local/local/GET/api/v1/projects/*'] },
        ]),
        arn,
      ),
    ).toBe(true);
    expect(
      policyAllows(
        policy([
          { Effect: 'Allow', Resource: ['arn:aws:execute-api:local:0:local/local/GET/*'] },
          { Effect: 'Deny', Resource: [arn] },
        ]),
        arn,
      ),
    ).toBe(false);
    expect(policyAllows(policy([]), arn)).toBe(false);
  });

  it('negotiates brotli first, honours q=0', () => {
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeUndefined();
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding(undefined)).toBeUndefined();
  });
});

describe('throttle arithmetic', () => {
  it('grants the burst, then one token per 1/rate seconds, and says when the next one comes', () => {
    let now = 0;
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(1);
    now += 500;
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(1);
  });

  it('counts a quota per key and period and reports the seconds to the reset', () => {
    let now = 0;
    const quota = new PeriodQuota(2, 60, () => now);
    expect([quota.take('a'), quota.take('a'), quota.take('b')]).toEqual([0, 0, 0]);
    now = 30_000;
    expect(quota.take('a')).toBe(30);
    now = 60_000;
    expect(quota.take('a')).toBe(0);
  });
});
