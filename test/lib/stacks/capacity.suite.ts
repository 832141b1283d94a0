import type { Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentName } from '../../../lib/config';
import { MOUNTS, ROUTES } from '../../../lambda/routes';
import type { CapacityClass } from '../../../lambda/shared/route';
import { synthEnvironments } from '../../support/synth';

/**
 * The capacity model as deployed: every derived limit asserted in the synthesized templates against
 * figures written out here per environment (not recomputed from the model, so a wrong derivation
 * fails). The same figures are the table in docs/load-testing.md.
 */
const environments = synthEnvironments();

type Pair = readonly [rate: number, burst: number];

interface Expected {
  /** Edge per IP (every path), edge per IP on /api/v1/auth/*, regional per credential: requests per 300 s. */
  readonly waf: { readonly perIp: number; readonly authPerIp: number; readonly perCredential: number };
  readonly stage: Pair;
  /** Method throttle and reserved concurrency of each route function, by class. */
  readonly classes: Readonly<Record<CapacityClass, readonly [rate: number, burst: number, reserved: number]>>;
  readonly authorizer: number;
  readonly worker: number;
  readonly tiers: Readonly<Record<'free' | 'standard' | 'premium', readonly [number, number, number]>>;
  readonly tokens: Pair;
  /** Every reservation of the Api stack's functions added up. */
  readonly reserved: number;
}

const EXPECTED: Record<EnvironmentName, Expected> = {
  dev: {
    waf: { perIp: 15_000, authPerIp: 100, perCredential: 7_500 },
    stage: [50, 100],
    classes: {
      health: [50, 100, 2],
      readiness: [20, 40, 2],
      read: [50, 100, 3],
      write: [20, 40, 2],
      directory: [20, 40, 3],
      admin: [5, 10, 2],
      keyManagement: [5, 10, 3],
      auth: [10, 20, 4],
      passwordReset: [2, 5, 2],
    },
    authorizer: 20,
    worker: 2,
    tiers: { free: [1, 5, 1_000], standard: [10, 20, 5_000], premium: [20, 40, 20_000] },
    tokens: [395, 790],
    reserved: 97,
  },
  staging: {
    waf: { perIp: 30_000, authPerIp: 100, perCredential: 18_000 },
    stage: [100, 200],
    classes: {
      health: [50, 100, 2],
      readiness: [20, 40, 3],
      read: [100, 200, 8],
      write: [50, 100, 8],
      directory: [50, 100, 12],
      admin: [5, 10, 3],
      keyManagement: [5, 10, 4],
      auth: [20, 40, 12],
      passwordReset: [2, 5, 2],
    },
    authorizer: 62,
    worker: 5,
    tiers: { free: [1, 5, 1_000], standard: [10, 20, 10_000], premium: [50, 100, 100_000] },
    tokens: [825, 1_650],
    reserved: 255,
  },
  prod: {
    waf: { perIp: 30_000, authPerIp: 100, perCredential: 18_000 },
    stage: [200, 400],
    classes: {
      health: [50, 100, 2],
      readiness: [20, 40, 3],
      read: [200, 400, 15],
      write: [50, 100, 8],
      directory: [50, 100, 12],
      admin: [5, 10, 3],
      keyManagement: [5, 10, 4],
      auth: [20, 40, 12],
      passwordReset: [2, 5, 2],
    },
    authorizer: 100,
    worker: 10,
    tiers: { free: [1, 5, 1_000], standard: [10, 20, 50_000], premium: [50, 100, 1_000_000] },
    tokens: [1_325, 2_650],
    reserved: 333,
  },
};

interface MethodSetting {
  readonly HttpMethod: string;
  readonly ResourcePath: string;
  readonly ThrottlingRateLimit: number;
  readonly ThrottlingBurstLimit: number;
}

/** The properties these tests read, across the resource types they read them from. */
interface Properties {
  readonly Description?: string;
  readonly ReservedConcurrentExecutions?: number;
  readonly Environment?: { readonly Variables: Record<string, string> };
  readonly MethodSettings?: readonly MethodSetting[];
  readonly UsagePlanName?: string;
  readonly Throttle?: unknown;
  readonly Quota?: unknown;
  readonly Rules?: readonly {
    readonly Name: string;
    readonly Statement: { readonly RateBasedStatement?: { Limit: number; EvaluationWindowSec: number } };
  }[];
}

type Resource = { Type: string; Properties: Properties };

function resources(template: Template, type: string): Resource[] {
  return Object.values(template.findResources(type)) as Resource[];
}

