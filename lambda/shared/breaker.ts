import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { AppError } from './errors';
import { isInfrastructureError } from './db/errors';
import { logger, metrics } from './powertools';

/** Names of the dependencies Rampart guards; add one per external system. */
export type BreakerName = 'database' | 'secretsManager' | 'queue' | (string & {});

export type BreakerStateName = 'closed' | 'open' | 'halfOpen' | 'isolated';

/** What readiness reports per breaker. */
export interface BreakerSnapshot {
  readonly name: string;
  readonly state: BreakerStateName;
  /** Seconds until the next half-open probe may run; 0 when closed or a probe is due. */
  readonly retryAfterSeconds: number;
}

export interface BreakerOptions {
  /**
   * Consecutive infrastructure failures that open the breaker.
   * @default 5 (env `BREAKER_CONSECUTIVE_FAILURES`)
   */
  readonly consecutiveFailures?: number;
  /**
   * Milliseconds the breaker stays open before one probe call is let through.
   * @default 10000 (env `BREAKER_HALF_OPEN_AFTER_MS`)
   */
  readonly halfOpenAfterMs?: number;
  /**
   * Which errors count as failures of the dependency.
   * @default - connection errors, timeouts and overload (`isInfrastructureError`); never client errors
   */
  readonly isFailure?: (error: unknown) => boolean;
}

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'halfOpen',
  [CircuitState.Isolated]: 'isolated',
};

function positiveIntFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** A named cockatiel circuit breaker that speaks Rampart's error vocabulary. */
export class DependencyBreaker {
  public readonly name: string;
  private readonly policy: CircuitBreakerPolicy;
  private readonly halfOpenAfterMs: number;
  private openedAt = 0;

  constructor(name: string, options: BreakerOptions = {}) {
    this.name = name;
    this.halfOpenAfterMs =
      options.halfOpenAfterMs ?? positiveIntFromEnv('BREAKER_HALF_OPEN_AFTER_MS', 10_000);
    const consecutive = options.consecutiveFailures ?? positiveIntFromEnv('BREAKER_CONSECUTIVE_FAILURES', 5);
    this.policy = circuitBreaker(handleWhen(options.isFailure ?? isInfrastructureError), {
      halfOpenAfter: this.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(consecutive),
    });
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
    });
    this.policy.onStateChange((state) => this.publishStateChange(STATE_NAMES[state]));
  }

  /**
   * Runs `fn` through the breaker. While open it throws `AppError('DEPENDENCY_UNAVAILABLE')`
   * with `retryAfterSeconds` = seconds until the next half-open probe (at least 1).
   */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(() => fn());
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', {
          detail: `The ${this.name} is unavailable; retry later`,
          retryAfterSeconds: Math.max(1, this.secondsUntilProbe()),
          cause: error,
        });
      }
      throw error;
    }
  }

  get state(): BreakerStateName {
    return STATE_NAMES[this.policy.state];
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    return { name: this.name, state, retryAfterSeconds: state === 'open' ? this.secondsUntilProbe() : 0 };
  }

  private secondsUntilProbe(): number {
    if (this.policy.state === CircuitState.HalfOpen) return 1; // a probe is in flight
    const remainingMs = this.openedAt + this.halfOpenAfterMs - Date.now();
    return Math.max(0, Math.ceil(remainingMs / 1000));
  }

  private publishStateChange(state: BreakerStateName): void {
    logger.warn('Circuit breaker state changed', { breaker: this.name, state });
    const metric = metrics.singleMetric();
    metric.addDimension('Breaker', this.name);
    metric.addDimension('State', state);
    metric.addMetric('CircuitBreakerStateChange', MetricUnit.Count, 1);
  }
}

const registry = new Map<string, DependencyBreaker>();

/**
 * The breaker for a dependency, created on first use and shared by the whole execution
 * environment. Options only apply on creation.
 */
export function getBreaker(name: BreakerName, options?: BreakerOptions): DependencyBreaker {
  let breaker = registry.get(name);
  if (!breaker) {
    breaker = new DependencyBreaker(name, options);
    registry.set(name, breaker);
  }
  return breaker;
}

/** Every breaker created so far, for the readiness endpoint. */
export function breakerSnapshots(): BreakerSnapshot[] {
  return [...registry.values()].map((b) => b.snapshot());
}

/** Forgets all breakers (tests only: gives each test a closed breaker). */
export function resetBreakers(): void {
  registry.clear();
}
