import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  GetMetricStatisticsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DeregisterDBProxyTargetsCommand,
  DescribeDBInstancesCommand,
  DescribeDBProxyTargetsCommand,
  ModifyDBInstanceCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RegisterDBProxyTargetsCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { DescribeRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetRegexPatternSetCommand, UpdateRegexPatternSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadEnvironmentConfig } from '../../../../lib/config';
import type { EdgeProbe } from '../../../../lib/drill/aws/adapters';
import type { FisApi } from '../../../../lib/drill/aws/fis';
import { awsTargets, runAwsDrill } from '../../../../lib/drill/aws/run';
import { VirtualClock } from '../virtual-clock';

const staging = loadEnvironmentConfig('staging');
const prod = loadEnvironmentConfig('prod');
const RUN = '0123abcd-0000-4000-8000-000000000000';

/**
 * The API through the public edge, in memory: down while `down`; deleted records are gone until
 * `restored` (a point-in-time restore brings back what existed before the damage).
 */
class FakeEdge implements EdgeProbe {
  down = false;
  restored = false;
  readonly deleted = new Set<string>();
  private readonly records = new Set<string>();
  private next = 0;

  private has(id: string): boolean {
    return this.records.has(id) && (this.restored || !this.deleted.has(id));
  }
  async write(): Promise<string> {
    if (this.down) throw new Error('write answered 503');
    const id = `hb-${(this.next += 1)}`;
    this.records.add(id);
    return id;
  }
  async read(id: string): Promise<boolean> {
    if (this.down) throw new Error('read answered 503');
    return this.has(id);
  }
  async present(ids: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(ids.filter((id) => this.has(id)));
  }
  async listIds(): Promise<readonly string[]> {
    return [...this.records].filter((id) => this.has(id));
  }
  async remove(id: string): Promise<void> {
    this.deleted.add(id);
  }
}

class FakeFis implements FisApi {
  readonly started: Parameters<FisApi['startExperiment']>[0][] = [];
  constructor(private readonly onStart: () => void) {}
  async listExperimentTemplates(): Promise<{ id: string; tags: Record<string, string> }[]> {
    return [
      {
        id: 'EXTregion-staging',
        tags: { 'rampart:drill': 'region-failover', 'rampart:environment': 'staging' },
      },
      { id: 'EXTregion', tags: { 'rampart:drill': 'region-failover', 'rampart:environment': 'prod' } },
      { id: 'EXTother', tags: {} },
    ];
  }
  async startExperiment(input: Parameters<FisApi['startExperiment']>[0]) {
    this.started.push(input);
    this.onStart();
    return 'EXP1';
  }
  async getExperiment() {
    return { status: 'running' };
  }
}

