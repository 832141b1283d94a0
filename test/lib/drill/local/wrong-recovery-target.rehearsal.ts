/**
 * The point-in-time-restore rehearsal with a recovery target 3 s before the damage: the drill must
 * catch it before the switch-over, say why, and count the writes that target would lose. Real
 * PostgreSQL servers and the local stack take 15-25 s, so this is not part of `npm test`; .ci/run
 * runs it (`npx jest --testMatch '**\/*.rehearsal.ts'`).
 */
import { systemClock } from '../../../../lib/drill/clock';
import { startPointInTimeRestoreRehearsal } from '../../../../lib/drill/local/rehearsal';
import { runDrill } from '../../../../lib/drill/runner';
import { pointInTimeRestore } from '../../../../lib/drill/scenarios';
import { rehearsalOptions } from './support';

jest.setTimeout(120_000);

it('point-in-time-restore: a recovery target 3 s early is caught before the switch, and the lost writes are counted', async () => {
  const rehearsal = await startPointInTimeRestoreRehearsal(
    await rehearsalOptions({ kind: 'wrong-recovery-target', secondsEarly: 3 }),
  );
  const report = await runDrill({
    scenario: pointInTimeRestore,
    environment: 'local',
    clock: systemClock,
    warmupRounds: 6,
    ...rehearsal,
  });

  expect(report.passed).toBe(false);
  expect(report.steps.map((step) => [step.id, step.outcome])).toEqual([
    ['check-restore-window', 'passed'],
    ['destroy-data', 'passed'],
    ['choose-recovery-target', 'passed'],
    ['restore-to-new-instance', 'passed'],
    ['verify-restored-data', 'failed'],
    ['switch-proxy-target', 'not run'],
    ['verify-service', 'not run'],
  ]);
  expect(report.failures[0]).toMatch(
    /^Step verify-restored-data failed its verification \(.*\): the newest restored heartbeat is 3\.\d{3} s before the damage, more than the RPO of 2 s: the recovery target is too early$/,
  );
  // The service stayed on the damaged database: every write from before the damage is gone there.
  expect(report.failures).toContain(
    'Service did not recover: no sustained run of healthy heartbeats after the fault.',
  );
  expect(report.achievedRtoSeconds).toBeNull();
  expect(report.acknowledgedWritesBeforeFault).toBeGreaterThanOrEqual(6);
  expect(report.lostAcknowledgedWrites).toBe(report.acknowledgedWritesBeforeFault);
});
