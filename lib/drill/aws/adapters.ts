import { randomUUID } from 'node:crypto';
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DescribeRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { WAFV2Client } from '@aws-sdk/client-wafv2';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DeregisterDBProxyTargetsCommand,
  DescribeDBInstancesCommand,
  DescribeDBProxyTargetsCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RegisterDBProxyTargetsCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  DRILL_TEMPLATE_TAGS,
  parseStandbyNameList,
  standbyParameterName,
  type EnvironmentConfig,
  type StandbyParameterKey,
} from '../../config';
import {
  promoteStandby,
  registerStandbyProxyTarget,
  standbyDatabaseState,
  type StandbyDatabaseRef,
} from '../../dr/standby-database';
import { describeReplicaAlarms, disableReplicaAlarmActions } from '../../dr/standby-alarms';
import { switchTrafficToStandby } from '../../dr/traffic-switch';
import { waitFor } from '../clock';
import { step, verifyWithin } from '../steps';
import type { HeartbeatProbe } from '../measure';
import type { DrillAdapter, DrillTargets, StepContext, StepImplementation, Verification } from '../runner';
import type { azFailover } from '../scenarios/az-failover';
import type { pointInTimeRestore } from '../scenarios/point-in-time-restore';
import type { regionFailover } from '../scenarios/region-failover';
import type { FisApi } from './fis';

/** The scenarios a drill runs against AWS. */
export const AWS_SCENARIOS = ['az-failover', 'point-in-time-restore', 'region-failover'] as const;
export type AwsScenarioName = (typeof AWS_SCENARIOS)[number];

/**
 * Logical ids of the Data stack's instance and proxy: frozen (test/lib/stacks/data-stack.suite.ts
 * pins them), so a drill finds the physical names from CloudFormation without outputs.
 */
export const DATA_STACK_LOGICAL_IDS = {
  instance: 'DatabaseInstanceAA8A5FDE',
  proxy: 'DatabaseProxyE01FC4E6',
} as const;

/** Tags an FIS experiment template carries to be the fault of a drill (the Ops stack's region-loss template has them). */
export const FIS_TEMPLATE_TAGS = DRILL_TEMPLATE_TAGS;

/** The heartbeat probe through the public edge, plus what the point-in-time fault needs (EdgeProbe). */
export interface EdgeProbe extends HeartbeatProbe {
  listIds(): Promise<readonly string[]>;
  remove(id: string): Promise<void>;
}

export interface AwsClients {
  /** In the environment's region. */
  readonly rds: RDSClient;
  /** In drRegion. */
  readonly rdsDr: RDSClient;
  readonly cloudFormation: CloudFormationClient;
  /** In drRegion (standby parameters). */
  readonly ssmDr: SSMClient;
  /** In drRegion (replica lag). */
  readonly cloudWatchDr: CloudWatchClient;
  /** In drRegion (the standby's scheduled rules). */
  readonly eventBridgeDr: EventBridgeClient;
  /** In drRegion (the API key recreation function). */
  readonly lambdaDr: LambdaClient;
  /** In drRegion (the standby web ACL's origin-verify pattern set). */
  readonly wafDr: WAFV2Client;
  /** CloudFront is global (us-east-1). */
  readonly cloudFront: CloudFrontClient;
  /** In the environment's region. */
  readonly fis: FisApi;
}

export interface AwsAdapterOptions {
  readonly config: EnvironmentConfig;
  readonly clients: AwsClients;
  /** Heartbeats through the public edge: the recover steps' service check and the PITR fault. */
  readonly probe: EdgeProbe;
  readonly targets: DrillTargets;
  /** How often the waits poll AWS. @default 15000 */
  readonly pollMs?: number;
  /** A unique id for this drill (FIS client token, restored instance suffix). @default random */
  readonly runId?: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function describeInstance(rds: RDSClient, id: string): Promise<DBInstance> {
  const answer = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  const instance = answer.DBInstances?.[0];
  if (instance === undefined) throw new Error(`RDS knows no instance ${id}`);
  return instance;
}

async function physicalId(
  cloudFormation: CloudFormationClient,
  stackName: string,
  logicalId: string,
): Promise<string> {
  const answer = await cloudFormation.send(
    new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }),
  );
  const id = answer.StackResourceDetail?.PhysicalResourceId;
  if (id === undefined) throw new Error(`${stackName} has no resource ${logicalId}`);
  return id;
}

