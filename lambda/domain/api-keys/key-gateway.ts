import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  GetUsageCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { API_KEY_TIERS, type ApiKeyTier } from '../../shared/access';
import { DependencyBreaker, getBreaker, type BreakerOptions } from '../../shared/breaker';
import { AppError } from '../../shared/errors';

/** One day of a key's metered usage, as the usage plan counts it (UTC days). */
export interface UsageDay {
  /** `YYYY-MM-DD` (UTC). */
  readonly date: string;
  /** Requests counted against the quota that day. */
  readonly used: number;
  /** Quota left after that day, when the gateway reports it. */
  readonly remaining: number | null;
}

export interface GatewayCallOptions {
  readonly signal?: AbortSignal;
}

/**
 * The API Gateway operations API keys need. Implemented on the AWS SDK
 * ({@link ApiGatewayKeyGateway}) and in process for local mode and tests (`LocalKeyGateway`).
 * Deleting or disabling a key that no longer exists succeeds (both are retried by cleanup).
 */
export interface KeyGateway {
  /** Creates a gateway API key with the given value; returns its id. */
  createKey(name: string, value: string, enabled: boolean, options?: GatewayCallOptions): Promise<string>;
  /** Adds the key to the usage plan of `tier` (already attached is fine). */
  attachToUsagePlan(keyId: string, tier: ApiKeyTier, options?: GatewayCallOptions): Promise<void>;
  disableKey(keyId: string, options?: GatewayCallOptions): Promise<void>;
  deleteKey(keyId: string, options?: GatewayCallOptions): Promise<void>;
  /** Per-day usage of the key in `tier`'s plan from `from` to `to` (inclusive `YYYY-MM-DD`), one entry per day. */
  getUsage(
    keyId: string,
    tier: ApiKeyTier,
    from: string,
    to: string,
    options?: GatewayCallOptions,
  ): Promise<UsageDay[]>;
}

/** Every UTC day from `from` to `to` inclusive, as `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Usage plan ids per tier, from env `USAGE_PLAN_IDS` (JSON `{"free": "abc123", ...}`, set by the
 * Api stack). Every tier must have a plan: a key outside any plan is neither throttled nor metered.
 */
