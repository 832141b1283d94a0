import { defineScenario } from '../../../lib/drill/definition';
import type { HeartbeatProbe } from '../../../lib/drill/measure';
import { renderPlan, runDrill, type DrillAdapter, type StepImplementation } from '../../../lib/drill/runner';
import { VirtualClock } from './virtual-clock';

const scenario = defineScenario({
  name: 'primary-loss',
  title: 'test scenario',
  useWhen: 'in tests',
  failureKind: 'azLoss',
  steps: [
    {
      id: 'check',
      phase: 'prepare',
      title: 'Check',
      action: 'a',
      verification: 'v1',
      rollback: 'r',
      decides: 'drill lead',
      timeoutSeconds: 10,
    },
    {
      id: 'break',
      phase: 'fault',
      title: 'Break',
      action: 'a',
      verification: 'v2',
      rollback: 'r',
      decides: 'drill lead',
      timeoutSeconds: 10,
    },
    {
      id: 'repair',
      phase: 'recover',
      title: 'Repair',
      action: 'a',
      verification: 'v3',
      rollback: 'r',
      decides: 'on-call engineer',
      timeoutSeconds: 30,
    },
    {
      id: 'confirm',
      phase: 'recover',
      title: 'Confirm',
      action: 'a',
      verification: 'v4',
      rollback: 'r',
      decides: 'incident commander',
      timeoutSeconds: 10,
    },
  ],
  afterwards: [],
});

/**
 * A service that is down from the fault until `repairedAt` (virtual ms) and keeps or loses the
 * writes acknowledged before the fault as told.
 */
class ScriptedService implements HeartbeatProbe {
  down = false;
  readonly written = new Map<string, number>();
  /** Heartbeats acknowledged at or after this moment before the fault are gone after recovery. */
  losesFrom = Number.POSITIVE_INFINITY;
  faultAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: VirtualClock,
    private readonly latencyMs = 50,
  ) {}

  async write(sequence: number): Promise<string> {
    await this.clock.sleep(this.latencyMs);
    if (this.down) throw new Error('write answered 503');
    const id = `hb-${sequence}`;
    this.written.set(id, this.clock.now());
    return id;
  }

  async read(id: string): Promise<boolean> {
    await this.clock.sleep(this.latencyMs);
    if (this.down) throw new Error('read answered 503');
    return this.isKept(id);
  }

  async present(ids: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(ids.filter((id) => this.isKept(id)));
  }

  private isKept(id: string): boolean {
    const at = this.written.get(id);
    return at !== undefined && !(at >= this.losesFrom && at < this.faultAt);
  }
}

function adapterFor(
  clock: VirtualClock,
  service: ScriptedService,
  overrides: Partial<Record<'check' | 'break' | 'repair' | 'confirm', StepImplementation>> = {},
  repairTakesMs = 4000,
): DrillAdapter<typeof scenario> & { tornDown: boolean } {
  const adapter: DrillAdapter<typeof scenario> & { tornDown: boolean } = {
    target: 'scripted',
    tornDown: false,
    steps: {
      check: { run: async () => undefined, verify: async () => ({ ok: true, detail: 'in sync' }) },
      break: {
        run: async (context) => {
          context.markFault(clock.now());
          service.faultAt = clock.now();
          service.down = true;
        },
        verify: async () => ({ ok: true, detail: 'broken' }),
      },
      repair: {
        run: async () => {
          await clock.sleep(repairTakesMs);
          service.down = false;
        },
        verify: async () => ({ ok: true, detail: 'repaired' }),
      },
      confirm: { run: async () => undefined, verify: async () => ({ ok: true, detail: 'serving' }) },
      ...overrides,
    },
    async teardown() {
      adapter.tornDown = true;
    },
  };
  return adapter;
}

const targets = { rtoSeconds: 15, rpoSeconds: 2 };

