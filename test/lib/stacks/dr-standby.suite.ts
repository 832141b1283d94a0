import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES, standbyParameterName } from '../../../lib/config';
import { synthEnvironments } from '../../support/synth';
import { GATEWAY_METHODS } from '../../../lambda/routes';
import { kebab } from '../../../lib/constructs/ops/alarm-factory';
import { coverage, headings, REQUIRED_SECTIONS } from './ops-environment';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const environments = synthEnvironments();

describe.each(ENVIRONMENT_NAMES)('standby in drRegion (%s)', (name) => {
  const { config, stacks } = environments[name];

  test('only a standby strategy builds stacks in drRegion: prod (warm-standby) does, staging and dev do not', () => {
    const standby = config.recovery.strategy !== 'backup-restore';
    expect(standby).toBe(name === 'prod');
    expect(stacks.drNetwork !== undefined).toBe(standby);
    expect(stacks.drData !== undefined).toBe(standby);
    expect(stacks.drOps !== undefined).toBe(standby);
    expect(stacks.drApi !== undefined).toBe(standby);
  });
});

describe('prod standby: network and data (Rampart-prod-DrNetwork, Rampart-prod-DrData)', () => {
  const { config, stacks, template: templateOf } = environments.prod;
  const network = templateOf('drNetwork');
  const data = templateOf('drData');
  const drNetwork = config.drNetwork!;

  test('stacks are named Rampart-prod-Dr<Part> in drRegion, termination-protected', () => {
    for (const [stack, part] of [
      [stacks.drNetwork!, 'DrNetwork'],
      [stacks.drData!, 'DrData'],
    ] as const) {
      expect(stack.stackName).toBe(`Rampart-prod-${part}`);
      expect(stack.region).toBe('eu-west-2');
      expect(stack.account).toBe(config.account);
      expect(stack.terminationProtection).toBe(true);
    }
  });

  test('the standby VPC has its own CIDR and subnets in the configured drRegion zones', () => {
    expect(drNetwork.cidr).not.toBe(config.network.cidr);
    network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: drNetwork.cidr });
    for (const az of drNetwork.availabilityZones) {
      for (const tier of ['Functions', 'Data']) {
        network.hasResourceProperties('AWS::EC2::Subnet', {
          AvailabilityZone: az,
          MapPublicIpOnLaunch: false,
          Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: tier }]),
        });
      }
    }
    network.resourceCountIs('AWS::EC2::NatGateway', drNetwork.natGateways);
  });

  test('the replica follows the primary instance by ARN, encrypted with the DR key by KEY ARN', () => {
    const drKeyArn = {
      'Fn::GetStackOutput': {
        StackName: 'Rampart-prod-DataDr',
        Region: 'eu-west-2',
        OutputName: Match.stringLikeRegexp('^PublishOutputFnGetAttKey[0-9A-F]{8}Arn'),
      },
    };
    data.resourceCountIs('AWS::RDS::DBInstance', 1);
    data.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        SourceDBInstanceIdentifier: {
          'Fn::Join': [
            '',
            [
              `arn:aws:rds:${config.region}:${config.account}:db:`,
              {
                'Fn::GetStackOutput': {
                  StackName: 'Rampart-prod-Data',
                  Region: config.region,
                  OutputName: Match.stringLikeRegexp('^PublishOutputRefDatabaseInstance'),
                },
              },
            ],
          ],
        },
        // CloudFormation refuses StorageEncrypted on a replica: the DR key (KmsKeyId) encrypts it.
        StorageEncrypted: Match.absent(),
        KmsKeyId: drKeyArn,
        PerformanceInsightsKMSKeyId: drKeyArn,
        DBInstanceClass: config.database.instanceClass,
        EnableIAMDatabaseAuthentication: true,
        PubliclyAccessible: false,
        DeletionProtection: true,
        CACertificateIdentifier: 'rds-ca-rsa2048-g1',
        MultiAZ: false,
      },
    });
    // A replica takes engine and version from its source; RDS for PostgreSQL keeps no backups on it.
    const replica = Object.values(data.findResources('AWS::RDS::DBInstance'))[0];
    expect(replica.Properties.Engine).toBeUndefined();
    expect(replica.Properties.BackupRetentionPeriod).toBeUndefined();
    expect(replica.Properties.MasterUserPassword).toBeUndefined();
  });

  test('the replica has the primary parameters (TLS forced)', () => {
    data.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: String(config.database.slowQueryThresholdMs),
        shared_preload_libraries: 'pg_stat_statements',
        log_connections: '1',
        log_disconnections: '1',
      },
    });
  });

  test('the standby proxy exists ahead of time with the primary settings and an empty default target group', () => {
    data.hasResourceProperties('AWS::RDS::DBProxy', {
      DBProxyName: 'rampart-prod-standby',
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      DefaultAuthScheme: 'IAM_AUTH',
      DebugLogging: false,
      IdleClientTimeout: config.database.proxy.idleClientTimeoutSeconds,
    });
    data.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      TargetGroupName: 'default',
      ConnectionPoolConfigurationInfo: {
        ConnectionBorrowTimeout: config.database.proxy.borrowTimeoutSeconds,
        MaxConnectionsPercent: config.database.proxy.maxConnectionsPercent,
        MaxIdleConnectionsPercent: config.database.proxy.maxIdleConnectionsPercent,
      },
    });
    // A read replica cannot be a proxy target: the promotion step registers it (lib/dr/standby-database.ts).
    const group = Object.values(data.findResources('AWS::RDS::DBProxyTargetGroup'))[0];
    expect(group.Properties.DBInstanceIdentifiers).toBeUndefined();
  });

  test('the proxy may connect to the (promoted) replica as rampart_app only', () => {
    data.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'rds-db:connect',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  `arn:aws:rds-db:eu-west-2:${config.account}:dbuser:`,
                  { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseReplica'), 'DbiResourceId'] },
                  '/rampart_app',
                ],
              ],
            },
          },
        ],
      },
    });
  });

  test('the replica admits the standby proxy only, on 5432', () => {
    const ingress = Object.values(data.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(ingress.map((rule) => [rule.Properties.FromPort, rule.Properties.ToPort])).toEqual(
      ingress.map(() => [5432, 5432]),
    );
    data.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseDatabaseSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseProxySecurityGroup'), 'GroupId'],
      },
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  test('SSM parameters name what the failover steps act on', () => {
    const parameters: Record<string, unknown> = {
      'proxy-name': 'rampart-prod-standby',
      'proxy-target-group': 'default',
      'backup-retention-days': String(config.database.backupRetentionDays),
      'backup-window': '01:00-02:00',
      'replica-instance-id': { Ref: Match.stringLikeRegexp('^DatabaseReplica') },
    };
    for (const [key, value] of Object.entries(parameters)) {
      data.hasResourceProperties('AWS::SSM::Parameter', {
        Name: standbyParameterName('prod', key as never),
        Type: 'String',
        Value: value,
      });
    }
  });
});

