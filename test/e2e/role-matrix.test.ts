import type { LocalStack } from '../../lib/local/local-stack';
import { ROUTES } from '../../lambda/routes';
import type { RouteDefinition } from '../../lambda/shared/route';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * The role x route matrix over HTTP: for every route, the status each caller gets, written out
 * here (not derived from the manifest the authorizer and the wrapper are built from). 401 and 403
 * are the refusals of the gateway/authorizer; any other status means the route's handler answered
 * the placeholder request (uuid-shaped ids, an empty JSON body where the route takes one, no
 * If-Match): 400 for the empty body (validated before If-Match is required), 404 for an id that
 * does not exist.
 *
 * Columns: anonymous, viewer, editor, admin.
 */
const CALLERS = ['anonymous', 'viewer', 'editor', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

const MATRIX: Readonly<Record<string, readonly [number, number, number, number]>> = {
  // Public: everyone reaches the handler.
  'GET /api/v1/health': [200, 200, 200, 200],
  'GET /api/v1/health/ready': [200, 200, 200, 200],
  'POST /api/v1/auth/login': [400, 400, 400, 400],
  'POST /api/v1/auth/challenge': [400, 400, 400, 400],
  'POST /api/v1/auth/refresh': [400, 400, 400, 400],
  'POST /api/v1/auth/logout': [400, 400, 400, 400],
  'POST /api/v1/auth/password/forgot': [400, 400, 400, 400],
  'POST /api/v1/auth/password/confirm': [400, 400, 400, 400],
  // Any signed-in user.
  'GET /api/v1/me': [401, 200, 200, 200],
  // Deprecated alias of /me (sunset 2027-06-30): the same access.
  'GET /api/v1/whoami': [401, 200, 200, 200],
  'GET /api/v1/projects': [401, 200, 200, 200],
  'GET /api/v1/projects/{id}': [401, 404, 404, 404],
  // Carved out of the mounted shop app (test/e2e/mounted-app.test.ts covers the mount itself).
  'GET /api/v1/shop/customers/{id}': [401, 404, 404, 404],
  'POST /api/v1/api-keys': [401, 400, 400, 400],
  'GET /api/v1/api-keys': [401, 200, 200, 200],
  'POST /api/v1/api-keys/{id}/rotate': [401, 404, 404, 404],
  'DELETE /api/v1/api-keys/{id}': [401, 404, 404, 404],
  'GET /api/v1/api-keys/{id}/usage': [401, 404, 404, 404],
  // Editors and admins write projects.
  'POST /api/v1/projects': [401, 403, 400, 400],
  'PATCH /api/v1/projects/{id}': [401, 403, 400, 400],
  // Admins only.
  'DELETE /api/v1/projects/{id}': [401, 403, 403, 404],
  'GET /api/v1/health/details': [401, 403, 403, 200],
  'PUT /api/v1/users/{sub}/roles': [401, 403, 403, 400],
};

const SEED_USERS: Record<Exclude<Caller, 'anonymous'>, string> = {
  viewer: 'viewer@example.com',
  editor: 'editor@example.com',
  admin: 'admin@example.com',
};

let stack: LocalStack;
const tokens = new Map<Caller, string>();

beforeAll(async () => {
  stack = await startE2eStack();
  for (const [caller, email] of Object.entries(SEED_USERS))
    tokens.set(caller as Caller, (await login(stack, email)).accessToken);
});

afterAll(async () => {
  await stack?.stop();
});

/** A concrete path for a route template: uuid-shaped ids, a plausible user sub. */
function concretePath(path: string): string {
  return path
    .replace('{id}', '00000000-0000-4000-8000-000000000000')
    .replace('{sub}', '00000000-0000-4000-8000-00000000dead');
}

function routeOf(key: string): RouteDefinition | undefined {
  return ROUTES.find((route) => `${route.method} ${route.path}` === key);
}

describe('role x route matrix', () => {
  it('has a row for every route of the manifest and no other', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it.each(Object.entries(MATRIX))('%s', async (key, expected) => {
    const [method, path] = key.split(' ');
    const route = routeOf(key);
    const statuses: number[] = [];
    for (const caller of CALLERS) {
      const result = await call(stack, method, concretePath(path), {
        token: caller === 'anonymous' ? undefined : tokens.get(caller),
        body: route?.schemas?.body !== undefined ? {} : undefined,
      });
      statuses.push(result.status);
      // A refusal is the gateway's or the authorizer's, with its stable code.
      if (result.status === 401)
        expect({ caller, code: result.json?.code }).toEqual({ caller, code: 'AUTH_REQUIRED' });
      if (result.status === 403)
        expect({ caller, code: result.json?.code }).toEqual({ caller, code: 'FORBIDDEN' });
    }
    expect(Object.fromEntries(CALLERS.map((caller, index) => [caller, statuses[index]]))).toEqual(
      Object.fromEntries(CALLERS.map((caller, index) => [caller, expected[index]])),
    );
  });
});
