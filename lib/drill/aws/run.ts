import { randomUUID } from 'node:crypto';
import type { EnvironmentConfig } from '../../config';
import type { DrillClock } from '../clock';
import { runDrill, type DrillReport, type DrillTargets } from '../runner';
import { azFailover, pointInTimeRestore, regionFailover, SCENARIOS } from '../scenarios';
import {
  azFailoverAdapter,
  pointInTimeRestoreAdapter,
  regionFailoverAdapter,
  type AwsAdapterOptions,
  type AwsClients,
  type AwsScenarioName,
  type EdgeProbe,
} from './adapters';
import { publishReport, type PublishClients } from './publish';

/** The drill's expected RTO and RPO on AWS: the environment's declared objective for the scenario's failure kind. */
export function awsTargets(config: EnvironmentConfig, scenario: AwsScenarioName): DrillTargets {
  const kind = SCENARIOS[scenario].failureKind;
  const objective = config.recovery[kind];
  if (objective === undefined)
    throw new Error(
      `${config.name} declares no recovery.${kind}: a ${scenario} is not recovered there, so there is nothing to drill`,
    );
  return { rtoSeconds: objective.rtoSeconds, rpoSeconds: objective.rpoSeconds };
}

export interface AwsDrillOptions {
  readonly config: EnvironmentConfig;
  readonly scenario: AwsScenarioName;
  readonly clients: AwsClients & PublishClients;
  readonly probe: EdgeProbe;
  readonly clock: DrillClock;
  readonly log?: (line: string) => void;
  /** @default random */
  readonly runId?: string;
  /** @default 15000 */
  readonly pollMs?: number;
}

/** Runs an AWS drill, then publishes its figures (CloudWatch) and summary (the environment's topic). */
export async function runAwsDrill(
  options: AwsDrillOptions,
): Promise<{ report: DrillReport; published?: string }> {
  const { config, scenario, clients, probe, clock } = options;
  const log = options.log ?? (() => undefined);
  const targets = awsTargets(config, scenario);
  const adapterOptions: AwsAdapterOptions = {
    config,
    clients,
    probe,
    targets,
    pollMs: options.pollMs,
    runId: options.runId ?? randomUUID(),
  };
  const common = { environment: config.name, probe, targets, clock, log };
  let report: DrillReport;
  switch (scenario) {
    case 'az-failover':
      report = await runDrill({
        ...common,
        scenario: azFailover,
        adapter: azFailoverAdapter(adapterOptions),
      });
      break;
    case 'point-in-time-restore':
      report = await runDrill({
        ...common,
        scenario: pointInTimeRestore,
        adapter: pointInTimeRestoreAdapter(adapterOptions),
      });
      break;
    case 'region-failover':
      report = await runDrill({
        ...common,
        scenario: regionFailover,
        adapter: regionFailoverAdapter(adapterOptions),
      });
      break;
  }
  try {
    const { topicArn } = await publishReport(report, clients);
    return { report, published: topicArn };
  } catch (error) {
    log(`publishing the report failed: ${error instanceof Error ? error.message : String(error)}`);
    return { report };
  }
}
