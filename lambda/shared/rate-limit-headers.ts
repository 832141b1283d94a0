import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { API_KEY_TIERS, type ApiKeyTier } from './access';
import { principalFromAuthorizer } from './http/authorize';
import { logger } from './powertools';

/**
 * `RateLimit-Policy` for API-key callers (IETF draft-ietf-httpapi-ratelimit-headers, structured
 * field syntax: `"<name>";q=<quota>;w=<window seconds>`). Two policies per tier: the usage plan's
 * quota (named after the tier) and its steady throttle rate (`<tier>-rate`, per second).
 *
 * Only the policy is sent, never the `RateLimit` field: that field requires `r` (remaining), and
 * the Lambda cannot know it. API Gateway counts quota and throttle tokens itself and tells neither
 * the authorizer nor the integration; reading GetUsage on every call would cost a control-plane
 * call per request (GetUsage is rate limited far below API traffic) and still be stale. Clients
 * learn they are out of quota from the gateway's 429 with `Retry-After`.
 */

/** One tier's usage plan limits, as the Api stack sets them in `USAGE_PLAN_LIMITS`. */
export interface UsagePlanLimits {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Token bucket size. */
  readonly burstLimit: number;
  /** Requests per `quotaPeriod`. */
  readonly quotaLimit: number;
  readonly quotaPeriod: 'DAY' | 'WEEK' | 'MONTH';
}

/** Window of a quota period in seconds (MONTH as 30 days: API Gateway resets on calendar months). */
export const QUOTA_PERIOD_SECONDS: Readonly<Record<UsagePlanLimits['quotaPeriod'], number>> = {
  DAY: 86_400,
  WEEK: 604_800,
  MONTH: 2_592_000,
};

function isLimits(value: unknown): value is UsagePlanLimits {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
  return (
    positive(v.rateLimit) &&
    positive(v.burstLimit) &&
    positive(v.quotaLimit) &&
    Number.isInteger(v.quotaLimit) &&
    typeof v.quotaPeriod === 'string' &&
    Object.hasOwn(QUOTA_PERIOD_SECONDS, v.quotaPeriod)
  );
}

/**
 * Parses `USAGE_PLAN_LIMITS` (JSON `{"free": {rateLimit, burstLimit, quotaLimit, quotaPeriod}, ...}`).
 * Throws naming the tier that is wrong; a tier that is absent simply gets no headers.
 */
export function parseUsagePlanLimits(raw: string): Partial<Record<ApiKeyTier, UsagePlanLimits>> {
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('USAGE_PLAN_LIMITS must be a JSON object keyed by tier');
  }
  const limits: Partial<Record<ApiKeyTier, UsagePlanLimits>> = {};
  for (const tier of API_KEY_TIERS) {
    const value = (parsed as Record<string, unknown>)[tier];
    if (value === undefined) continue;
    if (!isLimits(value)) {
      throw new Error(
        `USAGE_PLAN_LIMITS.${tier} needs positive rateLimit, burstLimit, integer quotaLimit and quotaPeriod DAY|WEEK|MONTH`,
      );
    }
    limits[tier] = value;
  }
  return limits;
}

/** The `RateLimit-Policy` field value for a tier, e.g. `"standard";q=10000;w=86400, "standard-rate";q=50;w=1`. */
export function rateLimitPolicy(tier: ApiKeyTier, limits: UsagePlanLimits): string {
  const window = QUOTA_PERIOD_SECONDS[limits.quotaPeriod];
  return `"${tier}";q=${limits.quotaLimit};w=${window}, "${tier}-rate";q=${Math.floor(limits.rateLimit)};w=1`;
}

export interface RateLimitHeadersOptions {
  /**
   * Limits per tier.
   * @default - parsed once from env `USAGE_PLAN_LIMITS`; unset or invalid means no headers (logged)
   */
  readonly limits?: Partial<Record<ApiKeyTier, UsagePlanLimits>>;
}

function limitsFromEnv(): Partial<Record<ApiKeyTier, UsagePlanLimits>> {
  const raw = process.env.USAGE_PLAN_LIMITS;
  if (raw === undefined || raw.trim() === '') return {};
  try {
    return parseUsagePlanLimits(raw);
  } catch (error) {
    // Advisory headers must never take the API down: log the misconfiguration and send none.
    logger.error('USAGE_PLAN_LIMITS is invalid; RateLimit-Policy headers are off', {
      error: error instanceof Error ? error.message : String(error),
    });
    return {};
  }
}

/** The caller's tier when the authorizer authenticated an API key (context `authType=apiKey`, `tier`). */
export function apiKeyTierOf(event: unknown): ApiKeyTier | undefined {
  const authorizer = (event as { requestContext?: { authorizer?: unknown } } | undefined)?.requestContext
    ?.authorizer;
  // Only a complete API-key principal (as the wrapper rebuilds it) has a plan.
  if (principalFromAuthorizer(authorizer)?.authType !== 'apiKey') return undefined;
  const tier = (authorizer as Record<string, unknown>).tier;
  return typeof tier === 'string' && (API_KEY_TIERS as readonly string[]).includes(tier)
    ? (tier as ApiKeyTier)
    : undefined;
}

/**
 * Adds `RateLimit-Policy` to every response (errors included) to an API-key-authenticated call,
 * for the tier the authorizer put in its context. Other callers get nothing: their limits are the
 * stage and method throttles, not a plan.
 */
export function rateLimitHeadersMiddleware(
  opts: RateLimitHeadersOptions = {},
): MiddlewareObj<unknown, APIGatewayProxyResult> {
  const limits = opts.limits ?? limitsFromEnv();
  const policies = new Map<ApiKeyTier, string>();
  for (const tier of API_KEY_TIERS) {
    const tierLimits = limits[tier];
    if (tierLimits !== undefined) policies.set(tier, rateLimitPolicy(tier, tierLimits));
  }

  const addPolicy = (request: Request<unknown, APIGatewayProxyResult>): void => {
    if (policies.size === 0 || request.response === null || request.response === undefined) return;
    const tier = apiKeyTierOf(request.event);
    const policy = tier === undefined ? undefined : policies.get(tier);
    if (policy === undefined) return;
    (request.response.headers ??= {})['ratelimit-policy'] = policy;
  };

  return { after: addPolicy, onError: addPolicy };
}
