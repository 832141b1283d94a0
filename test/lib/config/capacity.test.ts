import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  capacityIssues,
  capacityPlan,
  ENVIRONMENT_NAMES,
  littlesLaw,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
  proxyConnectionBudget,
  requestsPerWindow,
  type CapacityConfig,
  type CapacityInputs,
  type EnvironmentConfig,
} from '../../../lib/config';
import { dev } from '../../../lib/config/dev';
import { prod } from '../../../lib/config/prod';
import { ROUTES } from '../../../lambda/routes';
import { CAPACITY_CLASSES, type ManifestRoute } from '../../../lambda/shared/route';

const route = (fields: Omit<ManifestRoute, 'handler'>): ManifestRoute => ({
  handler: 'x/handler.ts',
  ...fields,
});

/** A small manifest: a public route, a read and a write a key can reach, a route only users reach. */
const ROUTES_UNDER_TEST: readonly ManifestRoute[] = [
  route({
    id: 'ping',
    method: 'GET',
    path: '/api/v1/ping',
    access: { public: true },
    capacityClass: 'health',
  }),
  route({
    id: 'list',
    method: 'GET',
    path: '/api/v1/things',
    access: { roles: ['viewer'], scopes: ['rampart/read'] },
    capacityClass: 'read',
    needs: ['database'],
  }),
  route({
    id: 'create',
    method: 'POST',
    path: '/api/v1/things',
    access: { roles: ['editor'], scopes: ['rampart/write'] },
    capacityClass: 'write',
    needs: ['database'],
  }),
  route({
    id: 'keys',
    method: 'POST',
    path: '/api/v1/keys',
    access: { roles: ['viewer'], scopes: [] },
    capacityClass: 'keyManagement',
    needs: ['database'],
  }),
];

const devConfig = loadEnvironmentConfig('dev');

const INPUTS: CapacityInputs = {
  capacity: {
    ...devConfig.capacity,
    edgePerIpRps: 40,
    perCredentialRps: 30,
    routeClasses: {
      ...devConfig.capacity.routeClasses,
      read: { rateLimit: 100, burstLimit: 200, expectedDurationMs: 60 },
      write: { rateLimit: 30, burstLimit: 60, expectedDurationMs: 200 },
    },
    authorizerDurationMs: 40,
    concurrencyHeadroom: 1.5,
  },
  functions: { workerReservedConcurrency: 3, accountConcurrencyLimit: 1000, dbPoolMax: 2 },
};