/** A heartbeat written and read back through the public edge. */
async function edgeServes(probe: EdgeProbe): Promise<Verification> {
  const signal = AbortSignal.timeout(10_000);
  try {
    const id = await probe.write(0, signal);
    return (await probe.read(id, signal))
      ? { ok: true, detail: `heartbeat ${id} written and read back through the public edge` }
      : { ok: false, detail: 'a heartbeat written through the public edge could not be read back' };
  } catch (error) {
    return { ok: false, detail: describe(error) };
  }
}

/** Where a scenario's FIS experiment template id comes from. */
type TemplateSource =
  /** A CloudFormation export (docs/resilience.md: `rampart-<env>-fis-database-failover`). */
  | { readonly export: string }
  /** The one template tagged `rampart:drill=<scenario>`, `rampart:environment=<env>` (the Ops stack's region-loss experiment). */
  | { readonly tagged: string };

async function templateId(
  fis: FisApi,
  cloudFormation: CloudFormationClient,
  source: TemplateSource,
  environment: string,
): Promise<string> {
  if ('export' in source) {
    let token: string | undefined;
    do {
      const page = await cloudFormation.send(new ListExportsCommand({ NextToken: token }));
      const found = page.Exports?.find((candidate) => candidate.Name === source.export);
      if (found?.Value !== undefined) return found.Value;
      token = page.NextToken;
    } while (token !== undefined);
    throw new Error(
      `no CloudFormation export ${source.export}: deploy the Ops stack's FIS templates (docs/resilience.md)`,
    );
  }
  const templates = (await fis.listExperimentTemplates()).filter(
    (template) =>
      template.tags[FIS_TEMPLATE_TAGS.scenario] === source.tagged &&
      template.tags[FIS_TEMPLATE_TAGS.environment] === environment,
  );
  if (templates.length !== 1)
    throw new Error(
      `expected one FIS experiment template tagged ${FIS_TEMPLATE_TAGS.scenario}=${source.tagged} and ` +
        `${FIS_TEMPLATE_TAGS.environment}=${environment}, found ${templates.length}`,
    );
  return templates[0].id;
}

/** Starts the scenario's FIS experiment; marks the fault just before. */
async function startExperiment(
  clients: Pick<AwsClients, 'fis' | 'cloudFormation'>,
  source: TemplateSource,
  environment: string,
  runId: string,
  context: StepContext,
): Promise<{ id: string; templateId: string }> {
  const template = await templateId(clients.fis, clients.cloudFormation, source, environment);
  context.markFault(context.clock.now());
  const id = await clients.fis.startExperiment({
    experimentTemplateId: template,
    clientToken: runId,
    tags: { 'rampart:drill-run': runId },
  });
  return { id, templateId: template };
}

const experimentStarted = async (fis: FisApi, id: string): Promise<Verification> => {
  const state = await fis.getExperiment(id);
  return ['initiating', 'running', 'completed'].includes(state.status)
    ? { ok: true, detail: `experiment ${id} ${state.status}` }
    : { ok: false, detail: `experiment ${id} ${state.status}${state.reason ? `: ${state.reason}` : ''}` };
};

/** The fault step of a scenario on AWS: the FIS experiment template tagged for it, started and seen running. */
function faultExperiment(
  clients: Pick<AwsClients, 'fis' | 'cloudFormation'>,
  source: TemplateSource,
  environment: string,
  runId: string,
): StepImplementation {
  let experimentId = '';
  return step({
    run: async (context) => {
      const started = await startExperiment(clients, source, environment, runId, context);
      experimentId = started.id;
      return `experiment ${started.id} from template ${started.templateId}`;
    },
    verify: () => experimentStarted(clients.fis, experimentId),
  });
}