function clientsFor(fis: FisApi) {
  const rds = new RDSClient({ region: 'eu-west-1' });
  const rdsDr = new RDSClient({ region: 'eu-west-2' });
  const cloudFormation = new CloudFormationClient({ region: 'eu-west-1' });
  const ssmDr = new SSMClient({ region: 'eu-west-2' });
  const cloudWatchDr = new CloudWatchClient({ region: 'eu-west-2' });
  const cloudWatch = new CloudWatchClient({ region: 'eu-west-1' });
  const cloudFront = new CloudFrontClient({ region: 'us-east-1' });
  const sns = new SNSClient({ region: 'eu-west-1' });
  const eventBridgeDr = new EventBridgeClient({ region: 'eu-west-2' });
  const lambdaDr = new LambdaClient({ region: 'eu-west-2' });
  const wafDr = new WAFV2Client({ region: 'eu-west-2' });
  const mocks = {
    eventBridgeDr: mockClient(eventBridgeDr),
    lambdaDr: mockClient(lambdaDr),
    wafDr: mockClient(wafDr),
    rds: mockClient(rds),
    rdsDr: mockClient(rdsDr),
    cloudFormation: mockClient(cloudFormation),
    ssmDr: mockClient(ssmDr),
    cloudWatchDr: mockClient(cloudWatchDr),
    cloudWatch: mockClient(cloudWatch),
    cloudFront: mockClient(cloudFront),
    sns: mockClient(sns),
  };
  mocks.cloudFormation
    .on(ListExportsCommand, { NextToken: undefined })
    .resolves({ Exports: [{ Name: 'rampart-staging-other', Value: 'x' }], NextToken: 'page-2' })
    .on(ListExportsCommand, { NextToken: 'page-2' })
    .resolves({ Exports: [{ Name: 'rampart-staging-fis-database-failover', Value: 'EXTdbfailover' }] })
    .on(DescribeStackResourceCommand, { LogicalResourceId: 'DatabaseInstanceAA8A5FDE' })
    .resolves({ StackResourceDetail: { PhysicalResourceId: 'rampart-db' } as never })
    .on(DescribeStackResourceCommand, { LogicalResourceId: 'DatabaseProxyE01FC4E6' })
    .resolves({ StackResourceDetail: { PhysicalResourceId: 'rampart-proxy' } as never })
    .on(DescribeStackResourcesCommand)
    .resolves({
      StackResources: [
        {
          LogicalResourceId: 'TopicsInfoTopicA1B2C3',
          ResourceType: 'AWS::SNS::Topic',
          PhysicalResourceId: 'arn:aws:sns:eu-west-1:111111111111:info',
        },
        {
          LogicalResourceId: 'TopicsWarningTopicD4E5F6',
          ResourceType: 'AWS::SNS::Topic',
          PhysicalResourceId: 'arn:aws:sns:eu-west-1:111111111111:warning',
        },
        {
          LogicalResourceId: 'TopicsInfoTopicPolicy',
          ResourceType: 'AWS::SNS::TopicPolicy',
          PhysicalResourceId: 'x',
        },
      ] as never,
    });
  mocks.cloudWatch.on(PutMetricDataCommand).resolves({});
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  return {
    clients: {
      rds,
      rdsDr,
      cloudFormation,
      ssmDr,
      cloudWatchDr,
      cloudWatch,
      cloudFront,
      sns,
      eventBridgeDr,
      lambdaDr,
      wafDr,
      fis,
    },
    mocks,
  };
}

/** A DescribeDBInstances answer. */
const instance = (fields: Partial<DBInstance>) => ({ DBInstances: [fields as DBInstance] });

describe('awsTargets', () => {
  it("takes the expected RTO and RPO from config.recovery for the scenario's failure kind", () => {
    expect(awsTargets(staging, 'point-in-time-restore')).toEqual(staging.recovery.pointInTimeRestore);
    expect(awsTargets(prod, 'region-failover')).toEqual({
      rtoSeconds: prod.recovery.regionLoss!.rtoSeconds,
      rpoSeconds: prod.recovery.regionLoss!.rpoSeconds,
    });
    expect(awsTargets(prod, 'az-failover')).toEqual(prod.recovery.azLoss);
  });

  it('refuses a scenario the environment declares no objective for', () => {
    expect(() => awsTargets(loadEnvironmentConfig('dev'), 'region-failover')).toThrow(
      'dev declares no recovery.regionLoss: a region-failover is not recovered there, so there is nothing to drill',
    );
  });
});

