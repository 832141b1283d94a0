/**
 * `npm run drill`: DR drills (docs/drills.md). The only reader of argv and env for drills.
 *
 *   npm run drill -- --env <env> --scenario <az-failover|point-in-time-restore|region-failover> [--dry-run] [--confirm prod] [--json]
 *   npm run drill -- --local --scenario <primary-loss|point-in-time-restore> [--json]
 *   npm run drill -- --write-runbooks
 *
 * On AWS the heartbeats go through the public edge: `DRILL_API_URL` (e.g. https://api.example.com)
 * and `DRILL_API_KEY` (an API key with rampart/read, rampart/write and, for point-in-time-restore,
 * rampart/admin). Exit code 0 when the drill passed (or the dry run printed), 1 when it failed, 2 on
 * a usage error. Reports go to drills/reports/ (git-ignored).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, resolveEnvironments } from '../lib/config';
import type { AwsClients } from '../lib/drill/aws/adapters';
import type { PublishClients } from '../lib/drill/aws/publish';
import { renderPlan, type DrillReport } from '../lib/drill/runner';
import { renderMarkdownReport, writeReports } from '../lib/drill/report';
import { renderProcedureRunbook, renderRunbook } from '../lib/drill/runbook';
import { PROCEDURES, SCENARIOS } from '../lib/drill/scenarios';

const USAGE = [
  'usage: npm run drill -- --env <env> --scenario <az-failover|point-in-time-restore|region-failover> [--dry-run] [--confirm prod] [--json]',
  '       npm run drill -- --local --scenario <primary-loss|point-in-time-restore> [--json]',
  '       npm run drill -- --write-runbooks',
].join('\n');

const AWS_SCENARIOS = ['az-failover', 'point-in-time-restore', 'region-failover'] as const;
const LOCAL_SCENARIOS = ['primary-loss', 'point-in-time-restore'] as const;

export interface DrillCliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The report (JSON with --json) and, without --json, the plan and progress. */
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Repository root (reports, runbooks). */
  readonly rootDir: string;
  /**
   * Builds the SDK clients for an environment.
   * @default - real clients with the SDK's default credential chain
   */
  readonly awsClients?: (region: string, drRegion: string) => Promise<AwsClients & PublishClients>;
}

type Parsed = {
  local: boolean;
  env?: string;
  scenario?: string;
  json: boolean;
  dryRun: boolean;
  confirm?: string;
  writeRunbooks: boolean;
};

function parse(argv: readonly string[]): Parsed | string {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        local: { type: 'boolean', default: false },
        env: { type: 'string' },
        scenario: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        confirm: { type: 'string' },
        'write-runbooks': { type: 'boolean', default: false },
      },
      strict: true,
    });
    return {
      local: values.local,
      env: values.env,
      scenario: values.scenario,
      json: values.json,
      dryRun: values['dry-run'],
      confirm: values.confirm,
      writeRunbooks: values['write-runbooks'],
    };
  } catch (error) {
    // parseArgs' TypeError may come from another realm (jest): read its message, not instanceof.
    return (error as { message?: string }).message ?? String(error);
  }
}

/** Real SDK clients: the environment's region, drRegion, and CloudFront's us-east-1. */
async function realAwsClients(region: string, drRegion: string): Promise<AwsClients & PublishClients> {
  const [rdsSdk, cfnSdk, ssmSdk, cwSdk, cfSdk, snsSdk, ebSdk, lambdaSdk, wafSdk, { signedFisApi }] =
    await Promise.all([
      import('@aws-sdk/client-rds'),
      import('@aws-sdk/client-cloudformation'),
      import('@aws-sdk/client-ssm'),
      import('@aws-sdk/client-cloudwatch'),
      import('@aws-sdk/client-cloudfront'),
      import('@aws-sdk/client-sns'),
      import('@aws-sdk/client-eventbridge'),
      import('@aws-sdk/client-lambda'),
      import('@aws-sdk/client-wafv2'),
      import('../lib/drill/aws/fis'),
    ]);
  const rds = new rdsSdk.RDSClient({ region });
  return {
    rds,
    rdsDr: new rdsSdk.RDSClient({ region: drRegion }),
    cloudFormation: new cfnSdk.CloudFormationClient({ region }),
    ssmDr: new ssmSdk.SSMClient({ region: drRegion }),
    cloudWatchDr: new cwSdk.CloudWatchClient({ region: drRegion }),
    cloudWatch: new cwSdk.CloudWatchClient({ region }),
    cloudFront: new cfSdk.CloudFrontClient({ region: 'us-east-1' }),
    sns: new snsSdk.SNSClient({ region }),
    eventBridgeDr: new ebSdk.EventBridgeClient({ region: drRegion }),
    lambdaDr: new lambdaSdk.LambdaClient({ region: drRegion }),
    wafDr: new wafSdk.WAFV2Client({ region: drRegion }),
    // The same default credential chain the SDK clients resolve.
    fis: signedFisApi({ region, credentials: rds.config.credentials }),
  };
}

