import type { BreakerSnapshot } from '../../shared/breaker';
import type { Clock } from '../events/types';

export type ReadinessStatus = 'ok' | 'degraded' | 'down';

export interface CheckResult {
  readonly status: ReadinessStatus;
  readonly latencyMs: number;
  /** What went wrong, in words safe for an admin (never a stack or connection string). */
  readonly detail?: string;
}

export interface Readiness {
  readonly status: ReadinessStatus;
  readonly checkedAt: string;
  readonly checks: {
    readonly database: CheckResult;
    readonly queue: CheckResult & { readonly deadLetters?: number };
    readonly worker: CheckResult & { readonly lastSeen?: string };
  };
  readonly breakers: readonly BreakerSnapshot[];
}

/** What readiness needs from the outside world; each probe must honour its signal. */
export interface ReadinessProbes {
  /** Runs a trivial query through the pool (and its breaker). */
  pingDatabase(signal: AbortSignal): Promise<void>;
  /** Confirms the queue exists and is reachable. */
  pingQueue(signal: AbortSignal): Promise<void>;
  /** When the worker last finished a batch. */
  lastWorkerHeartbeat(signal: AbortSignal): Promise<Date | undefined>;
  breakers(): readonly BreakerSnapshot[];
  /**
   * Messages waiting in the dead-letter queue, reported as `checks.queue.deadLetters` (they are
   * alarmed, not a readiness failure).
   * @default - not reported
   */
  deadLetterCount?(signal: AbortSignal): Promise<number>;
}

export interface ReadinessOptions {
  /** Each probe gets at most this long. */
  readonly timeoutMs: number;
  /** A worker heartbeat older than this makes readiness `degraded`. */
  readonly heartbeatMaxAgeMs: number;
}

export const DEFAULT_READINESS_OPTIONS: ReadinessOptions = {
  timeoutMs: 1_000,
  heartbeatMaxAgeMs: 15 * 60_000,
};

async function timed<T>(
  clock: Clock,
  timeoutMs: number,
  probe: (signal: AbortSignal) => Promise<T>,
): Promise<{ value?: T; latencyMs: number; error?: string }> {
  const started = clock.now().getTime();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const value = await Promise.race([probe(controller.signal), timeout]);
    return { value, latencyMs: clock.now().getTime() - started };
  } catch (error) {
    const detail = error instanceof Error && error.message.length < 200 ? error.message : 'probe failed';
    return { error: detail, latencyMs: clock.now().getTime() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks the dependencies a request needs: the database is required (`down` without it), the
 * queue and a fresh worker heartbeat only degrade the service (writes still commit; events
 * wait in the outbox). An open breaker counts as its dependency being down.
 */
export async function checkReadiness(
  probes: ReadinessProbes,
  clock: Clock,
  options: ReadinessOptions = DEFAULT_READINESS_OPTIONS,
): Promise<Readiness> {
  const [database, queue, worker, deadLetters] = await Promise.all([
    timed(clock, options.timeoutMs, (signal) => probes.pingDatabase(signal)),
    timed(clock, options.timeoutMs, (signal) => probes.pingQueue(signal)),
    timed(clock, options.timeoutMs, (signal) => probes.lastWorkerHeartbeat(signal)),
    probes.deadLetterCount
      ? timed(clock, options.timeoutMs, (signal) => probes.deadLetterCount!(signal))
      : undefined,
  ]);
  const breakers = probes.breakers();
  const databaseBreakerOpen = breakers.some(
    (breaker) => breaker.name === 'database' && breaker.state === 'open',
  );

  const databaseCheck: CheckResult = database.error
    ? { status: 'down', latencyMs: database.latencyMs, detail: database.error }
    : { status: 'ok', latencyMs: database.latencyMs };
  const deadLetterField = deadLetters?.value === undefined ? {} : { deadLetters: deadLetters.value };
  const queueCheck: Readiness['checks']['queue'] = queue.error
    ? { status: 'degraded', latencyMs: queue.latencyMs, detail: queue.error, ...deadLetterField }
    : { status: 'ok', latencyMs: queue.latencyMs, ...deadLetterField };
  const lastSeen = worker.value;
  const stale = !lastSeen || clock.now().getTime() - lastSeen.getTime() > options.heartbeatMaxAgeMs;
  const workerCheck = worker.error
    ? { status: 'degraded' as const, latencyMs: worker.latencyMs, detail: worker.error }
    : {
        status: stale ? ('degraded' as const) : ('ok' as const),
        latencyMs: worker.latencyMs,
        ...(lastSeen ? { lastSeen: lastSeen.toISOString() } : {}),
        ...(stale ? { detail: lastSeen ? 'heartbeat is stale' : 'no heartbeat yet' } : {}),
      };

  const status: ReadinessStatus =
    databaseCheck.status === 'down' || databaseBreakerOpen
      ? 'down'
      : queueCheck.status !== 'ok' || workerCheck.status !== 'ok'
        ? 'degraded'
        : 'ok';
  return {
    status,
    checkedAt: clock.now().toISOString(),
    checks: { database: databaseCheck, queue: queueCheck, worker: workerCheck },
    breakers,
  };
}

/**
 * Caches readiness for `ttlMs` so probes from load balancers and monitors cannot hammer the
 * database; concurrent callers share one check in flight.
 */
export function cachedReadiness(
  check: () => Promise<Readiness>,
  clock: Clock,
  ttlMs = 5_000,
): () => Promise<Readiness> {
  let cached: { at: number; value: Promise<Readiness> } | undefined;
  return () => {
    const now = clock.now().getTime();
    if (!cached || now - cached.at >= ttlMs) {
      const value = check();
      cached = { at: now, value };
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}
