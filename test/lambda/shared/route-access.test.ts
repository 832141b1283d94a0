import { ACCESS_ENTRIES, ROUTES } from '../../../lambda/routes';
import { authorizerRoutes } from '../../../lambda/routes/access';
import {
  compiledRouteAccess,
  ROUTE_ACCESS_GLOBAL,
  routeAccessDefine,
} from '../../../lambda/shared/route-access';

const globals = globalThis as Record<string, unknown>;

afterEach(() => {
  delete globals[ROUTE_ACCESS_GLOBAL];
});

test("the define is the manifest reduced to method, path and access (no schemas), as esbuild's JSON", () => {
  const define = routeAccessDefine(ROUTES);
  expect(Object.keys(define)).toEqual(['__RAMPART_ROUTE_ACCESS__']);
  const table = JSON.parse(define[ROUTE_ACCESS_GLOBAL]) as Record<string, unknown>[];
  expect(table).toEqual(ROUTES.map(({ method, path, access }) => ({ method, path, access })));
  expect(define[ROUTE_ACCESS_GLOBAL]).not.toContain('schemas');
});

test('from source nothing is compiled in: the authorizer reads the manifest itself (routes and mount rules)', () => {
  expect(compiledRouteAccess()).toBeUndefined();
  expect(authorizerRoutes()).toBe(ACCESS_ENTRIES);
  expect(ACCESS_ENTRIES.slice(0, ROUTES.length)).toEqual(ROUTES);
  expect(ACCESS_ENTRIES.length).toBeGreaterThan(ROUTES.length);
});

test('in a bundle built with the define, the authorizer reads the compiled table', () => {
  // What esbuild's define does to the identifier, done here by hand.
  const compiled = JSON.parse(routeAccessDefine(ROUTES)[ROUTE_ACCESS_GLOBAL]) as unknown[];
  globals[ROUTE_ACCESS_GLOBAL] = compiled;
  expect(compiledRouteAccess()).toBe(compiled);
  expect(authorizerRoutes()).toBe(compiled);
});