describe('az-failover on AWS', () => {
  it('forces the failover with FIS, waits on real state, and publishes the figures', async () => {
    const clock = new VirtualClock();
    const edge = new FakeEdge();
    const fis = new FakeFis(() => (edge.down = true));
    const { clients, mocks } = clientsFor(fis);
    mocks.rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(
        instance({
          DBInstanceStatus: 'available',
          MultiAZ: true,
          AvailabilityZone: 'eu-west-1a',
          SecondaryAvailabilityZone: 'eu-west-1b',
        }),
      )
      .resolvesOnce(instance({ DBInstanceStatus: 'rebooting', AvailabilityZone: 'eu-west-1a' }))
      .resolvesOnce(instance({ DBInstanceStatus: 'rebooting', AvailabilityZone: 'eu-west-1a' }))
      .callsFake(async () => {
        edge.down = false;
        return instance({ DBInstanceStatus: 'available', AvailabilityZone: 'eu-west-1b' });
      });
    mocks.rds
      .on(DescribeDBProxyTargetsCommand)
      .resolvesOnce({ Targets: [{ TargetHealth: { State: 'UNAVAILABLE' } }] })
      .resolves({
        Targets: [{ TargetHealth: { State: 'AVAILABLE' } }, { TargetHealth: { State: 'AVAILABLE' } }],
      });

    const { report, published } = await runAwsDrill({
      config: staging,
      scenario: 'az-failover',
      clients,
      probe: edge,
      clock,
      runId: RUN,
    });

    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.targets).toEqual({ rtoSeconds: 300, rpoSeconds: 0 });
    expect(report.steps.map((step) => step.outcome)).toEqual([
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
    ]);
    // Three polls of 15 s while the instance reboots: the outage ends after about 45 s.
    expect(report.achievedRtoSeconds).toBeGreaterThanOrEqual(30);
    expect(report.achievedRtoSeconds).toBeLessThanOrEqual(60);
    expect(fis.started).toEqual([
      { experimentTemplateId: 'EXTdbfailover', clientToken: RUN, tags: { 'rampart:drill-run': RUN } },
    ]);
    expect(mocks.cloudFormation.commandCalls(ListExportsCommand).map((call) => call.args[0].input)).toEqual([
      { NextToken: undefined },
      { NextToken: 'page-2' },
    ]);
    expect(
      mocks.cloudFormation.commandCalls(DescribeStackResourceCommand).map((call) => call.args[0].input),
    ).toEqual([
      { StackName: 'Rampart-staging-Data', LogicalResourceId: 'DatabaseInstanceAA8A5FDE' },
      { StackName: 'Rampart-staging-Data', LogicalResourceId: 'DatabaseProxyE01FC4E6' },
    ]);
    expect(mocks.rds.commandCalls(DescribeDBInstancesCommand).map((call) => call.args[0].input)).toEqual(
      Array(4).fill({ DBInstanceIdentifier: 'rampart-db' }),
    );
    expect(mocks.rds.commandCalls(DescribeDBProxyTargetsCommand)[0].args[0].input).toEqual({
      DBProxyName: 'rampart-proxy',
    });

    const metrics = mocks.cloudWatch.commandCalls(PutMetricDataCommand)[0].args[0].input;
    expect(metrics.Namespace).toBe('Rampart/Drills');
    expect(metrics.MetricData?.map((datum) => [datum.MetricName, datum.Unit, datum.Dimensions])).toEqual([
      [
        'DrillPassed',
        'Count',
        [
          { Name: 'Environment', Value: 'staging' },
          { Name: 'Scenario', Value: 'az-failover' },
        ],
      ],
      [
        'LostAcknowledgedWrites',
        'Count',
        [
          { Name: 'Environment', Value: 'staging' },
          { Name: 'Scenario', Value: 'az-failover' },
        ],
      ],
      [
        'AchievedRtoSeconds',
        'Seconds',
        [
          { Name: 'Environment', Value: 'staging' },
          { Name: 'Scenario', Value: 'az-failover' },
        ],
      ],
      [
        'AchievedRpoSeconds',
        'Seconds',
        [
          { Name: 'Environment', Value: 'staging' },
          { Name: 'Scenario', Value: 'az-failover' },
        ],
      ],
    ]);
    expect(metrics.MetricData?.[2].Value).toBe(report.achievedRtoSeconds);
    expect(mocks.cloudFormation.commandCalls(DescribeStackResourcesCommand)[0].args[0].input).toEqual({
      StackName: 'Rampart-staging-Ops',
    });
    const summary = mocks.sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(summary.TopicArn).toBe('arn:aws:sns:eu-west-1:111111111111:info');
    expect(summary.Subject).toBe('Rampart staging: drill az-failover passed');
    expect(summary.Message).toContain('# Drill az-failover on staging: PASSED');
    expect(published).toBe('arn:aws:sns:eu-west-1:111111111111:info');
  });

  it('stops before the fault when the instance is not Multi-AZ, and tells the warning topic', async () => {
    const clock = new VirtualClock();
    const edge = new FakeEdge();
    const fis = new FakeFis(() => (edge.down = true));
    const { clients, mocks } = clientsFor(fis);
    mocks.rds
      .on(DescribeDBInstancesCommand)
      .resolves(instance({ DBInstanceStatus: 'available', MultiAZ: false, AvailabilityZone: 'eu-west-1a' }));

    const { report } = await runAwsDrill({
      config: staging,
      scenario: 'az-failover',
      clients,
      probe: edge,
      clock,
      runId: RUN,
    });

    expect(report.passed).toBe(false);
    expect(report.failures).toEqual([
      'Step check-multi-az failed its verification (the instance is `available`, Multi-AZ, and has a secondary availability zone): ' +
        'rampart-db is available, MultiAZ false, secondary zone none',
    ]);
    expect(fis.started).toEqual([]);
    expect(mocks.sns.commandCalls(PublishCommand)[0].args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:111111111111:warning',
      Subject: 'Rampart staging: drill az-failover FAILED',
    });
  });
});

