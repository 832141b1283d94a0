import { GATEWAY_METHODS } from '../../lambda/routes';
import { API_KEY_TIERS, type ApiKeyTier } from '../../lambda/shared/access';
import type { CapacityClass, GatewayMethod, ManifestRoute } from '../../lambda/shared/route';

/** What the model reads of a route or a mounted app's method. */
export type CapacityRoute = Pick<ManifestRoute, 'id' | 'path' | 'access' | 'capacityClass' | 'needs'> & {
  readonly method: GatewayMethod;
};
import type { CapacityConfig, UsagePlanLimits } from './schema';

/**
 * The capacity model: every limit a request meets, derived from one `capacity` section of an
 * environment's config (docs/load-testing.md shows it per environment). The edge and regional web
 * ACLs' rate rules, the stage and method throttles, the usage plans and the functions' reserved
 * concurrency are read from {@link capacityPlan}, never from config directly, and
 * {@link capacityIssues} refuses a config whose layers contradict each other (run by the config
 * schema, so synth fails before any construct is built).
 */

/** Lambda refuses reservations that leave fewer unreserved executions than this in the account. */
export const UNRESERVED_CONCURRENCY_FLOOR = 100;

/**
 * Route functions reserve at least this many executions: one slow request never closes a route,
 * and every route function gets a concurrency alarm (alarmed from 2 up).
 */
export const MIN_ROUTE_CONCURRENCY = 2;

/** Largest throttle API Gateway's account-level bucket allows (burst 5,000 per account and region). */
export const MAX_BURST_LIMIT = 5_000;

/** The smallest limit a WAF rate-based rule accepts (requests per evaluation window). */
export const WAF_MIN_RATE_LIMIT = 10;

/**
 * Functions of the Api stack outside the manifest reserved at 1: outbox relay, API key cleanup and
 * API key recreation (the three use the database), JWKS fetcher, origin-verify rotation and login
 * client secret rotation (the standby has no origin-verify rotation: one fewer there).
 */
export const SINGLETON_FUNCTIONS = { total: 6, database: 3 } as const;

/** A token bucket: API Gateway's steady rate (requests/s) and bucket size. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** A WAF rate-based rule: requests per aggregation key per window. */
export interface WafRateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** One route's method: its throttle (from its class) and the concurrency behind it. */
export interface MethodCapacity extends Throttle {
  readonly route: CapacityRoute;
  readonly capacityClass: CapacityClass;
  readonly expectedDurationMs: number;
  /** Little's law: rate x duration x headroom (not rounded). */
  readonly neededConcurrency: number;
  /** What the function reserves: the need rounded up, at least {@link MIN_ROUTE_CONCURRENCY}, at most what one function may reserve. */
  readonly reservedConcurrency: number;
}

/** Everything the constructs read. */
export interface CapacityPlan {
  /** Web ACL rate rules: per IP at the edge (all paths, and `/api/v1/auth/*`), per credential at the stage. */
  readonly waf: {
    readonly perIp: WafRateLimit;
    readonly authPerIp: WafRateLimit;
    readonly perCredential: WafRateLimit;
  };
  /** The stage's default method throttle: the largest class's (only methods outside the manifest, i.e. CORS preflights, use it). */
  readonly stage: Throttle;
  /** Per route id. */
  readonly methods: Readonly<Record<string, MethodCapacity>>;
  /** One usage plan per API key tier: the tiers as promised. */
  readonly usagePlans: Readonly<Record<ApiKeyTier, UsagePlanLimits>>;
  /**
   * The token callers' plan (one bucket per kind of caller): the sum of the throttles of the methods
   * they can reach, so it never binds before the methods do; it exists so those methods can require a key.
   */
  readonly tokenUsagePlan: Throttle;
  /** The REQUEST authorizer runs for every authorized method: the sum of their rates (no cache hit assumed). */
  readonly authorizer: {
    readonly offeredRate: number;
    readonly expectedDurationMs: number;
    readonly neededConcurrency: number;
    readonly reservedConcurrency: number;
  };
  /** Largest reservation one function may have: the account quota minus Lambda's unreserved floor. */
  readonly maxFunctionConcurrency: number;
  /** Everything the Api stack reserves: routes, authorizer, worker and singletons. */
  readonly reservedConcurrency: number;
  /** Proxy connections the database functions can hold at their reservations (x `functions.dbPoolMax`). */
  readonly databaseConnections: number;
}