describe('capacity model: derivations', () => {
  test('a client at its throttle sends a full bucket, then the rate, per WAF window', () => {
    expect(requestsPerWindow({ rateLimit: 50, burstLimit: 100 }, 300)).toBe(15_100);
    expect(requestsPerWindow({ rateLimit: 0.5, burstLimit: 3 }, 60)).toBe(33);
  });

  test("Little's law: rate x duration x headroom, rounded up without floating-point dust", () => {
    expect(littlesLaw(100, 500, 1.1)).toBeCloseTo(55);
    const plan = capacityPlan(
      {
        ...INPUTS,
        capacity: {
          ...INPUTS.capacity,
          concurrencyHeadroom: 1.1,
          routeClasses: {
            ...INPUTS.capacity.routeClasses,
            read: { rateLimit: 100, burstLimit: 200, expectedDurationMs: 500 },
          },
        },
      },
      ROUTES_UNDER_TEST,
    );
    // 100 x 500 x 1.1 / 1000 is 55.00000000000001 in floating point: 55 executions, not 56.
    expect(plan.methods.list.reservedConcurrency).toBe(55);
  });

  test('every limit of a small model, exactly', () => {
    const plan = capacityPlan(INPUTS, ROUTES_UNDER_TEST);
    expect(plan.waf).toEqual({
      perIp: { limit: 12_000, windowSeconds: 300 },
      authPerIp: { limit: 100, windowSeconds: 300 },
      perCredential: { limit: 9_000, windowSeconds: 300 },
    });
    // The largest class of the config, whether or not a route uses it.
    expect(plan.stage).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(
      Object.fromEntries(
        Object.entries(plan.methods).map(([id, method]) => [
          id,
          [method.capacityClass, method.rateLimit, method.burstLimit, method.reservedConcurrency],
        ]),
      ),
    ).toEqual({
      // 50 x 20 ms x 1.5 = 1.5 executions: the floor of 2.
      ping: ['health', 50, 100, 2],
      // 100 x 60 ms x 1.5 = 9.
      list: ['read', 100, 200, 9],
      // 30 x 200 ms x 1.5 = 9.
      create: ['write', 30, 60, 9],
      // 5 x 500 ms x 1.5 = 3.75.
      keys: ['keyManagement', 5, 10, 4],
    });
    expect(plan.usagePlans).toEqual(devConfig.capacity.tiers);
    // Every method behind the authorizer: list, create, keys.
    expect(plan.tokenUsagePlan).toEqual({ rateLimit: 135, burstLimit: 270 });
    // 135 rps x 40 ms x 1.5 = 8.1.
    expect(plan.authorizer).toEqual({
      offeredRate: 135,
      expectedDurationMs: 40,
      neededConcurrency: 8.1,
      reservedConcurrency: 9,
    });
    expect(plan.maxFunctionConcurrency).toBe(900);
    // Routes 24, authorizer 9, worker 3, six singletons.
    expect(plan.reservedConcurrency).toBe(42);
    // (list 9 + create 9 + keys 4 + authorizer 9 + worker 3 + relay, cleanup and key recreation 3) x dbPoolMax 2.
    expect(plan.databaseConnections).toBe(74);
  });

  test("a reservation never exceeds what one function may reserve; the token plan never exceeds API Gateway's bucket", () => {
    const plan = capacityPlan(
      {
        ...INPUTS,
        capacity: {
          ...INPUTS.capacity,
          routeClasses: {
            ...INPUTS.capacity.routeClasses,
            read: { rateLimit: 4_000, burstLimit: 5_000, expectedDurationMs: 1_000 },
          },
        },
      },
      ROUTES_UNDER_TEST,
    );
    expect(plan.methods.list.reservedConcurrency).toBe(900);
    expect(plan.tokenUsagePlan).toEqual({ rateLimit: 4_035, burstLimit: 5_000 });
  });

  test('every manifest route has a class, and the committed models use every class', () => {
    for (const manifestRoute of ROUTES) expect(CAPACITY_CLASSES).toContain(manifestRoute.capacityClass);
    expect(new Set(ROUTES.map((manifestRoute) => manifestRoute.capacityClass))).toEqual(
      new Set(CAPACITY_CLASSES),
    );
  });

  test.each(ENVIRONMENT_NAMES)('%s: consistent, and every database function fits the proxy', (name) => {
    const config = loadEnvironmentConfig(name);
    expect(capacityIssues(config)).toEqual([]);
    const plan = capacityPlan(config);
    expect(plan.databaseConnections).toBeLessThanOrEqual(proxyConnectionBudget(config.database));
    for (const method of Object.values(plan.methods)) {
      expect(method.reservedConcurrency).toBeGreaterThanOrEqual(method.neededConcurrency);
    }
  });
});

/** Parses prod with `capacity` changed, as synth would. */
function prodWith(
  capacity: Partial<CapacityConfig>,
  functions: Partial<EnvironmentConfig['functions']> = {},
) {
  const declared = prod as unknown as EnvironmentConfig;
  return () =>
    parseEnvironmentConfig({
      ...prod,
      capacity: { ...declared.capacity, ...capacity },
      functions: { ...declared.functions, ...functions },
    });
}

function prodClasses(classes: Partial<CapacityConfig['routeClasses']>): Partial<CapacityConfig> {
  const declared = prod as unknown as EnvironmentConfig;
  return { routeClasses: { ...declared.capacity.routeClasses, ...classes } };
}

