import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { readDeployedApi, type DeployedApi } from '../../../lib/local/deployed-api';
import {
  clientErrorResponse,
  createLocalGateway,
  negotiateEncoding,
  policyAllows,
  type ProxyHandler,
} from '../../../lib/local/gateway';
import { PeriodQuota, TokenBucket } from '../../../lib/local/token-bucket';
import { apiTemplate } from '../../support/api-template';

/**
 * The local gateway configured from the synthesized dev Api template, with stand-in functions:
 * matching, identity sources and the authorizer result cache, ApiKeyRequired and usage plans,
 * request validation, the regional WAF's header-order rule, gateway responses, compression, and
 * the answers to requests Node's parser refuses. Time is a fake clock.
 */
const api: DeployedApi = readDeployedApi(apiTemplate('dev'));
const tokenKeys = JSON.parse(
  api.methods.find((m) => m.authorizer !== undefined)!.authorizer!.environment.TOKEN_USAGE_KEYS,
) as { user: string; client: string };
const STAGE_PREFIX = `arn:aws:execute-api:local:000000000000:local/${api.stageName}/`;

let server: Server;
let url: string;
let clock = 1_000_000;
let body = '{}';
const seen: APIGatewayProxyEvent[] = [];
const authorizerCalls: APIGatewayRequestAuthorizerEvent[] = [];
const metered: string[] = [];