describe('point-in-time-restore on AWS', () => {
  it('deletes the heartbeats, restores to the second before on a new instance, and moves the proxy to it', async () => {
    const clock = new VirtualClock(Date.parse('2026-06-01T09:00:00.400Z'));
    const edge = new FakeEdge();
    const { clients, mocks } = clientsFor(new FakeFis(() => undefined));
    const source = {
      DBInstanceStatus: 'available',
      DBSubnetGroup: { DBSubnetGroupName: 'data-subnets' },
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-db' }],
      DBParameterGroups: [{ DBParameterGroupName: 'rampart-pg18' }],
      DBInstanceClass: 'db.t4g.medium',
    };
    // The restore window trails: 2 polls until it passes the target.
    let windowPolls = 0;
    mocks.rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'rampart-db' }).callsFake(async () =>
      instance({
        ...source,
        LatestRestorableTime: new Date(clock.now() - (windowPolls++ < 3 ? 200_000 : 1_000)),
      } as never),
    );
    mocks.rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'rampart-db-drill-0123abcd' })
      .resolvesOnce(instance({ DBInstanceStatus: 'creating' }))
      .resolves(
        instance({
          DBInstanceStatus: 'available',
          StorageEncrypted: true,
          IAMDatabaseAuthenticationEnabled: true,
        }),
      );
    mocks.rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    mocks.rds.on(DeregisterDBProxyTargetsCommand).resolves({});
    mocks.rds.on(RegisterDBProxyTargetsCommand).callsFake(async () => {
      edge.restored = true;
      return {};
    });
    mocks.rds.on(DescribeDBProxyTargetsCommand).callsFake(async () => ({
      Targets: [
        { Type: 'TRACKED_CLUSTER' },
        {
          Type: 'RDS_INSTANCE',
          RdsResourceId: 'rampart-db-drill-0123abcd',
          TargetHealth: { State: edge.restored ? 'AVAILABLE' : 'REGISTERING' },
        },
      ],
    }));
    const { report } = await runAwsDrill({
      config: staging,
      scenario: 'point-in-time-restore',
      clients,
      probe: edge,
      clock,
      runId: RUN,
    });

    expect(report.failures).toEqual([]);
    expect(report.targets).toEqual({ rtoSeconds: 3600, rpoSeconds: 300 });
    expect(edge.deleted.size).toBeGreaterThanOrEqual(3);
    expect(report.lostAcknowledgedWrites).toBe(0);
    const faultAt = Date.parse(report.faultAt!);
    const restore = mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input;
    expect(restore).toEqual({
      SourceDBInstanceIdentifier: 'rampart-db',
      TargetDBInstanceIdentifier: 'rampart-db-drill-0123abcd',
      RestoreTime: new Date(Math.floor(faultAt / 1000) * 1000 - 1000),
      DBSubnetGroupName: 'data-subnets',
      VpcSecurityGroupIds: ['sg-db'],
      DBParameterGroupName: 'rampart-pg18',
      DBInstanceClass: 'db.t4g.medium',
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      Tags: [{ Key: 'rampart:drill-run', Value: RUN }],
    });
    expect(mocks.rds.commandCalls(DeregisterDBProxyTargetsCommand)[0].args[0].input).toEqual({
      DBProxyName: 'rampart-proxy',
      DBInstanceIdentifiers: ['rampart-db'],
    });
    expect(mocks.rds.commandCalls(RegisterDBProxyTargetsCommand)[0].args[0].input).toEqual({
      DBProxyName: 'rampart-proxy',
      DBInstanceIdentifiers: ['rampart-db-drill-0123abcd'],
    });
    expect(report.passed).toBe(true);
  });
});

