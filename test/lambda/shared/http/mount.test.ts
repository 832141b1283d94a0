import { AppError } from '../../../../lambda/shared/errors';
import { mountedApp, mountedResult } from '../../../../lambda/shared/http/mount';
import { mountAccess, mountAccessEntries, MountAccessRules } from '../../../../lambda/shared/mount-access';
import type { Principal } from '../../../../lambda/shared/http/types';
import type { MountDefinition } from '../../../../lambda/shared/route';
import { apiEvent, VIEWER_USER } from '../../../fixtures/api-gateway-event';
import { invoke } from '../../../fixtures/invoke';

const mount: MountDefinition = {
  id: 'shop',
  prefix: '/api/v1/shop',
  target: { handler: 'shop/handler.ts' },
  rules: [
    { methods: ['GET'], path: '/{rest+}', access: { roles: ['viewer', 'admin'], scopes: ['rampart/read'] } },
    { methods: 'ANY', path: '/admin/{rest+}', access: { roles: ['admin'], scopes: [] } },
  ],
  capacityClass: 'read',
};
const user = (roles: string[]): Principal => ({ sub: 's', roles, scopes: [], authType: 'user' });

describe('MountAccessRules', () => {
  const rules = new MountAccessRules(mount);

  test('every matching rule must allow; a request no rule matches is forbidden', () => {
    expect(rules.decide(user(['viewer']), 'GET', '/api/v1/shop/orders')).toBe('allowed');
    expect(rules.decide(user(['viewer']), 'GET', '/api/v1/shop/admin/report')).toBe('forbidden');
    expect(rules.decide(user(['admin']), 'GET', '/api/v1/shop/admin/report')).toBe('allowed');
    expect(rules.decide(user(['admin']), 'POST', '/api/v1/shop/orders')).toBe('forbidden');
    expect(rules.decide(undefined, 'GET', '/api/v1/shop/orders')).toBe('unauthenticated');
    expect(rules.decide(user(['admin']), 'GET', '/api/v1/other')).toBe('forbidden');
  });

  test('the authorizer reads one entry per rule and method, and the mount as the union of its rules', () => {
    expect(mountAccessEntries(mount).map((e) => `${e.method} ${e.path}`)).toEqual([
      'GET /api/v1/shop/{rest+}',
      'ANY /api/v1/shop/admin/{rest+}',
    ]);
    expect(mountAccess(mount)).toEqual({ roles: ['viewer', 'admin'], scopes: ['rampart/read'] });
    const open = {
      ...mount,
      rules: [{ methods: 'ANY' as const, path: '/{x+}', access: { public: true as const } }],
    };
    expect(mountAccess(open)).toEqual({ public: true });
    expect(new MountAccessRules(open).decide(undefined, 'DELETE', '/api/v1/shop/a')).toBe('allowed');
  });

  test('refuses mounts it cannot enforce', () => {
    expect(() => new MountAccessRules({ ...mount, rules: [] })).toThrow(/at least one access rule/);
    expect(
      () =>
        new MountAccessRules({
          ...mount,
          rules: [...mount.rules, { methods: 'ANY', path: '/public/{x+}', access: { public: true } }],
        }),
    ).toThrow(/mixes public and protected rules/);
    expect(() => new MountAccessRules({ ...mount, rules: [{ ...mount.rules[0], path: 'orders' }] })).toThrow(
      /must start with \//,
    );
  });
});