describe('runDrill', () => {
  it('runs the steps in order and measures RTO and RPO from the heartbeats alone', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    const adapter = adapterFor(clock, service);
    const report = await runDrill({ scenario, environment: 'test', adapter, probe: service, targets, clock });

    expect(report.passed).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.steps.map((step) => [step.id, step.outcome])).toEqual([
      ['check', 'passed'],
      ['break', 'passed'],
      ['repair', 'passed'],
      ['confirm', 'passed'],
    ]);
    // Down for the 4 s repair: the first healthy round after it starts on the next second.
    const faultAt = Date.parse(report.faultAt!);
    expect(report.achievedRtoSeconds).toBeGreaterThanOrEqual(4);
    expect(report.achievedRtoSeconds).toBeLessThanOrEqual(5.2);
    // The newest acknowledged heartbeat came at most one cadence (1 s) before the fault.
    expect(report.achievedRpoSeconds).toBeGreaterThan(0);
    expect(report.achievedRpoSeconds).toBeLessThanOrEqual(1);
    expect(report.lostAcknowledgedWrites).toBe(0);
    expect(report.acknowledgedWritesBeforeFault).toBeGreaterThanOrEqual(3);
    expect(Date.parse(report.heartbeats.firstFailureAt!)).toBeGreaterThanOrEqual(faultAt);
    expect(Date.parse(report.heartbeats.recoveredAt!) - faultAt).toBe(report.achievedRtoSeconds! * 1000);
    expect(adapter.tornDown).toBe(true);
    for (const step of report.steps)
      expect(Date.parse(step.endedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt!));
  });

  it('stops at the first failed verification, says which and why, and runs nothing after it', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    const adapter = adapterFor(clock, service, {
      check: {
        run: async () => undefined,
        verify: async () => ({ ok: false, detail: 'standby not streaming' }),
      },
    });
    const report = await runDrill({ scenario, environment: 'test', adapter, probe: service, targets, clock });

    expect(report.passed).toBe(false);
    expect(report.failures).toEqual(['Step check failed its verification (v1): standby not streaming']);
    expect(report.steps.map((step) => step.outcome)).toEqual(['failed', 'not run', 'not run', 'not run']);
    expect(report.faultAt).toBeNull();
    expect(service.down).toBe(false);
    expect(adapter.tornDown).toBe(true);
  });

  it('fails a step that outlives its timeout', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    const adapter = adapterFor(clock, service, {}, 45_000);
    const report = await runDrill({ scenario, environment: 'test', adapter, probe: service, targets, clock });

    expect(report.steps.find((step) => step.id === 'repair')).toMatchObject({
      outcome: 'failed',
      detail: 'step repair did not finish within 30 s',
    });
    expect(report.steps.at(-1)?.outcome).toBe('not run');
    expect(report.failures).toContain('Step repair failed: step repair did not finish within 30 s');
    expect(report.failures).toContain(
      'Service did not recover: no sustained run of healthy heartbeats after the fault.',
    );
    expect(report.achievedRtoSeconds).toBeNull();
    expect(report.passed).toBe(false);
  });

  it('fails when recovery takes longer than the RTO target, with the figure', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    const adapter = adapterFor(clock, service, {}, 20_000);
    const report = await runDrill({
      scenario,
      environment: 'test',
      adapter,
      probe: service,
      targets,
      clock,
    });
    expect(report.achievedRtoSeconds).toBeGreaterThan(20);
    expect(report.passed).toBe(false);
    expect(report.failures).toEqual([`RTO missed: ${report.achievedRtoSeconds} s against a target of 15 s.`]);
  });

  it('counts acknowledged writes the recovery lost and the RPO they cost', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    const adapter = adapterFor(clock, service, {
      break: {
        run: async (context) => {
          // Everything acknowledged in the 2.5 s before the fault is gone after recovery.
          service.losesFrom = clock.now() - 2500;
          context.markFault(clock.now());
          service.faultAt = clock.now();
          service.down = true;
        },
        verify: async () => ({ ok: true, detail: 'broken' }),
      },
    });
    const report = await runDrill({
      scenario,
      environment: 'test',
      adapter,
      probe: service,
      targets,
      clock,
      warmupRounds: 6,
    });
    expect(report.lostAcknowledgedWrites).toBeGreaterThanOrEqual(2);
    expect(report.achievedRpoSeconds).toBeGreaterThan(2.5);
    expect(report.passed).toBe(false);
    // The newest pre-fault heartbeat is among the lost ones: no round after the fault is healthy.
    expect(report.failures).toEqual([
      'Service did not recover: no sustained run of healthy heartbeats after the fault.',
      `RPO missed: ${report.achievedRpoSeconds} s against a target of 2 s.`,
      `${report.lostAcknowledgedWrites} of ${report.acknowledgedWritesBeforeFault} heartbeats acknowledged before the fault are lost.`,
    ]);
  });

  it('holds a target below the heartbeat cadence met when nothing acknowledged was lost, and missed when something was', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    const report = await runDrill({
      scenario,
      environment: 'test',
      adapter: adapterFor(clock, service),
      probe: service,
      targets: { rtoSeconds: 15, rpoSeconds: 0 },
      clock,
    });
    expect(report.achievedRpoSeconds).toBeGreaterThan(0);
    expect(report.lostAcknowledgedWrites).toBe(0);
    expect(report.passed).toBe(true);

    const lossyClock = new VirtualClock();
    const lossyService = new ScriptedService(lossyClock);
    const lost = await runDrill({
      scenario,
      environment: 'test',
      adapter: adapterFor(lossyClock, lossyService, {
        break: {
          run: async (context) => {
            lossyService.losesFrom = lossyClock.now() - 1500;
            context.markFault(lossyClock.now());
            lossyService.faultAt = lossyClock.now();
          },
          verify: async () => ({ ok: true, detail: 'broken' }),
        },
      }),
      probe: lossyService,
      targets: { rtoSeconds: 15, rpoSeconds: 0 },
      clock: lossyClock,
    });
    expect(lost.passed).toBe(false);
    expect(lost.failures).toContain(`RPO missed: ${lost.achievedRpoSeconds} s against a target of 0 s.`);
  });

  it('breaks nothing when the heartbeats are not healthy before the drill', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    service.down = true;
    const adapter = adapterFor(clock, service);
    const report = await runDrill({ scenario, environment: 'test', adapter, probe: service, targets, clock });
    expect(report.steps.every((step) => step.outcome === 'not run')).toBe(true);
    expect(report.failures).toEqual([
      'The heartbeats never became healthy before the drill (last: write answered 503); nothing was broken.',
    ]);
  });

  it('fails a fault step that does not mark the fault moment', async () => {
    const clock = new VirtualClock();
    const service = new ScriptedService(clock);
    const adapter = adapterFor(clock, service, {
      break: { run: async () => undefined, verify: async () => ({ ok: true, detail: 'broken?' }) },
    });
    const report = await runDrill({ scenario, environment: 'test', adapter, probe: service, targets, clock });
    expect(report.failures).toEqual(['Step break did not mark the fault moment; nothing can be measured.']);
    expect(report.steps.map((step) => step.outcome)).toEqual(['passed', 'failed', 'not run', 'not run']);
  });
});