/** Runs the command; returns its exit code. */
export async function runDrillCli(argv: readonly string[], io: DrillCliIo): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    io.err(`drill: ${args}\n${USAGE}`);
    return 2;
  }
  const usage = (message: string) => {
    io.err(`drill: ${message}\n${USAGE}`);
    return 2;
  };
  // With --json, stdout carries the report alone; the plan and progress go to stderr.
  const say = args.json ? io.err : io.out;

  if (args.writeRunbooks) {
    const runbooks = [
      ...Object.values(SCENARIOS).map((scenario) => [scenario.name, renderRunbook(scenario)] as const),
      ...Object.values(PROCEDURES).map(
        (procedure) => [procedure.name, renderProcedureRunbook(procedure)] as const,
      ),
    ];
    for (const [name, text] of runbooks) {
      const file = path.join(io.rootDir, 'runbooks', 'dr', `${name}.md`);
      writeFileSync(file, text);
      say(`wrote ${path.relative(io.rootDir, file)}`);
    }
    return 0;
  }

  let report: DrillReport;
  if (args.local) {
    if (args.env !== undefined || args.dryRun || args.confirm !== undefined)
      return usage('--local takes only --scenario and --json');
    if (!(LOCAL_SCENARIOS as readonly (string | undefined)[]).includes(args.scenario))
      return usage(`--scenario must be one of ${LOCAL_SCENARIOS.join(', ')} with --local`);
    report = await runLocal(args.scenario as (typeof LOCAL_SCENARIOS)[number], io, say);
  } else {
    if (args.env === undefined) return usage('give --env <env> (or --local)');
    if (!(AWS_SCENARIOS as readonly (string | undefined)[]).includes(args.scenario))
      return usage(`--scenario must be one of ${AWS_SCENARIOS.join(', ')} on AWS`);
    const scenarioName = args.scenario as (typeof AWS_SCENARIOS)[number];
    let config;
    try {
      config = resolveEnvironments(args.env, io.env)[0];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(`drill: ${error.message}`);
      return 1;
    }
    const { awsTargets, runAwsDrill } = await import('../lib/drill/aws/run');
    let targets;
    try {
      targets = awsTargets(config, scenarioName);
    } catch (error) {
      io.err(`drill: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    say(
      renderPlan(
        SCENARIOS[scenarioName],
        `${config.name} (${config.region}, account ${config.account})`,
        targets,
      ),
    );
    if (args.dryRun) {
      say('Dry run: nothing was called.');
      return 0;
    }
    if (config.name === 'prod' && args.confirm !== 'prod')
      return usage('a drill on prod needs --confirm prod');
    const baseUrl = io.env.DRILL_API_URL;
    const apiKey = io.env.DRILL_API_KEY;
    if (!baseUrl || !apiKey)
      return usage("set DRILL_API_URL (the public edge) and DRILL_API_KEY (the drill's machine credential)");
    const { HttpHeartbeatProbe } = await import('../lib/drill/http-probe');
    const { systemClock } = await import('../lib/drill/clock');
    const runId = randomUUID();
    const clients = await (io.awsClients ?? realAwsClients)(config.region, config.drRegion);
    const result = await runAwsDrill({
      config,
      scenario: scenarioName,
      clients,
      probe: new HttpHeartbeatProbe({
        baseUrl: baseUrl.replace(/\/$/, ''),
        authorization: `ApiKey ${apiKey}`,
        namePrefix: `drill-heartbeat-${runId.slice(0, 8)}-`,
      }),
      clock: systemClock,
      log: say,
      runId,
    });
    report = result.report;
    say(
      result.published
        ? `summary sent to ${result.published}`
        : 'the summary could not be published (see above)',
    );
  }
  const written = writeReports(report, path.join(io.rootDir, 'drills', 'reports'));
  if (args.json) io.out(JSON.stringify(report));
  else io.out(`\n${renderMarkdownReport(report)}`);
  say(`reports: ${written.json}, ${written.markdown}`);
  return report.passed ? 0 : 1;
}

async function runLocal(
  scenarioName: (typeof LOCAL_SCENARIOS)[number],
  io: DrillCliIo,
  say: (line: string) => void,
): Promise<DrillReport> {
  // Powertools reads these when its modules load: before anything under lambda/ is imported.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL = io.env.LOG_LEVEL ?? 'CRITICAL';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'rampart-drill';
  const { loadEnvironmentConfig } = await import('../lib/config');
  const { runDrill } = await import('../lib/drill/runner');
  const { systemClock } = await import('../lib/drill/clock');
  const { startPointInTimeRestoreRehearsal, startPrimaryLossRehearsal } =
    await import('../lib/drill/local/rehearsal');
  const { pointInTimeRestore, primaryLoss } = await import('../lib/drill/scenarios');
  const options = {
    rootDir: io.rootDir,
    environment: loadEnvironmentConfig('dev'),
    log: (line: string) => say(`  ${line}`),
  };
  const common = { environment: 'local', clock: systemClock, log: say, warmupRounds: 5 };
  if (scenarioName === 'primary-loss') {
    const rehearsal = await startPrimaryLossRehearsal(options);
    say(renderPlan(primaryLoss, 'local', rehearsal.targets));
    return runDrill({ ...common, scenario: primaryLoss, ...rehearsal });
  }
  const rehearsal = await startPointInTimeRestoreRehearsal(options);
  say(renderPlan(pointInTimeRestore, 'local', rehearsal.targets));
  return runDrill({ ...common, scenario: pointInTimeRestore, ...rehearsal });
}

if (require.main === module) {
  // The SDK warns on Node < 22 about its releases after January 2027 (bin/preflight.ts says why it is noise).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runDrillCli(process.argv.slice(2), {
    env: process.env,
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    rootDir: path.resolve(__dirname, '..'),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`drill: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