/** `az-failover`: FIS forces a Multi-AZ failover; the instance must come back in its secondary zone and the proxy follow. */
export function azFailoverAdapter(options: AwsAdapterOptions): DrillAdapter<typeof azFailover> {
  const { config, clients, probe } = options;
  const poll = options.pollMs ?? 15_000;
  const runId = options.runId ?? randomUUID();
  const data = `Rampart-${config.name}-Data`;
  let instanceId = '';
  let proxyName = '';
  let secondaryZone = '';
  return {
    target: `AWS ${config.name} (${config.region})`,
    steps: {
      'check-multi-az': step({
        run: async () => {
          instanceId = await physicalId(clients.cloudFormation, data, DATA_STACK_LOGICAL_IDS.instance);
          proxyName = await physicalId(clients.cloudFormation, data, DATA_STACK_LOGICAL_IDS.proxy);
        },
        verify: async () => {
          const instance = await describeInstance(clients.rds, instanceId);
          secondaryZone = instance.SecondaryAvailabilityZone ?? '';
          if (instance.DBInstanceStatus !== 'available' || instance.MultiAZ !== true || secondaryZone === '')
            return {
              ok: false,
              detail: `${instanceId} is ${instance.DBInstanceStatus}, MultiAZ ${String(instance.MultiAZ)}, secondary zone ${secondaryZone || 'none'}`,
            };
          return {
            ok: true,
            detail: `${instanceId} available in ${instance.AvailabilityZone}, standby in ${secondaryZone}`,
          };
        },
      }),
      'start-az-fault': faultExperiment(
        clients,
        { export: `rampart-${config.name}-fis-database-failover` },
        config.name,
        runId,
      ),
      'wait-failover': step({
        verify: (context) =>
          verifyWithin(context, 'failover', { timeoutMs: 840_000, intervalMs: poll }, async () => {
            const instance = await describeInstance(clients.rds, instanceId);
            return instance.DBInstanceStatus === 'available' && instance.AvailabilityZone === secondaryZone
              ? { ok: true, detail: `${instanceId} available in ${secondaryZone}` }
              : {
                  ok: false,
                  detail: `${instanceId} ${instance.DBInstanceStatus} in ${instance.AvailabilityZone}`,
                };
          }),
      }),
      'check-proxy-targets': step({
        verify: (context) =>
          verifyWithin(
            context,
            'proxy targets available',
            { timeoutMs: 540_000, intervalMs: poll },
            async () => {
              const answer = await clients.rds.send(
                new DescribeDBProxyTargetsCommand({ DBProxyName: proxyName }),
              );
              const states = (answer.Targets ?? []).map((target) => target.TargetHealth?.State ?? 'UNKNOWN');
              return states.length > 0 && states.every((state) => state === 'AVAILABLE')
                ? { ok: true, detail: `${states.length} proxy targets AVAILABLE` }
                : { ok: false, detail: `proxy targets: ${states.join(', ') || 'none'}` };
            },
          ),
      }),
      'verify-service': step({
        verify: (context) =>
          verifyWithin(context, 'API serving', { timeoutMs: 240_000, intervalMs: 5_000 }, () =>
            edgeServes(probe),
          ),
      }),
    },
    async teardown() {},
  };
}

/** RDS restores to whole seconds: the last second that starts before the damage. */
function restoreTime(faultAt: number): Date {
  return new Date(Math.floor(faultAt / 1000) * 1000 - 1000);
}

