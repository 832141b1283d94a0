import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { LocalStack } from '../../lib/local/local-stack';
import { securityHeaderValues } from '../../lambda/shared/security-headers';
import { call, devTemplateWith, login, startE2eStack } from './support/local-stack';

/**
 * Security headers and compression on every kind of response over HTTP: handler successes
 * (200/201/204), handler errors (400/404/413 problem+json) and the gateway's own answers
 * (401/403/404/429). The stack compresses from 0 bytes here (minimumCompressionBytes: 0) so every
 * response with a body is compressible; one case checks the dev threshold separately.
 */
let stack: LocalStack;
let editor: string;
let viewer: string;

beforeAll(async () => {
  stack = await startE2eStack({
    apiTemplate: devTemplateWith('AWS::ApiGateway::RestApi', { MinimumCompressionSize: 0 }),
  });
  editor = (await login(stack, 'editor@example.com')).accessToken;
  viewer = (await login(stack, 'viewer@example.com')).accessToken;
});

afterAll(async () => {
  await stack?.stop();
});

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** node:http without automatic decompression, to see exactly what went over the wire. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const PROJECT = '00000000-0000-4000-8000-000000000000';

/** [name, method, path, headers, body, expected status] for each response kind. */
function kinds(): [string, string, string, Record<string, string>, string | undefined, number][] {
  const json = { 'content-type': 'application/json' };
  return [
    ['handler 200', 'GET', '/api/v1/projects', { authorization: `Bearer ${viewer}` }, undefined, 200],
    [
      'handler 201',
      'POST',
      '/api/v1/projects',
      { ...json, authorization: `Bearer ${editor}` },
      '{"name":"h"}',
      201,
    ],
    [
      'handler 400',
      'POST',
      '/api/v1/projects',
      { ...json, authorization: `Bearer ${editor}` },
      '{"name":""}',
      400,
    ],
    [
      'handler 404',
      'GET',
      `/api/v1/projects/${PROJECT}`,
      { authorization: `Bearer ${viewer}` },
      undefined,
      404,
    ],
    [
      'handler 413',
      'POST',
      '/api/v1/projects',
      { ...json, authorization: `Bearer ${editor}` },
      // Valid for the model (API Gateway validates first), too large for the route's body limit.
      `{"name":"x"${' '.repeat(20_000)}}`,
      413,
    ],
    ['gateway 401', 'GET', '/api/v1/projects', {}, undefined, 401],
    [
      'gateway 403',
      'DELETE',
      `/api/v1/projects/${PROJECT}`,
      { authorization: `Bearer ${viewer}` },
      undefined,
      403,
    ],
    ['gateway 404', 'GET', '/api/v1/nothing-here', {}, undefined, 404],
    ['public 200', 'GET', '/api/v1/health', {}, undefined, 200],
  ];
}

describe('security headers and compression on every response kind', () => {
  const expectedHeaders = securityHeaderValues();

  it.each(['br', 'gzip', 'identity'])('with Accept-Encoding: %s', async (encoding) => {
    for (const [name, method, path, headers, body, status] of kinds()) {
      const response = await raw(method, path, { ...headers, 'accept-encoding': encoding }, body);
      expect([name, response.status]).toEqual([name, status]);
      for (const [header, value] of Object.entries(expectedHeaders)) {
        expect([name, header, response.headers[header]]).toEqual([name, header, value]);
      }
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers.server).toBeUndefined();
      const decoded =
        encoding === 'br'
          ? brotliDecompressSync(response.body)
          : encoding === 'gzip'
            ? gunzipSync(response.body)
            : response.body;
      expect([name, response.headers['content-encoding']]).toEqual([
        name,
        encoding === 'identity' ? undefined : encoding,
      ]);
      expect(response.headers.vary).toMatch(/accept-encoding/i);
      const parsed = JSON.parse(decoded.toString('utf8')) as { status?: number; code?: string };
      if (status >= 400) {
        expect([name, response.headers['content-type']]).toEqual([name, 'application/problem+json']);
        expect([name, parsed.status]).toEqual([name, status]);
      }
    }
  });

  it('carries the headers on a 204 and a 429 too', async () => {
    const created = await call(stack, 'POST', '/api/v1/api-keys', {
      token: viewer,
      body: { name: 'h', scopes: ['rampart/read'], tier: 'free' },
    });
    const revoked = await raw('DELETE', `/api/v1/api-keys/${created.json.id}`, {
      authorization: `Bearer ${viewer}`,
      'accept-encoding': 'br',
    });
    expect(revoked.status).toBe(204);
    expect(revoked.body).toHaveLength(0);
    expect(revoked.headers['content-encoding']).toBeUndefined();

    const another = await call(stack, 'POST', '/api/v1/api-keys', {
      token: viewer,
      body: { name: 'h2', scopes: ['rampart/read'], tier: 'free' },
    });
    let throttled: RawResponse | undefined;
    for (let index = 0; index < 10 && throttled === undefined; index += 1) {
      const response = await raw('GET', '/api/v1/projects', {
        authorization: `ApiKey ${another.json.key}`,
        'accept-encoding': 'gzip',
      });
      if (response.status === 429) throttled = response;
    }
    for (const response of [revoked, throttled!]) {
      for (const [header, value] of Object.entries(expectedHeaders))
        expect(response.headers[header]).toBe(value);
    }
    expect(throttled!.headers['retry-after']).toBe('1');
    expect(JSON.parse(gunzipSync(throttled!.body).toString('utf8'))).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('requests the local server answers itself', () => {
  /** Writes `head` on a fresh socket and returns everything the server sent before closing. */
  function exchange(head: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(new URL(stack.url).port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.end(head);
    });
  }
  const expectedHeaders = securityHeaderValues();

  it('answers CONNECT with a problem body and the security headers, not a closed socket', async () => {
    const answer = await exchange(`CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"MALFORMED_REQUEST"');
    for (const [header, value] of Object.entries(expectedHeaders))
      expect(answer.toLowerCase()).toContain(`${header}: ${value.toLowerCase()}`);
  });

  it('serves a request whose Expect it does not know instead of a bare 417', async () => {
    const answer = await exchange(
      `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    for (const [header, value] of Object.entries(expectedHeaders))
      expect(answer.toLowerCase()).toContain(`${header}: ${value.toLowerCase()}`);
  });
});
