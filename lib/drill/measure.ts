import type { DrillClock } from './clock';

/**
 * The measurement, independent of the steps: a heartbeat is written and read back through the
 * API every second, with a machine credential, for the whole drill. The figures come only from
 * what the heartbeats saw, never from what the steps claim.
 */
export interface HeartbeatProbe {
  /** Writes heartbeat `sequence`; resolves with its id once the API acknowledged it. */
  write(sequence: number, signal: AbortSignal): Promise<string>;
  /** Reads one heartbeat back: true when the API returns it. */
  read(id: string, signal: AbortSignal): Promise<boolean>;
  /** Which of these heartbeats the API still returns (after recovery). */
  present(ids: readonly string[]): Promise<ReadonlySet<string>>;
}

/** One heartbeat round: write, read it back, and read the newest heartbeat acknowledged before the fault. */
export interface HeartbeatSample {
  readonly sequence: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** The write's id when the API acknowledged it. */
  readonly id?: string;
  /** When the acknowledgement arrived (epoch ms). */
  readonly acknowledgedAt?: number;
  /** Write acknowledged, read back, and the anchor (newest pre-fault heartbeat) still readable. */
  readonly healthy: boolean;
  /** Why the round was not healthy. */
  readonly problem?: string;
}

export interface HeartbeatMonitorOptions {
  readonly probe: HeartbeatProbe;
  readonly clock: DrillClock;
  /** @default 1000 */
  readonly intervalMs?: number;
  /** Longest a single call may take before the round counts as failed. @default 2000 */
  readonly callTimeoutMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs heartbeat rounds on a fixed cadence until stopped. */
export class HeartbeatMonitor {
  readonly samples: HeartbeatSample[] = [];
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private faultAt?: number;
  private sequence = 0;

  constructor(private readonly options: HeartbeatMonitorOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** From now on every round also reads the newest heartbeat acknowledged before `at`. */
  markFault(at: number): void {
    this.faultAt = at;
  }

  /** Consecutive healthy rounds at the end of the samples. */
  healthyStreak(): number {
    let streak = 0;
    for (let index = this.samples.length - 1; index >= 0 && this.samples[index].healthy; index -= 1)
      streak += 1;
    return streak;
  }

  /** Milliseconds the current run of healthy rounds after `since` has lasted (first to last round end). */
  sustainedFor(since: number): number {
    const streak = this.samples
      .slice(this.samples.length - this.healthyStreak())
      .filter((s) => s.startedAt >= since);
    return streak.length === 0 ? 0 : streak.at(-1)!.endedAt - streak[0].endedAt;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private anchor(): string | undefined {
    if (this.faultAt === undefined) return undefined;
    const before = this.samples.filter(
      (s) => s.acknowledgedAt !== undefined && s.acknowledgedAt < this.faultAt!,
    );
    return before.at(-1)?.id;
  }

  private async loop(): Promise<void> {
    const { clock } = this.options;
    const interval = this.options.intervalMs ?? 1000;
    while (!this.stopping.signal.aborted) {
      const startedAt = clock.now();
      this.samples.push(await this.round(startedAt));
      const next = startedAt + interval;
      if (clock.now() < next) await clock.sleep(next - clock.now(), this.stopping.signal);
    }
  }

  private async round(startedAt: number): Promise<HeartbeatSample> {
    const { probe, clock } = this.options;
    const sequence = (this.sequence += 1);
    const anchor = this.anchor();
    const call = async <T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
      const cancel = new AbortController();
      const timeoutMs = this.options.callTimeoutMs ?? 2000;
      const timer = clock.sleep(timeoutMs, cancel.signal).then(() => {
        if (!cancel.signal.aborted) {
          cancel.abort();
          throw new Error(`${what}: no answer within ${timeoutMs} ms`);
        }
        return undefined as never;
      });
      try {
        return await Promise.race([work(cancel.signal), timer]);
      } finally {
        cancel.abort();
      }
    };
    let id: string | undefined;
    let acknowledgedAt: number | undefined;
    try {
      id = await call('write', (signal) => probe.write(sequence, signal));
      acknowledgedAt = clock.now();
      if (!(await call('read back', (signal) => probe.read(id!, signal))))
        return {
          sequence,
          startedAt,
          endedAt: clock.now(),
          id,
          acknowledgedAt,
          healthy: false,
          problem: 'written heartbeat not readable',
        };
      if (anchor !== undefined && !(await call('read anchor', (signal) => probe.read(anchor, signal))))
        return {
          sequence,
          startedAt,
          endedAt: clock.now(),
          id,
          acknowledgedAt,
          healthy: false,
          problem: 'the newest heartbeat acknowledged before the fault is missing',
        };
      return { sequence, startedAt, endedAt: clock.now(), id, acknowledgedAt, healthy: true };
    } catch (error) {
      return {
        sequence,
        startedAt,
        endedAt: clock.now(),
        id,
        acknowledgedAt,
        healthy: false,
        problem: describe(error),
      };
    }
  }
}

export interface AchievedFigures {
  /** Fault to the end of the first healthy round after which every round stayed healthy; null when none. */
  readonly achievedRtoSeconds: number | null;
  /** Fault minus the newest heartbeat acknowledged before it and present after recovery; null when none is. */
  readonly achievedRpoSeconds: number | null;
  /** Heartbeats acknowledged before the fault that are gone after recovery. */
  readonly lostAcknowledgedWrites: number;
  readonly acknowledgedBeforeFault: number;
  /** Heartbeats acknowledged after the fault that are gone (by design after a point-in-time restore). */
  readonly lostAfterFault: number;
  /** First unhealthy round after the fault and the first sustained healthy one (epoch ms). */
  readonly outage: { readonly firstFailureAt: number | null; readonly recoveredAt: number | null };
}

/**
 * The achieved figures from the rounds alone. RTO needs the healthy run after recovery to last
 * at least `sustainMs`; otherwise recovery was not sustained and RTO is null.
 */
export function achievedFigures(
  samples: readonly HeartbeatSample[],
  faultAt: number,
  present: ReadonlySet<string>,
  sustainMs: number,
): AchievedFigures {
  const after = samples.filter((s) => s.startedAt >= faultAt);
  let firstSustained: HeartbeatSample | undefined;
  for (let index = after.length - 1; index >= 0 && after[index].healthy; index -= 1)
    firstSustained = after[index];
  const last = after.at(-1);
  const sustained =
    firstSustained !== undefined && last !== undefined && last.endedAt - firstSustained.endedAt >= sustainMs;
  const acknowledged = samples.filter((s) => s.id !== undefined && s.acknowledgedAt !== undefined);
  const before = acknowledged.filter((s) => s.acknowledgedAt! < faultAt);
  const newestPresent = before.filter((s) => present.has(s.id!)).at(-1);
  return {
    achievedRtoSeconds: sustained ? round((firstSustained!.endedAt - faultAt) / 1000) : null,
    achievedRpoSeconds:
      newestPresent === undefined ? null : round((faultAt - newestPresent.acknowledgedAt!) / 1000),
    lostAcknowledgedWrites: before.filter((s) => !present.has(s.id!)).length,
    acknowledgedBeforeFault: before.length,
    lostAfterFault: acknowledged.filter((s) => s.acknowledgedAt! >= faultAt && !present.has(s.id!)).length,
    outage: {
      firstFailureAt: after.find((s) => !s.healthy)?.startedAt ?? null,
      recoveredAt: sustained ? firstSustained!.endedAt : null,
    },
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