describe('region-failover on AWS', () => {
  const CURRENT = 'A'.repeat(64);
  const OLDER = 'B'.repeat(64);
  const parameters = {
    'replica-instance-id': 'rampart-prod-replica',
    'proxy-name': 'rampart-prod-standby',
    'proxy-target-group': 'default',
    'backup-retention-days': '35',
    'backup-window': '01:00-02:00',
    'api-origin-domain': 'standby.execute-api.eu-west-2.amazonaws.com',
    'api-stage': 'prod',
    'primary-origin-domain': 'primary.execute-api.eu-west-1.amazonaws.com',
    'distribution-id': 'E123DIST',
    'schedule-rule-names': '["rampart-prod-outbox-relay","rampart-prod-api-key-cleanup"]',
    'api-key-recreation-function': 'rampart-prod-api-keys-standby-restore',
    'origin-verify-pattern-set': '{"name":"rampart-prod-origin-verify","id":"ps-1"}',
    'replica-alarm-names': '["rampart-prod-standby-db-replica-lag"]',
  };
  const ssmAnswer = {
    Parameters: Object.entries(parameters).map(([key, value]) => ({
      Name: `/rampart/prod/standby/${key}`,
      Value: value,
    })),
  };
  const origins = (domain: string) => ({
    Quantity: 1,
    Items: [
      {
        Id: 'Api',
        DomainName: domain,
        OriginPath: '/prod',
        CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-verify', HeaderValue: CURRENT }] },
      },
    ],
  });

  it('follows the failover steps of docs/dr.md through lib/dr, with every request exact', async () => {
    const clock = new VirtualClock();
    const edge = new FakeEdge();
    const fis = new FakeFis(() => (edge.down = true));
    const { clients, mocks } = clientsFor(fis);
    mocks.ssmDr.on(GetParametersCommand).resolves(ssmAnswer);
    let promoted = false;
    mocks.rdsDr.on(DescribeDBInstancesCommand).callsFake(async () =>
      instance(
        promoted
          ? {
              DBInstanceStatus: 'available',
              MultiAZ: false,
              PendingModifiedValues: { MultiAZ: true },
              DeletionProtection: true,
            }
          : {
              DBInstanceStatus: 'available',
              ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:eu-west-1:333333333333:db:rampart-db',
            },
      ),
    );
    mocks.cloudWatchDr
      .on(GetMetricStatisticsCommand)
      .resolves({ Datapoints: [{ Maximum: 3 }, { Maximum: 12 }] });
    mocks.rdsDr.on(PromoteReadReplicaCommand).callsFake(async () => {
      promoted = true;
      return {};
    });
    let silenced = false;
    mocks.cloudWatchDr.on(DisableAlarmActionsCommand).callsFake(async () => {
      // Only after the promotion: before it, the alarm still watches a replicating standby.
      expect(promoted).toBe(true);
      silenced = true;
      return {};
    });
    mocks.cloudWatchDr.on(DescribeAlarmsCommand).callsFake(async () => ({
      MetricAlarms: [
        { AlarmName: 'rampart-prod-standby-db-replica-lag', StateValue: 'ALARM', ActionsEnabled: !silenced },
      ],
    }));
    mocks.rdsDr.on(RegisterDBProxyTargetsCommand).resolves({});
    mocks.rdsDr.on(DescribeDBProxyTargetsCommand).resolves({
      Targets: [{ RdsResourceId: 'rampart-prod-replica', TargetHealth: { State: 'AVAILABLE' } }],
    });
    mocks.rdsDr.on(ModifyDBInstanceCommand).resolves({});
    mocks.eventBridgeDr.on(EnableRuleCommand).resolves({});
    mocks.eventBridgeDr.on(DescribeRuleCommand).resolves({ State: 'ENABLED' });
    mocks.lambdaDr.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode('{"created":4,"existing":1,"repointed":0}') as never,
    });
    mocks.wafDr.on(GetRegexPatternSetCommand).resolves({
      LockToken: 'lock-1',
      RegexPatternSet: { RegularExpressionList: [{ RegexString: OLDER }] },
    });
    mocks.wafDr.on(UpdateRegexPatternSetCommand).resolves({});
    let updated = false;
    let deployedPolls = 0;
    mocks.cloudFront.on(GetDistributionConfigCommand).resolves({
      ETag: 'E-TAG-1',
      DistributionConfig: {
        CallerReference: 'ref',
        Origins: origins(parameters['primary-origin-domain']),
      } as never,
    });
    mocks.cloudFront.on(UpdateDistributionCommand).callsFake(async () => {
      updated = true;
      return {};
    });
    mocks.cloudFront.on(GetDistributionCommand).callsFake(async () => {
      if (!updated)
        return {
          Distribution: {
            Status: 'Deployed',
            DistributionConfig: { Origins: origins(parameters['primary-origin-domain']) },
          } as never,
        };
      deployedPolls += 1;
      if (deployedPolls < 2) return { Distribution: { Status: 'InProgress' } as never };
      edge.down = false;
      return {
        Distribution: {
          Status: 'Deployed',
          DistributionConfig: { Origins: origins(parameters['api-origin-domain']) },
        } as never,
      };
    });

    const { report } = await runAwsDrill({
      config: prod,
      scenario: 'region-failover',
      clients,
      probe: edge,
      clock,
      runId: RUN,
    });

    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.targets).toEqual({ rtoSeconds: 1800, rpoSeconds: 60 });
    expect(mocks.ssmDr.commandCalls(GetParametersCommand)[0].args[0].input).toEqual({
      Names: Object.keys(parameters).map((key) => `/rampart/prod/standby/${key}`),
    });
    expect(mocks.cloudWatchDr.commandCalls(GetMetricStatisticsCommand)[0].args[0].input).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'rampart-prod-replica' }],
      Period: 60,
      Statistics: ['Maximum'],
    });
    expect(fis.started).toEqual([
      { experimentTemplateId: 'EXTregion', clientToken: RUN, tags: { 'rampart:drill-run': RUN } },
    ]);
    expect(mocks.rdsDr.commandCalls(PromoteReadReplicaCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: 'rampart-prod-replica',
      BackupRetentionPeriod: 35,
      PreferredBackupWindow: '01:00-02:00',
    });
    // The promoted replica reports no lag: its alarm notifies nobody from here on.
    expect(
      mocks.cloudWatchDr.commandCalls(DisableAlarmActionsCommand).map((call) => call.args[0].input),
    ).toEqual([{ AlarmNames: ['rampart-prod-standby-db-replica-lag'] }]);
    expect(mocks.cloudWatchDr.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toEqual({
      AlarmNames: ['rampart-prod-standby-db-replica-lag'],
      AlarmTypes: ['MetricAlarm'],
      MaxRecords: 100,
    });
    expect(report.steps.find((s) => s.id === 'silence-replica-alarms')).toMatchObject({
      outcome: 'passed',
    });
    expect(mocks.rdsDr.commandCalls(RegisterDBProxyTargetsCommand)[0].args[0].input).toEqual({
      DBProxyName: 'rampart-prod-standby',
      TargetGroupName: 'default',
      DBInstanceIdentifiers: ['rampart-prod-replica'],
    });
    expect(mocks.eventBridgeDr.commandCalls(EnableRuleCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 'rampart-prod-outbox-relay' },
      { Name: 'rampart-prod-api-key-cleanup' },
    ]);
    expect(mocks.lambdaDr.commandCalls(InvokeCommand)[0].args[0].input).toEqual({
      FunctionName: 'rampart-prod-api-keys-standby-restore',
    });
    // The standby web ACL accepts the value CloudFront sends before the origin moves.
    expect(mocks.wafDr.commandCalls(UpdateRegexPatternSetCommand)[0].args[0].input).toEqual({
      Name: 'rampart-prod-origin-verify',
      Id: 'ps-1',
      Scope: 'REGIONAL',
      LockToken: 'lock-1',
      RegularExpressionList: [{ RegexString: OLDER }, { RegexString: CURRENT }],
    });
    expect(mocks.cloudFront.commandCalls(UpdateDistributionCommand)[0].args[0].input).toEqual({
      Id: 'E123DIST',
      IfMatch: 'E-TAG-1',
      DistributionConfig: { CallerReference: 'ref', Origins: origins(parameters['api-origin-domain']) },
    });
    expect(mocks.rdsDr.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: 'rampart-prod-replica',
      MultiAZ: true,
      DeletionProtection: true,
      ApplyImmediately: true,
    });
    // Nothing in the primary region's RDS is touched.
    expect(mocks.rds.calls()).toEqual([]);
  });

  it('stops before the fault when the replica lags more than the RPO', async () => {
    const clock = new VirtualClock();
    const edge = new FakeEdge();
    const fis = new FakeFis(() => (edge.down = true));
    const { clients, mocks } = clientsFor(fis);
    mocks.ssmDr.on(GetParametersCommand).resolves(ssmAnswer);
    mocks.rdsDr
      .on(DescribeDBInstancesCommand)
      .resolves(instance({ DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: 'src' }));
    mocks.cloudWatchDr.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Maximum: 75 }] });

    const { report } = await runAwsDrill({
      config: prod,
      scenario: 'region-failover',
      clients,
      probe: edge,
      clock,
      runId: RUN,
    });

    expect(report.failures).toEqual([
      'Step check-replica failed its verification (the replica is `available`, still a replica, and its lag is within the region-loss RPO): ' +
        'replica lag reached 75 s, more than the RPO of 60 s',
    ]);
    expect(fis.started).toEqual([]);
    expect(mocks.rdsDr.commandCalls(PromoteReadReplicaCommand)).toEqual([]);
  });

  it('stops at the fault, before changing anything, when no region-loss experiment template exists', async () => {
    const clock = new VirtualClock();
    const edge = new FakeEdge();
    const fis = new FakeFis(() => (edge.down = true));
    fis.listExperimentTemplates = async () => [];
    const { clients, mocks } = clientsFor(fis);
    mocks.ssmDr.on(GetParametersCommand).resolves(ssmAnswer);
    mocks.rdsDr
      .on(DescribeDBInstancesCommand)
      .resolves(instance({ DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: 'src' }));
    mocks.cloudWatchDr.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Maximum: 2 }] });

    const { report } = await runAwsDrill({
      config: prod,
      scenario: 'region-failover',
      clients,
      probe: edge,
      clock,
      runId: RUN,
    });

    expect(report.failures).toEqual([
      'Step start-region-fault failed: expected one FIS experiment template tagged rampart:drill=region-failover and rampart:environment=prod, found 0',
    ]);
    expect(report.faultAt).toBeNull();
    expect(mocks.rdsDr.commandCalls(PromoteReadReplicaCommand)).toEqual([]);
    expect(mocks.cloudFront.calls()).toEqual([]);
  });

  it('names the origin-verify header the stacks configure', async () => {
    const { ORIGIN_VERIFY_HEADER } = await import('../../../../lib/constructs/edge/origin-verify-secret');
    const { ORIGIN_VERIFY_HEADER_NAME } = await import('../../../../lib/drill/aws/adapters');
    expect(ORIGIN_VERIFY_HEADER_NAME).toBe(ORIGIN_VERIFY_HEADER);
  });
});