/** Stand-in authorizer: the credential's value says what it answers. */
function standInAuthorizer(event: APIGatewayRequestAuthorizerEvent): APIGatewayAuthorizerResult {
  authorizerCalls.push(event);
  const authorization = event.headers?.Authorization ?? event.headers?.authorization ?? '';
  const allowAll = (usageIdentifierKey?: string): APIGatewayAuthorizerResult => ({
    principalId: authorization,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${STAGE_PREFIX}*` }],
    },
    context: { sub: authorization },
    ...(usageIdentifierKey === undefined ? {} : { usageIdentifierKey }),
  });
  if (authorization.startsWith('Bearer user')) return allowAll(tokenKeys.user);
  if (authorization === 'Bearer no-usage-key') return allowAll();
  if (authorization === 'Bearer unknown-usage-key') return allowAll('not-a-key-of-any-plan');
  if (authorization === 'Bearer runtime-key') return allowAll('runtime-key-value');
  throw new Error('Unauthorized');
}

const echo: ProxyHandler = async (event) => {
  seen.push(event);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
};

beforeAll(async () => {
  server = createServer(
    createLocalGateway({
      api,
      integrationFor: (method) =>
        method.operationName === 'createProject'
          ? async () => {
              throw new Error('handler crashed');
            }
          : echo,
      authorizerFor: () => async (event) => standInAuthorizer(event),
      runtimeKeyPlan: (value) => (value === 'runtime-key-value' ? `${api.restApiName}-free` : undefined),
      meterApiKey: (value) => metered.push(value),
      now: () => clock,
      maxBodyBytes: 4096,
    }),
  );
  server.on('clientError', (error: Error, socket) => socket.end(clientErrorResponse(error)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  clock += 3_600_000; // every test starts with fresh buckets and an expired authorizer cache
  seen.length = 0;
  authorizerCalls.length = 0;
  metered.length = 0;
  body = '{}';
});

interface Sent {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One request; `headers` as [name, value] pairs so a name can repeat. */
function send(
  method: string,
  path: string,
  headers: [string, string][] = [],
  payload?: string,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method, headers: [['Host', 'localhost'], ...headers].flat() },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          let json: unknown;
          try {
            json = JSON.parse(raw.toString());
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const user: [string, string] = ['Authorization', 'Bearer user-1'];

describe('local gateway, configured from the dev Api template', () => {
  it('matches resources from the template and builds a REST v1 proxy event', async () => {
    const response = await send('GET', '/api/v1/projects/caf%C3%A9?a=1&a=2&b=x', [user, ['X-Multi', 'one']]);
    expect(response.status).toBe(200);
    expect(seen[0]).toMatchObject({
      resource: '/api/v1/projects/{id}',
      path: '/api/v1/projects/caf%C3%A9',
      httpMethod: 'GET',
      pathParameters: { id: 'café' },
      queryStringParameters: { a: '2', b: 'x' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x'] },
      requestContext: { stage: 'dev', resourcePath: '/api/v1/projects/{id}', resourceId: 'getProject' },
    });
    expect(seen[0].multiValueHeaders['X-Multi']).toEqual(['one']);
    expect(seen[0].requestContext.authorizer).toMatchObject({
      sub: 'Bearer user-1',
      principalId: 'Bearer user-1',
    });
  });

  it('answers an unknown path or method with 404 NOT_FOUND (MISSING_AUTHENTICATION_TOKEN)', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/nope'],
      ['DELETE', '/api/v1/health'],
      ['GET', '/'],
    ]) {
      const response = await send(method, path);
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ code: 'NOT_FOUND', status: 404 });
      expect(response.headers['content-type']).toBe('application/problem+json');
    }
  });

  it('client names such as __proto__ and constructor are ordinary keys in the event', async () => {
    const response = await send(
      'GET',
      '/api/v1/health?constructor=1&__proto__=2&toString=3&hasOwnProperty=4',
      [
        ['__proto__', 'a'],
        ['constructor', 'b'],
      ],
    );
    expect(response.status).toBe(200);
    const event = seen[0];
    expect(Object.getOwnPropertyNames(event.queryStringParameters)).toEqual(
      expect.arrayContaining(['constructor', '__proto__', 'toString', 'hasOwnProperty']),
    );
    expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('a');
    expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
  });

  it('a missing or empty identity source is 401 without calling the authorizer', async () => {
    for (const headers of [[], [['Authorization', '']], [['Authorization', '   ']], [['x-api-key', 'k']]] as [
      string,
      string,
    ][][]) {
      const response = await send('GET', '/api/v1/projects', headers);
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ code: 'AUTH_REQUIRED' });
    }
    expect(authorizerCalls).toHaveLength(0);
  });

  it('caches the authorizer result keyed on the identity source values only, for the template TTL', async () => {
    const ttl = api.methods.find((m) => m.authorizer)!.authorizer!.resultTtlSeconds;
    expect(ttl).toBeGreaterThan(0);
    expect((await send('GET', '/api/v1/projects', [user])).status).toBe(200);
    expect((await send('GET', '/api/v1/projects/1', [user, ['x-api-key', 'other']])).status).toBe(200);
    expect(authorizerCalls).toHaveLength(1);
    clock += ttl * 1000 + 1;
    expect((await send('GET', '/api/v1/projects', [user])).status).toBe(200);
    expect(authorizerCalls).toHaveLength(2);
  });

  it('ApiKeyRequired: no usageIdentifierKey, or a key in no plan, is refused (INVALID_API_KEY -> 401)', async () => {
    for (const token of ['Bearer no-usage-key', 'Bearer unknown-usage-key']) {
      const response = await send('GET', '/api/v1/projects', [['Authorization', token]]);
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    }
    expect(metered).toEqual([]);
  });

  it("meters and throttles per usage plan key: the token plan's key and a run-time key's plan", async () => {
    const tokens = api.usagePlans.find((plan) => plan.keyValues.includes(tokenKeys.user))!;
    expect(tokens.throttle).toBeDefined();
    const free = api.usagePlans.find((plan) => plan.name === `${api.restApiName}-free`)!;
    const statuses: number[] = [];
    for (let index = 0; index <= free.throttle!.burstLimit; index += 1) {
      statuses.push(
        (await send('GET', '/api/v1/health/details', [['Authorization', 'Bearer runtime-key']])).status,
      );
    }
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    const throttled = await send('GET', '/api/v1/health/details', [['Authorization', 'Bearer runtime-key']]);
    expect(throttled.status).toBe(429);
    expect(throttled.json).toMatchObject({ code: 'RATE_LIMITED' });
    expect(metered).toContain('runtime-key-value');
    await send('GET', '/api/v1/projects', [user]);
    expect(metered).toContain(tokenKeys.user);
  });

  it("reads each method's throttle from the stage's method settings, else the stage default", () => {
    const login = api.methods.find((m) => m.operationName === 'login')!;
    const list = api.methods.find((m) => m.operationName === 'listProjects')!;
    expect(login.throttle).toEqual(expect.objectContaining({ burstLimit: expect.any(Number) }));
    expect(login.throttle).not.toEqual(list.throttle);
  });

  it('public methods run no authorizer and meter nothing', async () => {
    expect((await send('GET', '/api/v1/health')).status).toBe(200);
    expect(authorizerCalls).toHaveLength(0);
    expect(metered).toEqual([]);
  });

  it("validates bodies against the method's model before the function runs (BAD_REQUEST_BODY)", async () => {
    const response = await send(
      'PATCH',
      '/api/v1/projects/1',
      [user, ['content-type', 'application/json']],
      '{"name": 5}',
    );
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', detail: 'Invalid request body' });
    expect(seen).toHaveLength(0);
    const notJson = await send(
      'PATCH',
      '/api/v1/projects/1',
      [user, ['content-type', 'application/json']],
      '{',
    );
    expect(notJson.status).toBe(400);
  });

  it("the regional WAF's rule refuses two Authorization headers with 401, before any cache", async () => {
    expect((await send('GET', '/api/v1/projects', [user])).status).toBe(200);
    const response = await send('GET', '/api/v1/projects', [['authorization', 'Bearer evil'], user]);
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    expect(authorizerCalls).toHaveLength(1);
  });

  it('a failing function is 503 with Retry-After; past the payload limit 413', async () => {
    const failed = await send(
      'POST',
      '/api/v1/projects',
      [user, ['content-type', 'application/json']],
      '{"name":"a"}',
    );
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('5');
    expect(failed.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    const large = await send('POST', '/api/v1/projects', [user], 'x'.repeat(4097));
    expect(large.status).toBe(413);
    expect(large.json).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it("compresses only bodies at or above the API's minimum compression size", async () => {
    body = JSON.stringify({ small: true });
    const small = await send('GET', '/api/v1/health', [['accept-encoding', 'gzip']]);
    expect(small.headers['content-encoding']).toBeUndefined();
    body = JSON.stringify({ large: 'y'.repeat(api.minimumCompressionSize!) });
    const large = await send('GET', '/api/v1/health', [['accept-encoding', 'gzip']]);
    expect(large.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(large.body).toString())).toEqual(JSON.parse(body));
  });

  it('answers requests the HTTP parser refuses with a problem body and the security headers', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(text));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
      });
    const header = await raw(
      `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
    );
    expect(header).toMatch(/^HTTP\/1\.1 431 /);
    expect(header).toContain('"code":"HEADERS_TOO_LARGE"');
    expect(header).toMatch(/x-content-type-options: nosniff/i);
    for (const broken of ['X-A: a\rb', 'X-A: a\u0000b']) {
      const answer = await raw(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\n${broken}\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"code":"MALFORMED_REQUEST"');
      expect(answer).toMatch(/strict-transport-security/i);
    }
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
    const prefix = 'arn:aws:execute-api:local:0:local/local/';
    expect(
      policyAllows(policy([{ Effect: 'Allow', Resource: [`${prefix}GET/api/v1/projects/*`] }]), arn),
    ).toBe(true);
    expect(
      policyAllows(
        policy([
          { Effect: 'Allow', Resource: [`${prefix}GET/*`] },
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
