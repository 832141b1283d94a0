/**
 * Time as the drill runner sees it. Everything that waits (step timeouts, polling real state,
 * the heartbeat cadence) goes through one `DrillClock`, so tests drive a virtual clock and no
 * unit test waits on a real timer.
 */
export interface DrillClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; resolves early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: DrillClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A step or a wait that ran out of time. */
export class DrillTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillTimeoutError';
  }
}

/**
 * Runs `work` with a deadline on `clock`: rejects with `DrillTimeoutError` naming `what` when it
 * does not settle within `ms`. The timer is cancelled either way.
 */
export async function withTimeout<T>(
  clock: DrillClock,
  ms: number,
  what: string,
  work: Promise<T>,
): Promise<T> {
  const cancel = new AbortController();
  const timeout = clock.sleep(ms, cancel.signal).then(() => {
    if (!cancel.signal.aborted) throw new DrillTimeoutError(`${what} did not finish within ${ms / 1000} s`);
    return undefined as never;
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    cancel.abort();
  }
}

export interface WaitOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Time between checks. @default 1000 */
  readonly intervalMs?: number;
}

/**
 * Polls `check` until it returns a value other than `undefined` (the condition holds), then
 * returns it. Rejects with `DrillTimeoutError` naming `what` and the last check's answer when the
 * condition does not hold within the timeout. A check that throws counts as "not yet".
 */
export async function waitFor<T>(
  clock: DrillClock,
  what: string,
  options: WaitOptions,
  check: () => Promise<
    { readonly done: true; readonly value: T } | { readonly done: false; readonly why: string }
  >,
): Promise<T> {
  const deadline = clock.now() + options.timeoutMs;
  let why = 'not checked';
  for (;;) {
    try {
      const result = await check();
      if (result.done) return result.value;
      why = result.why;
    } catch (error) {
      why = error instanceof Error ? error.message : String(error);
    }
    if (clock.now() >= deadline)
      throw new DrillTimeoutError(`${what}: not within ${options.timeoutMs / 1000} s (last: ${why})`);
    await clock.sleep(Math.min(options.intervalMs ?? 1000, Math.max(deadline - clock.now(), 0)));
  }
}
