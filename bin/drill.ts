/**
 * `npm run drill -- --local --scenario <primary-loss|point-in-time-restore> [--json]`: the DR
 * rehearsal on this machine (real PostgreSQL servers, the local stack serving the real handlers).
 * The only reader of argv and env for drills. Exit code 0 when the drill passed, 1 when it failed,
 * 2 on a usage error. Reports go to drills/reports/ (git-ignored).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run drill -- --local --scenario <primary-loss|point-in-time-restore> [--json]
       npm run drill -- --write-runbooks`;

class UsageError extends Error {}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        local: { type: 'boolean', default: false },
        scenario: { type: 'string' },
        json: { type: 'boolean', default: false },
        'write-runbooks': { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { values } = parsed;
  const rootDir = path.resolve(__dirname, '..');
  // With --json, stdout carries the report alone; progress goes to stderr.
  const say = (line: string) => (values.json ? console.error(line) : console.log(line));

  // Powertools reads these when its modules load: before anything under lambda/ is imported.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? 'CRITICAL';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'rampart-drill';

  if (values['write-runbooks']) {
    const { writeFileSync } = await import('node:fs');
    const { renderRunbook } = await import('../lib/drill/runbook');
    const { SCENARIOS } = await import('../lib/drill/scenarios');
    for (const scenario of Object.values(SCENARIOS)) {
      const file = path.join(rootDir, 'runbooks', 'dr', `${scenario.name}.md`);
      writeFileSync(file, renderRunbook(scenario));
      say(`wrote ${path.relative(rootDir, file)}`);
    }
    return 0;
  }
  if (!values.local) throw new UsageError(`--local is required\n${USAGE}`);
  const { LOCAL_SCENARIOS, startPointInTimeRestoreRehearsal, startPrimaryLossRehearsal } =
    await import('../lib/drill/local/rehearsal');
  const scenarioName = values.scenario;
  if (!(LOCAL_SCENARIOS as readonly (string | undefined)[]).includes(scenarioName))
    throw new UsageError(`--scenario must be one of ${LOCAL_SCENARIOS.join(', ')}\n${USAGE}`);
  const { loadEnvironmentConfig } = await import('../lib/config');
  const { runDrill, renderPlan } = await import('../lib/drill/runner');
  const { systemClock } = await import('../lib/drill/clock');
  const { writeReports, renderMarkdownReport } = await import('../lib/drill/report');
  const { pointInTimeRestore, primaryLoss } = await import('../lib/drill/scenarios');

  const options = {
    rootDir,
    environment: loadEnvironmentConfig('dev'),
    log: (line: string) => say(`  ${line}`),
  };
  const report =
    scenarioName === 'primary-loss'
      ? await (async () => {
          const rehearsal = await startPrimaryLossRehearsal(options);
          say(renderPlan(primaryLoss, 'local', rehearsal.targets));
          return runDrill({
            scenario: primaryLoss,
            environment: 'local',
            clock: systemClock,
            log: say,
            warmupRounds: 5,
            ...rehearsal,
          });
        })()
      : await (async () => {
          const rehearsal = await startPointInTimeRestoreRehearsal(options);
          say(renderPlan(pointInTimeRestore, 'local', rehearsal.targets));
          return runDrill({
            scenario: pointInTimeRestore,
            environment: 'local',
            clock: systemClock,
            log: say,
            warmupRounds: 5,
            ...rehearsal,
          });
        })();
  const written = writeReports(report, path.join(rootDir, 'drills', 'reports'));
  if (values.json) console.log(JSON.stringify(report));
  else console.log(`\n${renderMarkdownReport(report)}`);
  say(`reports: ${written.json}, ${written.markdown}`);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`drill: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
