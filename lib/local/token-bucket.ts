/** A throttle as API Gateway expresses it: steady requests per second and a bucket size. */
export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * API Gateway's throttling algorithm: a bucket of `burstLimit` tokens refilled at `rateLimit` per
 * second; a request takes one token or is refused with the seconds until the next token.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = limits.burstLimit;
    this.updatedAt = now();
  }

  /** Takes a token: `0` when granted, else the whole seconds (>= 1) until one is available. */
  take(): number {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + elapsedSeconds * this.limits.rateLimit);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.limits.rateLimit));
  }
}

/** A quota per key and period (usage plans): counts calls and refuses the one past the limit. */
export class PeriodQuota {
  private readonly counts = new Map<string, { period: number; used: number }>();

  constructor(
    private readonly limit: number,
    private readonly periodSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a call of `key`: `0` when within the quota, else the seconds until the period resets. */
  take(key: string): number {
    const periodMs = this.periodSeconds * 1000;
    const now = this.now();
    const period = Math.floor(now / periodMs);
    const entry = this.counts.get(key);
    const current = entry?.period === period ? entry : { period, used: 0 };
    if (current.used >= this.limit) return Math.max(1, Math.ceil(((period + 1) * periodMs - now) / 1000));
    current.used += 1;
    this.counts.set(key, current);
    return 0;
  }
}