describe('prod standby: user pool and API (Rampart-prod-DrAuth, Rampart-prod-DrApi)', () => {
  const { config, stacks, template: templateOf } = environments.prod;
  const auth = templateOf('drAuth');
  const api = templateOf('drApi');
  const primaryApi = templateOf('api');
  const drKeyArn = {
    'Fn::GetStackOutput': {
      StackName: 'Rampart-prod-DataDr',
      Region: 'eu-west-2',
      OutputName: Match.stringLikeRegexp('^PublishOutputFnGetAttKey[0-9A-F]{8}Arn'),
    },
  };

  test('stacks are named Rampart-prod-DrAuth and Rampart-prod-DrApi in drRegion', () => {
    expect(stacks.drAuth!.stackName).toBe('Rampart-prod-DrAuth');
    expect(stacks.drApi!.stackName).toBe('Rampart-prod-DrApi');
    expect([stacks.drAuth!.region, stacks.drApi!.region]).toEqual(['eu-west-2', 'eu-west-2']);
  });

  test('the standby user pool is the primary pool definition, kept, with its own hosted-UI domain', () => {
    auth.resourceCountIs('AWS::Cognito::UserPool', 1);
    auth.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE', MfaConfiguration: 'ON' }),
    });
    auth.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: `${config.auth.domainPrefix}-standby`,
    });
    expect(Object.keys(auth.findResources('AWS::Cognito::UserPoolGroup')).length).toBe(
      Object.keys(templateOf('auth').findResources('AWS::Cognito::UserPoolGroup')).length,
    );
  });

  test('the standby API has every method of the primary, and no CloudFront distribution of its own', () => {
    const methods = (t: typeof api) =>
      Object.values(t.findResources('AWS::ApiGateway::Method')).map(
        (m) => `${m.Properties.HttpMethod} ${JSON.stringify(m.Properties.ResourceId)}`,
      ).length;
    expect(methods(api)).toBe(methods(primaryApi));
    api.resourceCountIs('AWS::CloudFront::Distribution', 0);
    primaryApi.resourceCountIs('AWS::CloudFront::Distribution', 1);
    api.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  test('its database functions connect to the standby proxy, never the primary', () => {
    const functions = Object.values(api.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.DB_HOST !== undefined,
    );
    expect(functions.length).toBeGreaterThan(5);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.DB_HOST).toEqual({
        'Fn::GetStackOutput': {
          StackName: 'Rampart-prod-DrData',
          Region: 'eu-west-2',
          OutputName: expect.stringMatching(/^PublishOutputFnGetAttDatabaseProxy[0-9A-F]{8}Endpoint/),
        },
      });
    }
  });

  test('scheduled functions are disabled in the standby until failover, enabled in the primary', () => {
    for (const description of [
      'Relay unpublished outbox events',
      'Remove expired and grace-ended API keys',
    ]) {
      api.hasResourceProperties('AWS::Events::Rule', { Description: description, State: 'DISABLED' });
      primaryApi.hasResourceProperties('AWS::Events::Rule', { Description: description, State: 'ENABLED' });
    }
  });

  test('the standby web ACL requires the origin-verify value read from the replica of the primary secret', () => {
    api.hasResourceProperties('AWS::WAFv2::RegexPatternSet', {
      Name: 'rampart-prod-origin-verify',
      Scope: 'REGIONAL',
      RegularExpressionList: [
        {
          'Fn::Join': [
            '',
            [
              '{{resolve:secretsmanager:',
              {
                'Fn::Join': [
                  ':',
                  [
                    'arn',
                    { Ref: 'AWS::Partition' },
                    `secretsmanager:eu-west-2:${config.account}:secret`,
                    {
                      'Fn::Select': [
                        6,
                        {
                          'Fn::Split': [
                            ':',
                            {
                              'Fn::GetStackOutput': {
                                StackName: 'Rampart-prod-Api',
                                Region: config.region,
                                OutputName: Match.stringLikeRegexp('^PublishOutputRefOriginVerifySecret'),
                              },
                            },
                          ],
                        },
                      ],
                    },
                  ],
                ],
              },
              ':SecretString:::}}',
            ],
          ],
        },
      ],
    });
    // No secret of its own to rotate: the primary's rotation updates this set (below).
    expect(
      Object.values(api.findResources('AWS::SecretsManager::Secret')).some((secret) =>
        String(secret.Properties.Description).includes('x-origin-verify'),
      ),
    ).toBe(false);
    api.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1); // the login client twin only
    api.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: Match.anyValue(),
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiWebAcl'), 'Arn'] },
    });
  });

  test('the primary replicates the origin-verify and admin secrets to drRegion with the DR key', () => {
    primaryApi.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('x-origin-verify'),
      ReplicaRegions: [{ Region: 'eu-west-2', KmsKeyId: drKeyArn }],
    });
    templateOf('data').hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: Match.stringLikeRegexp('rampart_admin'),
      }),
      ReplicaRegions: [{ Region: 'eu-west-2', KmsKeyId: drKeyArn }],
    });
  });

  test('the primary rotation keeps the standby pattern set in step (by name, in drRegion)', () => {
    primaryApi.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WAF_STANDBY_PATTERN_SET: JSON.stringify({
            region: 'eu-west-2',
            name: 'rampart-prod-origin-verify',
          }),
        }),
      },
    });
    primaryApi.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'StandbyPatternSet',
            Action: ['wafv2:GetRegexPatternSet', 'wafv2:UpdateRegexPatternSet'],
            Effect: 'Allow',
            Resource: `arn:aws:wafv2:eu-west-2:${config.account}:regional/regexpatternset/rampart-prod-origin-verify/*`,
          },
          {
            Sid: 'StandbyPatternSetLookup',
            Action: 'wafv2:ListRegexPatternSets',
            Effect: 'Allow',
            Resource: '*',
          },
        ]),
      },
    });
  });

  test('the standby has the API key recreation function (database and gateway keys), the primary has none', () => {
    const recreation = Object.entries(api.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) =>
        fn.Properties.Description ===
        'Failover step: recreates the API Gateway keys of this region from the database',
    );
    expect(recreation).toHaveLength(1);
    const [[logicalId, fn]] = recreation;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      DB_USER: 'rampart_app',
      DB_IAM_AUTH: 'true',
      USAGE_PLAN_NAMES: JSON.stringify({
        free: 'rampart-prod-free',
        standard: 'rampart-prod-standard',
        premium: 'rampart-prod-premium',
      }),
    });
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    api.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/rampart/prod/standby/api-key-recreation-function',
      Value: { Ref: logicalId },
    });
    // The primary has one too, for the failback (runbooks/dr/region-failback.md), named by an output.
    templateOf('api').hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Failback step: recreates the API Gateway keys of this region from the database',
      ReservedConcurrentExecutions: 1,
    });
    templateOf('api').hasOutput('ApiKeyRecreationFunctionName', {
      Value: { Ref: stacks.api.getLogicalId(stacks.api.apiKeyRecreation.node.defaultChild as CfnElement) },
    });
  });

  test('SSM parameters name the API, the distribution, the usage plans and the schedules', () => {
    api.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/rampart/prod/standby/api-origin-domain',
      Value: {
        'Fn::Join': [
          '',
          [{ Ref: Match.stringLikeRegexp('^Api') }, '.execute-api.eu-west-2.', { Ref: 'AWS::URLSuffix' }],
        ],
      },
    });
    api.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/rampart/prod/standby/api-stage',
      Value: { Ref: Match.stringLikeRegexp('^ApiRestApiDeploymentStageprod') },
    });
    api.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/rampart/prod/standby/distribution-id',
      Value: {
        'Fn::GetStackOutput': {
          StackName: 'Rampart-prod-Api',
          Region: config.region,
          OutputName: Match.stringLikeRegexp('^PublishOutputRefEdgeDistribution'),
        },
      },
    });
    api.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/rampart/prod/standby/usage-plan-names',
      Value: JSON.stringify({
        free: 'rampart-prod-free',
        standard: 'rampart-prod-standard',
        premium: 'rampart-prod-premium',
      }),
    });
  });
});