describe('renderPlan', () => {
  it('prints every step with its phase, timeout and verification, and the targets', () => {
    expect(renderPlan(scenario, 'staging', { rtoSeconds: 900, rpoSeconds: 300 })).toBe(
      [
        'Drill primary-loss on staging: test scenario',
        'Expected: RTO <= 900 s, RPO <= 300 s (failure kind "azLoss")',
        '   1. [prepare] Check (timeout 10 s; verify: v1)',
        '   2. [fault] Break (timeout 10 s; verify: v2)',
        '   3. [recover] Repair (timeout 30 s; verify: v3)',
        '   4. [recover] Confirm (timeout 10 s; verify: v4)',
      ].join('\n'),
    );
  });
});

describe('defineScenario', () => {
  const base = {
    name: 'primary-loss',
    title: 't',
    useWhen: 'u',
    failureKind: 'azLoss',
    afterwards: [],
  } as const;
  const step = {
    action: 'a',
    verification: 'v',
    rollback: 'r',
    decides: 'drill lead',
    timeoutSeconds: 1,
  } as const;
  it.each([
    [[{ ...step, id: 'Bad_Id', phase: 'fault', title: 't' }], 'step id "Bad_Id" is not kebab-case'],
    [
      [
        { ...step, id: 'a', phase: 'fault', title: 't' },
        { ...step, id: 'a', phase: 'recover', title: 't' },
      ],
      'step id "a" is declared twice',
    ],
    [
      [
        { ...step, id: 'a', phase: 'recover', title: 't' },
        { ...step, id: 'b', phase: 'fault', title: 't' },
      ],
      'fault step "b" comes after a recover step',
    ],
    [[{ ...step, id: 'a', phase: 'recover', title: 't' }], 'needs exactly one fault step, has 0'],
    [[{ ...step, id: 'a', phase: 'fault', title: 't' }], 'has no recover step'],
    [
      [
        { ...step, id: 'a', phase: 'fault', title: 't', timeoutSeconds: 0 },
        { ...step, id: 'b', phase: 'recover', title: 't' },
      ],
      'step "a" needs a positive timeout',
    ],
  ] as const)('refuses a malformed scenario (%#)', (steps, message) => {
    expect(() => defineScenario({ ...base, steps })).toThrow(`primary-loss: ${message}`);
  });
});
