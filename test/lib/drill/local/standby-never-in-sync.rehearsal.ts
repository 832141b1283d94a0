/**
 * The primary-loss rehearsal with a standby that never streamed: the drill must stop before it
 * breaks anything, and say why. Real PostgreSQL servers and the local stack take 15-25 s, so this
 * is not part of `npm test`; .ci/run runs it (`npx jest --testMatch '**\/*.rehearsal.ts'`).
 */
import { systemClock } from '../../../../lib/drill/clock';
import { startPrimaryLossRehearsal } from '../../../../lib/drill/local/rehearsal';
import { runDrill } from '../../../../lib/drill/runner';
import { primaryLoss } from '../../../../lib/drill/scenarios';
import { rehearsalOptions } from './support';

jest.setTimeout(120_000);

it('primary-loss: a standby that was never in sync stops the drill before anything is broken', async () => {
  const rehearsal = await startPrimaryLossRehearsal(
    await rehearsalOptions({ kind: 'standby-never-in-sync' }),
  );
  const report = await runDrill({
    scenario: primaryLoss,
    environment: 'local',
    clock: systemClock,
    ...rehearsal,
  });

  expect(report.passed).toBe(false);
  expect(report.steps.map((step) => [step.id, step.outcome])).toEqual([
    ['check-standby-in-sync', 'failed'],
    ['kill-primary', 'not run'],
    ['confirm-primary-lost', 'not run'],
    ['promote-standby', 'not run'],
    ['repoint-proxy', 'not run'],
    ['verify-service', 'not run'],
  ]);
  expect(report.failures).toEqual([
    'Step check-standby-in-sync failed its verification (the standby is `streaming` and its replay position is within 1 s of the primary): ' +
      'standby in sync: not within 10 s (last: the standby is not connected to the primary (no row in pg_stat_replication))',
  ]);
  expect(report.faultAt).toBeNull();
});