describe.each(['dev', 'staging'] as const)('no standby (%s)', (name) => {
  const { template: templateOf } = environments[name];

  test('only the admin secret is replicated, where the DR copies are restore-tested; the rotation updates one pattern set', () => {
    const { config, stacks } = environments[name];
    const admin = stacks.data.getLogicalId(stacks.data.database.adminSecret.node.defaultChild as CfnElement);
    for (const part of ['api', 'data'] as const) {
      for (const [id, secret] of Object.entries(
        templateOf(part).findResources('AWS::SecretsManager::Secret'),
      )) {
        if (part === 'data' && id === admin && config.backup.copyToDrRegion && config.backup.restoreTesting) {
          expect(secret.Properties.ReplicaRegions).toEqual([
            {
              Region: config.drRegion,
              KmsKeyId: {
                'Fn::GetStackOutput': {
                  StackName: `Rampart-${name}-DataDr`,
                  Region: config.drRegion,
                  OutputName: expect.stringMatching(/^PublishOutputFnGetAttKey/),
                },
              },
            },
          ]);
        } else {
          expect(secret.Properties.ReplicaRegions).toBeUndefined();
        }
      }
    }
    for (const fn of Object.values(templateOf('api').findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment?.Variables?.WAF_STANDBY_PATTERN_SET).toBeUndefined();
    }
  });
});