/** `point-in-time-restore`: the drill deletes its heartbeat records, restores to the moment before on a new instance and moves the proxy to it. */
export function pointInTimeRestoreAdapter(
  options: AwsAdapterOptions,
): DrillAdapter<typeof pointInTimeRestore> {
  const { config, clients, probe, targets } = options;
  const poll = options.pollMs ?? 15_000;
  const runId = options.runId ?? randomUUID();
  const data = `Rampart-${config.name}-Data`;
  let sourceId = '';
  let proxyName = '';
  let targetId = '';
  let target: Date | undefined;
  return {
    target: `AWS ${config.name} (${config.region})`,
    steps: {
      'check-restore-window': step({
        run: async () => {
          sourceId = await physicalId(clients.cloudFormation, data, DATA_STACK_LOGICAL_IDS.instance);
          proxyName = await physicalId(clients.cloudFormation, data, DATA_STACK_LOGICAL_IDS.proxy);
        },
        verify: async (context) => {
          const instance = await describeInstance(clients.rds, sourceId);
          const latest = instance.LatestRestorableTime?.getTime();
          if (latest === undefined)
            return { ok: false, detail: `${sourceId} has no restorable time (backups off?)` };
          // RDS uploads transaction logs every 5 minutes: the window trails by up to that.
          const age = (context.clock.now() - latest) / 1000;
          return age <= 300 + targets.rpoSeconds
            ? {
                ok: true,
                detail: `latest restorable time ${instance.LatestRestorableTime!.toISOString()} (${Math.round(age)} s ago)`,
              }
            : { ok: false, detail: `latest restorable time is ${Math.round(age)} s old` };
        },
      }),
      'destroy-data': step({
        run: async (context) => {
          context.markFault(context.clock.now());
          const ids = await probe.listIds();
          for (const id of ids) await probe.remove(id);
          return `deleted ${ids.length} heartbeat records through the API`;
        },
        verify: async () => {
          const left = await probe.listIds();
          return left.length === 0
            ? { ok: true, detail: 'no heartbeat record from before the damage is left' }
            : { ok: false, detail: `${left.length} heartbeat records are left` };
        },
      }),
      'choose-recovery-target': step({
        run: async (context) => {
          target = restoreTime(context.faultAt!);
          return `restore time ${target.toISOString()}`;
        },
        verify: async (context) =>
          target!.getTime() < context.faultAt!
            ? { ok: true, detail: 'the target is before the damage' }
            : { ok: false, detail: 'the target is not before the damage' },
      }),
      'restore-to-new-instance': step({
        run: async (context) => {
          await waitFor(
            context.clock,
            'restore window reaching the target',
            { timeoutMs: 900_000, intervalMs: poll },
            async () => {
              const latest = (await describeInstance(clients.rds, sourceId)).LatestRestorableTime;
              return latest !== undefined && latest >= target!
                ? { done: true, value: latest }
                : { done: false, why: `latest restorable time ${latest?.toISOString() ?? 'none'}` };
            },
          );
          const source = await describeInstance(clients.rds, sourceId);
          targetId = `${sourceId}-drill-${runId.slice(0, 8)}`.slice(0, 63);
          await clients.rds.send(
            new RestoreDBInstanceToPointInTimeCommand({
              SourceDBInstanceIdentifier: sourceId,
              TargetDBInstanceIdentifier: targetId,
              RestoreTime: target,
              DBSubnetGroupName: source.DBSubnetGroup?.DBSubnetGroupName,
              VpcSecurityGroupIds: (source.VpcSecurityGroups ?? []).flatMap((group) =>
                group.VpcSecurityGroupId === undefined ? [] : [group.VpcSecurityGroupId],
              ),
              DBParameterGroupName: source.DBParameterGroups?.[0]?.DBParameterGroupName,
              DBInstanceClass: source.DBInstanceClass,
              EnableIAMDatabaseAuthentication: true,
              DeletionProtection: true,
              CopyTagsToSnapshot: true,
              EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
              Tags: [{ Key: 'rampart:drill-run', Value: runId }],
            }),
          );
          return `restoring ${sourceId} at ${target!.toISOString()} into ${targetId}`;
        },
        verify: (context) =>
          verifyWithin(
            context,
            'restored instance available',
            { timeoutMs: 3_000_000, intervalMs: poll },
            async () => {
              const instance = await describeInstance(clients.rds, targetId);
              return instance.DBInstanceStatus === 'available'
                ? { ok: true, detail: `${targetId} available` }
                : { ok: false, detail: `${targetId} ${instance.DBInstanceStatus}` };
            },
          ),
      }),
      'verify-restored-data': step({
        // The database is reachable only inside the VPC: its data is checked through the API
        // after the switch (verify-service and the heartbeats); here, how it was restored.
        verify: async () => {
          const instance = await describeInstance(clients.rds, targetId);
          return instance.StorageEncrypted === true && instance.IAMDatabaseAuthenticationEnabled === true
            ? {
                ok: true,
                detail: `${targetId} encrypted, IAM authentication on; data checked through the API after the switch`,
              }
            : {
                ok: false,
                detail: `${targetId}: encrypted ${String(instance.StorageEncrypted)}, IAM auth ${String(instance.IAMDatabaseAuthenticationEnabled)}`,
              };
        },
      }),
      'switch-proxy-target': step({
        run: async () => {
          await clients.rds.send(
            new DeregisterDBProxyTargetsCommand({
              DBProxyName: proxyName,
              DBInstanceIdentifiers: [sourceId],
            }),
          );
          await clients.rds.send(
            new RegisterDBProxyTargetsCommand({ DBProxyName: proxyName, DBInstanceIdentifiers: [targetId] }),
          );
        },
        verify: (context) =>
          verifyWithin(
            context,
            'proxy target available',
            { timeoutMs: 540_000, intervalMs: poll },
            async () => {
              const answer = await clients.rds.send(
                new DescribeDBProxyTargetsCommand({ DBProxyName: proxyName }),
              );
              const instances = (answer.Targets ?? []).filter((t) => t.Type === 'RDS_INSTANCE');
              const ours = instances.find((t) => t.RdsResourceId === targetId);
              return instances.length === 1 && ours?.TargetHealth?.State === 'AVAILABLE'
                ? { ok: true, detail: `proxy ${proxyName} targets ${targetId}, AVAILABLE` }
                : {
                    ok: false,
                    detail: `proxy targets: ${instances.map((t) => `${t.RdsResourceId} ${t.TargetHealth?.State ?? '?'}`).join(', ') || 'none'}`,
                  };
            },
          ),
      }),
      'verify-service': step({
        verify: (context) =>
          verifyWithin(context, 'API serving', { timeoutMs: 110_000, intervalMs: 5_000 }, () =>
            edgeServes(probe),
          ),
      }),
    },
    async teardown() {},
  };
}

