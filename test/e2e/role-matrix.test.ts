import type { LocalStack } from '../../lib/local/local-stack';
import { ROUTES } from '../../lambda/routes';
import { ROLES, type Role } from '../../lambda/shared/access';
import type { RouteDefinition } from '../../lambda/shared/route';
import { call, login, startE2eStack } from './support/local-stack';

/**
 * The role x route matrix over HTTP, driven by the manifest: for every route and every seed role
 * (plus no credentials), the gateway and the authorizer let exactly the roles the route names
 * through. "Through" means the handler answered: any status but the gateway's 401/403 refusals
 * (a handler may still say 400/404 for the placeholder input).
 */
let stack: LocalStack;
const tokens = new Map<Role, string>();
const ROLE_USERS: Record<Role, string> = {
  admin: 'admin@example.com',
  editor: 'editor@example.com',
  viewer: 'viewer@example.com',
};

beforeAll(async () => {
  stack = await startE2eStack();
  for (const role of ROLES) tokens.set(role, (await login(stack, ROLE_USERS[role])).accessToken);
});

afterAll(async () => {
  await stack?.stop();
});

/** A concrete path for a route template: uuid-shaped ids, a plausible user sub. */
function concretePath(route: RouteDefinition): string {
  return route.path
    .replace('{id}', '00000000-0000-4000-8000-000000000000')
    .replace('{sub}', '00000000-0000-4000-8000-00000000dead');
}

function allowed(route: RouteDefinition, role: Role | undefined): boolean {
  if (route.access.public === true) return true;
  return role !== undefined && route.access.roles.includes(role);
}

const cases = ROUTES.flatMap((route) =>
  [...ROLES, undefined].map((role) => [route.method, route.path, role ?? 'anonymous', route, role] as const),
);

describe('role x route matrix (manifest-driven)', () => {
  it('covers every route of the manifest', () => {
    expect(new Set(cases.map(([, , , route]) => route.id)).size).toBe(ROUTES.length);
  });

  it.each(cases)('%s %s as %s', async (_method, _path, _who, route, role) => {
    const result = await call(stack, route.method, concretePath(route), {
      token: role === undefined ? undefined : tokens.get(role),
      body: route.schemas?.body !== undefined ? {} : undefined,
    });
    if (allowed(route, role)) {
      // The handler answered: never the gateway's refusals, never a server error.
      expect(result.json?.code === 'AUTH_REQUIRED' || result.json?.code === 'FORBIDDEN').toBe(false);
      expect(result.status).toBeLessThan(500);
    } else if (role === undefined) {
      expect(result.status).toBe(401);
      expect(result.json).toMatchObject({ code: 'AUTH_REQUIRED' });
    } else {
      expect(result.status).toBe(403);
      expect(result.json).toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});