describe('prod standby: alarms in drRegion (Rampart-prod-DrOps)', () => {
  const { config, stacks, template: templateOf } = environments.prod;
  const ops = templateOf('drOps');

  test('the replica lag alarm pages above the region-loss RPO, missing data breaching', () => {
    expect(stacks.drOps!.stackName).toBe('Rampart-prod-DrOps');
    expect(stacks.drOps!.region).toBe('eu-west-2');
    const critical = stacks.drOps!.resolve(stacks.drOps!.topics.topics.critical.topicArn);
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'rampart-prod-standby-db-replica-lag',
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [
        {
          Name: 'DBInstanceIdentifier',
          Value: {
            'Fn::GetStackOutput': {
              StackName: 'Rampart-prod-DrData',
              Region: 'eu-west-2',
              OutputName: Match.stringLikeRegexp('^PublishOutputRefDatabaseReplica'),
            },
          },
        },
      ],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: config.recovery.regionLoss!.rpoSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      EvaluationPeriods: config.alarms.datapoints.evaluationPeriods,
      DatapointsToAlarm: config.alarms.datapoints.datapointsToAlarm,
      AlarmActions: [critical],
      OKActions: [critical],
      AlarmDescription: Match.stringLikeRegexp(
        '^Severity: critical\\. .* Runbook: https://\\S+/runbooks/alarms/dr-replica-lag\\.md$',
      ),
    });
    // Its logical id predates the component prefix and is kept.
    expect(
      Object.entries(ops.findResources('AWS::CloudWatch::Alarm'))
        .filter(([, alarm]) => alarm.Properties.AlarmName === 'rampart-prod-standby-db-replica-lag')
        .map(([id]) => id),
    ).toEqual([expect.stringMatching(/^AlarmsStandbyDbReplicaLag[0-9A-F]{8}$/)]);
  });

  test("the replica-only alarms are published for the failover to silence; the replica's other alarms watch metrics a promoted instance still reports", () => {
    const alarms = Object.values(ops.findResources('AWS::CloudWatch::Alarm')) as Json[];
    const onReplica = alarms.filter((alarm) =>
      JSON.stringify(alarm.Properties.Dimensions ?? []).includes('PublishOutputRefDatabaseReplica'),
    );
    // ReplicaLag is reported by a replica only; these are reported by every instance (CloudWatch RDS metrics).
    const INSTANCE_METRICS = [
      'CPUUtilization',
      'FreeableMemory',
      'FreeStorageSpace',
      'DatabaseConnections',
      'ReadLatency',
      'WriteLatency',
      'DBLoad',
    ];
    const replicaOnly = onReplica.filter((alarm) => alarm.Properties.MetricName === 'ReplicaLag');
    expect(
      onReplica
        .filter((alarm) => !replicaOnly.includes(alarm))
        .every((alarm) => INSTANCE_METRICS.includes(alarm.Properties.MetricName)),
    ).toBe(true);
    expect(onReplica.length).toBeGreaterThan(replicaOnly.length);
    const names = replicaOnly.map((alarm) => alarm.Properties.AlarmName as string);
    expect(names).toEqual(['rampart-prod-standby-db-replica-lag']);
    expect(stacks.drOps!.replicaAlarmNames).toEqual(names);
    ops.hasResourceProperties('AWS::SSM::Parameter', {
      Name: standbyParameterName('prod', 'replica-alarm-names'),
      Type: 'String',
      Value: JSON.stringify(names),
    });
    ops.hasOutput('ReplicaAlarmNames', { Value: JSON.stringify(names) });
  });

  test('every function, queue, stage, web ACL, the replica and the proxy in drRegion is named by a DrOps alarm', () => {
    const templates = new Map(
      (['drData', 'drApi', 'drOps'] as const).map((part) => [
        stacks[part]!.stackName,
        { part, stack: stacks[part]!, json: templateOf(part).toJSON() },
      ]),
    );
    const alarms = Object.entries(templateOf('drOps').toJSON().Resources as Record<string, Json>)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([logicalId, r]) => ({
        stack: stacks.drOps!,
        part: 'drOps',
        logicalId,
        type: r.Type as string,
        properties: r.Properties as Json,
        name: r.Properties.AlarmName as string,
        description: r.Properties.AlarmDescription as string,
      }));
    const set = { env: environments.prod, templates, alarms };
    const { unwatched, counted } = coverage(set, alarms);
    expect(unwatched).toEqual([]);
    // What was checked: every function of the standby API (but those CloudFormation invokes), its
    // queue and DLQ, its stage and web ACL, the replica and the proxy.
    expect(counted).toEqual({
      'AWS::Lambda::Function': expect.any(Number),
      // The work queue and its DLQ (DrApi), the notifier's DLQ (DrOps).
      'AWS::SQS::Queue': 3,
      'AWS::ApiGateway::Stage': 1,
      'AWS::WAFv2::WebACL': 1,
      'AWS::RDS::DBInstance': 1,
      'AWS::RDS::DBProxy': 1,
    });
    expect(counted['AWS::Lambda::Function']).toBeGreaterThan(GATEWAY_METHODS.length);
    // docs/alerting.md states how many there are.
    const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'alerting.md'), 'utf8').replace(
      /\s+/g,
      ' ',
    );
    expect(/With the replica-lag alarm, (\d+) alarms\./.exec(docs)?.[1]).toBe(String(alarms.length));
  });

  test("the standby's component alarms are the primary's, same thresholds and datapoints, named standby-*", () => {
    const alarmsOf = (json: Json) =>
      new Map(
        Object.values(json.Resources as Record<string, Json>)
          .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
          .map((r) => [r.Properties.AlarmName as string, r.Properties as Json]),
      );
    const primary = alarmsOf(templateOf('ops').toJSON());
    const standby = alarmsOf(ops.toJSON());
    const settings = (alarm: Json) => ({
      Threshold: alarm.Threshold,
      ComparisonOperator: alarm.ComparisonOperator,
      EvaluationPeriods: alarm.EvaluationPeriods,
      DatapointsToAlarm: alarm.DatapointsToAlarm,
      TreatMissingData: alarm.TreatMissingData,
      MetricName: alarm.MetricName,
      Statistic: alarm.Statistic ?? alarm.ExtendedStatistic,
      Period: alarm.Period,
      Expressions: (alarm.Metrics as Json[] | undefined)?.map(
        (m) => m.Expression ?? m.MetricStat.Metric.MetricName,
      ),
    });
    const twins: string[] = [];
    const standbyOnly: string[] = [];
    for (const [name, alarm] of standby) {
      expect(name).toMatch(/^rampart-prod-standby-/);
      const twin = primary.get(name.replace('rampart-prod-standby-', 'rampart-prod-'));
      if (twin === undefined) {
        standbyOnly.push(name);
        continue;
      }
      twins.push(name);
      expect({ name, ...settings(alarm) }).toEqual({ name, ...settings(twin) });
    }
    // Only the replica's lag has no twin (the API key recreation function is in both: failover and failback).
    expect(standbyOnly.sort()).toEqual(['rampart-prod-standby-db-replica-lag']);
    // Every primary alarm of a route, the authorizer, the worker, the stage, the queue, the web ACL,
    // the database and the proxy has its standby twin.
    const apiComponents =
      /^rampart-prod-(api-[45]xx-rate|.*-p(90|99)-latency|(authorizer|worker|outbox-relay|api-key-cleanup|api-key-recreation|login-client-secret-rotation|notifier)-.*|work-(queue|dlq)-.*|api-waf-blocked-spike|db-(?!pending-maintenance).*|topic-.*|slo-(availability|latency)-burn-.*|ops-maintenance-mode)$/;
    const routeFunctionAlarms = GATEWAY_METHODS.flatMap((route) =>
      [...primary.keys()].filter((n) => n.startsWith(`rampart-prod-${kebab(route.id)}-`)),
    );
    const expected = [...primary.keys()].filter(
      (n) => apiComponents.test(n) || routeFunctionAlarms.includes(n),
    );
    expect(twins.sort()).toEqual(
      expected.map((n) => n.replace('rampart-prod-', 'rampart-prod-standby-')).sort(),
    );
  });

  test('the standby component alarms notify the standby topics, and stay quiet while it idles (no data is not breaching)', () => {
    const topics = stacks.drOps!.topics.topics;
    const topicOf = (severity: 'critical' | 'warning' | 'info') =>
      stacks.drOps!.resolve(topics[severity].topicArn);
    for (const alarm of Object.values(ops.findResources('AWS::CloudWatch::Alarm'))) {
      const p = alarm.Properties;
      const severity = /^Severity: (critical|warning|info)\. /.exec(p.AlarmDescription)![1] as
        'critical' | 'warning' | 'info';
      expect({ name: p.AlarmName, actions: p.AlarmActions, ok: p.OKActions }).toEqual({
        name: p.AlarmName,
        actions: [topicOf(severity)],
        ok: [topicOf(severity)],
      });
      // Only the database's own metrics breach when missing: the replica reports them while it
      // replicates, and one that stops reporting is down. The maintenance alarm keeps its state
      // (info, it pages nobody: it mutes the SLO composites).
      const breaching =
        /^rampart-prod-standby-db-(replica-lag|cpu|freeable-memory|free-storage|connections)$/.test(
          p.AlarmName,
        );
      const keepsState = p.AlarmName === 'rampart-prod-standby-ops-maintenance-mode';
      expect({ name: p.AlarmName, missing: p.TreatMissingData }).toEqual({
        name: p.AlarmName,
        missing: breaching ? 'breaching' : keepsState ? 'ignore' : 'notBreaching',
      });
    }
  });

  test("the standby API's SLO burn-rate composites are the primary's, page on the standby's critical topic, muted by drRegion's maintenance alarm", () => {
    const composites = (json: Json) =>
      new Map(
        Object.values(json.Resources as Record<string, Json>)
          .filter((r) => r.Type === 'AWS::CloudWatch::CompositeAlarm')
          .map((r) => [r.Properties.AlarmName as string, r.Properties as Json]),
      );
    const primary = composites(templateOf('ops').toJSON());
    const standby = composites(ops.toJSON());
    expect([...standby.keys()].sort()).toEqual([
      'rampart-prod-standby-slo-availability-burn-rate',
      'rampart-prod-standby-slo-latency-burn-rate',
    ]);
    const critical = stacks.drOps!.resolve(stacks.drOps!.topics.topics.critical.topicArn);
    const [maintenanceId] = Object.entries(ops.findResources('AWS::CloudWatch::Alarm')).find(
      ([, r]) => r.Properties.AlarmName === 'rampart-prod-standby-ops-maintenance-mode',
    )!;
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'rampart-prod-standby-ops-maintenance-mode',
      Namespace: 'Rampart/Operations',
      MetricName: 'MaintenanceMode',
      Dimensions: [{ Name: 'Environment', Value: 'prod' }],
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
    // The rule names the window alarms by their ARNs: with logical ids stripped of their hashes
    // (each stack's path differs), it is the primary's with the standby's alarms in their places.
    const ruleOf = (alarm: Json) =>
      JSON.stringify(alarm.AlarmRule)
        .replace(/[0-9A-F]{8}"/g, '"')
        .replace(/AlarmsStandby/g, 'Alarms');
    for (const [name, alarm] of standby) {
      const twin = primary.get(name.replace('rampart-prod-standby-', 'rampart-prod-'))!;
      expect(alarm).toMatchObject({
        AlarmActions: [critical],
        OKActions: [critical],
        ActionsSuppressor: { 'Fn::GetAtt': [maintenanceId, 'Arn'] },
        ActionsSuppressorExtensionPeriod: twin.ActionsSuppressorExtensionPeriod,
        ActionsSuppressorWaitPeriod: twin.ActionsSuppressorWaitPeriod,
      });
      expect(ruleOf(alarm)).toEqual(ruleOf(twin));
      expect(alarm.AlarmDescription).toMatch(
        /^Severity: critical\. .* Runbook: https:\/\/\S+\/runbooks\/alarms\/slo-(availability|latency)\.md$/,
      );
    }
    // Its window alarms read the standby stage (the API's name is the primary's, the region is drRegion).
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'rampart-prod-standby-slo-availability-burn-fast-1h',
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' }),
      ]),
    });
  });

  test('its topics are encrypted with their own key and page through the environment pager', () => {
    for (const severity of ['critical', 'warning', 'info']) {
      ops.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: `rampart-prod-standby-${severity}`,
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TopicsKey'), 'Arn'] },
      });
    }
    ops.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https' });
  });

  test('drift of the stacks in drRegion is checked every six hours and pages (the critical topic)', () => {
    ops.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'rampart-prod-standby-stack-drift',
      Source: { Owner: 'AWS', SourceIdentifier: 'CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK' },
      Scope: { ComplianceResourceTypes: ['AWS::CloudFormation::Stack'] },
      MaximumExecutionFrequency: 'Six_Hours',
    });
    const critical = stacks.drOps!.resolve(stacks.drOps!.topics.topics.critical.topicArn);
    ops.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: {
          configRuleName: [{ Ref: Match.stringLikeRegexp('^StackDrift') }],
          newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
        },
      },
      Targets: [
        {
          Arn: critical,
          Id: 'Target0',
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        },
      ],
    });
  });

  test("its alerts reach Slack the primary's way: its own notifier on every standby topic, the webhook secret read in drRegion", () => {
    const json = ops.toJSON() as Json;
    const resources = Object.entries(json.Resources as Record<string, Json>);
    const [notifierId] = resources.find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('SlackNotifier'),
    )!;
    const [dlqId] = resources.find(([id]) => id.startsWith('SlackDeadLetterQueue'))!;
    const topics = stacks.drOps!.topics.topics;
    const topicRef = (severity: 'critical' | 'warning' | 'info') =>
      stacks.drOps!.resolve(topics[severity].topicArn);
    const secretName = config.alarms.slackWebhookSecretName;
    ops.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      ReservedConcurrentExecutions: 5,
      VpcConfig: {
        SubnetIds: [1, 2, 3].map(() => ({
          'Fn::GetStackOutput': {
            StackName: 'Rampart-prod-DrNetwork',
            Region: 'eu-west-2',
            OutputName: Match.stringLikeRegexp('^PublishOutputRefNetworkVpcFunctionsSubnet'),
          },
        })),
        SecurityGroupIds: Match.anyValue(),
      },
      Environment: {
        Variables: {
          RAMPART_ENVIRONMENT: 'prod',
          DOCS_BASE_URL: config.alarms.docsBaseUrl,
          SLACK_WEBHOOK_SECRET_ID: secretName,
          ROUTE_ALL_TO_ONE_CHANNEL: String(config.alarms.routeAllToOneChannel),
          TOPIC_SEVERITIES: Match.anyValue(),
        },
      },
    });
    ops.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: notifierId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
    // Subscribed to exactly the three standby topics.
    const subscriptions = resources
      .map(([, r]) => r)
      .filter((r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.Protocol === 'lambda');
    expect(subscriptions.map((r) => [r.Properties.TopicArn, r.Properties.Endpoint])).toEqual(
      (['critical', 'warning', 'info'] as const).map((severity) => [
        topicRef(severity),
        { 'Fn::GetAtt': [notifierId, 'Arn'] },
      ]),
    );
    // The webhook: the secret of that name in drRegion (a replica of the primary's), read only.
    const statements = resources
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('SlackNotifier'))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Json[]);
    expect(statements).toContainEqual({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Effect: 'Allow',
      Resource: `arn:aws:secretsmanager:eu-west-2:${config.account}:secret:${secretName}-??????`,
    });
    expect(statements).toContainEqual({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-2.amazonaws.com' } },
      Effect: 'Allow',
      Resource: '*',
    });
    // Chatbot stays with the primary (account-wide configurations, API in a few regions only).
    ops.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  test('its runbook exists with every required section', () => {
    const markdown = readFileSync(
      join(__dirname, '..', '..', '..', 'runbooks', 'alarms', 'dr-replica-lag.md'),
      'utf8',
    );
    expect(headings(markdown).filter((h) => (REQUIRED_SECTIONS as readonly string[]).includes(h))).toEqual([
      ...REQUIRED_SECTIONS,
    ]);
  });
});