describe('capacity model: synth refuses contradictions, saying what to change', () => {
  test('a tier above the regional per-credential rule', () => {
    expect(prodWith({ perCredentialRps: 20 })).toThrow(
      'Invalid config for environment "prod": capacity.perCredentialRps: the premium tier promises 50 rps, burst 100 ' +
        'to each API key (up to 15100 requests per 300 s), but the regional per-credential rule allows 6000 ' +
        '(capacity.perCredentialRps 20 x 300 s): raise capacity.perCredentialRps to at least 51 or lower capacity.tiers.premium',
    );
  });

  test('a tier above the edge per-IP rule (and a per-credential allowance no address could use)', () => {
    const parse = prodWith({ edgePerIpRps: 10 });
    expect(parse).toThrow(
      'capacity.edgePerIpRps: the premium tier promises 50 rps, burst 100 to each API key (up to 15100 requests per ' +
        '300 s), but the edge per-IP rule allows 3000 from one address (capacity.edgePerIpRps 10 x 300 s): raise ' +
        'capacity.edgePerIpRps to at least 51 or lower capacity.tiers.premium',
    );
    expect(parse).toThrow(
      'capacity.perCredentialRps: (60 rps) exceeds capacity.edgePerIpRps (10): a caller on one address could never ' +
        'use its per-credential allowance; raise capacity.edgePerIpRps to at least 60 or lower capacity.perCredentialRps',
    );
    // The standard tier (10 rps, burst 20: 3020 per window) fits 11 rps per address; premium does not.
    expect(prodWith({ edgePerIpRps: 11, perCredentialRps: 11 })).toThrow(/lower capacity\.tiers\.premium$/);
  });

  test('an auth rule looser than the per-IP rule on every path', () => {
    expect(prodWith({ edgeAuthRequestsPerIp: 30_001 })).toThrow(
      'capacity.edgeAuthRequestsPerIp: (30001 per 300 s) must be at most the edge per-IP limit on every path ' +
        '(30000 = capacity.edgePerIpRps 100 x 300 s): it is the stricter rule',
    );
  });

  test("a WAF rule below WAF's minimum, and windows WAF does not offer", () => {
    expect(prodWith({ edgePerIpRps: 0.02, perCredentialRps: 0.02 })).toThrow(
      'capacity.edgePerIpRps: gives a WAF rate rule of 6 requests per 300 s; WAF accepts at least 10',
    );
    expect(prodWith({ wafWindowSeconds: 30 as 60 })).toThrow(
      /capacity\.wafWindowSeconds: must be one of 60, 120, 300, 600/,
    );
  });

  test('a tier above the method throttle of a route its keys can reach', () => {
    expect(
      prodWith(prodClasses({ write: { rateLimit: 20, burstLimit: 40, expectedDurationMs: 100 } })),
    ).toThrow(
      'Invalid config for environment "prod": capacity.routeClasses.write: the premium tier promises 50 rps, burst 100 ' +
        'to each API key (up to 15100 requests per 300 s), but POST /api/v1/projects (class write) is throttled at ' +
        '20 rps, burst 40 for every caller together: raise capacity.routeClasses.write to at least 50 rps, burst 100 ' +
        'or lower capacity.tiers.premium',
    );
    // A class only users reach (key management) may stay below the tiers.
    expect(
      prodWith(prodClasses({ keyManagement: { rateLimit: 1, burstLimit: 2, expectedDurationMs: 500 } })),
    ).not.toThrow();
  });

  test("method throttles above API Gateway's account throttle", () => {
    // Prod's methods add up to 1497 rps.
    expect(prodWith({ accountRateLimit: 1_000 })).toThrow(
      "capacity.routeClasses: the method throttles add up to 1497 rps, above API Gateway's account throttle in the " +
        "region (capacity.accountRateLimit 1000): lower the classes' rateLimit, or raise the quota through Service " +
        'Quotas (L-8A5B8E43) and then capacity.accountRateLimit',
    );
  });

  test("Little's law: a method whose throttle needs more executions than one function can reserve", () => {
    const parse = prodWith(
      prodClasses({ read: { rateLimit: 200, burstLimit: 400, expectedDurationMs: 5_000 } }),
    );
    expect(parse).toThrow(
      'capacity.routeClasses.read: GET /api/v1/health/details needs 1500 concurrent executions to serve its throttle ' +
        "(Little's law: 200 rps x 5000 ms x headroom 1.5), but one function can reserve at most 900 " +
        '(functions.accountConcurrencyLimit 1000 - 100 unreserved): lower capacity.routeClasses.read.rateLimit or ' +
        "expectedDurationMs, or raise the account's Lambda concurrency quota and functions.accountConcurrencyLimit",
    );
    // At 300 ms the same class needs 90 per function: it fits.
    expect(
      prodWith(prodClasses({ read: { rateLimit: 200, burstLimit: 400, expectedDurationMs: 300 } })),
    ).not.toThrow();
  });

  test("Little's law for the authorizer, which runs for every authorized method", () => {
    expect(prodWith({ authorizerDurationMs: 2_000 })).toThrow(
      'capacity.authorizerDurationMs: the authorizer needs 3975 concurrent executions to serve every authorized method ' +
        "(Little's law: 1325 rps x 2000 ms x headroom 1.5), but one function can reserve at most 900: lower the " +
        "classes' rateLimit or capacity.authorizerDurationMs, or raise functions.accountConcurrencyLimit",
    );
  });

  test('reservations that leave Lambda less than 100 unreserved executions', () => {
    // Prod reserves 333 with headroom 1.5; with 6, 1259.
    expect(prodWith({ concurrencyHeadroom: 6 })).toThrow(
      'capacity.routeClasses: the functions reserve 1259 concurrent executions (routes 845, authorizer 398, worker 10, ' +
        '6 singletons); Lambda keeps 100 unreserved, so functions.accountConcurrencyLimit 1000 allows at most 900: ' +
        "lower the classes' rateLimit or expectedDurationMs, or capacity.concurrencyHeadroom, or raise the quota",
    );
    expect(prodWith({}, { accountConcurrencyLimit: 300 })).toThrow(
      /the functions reserve 333 concurrent executions .* functions\.accountConcurrencyLimit 300 allows at most 200/,
    );
    expect(prodWith({}, { accountConcurrencyLimit: 433 })).not.toThrow();
  });

  test('the dev model, as committed, stays in its small database', () => {
    expect(() => parseEnvironmentConfig(dev)).not.toThrow();
  });
});

