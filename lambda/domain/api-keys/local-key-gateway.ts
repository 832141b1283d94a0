import { randomUUID } from 'node:crypto';
import type { ApiKeyTier } from '../../shared/access';
import { AppError } from '../../shared/errors';
import type { Clock } from '../events/types';
import { daysBetween, type KeyGateway, type UsageDay } from './key-gateway';

/** A key as the in-process gateway holds it. */
export interface LocalGatewayKey {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  enabled: boolean;
  tier?: ApiKeyTier;
}

/**
 * An in-process {@link KeyGateway} for local mode and tests: keys, plan membership and per-day
 * request counts in memory. `recordCall` is what the local server does where API Gateway would
 * meter a request; it refuses (returns false) for unknown, disabled or plan-less keys, as API
 * Gateway answers 403 for them.
 */
export class LocalKeyGateway implements KeyGateway {
  readonly keys = new Map<string, LocalGatewayKey>();
  private readonly usage = new Map<string, Map<string, number>>();

  constructor(
    private readonly clock: Clock = { now: () => new Date() },
    /** Daily quota per tier, to report `remaining` like a usage plan with a DAY quota. */
    private readonly dailyQuota: Partial<Record<ApiKeyTier, number>> = {},
  ) {}

  async createKey(name: string, value: string, enabled: boolean): Promise<string> {
    for (const key of this.keys.values()) {
      if (key.value === value)
        throw new AppError('CONFLICT', { detail: 'An API key with this value exists' });
    }
    const id = randomUUID().replace(/-/g, '').slice(0, 10);
    this.keys.set(id, { id, name, value, enabled });
    return id;
  }

  /** Every key by value (what GetApiKeys with values returns). */
  async keyIdsByValue(): Promise<ReadonlyMap<string, string>> {
    return new Map([...this.keys.values()].map((key) => [key.value, key.id]));
  }

  async attachToUsagePlan(keyId: string, tier: ApiKeyTier): Promise<void> {
    this.require(keyId).tier = tier;
  }

  async disableKey(keyId: string): Promise<void> {
    const key = this.keys.get(keyId);
    if (key) key.enabled = false;
  }

  async deleteKey(keyId: string): Promise<void> {
    this.keys.delete(keyId);
  }

  async getUsage(keyId: string, tier: ApiKeyTier, from: string, to: string): Promise<UsageDay[]> {
    const key = this.keys.get(keyId);
    if (!key || key.tier !== tier) {
      throw new AppError('NOT_FOUND', { detail: 'The usage of this key is no longer available' });
    }
    const counts = this.usage.get(keyId) ?? new Map<string, number>();
    const quota = this.dailyQuota[tier];
    return daysBetween(from, to).map((date) => {
      const used = counts.get(date) ?? 0;
      return { date, used, remaining: quota === undefined ? null : Math.max(0, quota - used) };
    });
  }

  /** The usage plan tier of an enabled key with this value; `undefined` when API Gateway would refuse it. */
  tierOf(value: string): ApiKeyTier | undefined {
    for (const key of this.keys.values()) {
      if (key.value === value) return key.enabled ? key.tier : undefined;
    }
    return undefined;
  }

  /** Meters one request made with the gateway key whose value is `value`; false when API Gateway would refuse it. */
  recordCall(value: string): boolean {
    for (const key of this.keys.values()) {
      if (key.value !== value) continue;
      if (!key.enabled || key.tier === undefined) return false;
      const day = this.clock.now().toISOString().slice(0, 10);
      const counts = this.usage.get(key.id) ?? new Map<string, number>();
      counts.set(day, (counts.get(day) ?? 0) + 1);
      this.usage.set(key.id, counts);
      return true;
    }
    return false;
  }

  private require(keyId: string): LocalGatewayKey {
    const key = this.keys.get(keyId);
    if (!key) throw new AppError('NOT_FOUND', { detail: `No gateway key ${keyId}` });
    return key;
  }
}