/**
 * The origin-verify header CloudFront adds (lib/constructs/edge/origin-verify-secret.ts
 * `ORIGIN_VERIFY_HEADER`; the drill layer does not load CDK constructs, a test keeps the two equal).
 */
export const ORIGIN_VERIFY_HEADER_NAME = 'x-origin-verify';

/** The standby values a region failover reads from SSM in drRegion (docs/dr.md). */
const STANDBY_KEYS = [
  'replica-instance-id',
  'proxy-name',
  'proxy-target-group',
  'backup-retention-days',
  'backup-window',
  'api-origin-domain',
  'api-stage',
  'primary-origin-domain',
  'distribution-id',
  'schedule-rule-names',
  'api-key-recreation-function',
  'origin-verify-pattern-set',
  'replica-alarm-names',
] as const satisfies readonly StandbyParameterKey[];
type StandbyKey = (typeof STANDBY_KEYS)[number];

/**
 * `region-failover`: FIS cuts the primary region off; then the failover steps of docs/dr.md, each
 * through its function in lib/dr where one exists (promoteStandby, registerStandbyProxyTarget,
 * switchTrafficToStandby, disableReplicaAlarmActions): the replica promoted and its replica-only
 * alarms silenced, the standby proxy's target, the scheduled rules
 * enabled, the gateway's API keys recreated, CloudFront's origin moved, Multi-AZ afterwards.
 */