describe('docs/load-testing.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'load-testing.md'), 'utf8');
  const plans = ENVIRONMENT_NAMES.map((name) => {
    const config = loadEnvironmentConfig(name);
    return { config, plan: capacityPlan(config) };
  });
  const cells = (values: (plan: (typeof plans)[number]) => string) => plans.map(values).join(' | ');
  const throttle = (t: { rateLimit: number; burstLimit: number }) => `${t.rateLimit} rps / ${t.burstLimit}`;
  /** `| layer | dev | staging | prod |` with the cells as the doc writes them (spacing aside). */
  const row = (layer: string, values: (plan: (typeof plans)[number]) => string) =>
    `| ${layer} | ${cells(values)} |`;
  const normalize = (text: string) =>
    text
      .split('\n')
      .map((line) => line.replace(/\s*\|\s*/g, ' | ').trim())
      .join('\n');

  test('the capacity table shows every derived limit of every environment', () => {
    const expected = [
      row('Edge WAF, per IP, every path (per 5 min)', ({ plan }) => String(plan.waf.perIp.limit)),
      row('Edge WAF, per IP, `/api/v1/auth/*` (per 5 min)', ({ plan }) => String(plan.waf.authPerIp.limit)),
      row('Regional WAF, per credential (per 5 min)', ({ plan }) => String(plan.waf.perCredential.limit)),
      ...(['free', 'standard', 'premium'] as const).map((tier) =>
        row(`Usage plan \`${tier}\`, per key`, ({ plan }) => {
          const limits = plan.usagePlans[tier];
          return `${throttle(limits)}, ${limits.quotaLimit}/${limits.quotaPeriod.toLowerCase()}`;
        }),
      ),
      row('Usage plan of token callers, per kind', ({ plan }) => throttle(plan.tokenUsagePlan)),
      row('Stage default (CORS preflights)', ({ plan }) => throttle(plan.stage)),
      ...CAPACITY_CLASSES.map((name) =>
        row(`Method throttle, \`${name}\``, ({ config }) => throttle(config.capacity.routeClasses[name])),
      ),
      ...CAPACITY_CLASSES.map((name) =>
        row(`Reserved concurrency, \`${name}\` function`, ({ plan }) =>
          String(
            Object.values(plan.methods).find((method) => method.capacityClass === name)!.reservedConcurrency,
          ),
        ),
      ),
      row('Reserved concurrency, authorizer', ({ plan }) => String(plan.authorizer.reservedConcurrency)),
      row(
        'Reserved concurrency, Api stack total',
        ({ plan, config }) =>
          `${plan.reservedConcurrency} of ${config.functions.accountConcurrencyLimit - 100}`,
      ),
      row(
        'Proxy connections at full reservation',
        ({ plan, config }) => `${plan.databaseConnections} of ${proxyConnectionBudget(config.database)}`,
      ),
    ];
    const table = normalize(doc);
    for (const line of expected) expect(table).toContain(normalize(line));
  });
});