/** What the model reads: the `capacity` section and the functions' account-wide settings. */
export interface CapacityInputs {
  readonly capacity: CapacityConfig;
  readonly functions: {
    readonly workerReservedConcurrency: number;
    readonly accountConcurrencyLimit: number;
    readonly dbPoolMax: number;
  };
}

/** A contradiction in the model: the config field to change and what to change it to. */
export interface CapacityIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Methods an API key can reach: behind the authorizer, with a scope a key can carry. */
export function keyReachable(route: CapacityRoute): boolean {
  return route.access.public !== true && route.access.scopes.length > 0;
}

/** Methods token callers (users, machine clients) can reach: every method behind the authorizer. */
export function tokenReachable(route: CapacityRoute): boolean {
  return route.access.public !== true;
}

/** `ceil` that ignores floating-point dust (50 x 0.05 x 1.2 is 3, not 3.0000000000000004). */
function ceil(value: number): number {
  return Math.ceil(value - 1e-9);
}

/** Requests one client at `throttle` may send in `windowSeconds`: a full bucket, then the steady rate. */
export function requestsPerWindow(throttle: Throttle, windowSeconds: number): number {
  return ceil(throttle.rateLimit * windowSeconds + throttle.burstLimit);
}

/** Little's law with headroom: executions in flight at `rate` requests/s lasting `durationMs`. */
export function littlesLaw(rate: number, durationMs: number, headroom: number): number {
  return (rate * durationMs * headroom) / 1000;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Derives every limit from the model.
 * @param routes the manifest (default: every route and every mount's method)
 */
export function capacityPlan(
  inputs: CapacityInputs,
  routes: readonly CapacityRoute[] = GATEWAY_METHODS,
): CapacityPlan {
  const { capacity, functions } = inputs;
  const window = capacity.wafWindowSeconds;
  const maxFunctionConcurrency = functions.accountConcurrencyLimit - UNRESERVED_CONCURRENCY_FLOOR;
  const reserve = (needed: number, floor: number) =>
    Math.max(floor, Math.min(maxFunctionConcurrency, ceil(needed)));

  const methods: Record<string, MethodCapacity> = {};
  for (const route of routes) {
    const routeClass = capacity.routeClasses[route.capacityClass];
    const neededConcurrency = littlesLaw(
      routeClass.rateLimit,
      routeClass.expectedDurationMs,
      capacity.concurrencyHeadroom,
    );
    methods[route.id] = {
      route,
      capacityClass: route.capacityClass,
      rateLimit: routeClass.rateLimit,
      burstLimit: routeClass.burstLimit,
      expectedDurationMs: routeClass.expectedDurationMs,
      neededConcurrency,
      reservedConcurrency: reserve(neededConcurrency, MIN_ROUTE_CONCURRENCY),
    };
  }
  const all = Object.values(methods);
  const authorized = all.filter((method) => tokenReachable(method.route));
  const classes = Object.values(capacity.routeClasses);

  const offeredRate = sum(authorized.map((method) => method.rateLimit));
  const authorizerNeed = littlesLaw(offeredRate, capacity.authorizerDurationMs, capacity.concurrencyHeadroom);
  const authorizer = {
    offeredRate,
    expectedDurationMs: capacity.authorizerDurationMs,
    neededConcurrency: authorizerNeed,
    reservedConcurrency: reserve(authorizerNeed, MIN_ROUTE_CONCURRENCY),
  };

  const routeReservations = sum(all.map((method) => method.reservedConcurrency));
  const databaseReservations = sum(
    all
      .filter((method) => method.route.needs?.includes('database'))
      .map((method) => method.reservedConcurrency),
  );
  return {
    waf: {
      perIp: { limit: ceil(capacity.edgePerIpRps * window), windowSeconds: window },
      authPerIp: { limit: capacity.edgeAuthRequestsPerIp, windowSeconds: window },
      perCredential: { limit: ceil(capacity.perCredentialRps * window), windowSeconds: window },
    },
    stage: {
      rateLimit: Math.max(...classes.map((routeClass) => routeClass.rateLimit)),
      burstLimit: Math.max(...classes.map((routeClass) => routeClass.burstLimit)),
    },
    methods,
    usagePlans: Object.fromEntries(API_KEY_TIERS.map((tier) => [tier, capacity.tiers[tier]])) as Record<
      ApiKeyTier,
      UsagePlanLimits
    >,
    tokenUsagePlan: {
      rateLimit: Math.min(capacity.accountRateLimit, sum(authorized.map((method) => method.rateLimit))),
      burstLimit: Math.min(MAX_BURST_LIMIT, sum(authorized.map((method) => method.burstLimit))),
    },
    authorizer,
    maxFunctionConcurrency,
    reservedConcurrency:
      routeReservations +
      authorizer.reservedConcurrency +
      functions.workerReservedConcurrency +
      SINGLETON_FUNCTIONS.total,
    // The authorizer looks API keys up in the database.
    databaseConnections:
      (databaseReservations +
        authorizer.reservedConcurrency +
        functions.workerReservedConcurrency +
        SINGLETON_FUNCTIONS.database) *
      functions.dbPoolMax,
  };
}

const describeThrottle = (throttle: Throttle) => `${throttle.rateLimit} rps, burst ${throttle.burstLimit}`;
const describeRoute = (route: CapacityRoute) => `${route.method} ${route.path}`;

/**
 * Where the model contradicts itself: a tier promised more than a layer in front of it allows, a
 * method whose function cannot reserve what its throttle needs, or more than the account has.
 * Each issue names the field to change and the value that would satisfy it.
 */
export function capacityIssues(
  inputs: CapacityInputs,
  routes: readonly CapacityRoute[] = GATEWAY_METHODS,
): CapacityIssue[] {
  const { capacity, functions } = inputs;
  const plan = capacityPlan(inputs, routes);
  const window = capacity.wafWindowSeconds;
  const issues: CapacityIssue[] = [];
  const issue = (path: readonly (string | number)[], message: string) => issues.push({ path, message });

  for (const [field, rule] of [
    ['edgePerIpRps', plan.waf.perIp],
    ['edgeAuthRequestsPerIp', plan.waf.authPerIp],
    ['perCredentialRps', plan.waf.perCredential],
  ] as const) {
    if (rule.limit < WAF_MIN_RATE_LIMIT) {
      issue(
        ['capacity', field],
        `gives a WAF rate rule of ${rule.limit} requests per ${window} s; WAF accepts at least ${WAF_MIN_RATE_LIMIT}`,
      );
    }
  }
  if (plan.waf.authPerIp.limit > plan.waf.perIp.limit) {
    issue(
      ['capacity', 'edgeAuthRequestsPerIp'],
      `(${plan.waf.authPerIp.limit} per ${window} s) must be at most the edge per-IP limit on every path ` +
        `(${plan.waf.perIp.limit} = capacity.edgePerIpRps ${capacity.edgePerIpRps} x ${window} s): it is the stricter rule`,
    );
  }
  if (capacity.perCredentialRps > capacity.edgePerIpRps) {
    issue(
      ['capacity', 'perCredentialRps'],
      `(${capacity.perCredentialRps} rps) exceeds capacity.edgePerIpRps (${capacity.edgePerIpRps}): a caller on one ` +
        `address could never use its per-credential allowance; raise capacity.edgePerIpRps to at least ` +
        `${capacity.perCredentialRps} or lower capacity.perCredentialRps`,
    );
  }

  const keyMethods = Object.values(plan.methods).filter((method) => keyReachable(method.route));
  for (const tier of API_KEY_TIERS) {
    const promised = capacity.tiers[tier];
    const needed = requestsPerWindow(promised, window);
    const promise = `the ${tier} tier promises ${describeThrottle(promised)} to each API key (up to ${needed} requests per ${window} s)`;
    if (needed > plan.waf.perCredential.limit) {
      issue(
        ['capacity', 'perCredentialRps'],
        `${promise}, but the regional per-credential rule allows ${plan.waf.perCredential.limit} ` +
          `(capacity.perCredentialRps ${capacity.perCredentialRps} x ${window} s): raise capacity.perCredentialRps ` +
          `to at least ${ceil(needed / window)} or lower capacity.tiers.${tier}`,
      );
    }
    if (needed > plan.waf.perIp.limit) {
      issue(
        ['capacity', 'edgePerIpRps'],
        `${promise}, but the edge per-IP rule allows ${plan.waf.perIp.limit} from one address ` +
          `(capacity.edgePerIpRps ${capacity.edgePerIpRps} x ${window} s): raise capacity.edgePerIpRps ` +
          `to at least ${ceil(needed / window)} or lower capacity.tiers.${tier}`,
      );
    }
    const reported = new Set<CapacityClass>();
    for (const method of keyMethods) {
      if (reported.has(method.capacityClass)) continue;
      if (promised.rateLimit > method.rateLimit || promised.burstLimit > method.burstLimit) {
        reported.add(method.capacityClass);
        issue(
          ['capacity', 'routeClasses', method.capacityClass],
          `${promise}, but ${describeRoute(method.route)} (class ${method.capacityClass}) is throttled at ` +
            `${describeThrottle(method)} for every caller together: raise capacity.routeClasses.${method.capacityClass} ` +
            `to at least ${describeThrottle({
              rateLimit: Math.max(promised.rateLimit, method.rateLimit),
              burstLimit: Math.max(promised.burstLimit, method.burstLimit),
            })} or lower capacity.tiers.${tier}`,
        );
      }
    }
    if (
      reported.size === 0 &&
      (promised.rateLimit > plan.stage.rateLimit || promised.burstLimit > plan.stage.burstLimit)
    ) {
      issue(
        ['capacity', 'tiers', tier],
        `${promise}, but the stage throttle is ${describeThrottle(plan.stage)}: lower capacity.tiers.${tier}`,
      );
    }
  }

  const methodRates = sum(Object.values(plan.methods).map((method) => method.rateLimit));
  if (methodRates > capacity.accountRateLimit) {
    issue(
      ['capacity', 'routeClasses'],
      `the method throttles add up to ${methodRates} rps, above API Gateway's account throttle in the region ` +
        `(capacity.accountRateLimit ${capacity.accountRateLimit}): lower the classes' rateLimit, or raise the ` +
        `quota through Service Quotas (L-8A5B8E43) and then capacity.accountRateLimit`,
    );
  }

  const reportedClasses = new Set<CapacityClass>();
  for (const method of Object.values(plan.methods)) {
    if (
      method.reservedConcurrency >= ceil(method.neededConcurrency) ||
      reportedClasses.has(method.capacityClass)
    )
      continue;
    reportedClasses.add(method.capacityClass);
    issue(
      ['capacity', 'routeClasses', method.capacityClass],
      `${describeRoute(method.route)} needs ${ceil(method.neededConcurrency)} concurrent executions to serve its ` +
        `throttle (Little's law: ${method.rateLimit} rps x ${method.expectedDurationMs} ms x headroom ` +
        `${capacity.concurrencyHeadroom}), but one function can reserve at most ${plan.maxFunctionConcurrency} ` +
        `(functions.accountConcurrencyLimit ${functions.accountConcurrencyLimit} - ${UNRESERVED_CONCURRENCY_FLOOR} unreserved): ` +
        `lower capacity.routeClasses.${method.capacityClass}.rateLimit or expectedDurationMs, or raise the account's ` +
        `Lambda concurrency quota and functions.accountConcurrencyLimit`,
    );
  }
  if (plan.authorizer.reservedConcurrency < ceil(plan.authorizer.neededConcurrency)) {
    issue(
      ['capacity', 'authorizerDurationMs'],
      `the authorizer needs ${ceil(plan.authorizer.neededConcurrency)} concurrent executions to serve every ` +
        `authorized method (Little's law: ${plan.authorizer.offeredRate} rps x ${capacity.authorizerDurationMs} ms x ` +
        `headroom ${capacity.concurrencyHeadroom}), but one function can reserve at most ${plan.maxFunctionConcurrency}: ` +
        `lower the classes' rateLimit or capacity.authorizerDurationMs, or raise functions.accountConcurrencyLimit`,
    );
  }
  if (plan.reservedConcurrency > plan.maxFunctionConcurrency) {
    issue(
      ['capacity', 'routeClasses'],
      `the functions reserve ${plan.reservedConcurrency} concurrent executions (routes ` +
        `${sum(Object.values(plan.methods).map((method) => method.reservedConcurrency))}, authorizer ` +
        `${plan.authorizer.reservedConcurrency}, worker ${functions.workerReservedConcurrency}, ` +
        `${SINGLETON_FUNCTIONS.total} singletons); Lambda keeps ${UNRESERVED_CONCURRENCY_FLOOR} unreserved, so ` +
        `functions.accountConcurrencyLimit ${functions.accountConcurrencyLimit} allows at most ${plan.maxFunctionConcurrency}: ` +
        `lower the classes' rateLimit or expectedDurationMs, or capacity.concurrencyHeadroom, or raise the quota`,
    );
  }
  return issues;
}