export function parseUsagePlanIds(
  raw: string | undefined,
  variable = 'USAGE_PLAN_IDS',
): Readonly<Record<ApiKeyTier, string>> {
  if (raw === undefined || raw.trim() === '') throw new Error(`${variable} is not set`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${variable} must be JSON like {"free":"<usage plan>",...}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${variable} must be a JSON object`);
  }
  const ids: Partial<Record<ApiKeyTier, string>> = {};
  for (const tier of API_KEY_TIERS) {
    const id = (parsed as Record<string, unknown>)[tier];
    if (typeof id !== 'string' || id === '')
      throw new Error(`${variable} has no usage plan for tier "${tier}"`);
    ids[tier] = id;
  }
  return ids as Record<ApiKeyTier, string>;
}

/** Usage plans per tier: ids, or names to look up once (what the Api stack gives: see below). */
export type UsagePlanRefs =
  | { readonly ids: Readonly<Record<ApiKeyTier, string>> }
  | { readonly names: Readonly<Record<ApiKeyTier, string>> };

/**
 * Usage plans from the function's environment: `USAGE_PLAN_IDS` (ids per tier) or
 * `USAGE_PLAN_NAMES` (names per tier, resolved with GetUsagePlans on first use). The Api stack
 * sets names because a function referencing a plan id is a CloudFormation dependency cycle
 * (plan -> stage -> deployment -> method -> function).
 */
export function usagePlanRefsFromEnv(env: NodeJS.ProcessEnv): UsagePlanRefs {
  if (env.USAGE_PLAN_NAMES !== undefined && env.USAGE_PLAN_NAMES.trim() !== '') {
    return { names: parseUsagePlanIds(env.USAGE_PLAN_NAMES, 'USAGE_PLAN_NAMES') };
  }
  return { ids: parseUsagePlanIds(env.USAGE_PLAN_IDS) };
}

interface SdkError {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as SdkError).name : undefined;
}

/**
 * Failures that say API Gateway (or the path to it) is unhealthy: throttling, 5xx, network and
 * timeouts. Client errors (bad request, missing permission) are our bugs and stay 500s.
 */
export function isGatewayOutage(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'DEPENDENCY_UNAVAILABLE' || error.code === 'TIMEOUT';
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as SdkError;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || name === 'TooManyRequestsException' || status === 429;
  // No HTTP response at all: connection refused/reset, DNS, socket timeout, abort.
  return true;
}

/**
 * {@link KeyGateway} on `@aws-sdk/client-api-gateway`. Calls go through the `apiGateway` circuit
 * breaker; an outage surfaces as 503 `DEPENDENCY_UNAVAILABLE` with `Retry-After`.
 */
export class ApiGatewayKeyGateway implements KeyGateway {
  private readonly breaker: DependencyBreaker;
  private readonly plans: UsagePlanRefs;
  private resolvedIds?: Promise<Readonly<Record<ApiKeyTier, string>>>;

  constructor(
    private readonly client: APIGatewayClient,
    usagePlans: Readonly<Record<ApiKeyTier, string>> | UsagePlanRefs,
    /** @default - the shared `apiGateway` breaker; given options build a private one (tests) */
    breaker?: Omit<BreakerOptions, 'isFailure'>,
  ) {
    this.plans = 'ids' in usagePlans || 'names' in usagePlans ? usagePlans : { ids: usagePlans };
    this.breaker =
      breaker === undefined
        ? getBreaker('apiGateway', { isFailure: isGatewayOutage })
        : new DependencyBreaker('apiGateway', { ...breaker, isFailure: isGatewayOutage });
  }

  /** The plan id of a tier; names are resolved once per execution environment (a failure is retried next call). */
  private async usagePlanId(tier: ApiKeyTier): Promise<string> {
    if ('ids' in this.plans) return this.plans.ids[tier];
    const names = this.plans.names;
    this.resolvedIds ??= this.resolveNames(names).catch((error: unknown) => {
      this.resolvedIds = undefined;
      throw error;
    });
    return (await this.resolvedIds)[tier];
  }

  private async resolveNames(
    names: Readonly<Record<ApiKeyTier, string>>,
  ): Promise<Readonly<Record<ApiKeyTier, string>>> {
    const byName = new Map<string, string>();
    let position: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(new GetUsagePlansCommand({ position, limit: 500 })),
      );
      for (const plan of page?.items ?? []) if (plan.name && plan.id) byName.set(plan.name, plan.id);
      position = page?.position;
    } while (position);
    const ids: Partial<Record<ApiKeyTier, string>> = {};
    for (const tier of API_KEY_TIERS) {
      const id = byName.get(names[tier]);
      if (!id) throw new Error(`Usage plan "${names[tier]}" (tier ${tier}) does not exist`);
      ids[tier] = id;
    }
    return ids as Record<ApiKeyTier, string>;
  }

  private async call<T>(fn: () => Promise<T>, tolerate: readonly string[] = []): Promise<T | undefined> {
    try {
      return await this.breaker.execute(fn);
    } catch (error) {
      if (tolerate.includes(errorName(error) ?? '')) return undefined;
      if (error instanceof AppError) throw error;
      if (isGatewayOutage(error)) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', {
          detail: 'API Gateway is unavailable; retry later',
          retryAfterSeconds: 1,
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Every key of this region's gateway by value (GetApiKeys with values, paged): see `recreateGatewayKeys`. */
  async keyIdsByValue(): Promise<ReadonlyMap<string, string>> {
    const byValue = new Map<string, string>();
    let position: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(new GetApiKeysCommand({ includeValues: true, limit: 500, position })),
      );
      for (const key of page?.items ?? []) if (key.value && key.id) byValue.set(key.value, key.id);
      position = page?.position;
    } while (position);
    return byValue;
  }

  async createKey(name: string, value: string, enabled: boolean, options: GatewayCallOptions = {}) {
    const out = await this.call(() =>
      this.client.send(new CreateApiKeyCommand({ name, value, enabled }), { abortSignal: options.signal }),
    );
    if (!out?.id) throw new Error('CreateApiKey returned no id');
    return out.id;
  }

  async attachToUsagePlan(keyId: string, tier: ApiKeyTier, options: GatewayCallOptions = {}) {
    const planId = await this.usagePlanId(tier);
    await this.call(
      () =>
        this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' }), {
          abortSignal: options.signal,
        }),
      ['ConflictException'],
    );
  }

  async disableKey(keyId: string, options: GatewayCallOptions = {}) {
    await this.call(
      () =>
        this.client.send(
          new UpdateApiKeyCommand({
            apiKey: keyId,
            patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
          }),
          { abortSignal: options.signal },
        ),
      ['NotFoundException'],
    );
  }

  async deleteKey(keyId: string, options: GatewayCallOptions = {}) {
    await this.call(
      () => this.client.send(new DeleteApiKeyCommand({ apiKey: keyId }), { abortSignal: options.signal }),
      ['NotFoundException'],
    );
  }

  async getUsage(
    keyId: string,
    tier: ApiKeyTier,
    from: string,
    to: string,
    options: GatewayCallOptions = {},
  ) {
    const usagePlanId = await this.usagePlanId(tier);
    const out = await this.call(
      () =>
        this.client.send(new GetUsageCommand({ usagePlanId, keyId, startDate: from, endDate: to }), {
          abortSignal: options.signal,
        }),
      ['NotFoundException'],
    );
    if (out === undefined) {
      throw new AppError('NOT_FOUND', { detail: 'The usage of this key is no longer available' });
    }
    // items: { [keyId]: [[used, remaining], ...] }, one pair per day from startDate.
    const series = out.items?.[keyId] ?? [];
    return daysBetween(from, to).map((date, index) => ({
      date,
      used: Number(series[index]?.[0] ?? 0),
      remaining: series[index]?.[1] === undefined ? null : Number(series[index][1]),
    }));
  }
}