/** The limit and window of a web ACL's rate-based rule. */
function rateRule(template: Template, name: string) {
  const [acl] = resources(template, 'AWS::WAFv2::WebACL');
  const statement = acl.Properties.Rules!.find((candidate) => candidate.Name === name)!.Statement
    .RateBasedStatement!;
  return { limit: statement.Limit, window: statement.EvaluationWindowSec };
}

describe.each(Object.keys(EXPECTED) as EnvironmentName[])('capacity model as deployed (%s)', (name) => {
  const expected = EXPECTED[name];
  const { template } = environments[name];
  const api = template('api');
  const edge = template('edge');
  const functions = resources(api, 'AWS::Lambda::Function');
  const reservationOf = (description: string | RegExp) => {
    const matching = functions.filter((fn) =>
      typeof description === 'string'
        ? fn.Properties.Description === description
        : description.test(fn.Properties.Description ?? ''),
    );
    expect(matching).toHaveLength(1);
    return matching[0].Properties.ReservedConcurrentExecutions;
  };

  test('WAF rate rules: edge per IP (every path, /api/v1/auth/*) and regional per credential, per 5 minutes', () => {
    expect({
      perIp: rateRule(edge, 'RateLimitPerIp'),
      authPerIp: rateRule(edge, 'RateLimitAuth'),
      perCredential: rateRule(api, 'RateLimitPerCredential'),
    }).toEqual({
      perIp: { limit: expected.waf.perIp, window: 300 },
      authPerIp: { limit: expected.waf.authPerIp, window: 300 },
      perCredential: { limit: expected.waf.perCredential, window: 300 },
    });
  });

  test("stage default and every route's method throttle", () => {
    const [stage] = resources(api, 'AWS::ApiGateway::Stage');
    const settings = stage.Properties.MethodSettings!;
    const pair = (setting: MethodSetting) => [setting.ThrottlingRateLimit, setting.ThrottlingBurstLimit];
    expect(pair(settings.find((setting) => setting.ResourcePath === '/*')!)).toEqual(expected.stage);
    // One setting per route and mount, none missing: no method falls back to the stage default.
    expect(settings).toHaveLength(ROUTES.length + MOUNTS.length + 1);
    for (const route of ROUTES) {
      const resourcePath = `/${route.path.replace(/\//g, '~1')}`;
      const setting = settings.find((s) => s.ResourcePath === resourcePath && s.HttpMethod === route.method);
      const [rate, burst] = expected.classes[route.capacityClass];
      expect({ route: route.id, throttle: setting && pair(setting) }).toEqual({
        route: route.id,
        throttle: [rate, burst],
      });
    }
  });

  test('usage plans: each tier with its throttle and daily quota per key; the token plan without quota', () => {
    const plans = Object.fromEntries(
      resources(api, 'AWS::ApiGateway::UsagePlan').map((plan) => [
        plan.Properties.UsagePlanName,
        [plan.Properties.Throttle, plan.Properties.Quota],
      ]),
    );
    expect(plans).toEqual({
      ...Object.fromEntries(
        Object.entries(expected.tiers).map(([tier, [rate, burst, quota]]) => [
          `rampart-${name}-${tier}`,
          [
            { RateLimit: rate, BurstLimit: burst },
            { Limit: quota, Period: 'DAY' },
          ],
        ]),
      ),
      [`rampart-${name}-tokens`]: [
        { RateLimit: expected.tokens[0], BurstLimit: expected.tokens[1] },
        undefined,
      ],
    });
  });

  test("reserved concurrency: each route function by its class (Little's law), the authorizer, the worker, the total", () => {
    for (const route of ROUTES) {
      expect({ route: route.id, reserved: reservationOf(`${route.method} ${route.path}`) }).toEqual({
        route: route.id,
        reserved: expected.classes[route.capacityClass][2],
      });
    }
    expect(reservationOf(/^REQUEST authorizer/)).toBe(expected.authorizer);
    expect(reservationOf(/^Processes domain events/)).toBe(expected.worker);
    const total = functions.reduce((sum, fn) => sum + (fn.Properties.ReservedConcurrentExecutions ?? 0), 0);
    expect(total).toBe(expected.reserved);
  });

  test('the functions see the tiers they are metered by (RateLimit-Policy headers)', () => {
    const listProjects = functions.find((fn) => fn.Properties.Description === 'GET /api/v1/projects')!;
    const limits = JSON.parse(listProjects.Properties.Environment!.Variables.USAGE_PLAN_LIMITS);
    expect(limits).toEqual(
      Object.fromEntries(
        Object.entries(expected.tiers).map(([tier, [rateLimit, burstLimit, quotaLimit]]) => [
          tier,
          { rateLimit, burstLimit, quotaLimit, quotaPeriod: 'DAY' },
        ]),
      ),
    );
  });
});