describe('mountedApp request guards', () => {
  const seen: string[] = [];
  const handler = mountedApp(mount, (event) => {
    seen.push(event.path);
    return { statusCode: 200, body: '{}' };
  });
  beforeEach(() => {
    seen.length = 0;
  });

  test.each([
    '/api/v1/shop/%61dmin/report',
    '/api/v1/shop/%41dmin/report',
    '/api/v1/shop/adm%69n/report',
    '/api/v1/shop/%2Dx/admin/report',
    '/api/v1/shop/%7Eadmin/report',
    '/api/v1/shop/%5F',
    '/api/v1/shop/%30',
  ])(
    'refuses %s: a percent-encoded unreserved character that the app decodes after the rules ran',
    async (path) => {
      const res = await invoke(handler, apiEvent({ method: 'GET', path, authorizer: VIEWER_USER }));
      expect({ status: res.statusCode, code: res.json?.code }).toEqual({ status: 400, code: 'UNSAFE_INPUT' });
      expect(seen).toEqual([]);
    },
  );

  test('refuses a JSON body holding a lone surrogate (stored, it would be U+FFFD), keeps a pair', async () => {
    const post = (body: string) =>
      invoke(
        handler,
        apiEvent({
          method: 'GET',
          path: '/api/v1/shop/customers',
          body,
          headers: { 'content-type': 'application/json' },
          authorizer: VIEWER_USER,
        }),
      );
    for (const body of ['{"name":"a\\ud800b"}', '{"x":["\\udfff"]}', '{"\\udc00":1}']) {
      const res = await post(body);
      expect({ body, status: res.statusCode, code: res.json?.code }).toEqual({
        body,
        status: 400,
        code: 'UNSAFE_INPUT',
      });
    }
    expect(seen).toEqual([]);
    expect((await post('{"name":"\\ud83d\\ude00 \\\\ud800"}')).statusCode).toBe(200);
  });

  test('passes encoded reserved and non-ASCII characters on, and still applies the rules', async () => {
    const ok = await invoke(
      handler,
      apiEvent({ method: 'GET', path: '/api/v1/shop/customers/a%40b%2Fc%C3%BC%20', authorizer: VIEWER_USER }),
    );
    expect(ok.statusCode).toBe(200);
    expect(seen).toEqual(['/api/v1/shop/customers/a%40b%2Fc%C3%BC%20']);
    const admin = await invoke(
      handler,
      apiEvent({ method: 'GET', path: '/api/v1/shop/admin/report', authorizer: VIEWER_USER }),
    );
    expect({ status: admin.statusCode, code: admin.json?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  });
});

describe('mountedResult', () => {
  const codeOf = (status: number, headers: Record<string, string> = {}, body = '') => {
    try {
      mountedResult({ statusCode: status, headers, body });
    } catch (error) {
      return error instanceof AppError ? error.code : 'thrown';
    }
    return 'passed';
  };

  test("keeps the app's success, with single-value lower-case headers", () => {
    expect(
      mountedResult({
        statusCode: 200,
        multiValueHeaders: { 'Content-Type': ['application/json'], 'Set-Cookie': ['a=1', 'b=2'] },
        body: '{}',
      }),
    ).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] },
      body: '{}',
    });
    expect(mountedResult({ statusCode: 200, body: 'AA==', isBase64Encoded: true })).toMatchObject({
      isBase64Encoded: true,
    });
  });

  test("turns the app's errors into Rampart's codes, and never passes a 5xx body on", () => {
    expect(codeOf(404)).toBe('NOT_FOUND');
    expect(codeOf(422)).toBe('VALIDATION_FAILED');
    expect(codeOf(418)).toBe('REQUEST_REFUSED');
    expect(codeOf(400, { 'content-type': 'application/problem+json' })).toBe('passed');
    expect(codeOf(503)).toBe('DEPENDENCY_UNAVAILABLE');
    expect(codeOf(504)).toBe('TIMEOUT');
    expect(codeOf(500, {}, 'Error: at /var/task/index.js:1')).toBe('thrown');
    expect(codeOf(99)).toBe('thrown');
  });

  test("takes a short detail from the app's JSON error only", () => {
    try {
      mountedResult({ statusCode: 409, headers: {}, body: JSON.stringify({ message: 'x'.repeat(300) }) });
    } catch (error) {
      expect((error as AppError).detail).toHaveLength(200);
    }
    try {
      mountedResult({ statusCode: 409, headers: {}, body: 'plain text' });
    } catch (error) {
      expect((error as AppError).detail).toBeUndefined();
    }
    expect.assertions(2);
  });
});