export function regionFailoverAdapter(options: AwsAdapterOptions): DrillAdapter<typeof regionFailover> {
  const { config, clients, probe, targets } = options;
  const poll = options.pollMs ?? 15_000;
  const runId = options.runId ?? randomUUID();
  let standby: Record<StandbyKey, string> | undefined;
  let recreated: { created?: number; existing?: number; repointed?: number } | undefined;
  const value = (key: StandbyKey) => standby![key];
  const database = (): StandbyDatabaseRef => ({
    replicaInstanceId: value('replica-instance-id'),
    backupRetentionDays: Number(value('backup-retention-days')),
    backupWindow: value('backup-window'),
    proxyName: value('proxy-name'),
    proxyTargetGroup: value('proxy-target-group'),
  });
  return {
    target: `AWS ${config.name} (${config.region} -> ${config.drRegion})`,
    steps: {
      'check-replica': step({
        run: async () => {
          const names = STANDBY_KEYS.map((key) => standbyParameterName(config.name, key));
          const answer = await clients.ssmDr.send(new GetParametersCommand({ Names: names }));
          const found = new Map(
            (answer.Parameters ?? []).map((parameter) => [parameter.Name, parameter.Value]),
          );
          const missing = names.filter((name) => found.get(name) === undefined);
          if (missing.length > 0)
            throw new Error(`standby parameters missing in ${config.drRegion}: ${missing.join(', ')}`);
          standby = Object.fromEntries(
            STANDBY_KEYS.map((key) => [key, found.get(standbyParameterName(config.name, key))!]),
          ) as Record<StandbyKey, string>;
        },
        verify: async (context) => {
          const replica = await describeInstance(clients.rdsDr, value('replica-instance-id'));
          if (
            replica.DBInstanceStatus !== 'available' ||
            replica.ReadReplicaSourceDBInstanceIdentifier === undefined
          )
            return {
              ok: false,
              detail: `${value('replica-instance-id')} is ${replica.DBInstanceStatus}, source ${replica.ReadReplicaSourceDBInstanceIdentifier ?? 'none'}`,
            };
          const now = context.clock.now();
          const lag = await clients.cloudWatchDr.send(
            new GetMetricStatisticsCommand({
              Namespace: 'AWS/RDS',
              MetricName: 'ReplicaLag',
              Dimensions: [{ Name: 'DBInstanceIdentifier', Value: value('replica-instance-id') }],
              StartTime: new Date(now - 300_000),
              EndTime: new Date(now),
              Period: 60,
              Statistics: ['Maximum'],
            }),
          );
          const points = (lag.Datapoints ?? []).map((point) => point.Maximum ?? Number.POSITIVE_INFINITY);
          if (points.length === 0) return { ok: false, detail: 'no ReplicaLag data in the last 5 minutes' };
          const worst = Math.max(...points);
          return worst <= targets.rpoSeconds
            ? { ok: true, detail: `replica available, lag at most ${worst} s in the last 5 minutes` }
            : {
                ok: false,
                detail: `replica lag reached ${worst} s, more than the RPO of ${targets.rpoSeconds} s`,
              };
        },
      }),
      'start-region-fault': faultExperiment(clients, { tagged: 'region-failover' }, config.name, runId),
      'promote-replica': step({
        run: () => promoteStandby(clients.rdsDr, database()),
        verify: (context) =>
          verifyWithin(context, 'replica promoted', { timeoutMs: 1_700_000, intervalMs: poll }, async () => {
            const state = await standbyDatabaseState(clients.rdsDr, value('replica-instance-id'));
            return state === 'promoted'
              ? { ok: true, detail: `${value('replica-instance-id')} promoted and available` }
              : { ok: false, detail: `${value('replica-instance-id')} ${state}` };
          }),
      }),
      'silence-replica-alarms': step({
        run: async () => {
          const names = parseStandbyNameList('replica-alarm-names', value('replica-alarm-names'));
          await disableReplicaAlarmActions(clients.cloudWatchDr, names);
          return `actions disabled: ${names.join(', ')}`;
        },
        verify: async () => {
          const names = parseStandbyNameList('replica-alarm-names', value('replica-alarm-names'));
          const armed = (await describeReplicaAlarms(clients.cloudWatchDr, names)).filter(
            (alarm) => alarm.ActionsEnabled !== false,
          );
          return armed.length === 0
            ? { ok: true, detail: `${names.length} replica alarms keep evaluating, notifying nobody` }
            : {
                ok: false,
                detail: `actions still enabled: ${armed.map((alarm) => alarm.AlarmName).join(', ')}`,
              };
        },
      }),
      'register-standby-proxy': step({
        run: () => registerStandbyProxyTarget(clients.rdsDr, database()),
        verify: (context) =>
          verifyWithin(
            context,
            'standby proxy target available',
            { timeoutMs: 840_000, intervalMs: poll },
            async () => {
              const answer = await clients.rdsDr.send(
                new DescribeDBProxyTargetsCommand({
                  DBProxyName: value('proxy-name'),
                  TargetGroupName: value('proxy-target-group'),
                }),
              );
              const ours = (answer.Targets ?? []).find(
                (t) => t.RdsResourceId === value('replica-instance-id'),
              );
              return ours?.TargetHealth?.State === 'AVAILABLE'
                ? { ok: true, detail: `standby proxy targets ${value('replica-instance-id')}, AVAILABLE` }
                : {
                    ok: false,
                    detail: `standby proxy target ${ours?.TargetHealth?.State ?? 'not registered'}`,
                  };
            },
          ),
      }),
      'enable-schedules': step({
        run: async () => {
          const names = JSON.parse(value('schedule-rule-names')) as string[];
          for (const name of names) await clients.eventBridgeDr.send(new EnableRuleCommand({ Name: name }));
          return `enabled ${names.join(', ')}`;
        },
        verify: async () => {
          const names = JSON.parse(value('schedule-rule-names')) as string[];
          const states = await Promise.all(
            names.map(
              async (name) =>
                [
                  name,
                  (await clients.eventBridgeDr.send(new DescribeRuleCommand({ Name: name }))).State,
                ] as const,
            ),
          );
          const off = states.filter(([, state]) => state !== 'ENABLED');
          return off.length === 0
            ? { ok: true, detail: `${states.length} scheduled rules ENABLED` }
            : {
                ok: false,
                detail: `not enabled: ${off.map(([name, state]) => `${name} ${state}`).join(', ')}`,
              };
        },
      }),
      'recreate-api-keys': step({
        run: async () => {
          const answer = await clients.lambdaDr.send(
            new InvokeCommand({ FunctionName: value('api-key-recreation-function') }),
          );
          const payload = answer.Payload === undefined ? '' : new TextDecoder().decode(answer.Payload);
          if (answer.FunctionError !== undefined)
            throw new Error(
              `${value('api-key-recreation-function')} failed (${answer.FunctionError}): ${payload.slice(0, 300)}`,
            );
          recreated = JSON.parse(payload) as { created?: number; existing?: number; repointed?: number };
        },
        verify: async () =>
          typeof recreated?.created === 'number' && typeof recreated.existing === 'number'
            ? {
                ok: true,
                detail: `API keys: ${recreated.created} created, ${recreated.existing} existing, ${recreated.repointed ?? 0} repointed`,
              }
            : { ok: false, detail: `unexpected answer ${JSON.stringify(recreated)}` },
      }),
      'switch-traffic': step({
        run: async () => {
          const result = await switchTrafficToStandby(
            { cloudFront: clients.cloudFront, standbyWaf: clients.wafDr },
            {
              distributionId: value('distribution-id'),
              primary: { domainName: value('primary-origin-domain'), originPath: `/${value('api-stage')}` },
              standby: { domainName: value('api-origin-domain'), originPath: `/${value('api-stage')}` },
              originVerify: {
                headerName: ORIGIN_VERIFY_HEADER_NAME,
                patternSet: JSON.parse(value('origin-verify-pattern-set')) as { name: string; id: string },
              },
            },
          );
          return `origins ${result.originIds.join(', ')} -> ${value('api-origin-domain')}${result.changed ? '' : ' (already there)'}${result.originVerifyAdded ? '; standby web ACL now accepts the current origin-verify value' : ''}`;
        },
        verify: (context) =>
          verifyWithin(
            context,
            'distribution deployed',
            { timeoutMs: 1_700_000, intervalMs: poll },
            async () => {
              const answer = await clients.cloudFront.send(
                new GetDistributionCommand({ Id: value('distribution-id') }),
              );
              const domains = (answer.Distribution?.DistributionConfig?.Origins?.Items ?? []).map(
                (origin) => origin.DomainName,
              );
              return answer.Distribution?.Status === 'Deployed' &&
                domains.includes(value('api-origin-domain'))
                ? { ok: true, detail: `distribution deployed with origin ${value('api-origin-domain')}` }
                : {
                    ok: false,
                    detail: `distribution ${answer.Distribution?.Status ?? '?'}, origins ${domains.join(', ')}`,
                  };
            },
          ),
      }),
      'verify-service': step({
        verify: (context) =>
          verifyWithin(context, 'API serving', { timeoutMs: 590_000, intervalMs: 5_000 }, () =>
            edgeServes(probe),
          ),
      }),
      'enable-multi-az': step({
        run: async () => {
          await clients.rdsDr.send(
            new ModifyDBInstanceCommand({
              DBInstanceIdentifier: value('replica-instance-id'),
              MultiAZ: true,
              DeletionProtection: true,
              ApplyImmediately: true,
            }),
          );
        },
        verify: async () => {
          const instance = await describeInstance(clients.rdsDr, value('replica-instance-id'));
          const multiAz = instance.MultiAZ === true || instance.PendingModifiedValues?.MultiAZ === true;
          return multiAz && instance.DeletionProtection === true
            ? { ok: true, detail: `Multi-AZ ${instance.MultiAZ ? 'on' : 'pending'}, deletion protection on` }
            : {
                ok: false,
                detail: `Multi-AZ ${String(instance.MultiAZ)}, deletion protection ${String(instance.DeletionProtection)}`,
              };
        },
      }),
    },
    async teardown() {},
  };
}
