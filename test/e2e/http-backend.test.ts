import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalStack } from '../../lib/local/local-stack';
import { mounts } from '../../lambda/routes';
import { PRINCIPAL_HEADER_MAPPINGS } from '../../lambda/shared/principal-headers';
import { apiTemplate } from '../support/api-template';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * The shop prefix served by an HTTP backend instead of the Lambda app: the dev template with the
 * mount's method integration as `SecureRestApi` writes it for `target: { backend }` (asserted in
 * test/lib/constructs/api/secure-rest-api-mounts.test.ts), the backend a local server.
 */
const SHOP = mounts.shopApp.prefix;
const BACKEND_URL = 'https://legacy.example.com/base';
let stack: LocalStack;
let backend: Server;
const received: { path: string; headers: IncomingHttpHeaders }[] = [];

function templateWithBackend() {
  const template = structuredClone(apiTemplate('dev'));
  const method = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === 'AWS::ApiGateway::Method' && resource.Properties?.OperationName === 'shopApp',
  );
  if (method?.Properties === undefined) throw new Error('the dev template has no shopApp method');
  method.Properties.Integration = {
    Type: 'HTTP_PROXY',
    IntegrationHttpMethod: 'ANY',
    Uri: `${BACKEND_URL}/{proxy}`,
    TimeoutInMillis: 1_000,
    RequestParameters: {
      'integration.request.path.proxy': 'method.request.path.proxy',
      ...PRINCIPAL_HEADER_MAPPINGS,
    },
  };
  return template;
}

beforeAll(async () => {
  backend = createServer((request, response) => {
    received.push({ path: request.url ?? '', headers: request.headers });
    if (request.url?.startsWith('/base/slow')) {
      setTimeout(() => response.end('late'), 1_500);
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ servedBy: 'legacy', path: request.url }));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const port = (backend.address() as AddressInfo).port;
  stack = await startE2eStack({
    apiTemplate: templateWithBackend(),
    httpBackendUrl: (url) => url.replace('https://legacy.example.com', `http://127.0.0.1:${port}`),
  });
});

afterAll(async () => {
  await stack?.stop();
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

describe('an HTTP backend mounted behind Rampart (local stack)', () => {
  test('refuses unauthenticated calls before the backend sees them', async () => {
    const before = received.length;
    const result = await call(stack, 'GET', `${SHOP}/orders`);
    expect(result.status).toBe(401);
    expect(received).toHaveLength(before);
  });

  test('proxies path and query, with the principal in headers the gateway sets (client copies replaced)', async () => {
    const { accessToken } = await login(stack, 'viewer@example.com');
    const result = await call(stack, 'GET', `${SHOP}/orders/7?status=open`, {
      token: accessToken,
      headers: { 'x-rampart-sub': 'attacker', 'X-Rampart-Roles': 'admin', 'x-rampart-auth-type': 'apiKey' },
    });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ servedBy: 'legacy', path: '/base/orders/7?status=open' });
    expect(result.headers.get('x-content-type-options')).toBe('nosniff');
    const seen = received.at(-1)!.headers;
    const viewer = stack.users.find((user) => user.email === 'viewer@example.com')!;
    expect({
      sub: seen['x-rampart-sub'],
      roles: seen['x-rampart-roles'],
      scopes: seen['x-rampart-scopes'],
      authType: seen['x-rampart-auth-type'],
      apiKeyId: seen['x-rampart-api-key-id'],
    }).toEqual({ sub: viewer.sub, roles: 'viewer', scopes: '', authType: 'user', apiKeyId: '' });
  });

  test('refuses a path the policy and the backend would read differently, before the backend sees it', async () => {
    const { accessToken } = await login(stack, 'editor@example.com');
    const before = received.length;
    // Deleting orders is for admins; each spelling below is /orders/1 once decoded or resolved.
    for (const path of [`${SHOP}/%6frders/1`, `${SHOP}/orders%2f1`, `${SHOP}/x/..%2forders/1`]) {
      const result = await call(stack, 'DELETE', path, { token: accessToken });
      expect({ path, status: result.status, code: result.json?.code }).toEqual({
        path,
        status: 400,
        code: 'UNSAFE_INPUT',
      });
    }
    expect(received).toHaveLength(before);
  });

  test("answers 504 when the backend outlives the integration's timeout", async () => {
    const { accessToken } = await login(stack, 'viewer@example.com');
    const result = await call(stack, 'GET', `${SHOP}/slow`, { token: accessToken });
    expect(result.status).toBe(504);
    expect(result.headers.get('content-type')).toBe('application/problem+json');
  });
});
