/**
 * The primary-loss rehearsal end to end, in npm test: real PostgreSQL servers (primary, streaming
 * standby), the proxy, the local stack serving the real handlers, heartbeats through the API with
 * an API key. Shorter warm-up and hold than `npm run drill` (about 10 s); the point-in-time restore
 * and the drills with a step done wrong run in .ci/run.
 */
import { systemClock } from '../../../../lib/drill/clock';
import { startPrimaryLossRehearsal } from '../../../../lib/drill/local/rehearsal';
import { runDrill } from '../../../../lib/drill/runner';
import { primaryLoss } from '../../../../lib/drill/scenarios';
import { rehearsalOptions } from './support';

it('primary-loss: kills the primary, promotes the standby, moves the proxy, and meets RTO 15 s and RPO 2 s', async () => {
  const rehearsal = await startPrimaryLossRehearsal(await rehearsalOptions(undefined));
  const report = await runDrill({
    scenario: primaryLoss,
    environment: 'local',
    clock: systemClock,
    warmupRounds: 2,
    sustainMs: 2000,
    ...rehearsal,
  });

  expect(report.failures).toEqual([]);
  expect(report.steps.map((step) => [step.id, step.outcome])).toEqual(
    primaryLoss.steps.map((step) => [step.id, 'passed']),
  );
  expect(report.targets).toEqual({ rtoSeconds: 15, rpoSeconds: 2 });
  expect(report.achievedRtoSeconds).toBeLessThanOrEqual(15);
  expect(report.achievedRpoSeconds).toBeLessThanOrEqual(2);
  expect(report.acknowledgedWritesBeforeFault).toBeGreaterThanOrEqual(2);
  expect(report.lostAcknowledgedWrites).toBe(0);
  expect(report.passed).toBe(true);
}, 90_000);
