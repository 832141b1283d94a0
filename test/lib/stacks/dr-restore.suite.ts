import { Match } from 'aws-cdk-lib/assertions';
import { synthEnvironments } from '../../support/synth';
import { drCopyObjective } from '../../../lib/stacks/dr-restore-stack';

// Restore tests of the DR vault's copies in drRegion (lib/stacks/dr-restore-stack.ts): AWS Backup's
// restore testing sees its own region's vaults only, so the primary's plans never restore them.
const environments = synthEnvironments();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const resourcesOf = (json: Json, type: string): [string, Json][] =>
  Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
/** A value another stack publishes across regions, by stack and output name prefix. */
const output = (stackName: string, region: string, prefix: string) => ({
  'Fn::GetStackOutput': {
    StackName: stackName,
    Region: region,
    OutputName: Match.stringLikeRegexp(`^PublishOutput${prefix}`),
  },
});

test('dev copies nothing to drRegion: no DR restore tests', () => {
  expect(environments.dev.stacks.drRestore).toBeUndefined();
});

describe.each(['staging', 'prod'] as const)('DR vault restore tests (%s)', (name) => {
  const { config, stacks, template: templateOf } = environments[name];
  const stack = stacks.drRestore!;
  const template = templateOf('drRestore');
  const json = template.toJSON() as Json;
  const standby = config.recovery.strategy !== 'backup-restore';
  const regionLoss = config.recovery.regionLoss!;

  test('Rampart-<env>-DrRestore lives in drRegion, after the DR vault, the Data stack and the standby network and data tier', () => {
    expect(stack.stackName).toBe(`Rampart-${name}-DrRestore`);
    expect(stack.region).toBe(config.drRegion);
    const dependencies = stack.dependencies.map((s) => s.stackName).sort();
    expect(dependencies).toEqual(
      [
        `Rampart-${name}-Data`,
        `Rampart-${name}-DataDr`,
        ...(standby ? [`Rampart-${name}-DrData`, `Rampart-${name}-DrNetwork`, `Rampart-${name}-DrOps`] : []),
      ].sort(),
    );
  });

  test('a weekly plan restores the latest snapshot copy of the last week from the DR vault', () => {
    template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      RestoreTestingPlanName: `rampart_${name}_dr_weekly`,
      ScheduleExpression: 'cron(0 10 ? * TUE *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      StartWindowHours: 8,
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [output(`Rampart-${name}-DataDr`, config.drRegion, 'FnGetAttVault')],
        RecoveryPointTypes: ['SNAPSHOT'],
        SelectionWindowDays: 7,
      },
    });
    expect(resourcesOf(json, 'AWS::Backup::RestoreTestingPlan')).toHaveLength(1);
  });

  test('the selection restores every RDS copy of the vault into isolated subnets, single-AZ, behind its own security group', () => {
    template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
      RestoreTestingPlanName: `rampart_${name}_dr_weekly`,
      RestoreTestingSelectionName: 'database',
      ProtectedResourceType: 'RDS',
      ProtectedResourceArns: ['*'],
      IamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoreRole'), 'Arn'] },
      RestoreMetadataOverrides: {
        dbSubnetGroupName: { Ref: 'RestoredSubnetGroup' },
        vpcSecurityGroupIds: {
          'Fn::Join': [
            '',
            ['["', { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoredSecurityGroup'), 'GroupId'] }, '"]'],
          ],
        },
        multiAZ: 'false',
      },
      ValidationWindowHours: 2,
    });
    const [, subnetGroup] = resourcesOf(json, 'AWS::RDS::DBSubnetGroup')[0];
    const subnetIds = subnetGroup.Properties.SubnetIds as Json[];
    expect(subnetIds).toHaveLength(standby ? config.drNetwork!.availabilityZones.length : 2);
    for (const subnet of subnetIds) {
      expect(JSON.stringify(subnet)).toMatch(/DataSubnet\d/);
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription:
        'Instances restored by the DR restore tests: PostgreSQL from the restore validator only',
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }),
      ],
    });
  });

  test('AWS Backup restores with the AWS-maintained restore policy only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' } },
        ],
      },
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
            ],
          ],
        },
      ],
    });
  });

  test('the primary validator code validates the restores, with the replicated admin secret and its source', () => {
    const validators = resourcesOf(json, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('RestoreValidationValidator'),
    );
    expect(validators).toHaveLength(1);
    expect(validators[0][1].Properties.Code.S3Key).toBe(
      (templateOf('ops').toJSON().Resources as Record<string, Json>)[
        resourcesOf(templateOf('ops').toJSON() as Json, 'AWS::Lambda::Function').find(([id]) =>
          id.startsWith('RestoreValidationValidator'),
        )![0]
      ].Properties.Code.S3Key,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Validates databases restored by AWS Backup restore tests and reports the result',
      ReservedConcurrentExecutions: 1,
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          ADMIN_SECRET_ARN: {
            'Fn::Join': [
              ':',
              [
                'arn',
                { Ref: 'AWS::Partition' },
                `secretsmanager:${config.drRegion}:${config.account}:secret`,
                {
                  'Fn::Select': [
                    6,
                    {
                      'Fn::Split': [
                        ':',
                        output(`Rampart-${name}-Data`, config.region, 'RefDatabaseAdminSecret'),
                      ],
                    },
                  ],
                },
              ],
            ],
          },
          RESTORE_TESTING_PLAN_ARNS: { 'Fn::GetAtt': ['RestoreTestingPlan', 'RestoreTestingPlanArn'] },
          // prod: the standby's read replica, a live copy of the source in this region; staging: none.
          SOURCE_DATABASE: standby
            ? output(`Rampart-${name}-DrData`, config.drRegion, 'RefDatabaseReplica')
            : 'none',
        }),
      },
    });
  });

  test('reaches the restored instances (and in prod the replica) on 5432 only; decrypts the secret only through Secrets Manager', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoredSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^RestoreValidationSecurityGroup'), 'GroupId'],
      },
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
    });
    const toReplica = resourcesOf(json, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => r.Properties.Description === 'Restore validation to the source instance (reads only)',
    );
    expect(toReplica).toHaveLength(standby ? 1 : 0);
    if (standby) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: output(`Rampart-${name}-DrData`, config.drRegion, 'FnGetAttDatabaseDatabaseSecurityGroup'),
        SourceSecurityGroupId: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^RestoreValidationSecurityGroup'), 'GroupId'],
        },
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
      });
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: output(`Rampart-${name}-DataDr`, config.drRegion, 'FnGetAttKey'),
            Condition: {
              StringEquals: { 'kms:ViaService': `secretsmanager.${config.drRegion}.amazonaws.com` },
            },
          },
        ]),
      },
    });
  });

  if (standby) {
    test('prod restores into the standby network (no network of its own)', () => {
      expect(resourcesOf(json, 'AWS::EC2::VPC')).toEqual([]);
      expect(stack.network).toBe(stacks.drNetwork!.network);
    });
  } else {
    test('staging restores into an isolated network: no NAT, no internet gateway, three endpoints in one zone', () => {
      const isolated = config.backup.drRestoreTestNetwork!;
      template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: isolated.cidr });
      for (const type of ['AWS::EC2::NatGateway', 'AWS::EC2::InternetGateway', 'AWS::EC2::EIP']) {
        expect(resourcesOf(json, type)).toEqual([]);
      }
      const interfaces = resourcesOf(json, 'AWS::EC2::VPCEndpoint').filter(
        ([, r]) => r.Properties.VpcEndpointType === 'Interface',
      );
      expect(interfaces.map(([, r]) => r.Properties.ServiceName).sort()).toEqual(
        ['backup', 'rds', 'secretsmanager'].map((service) => `com.amazonaws.${config.drRegion}.${service}`),
      );
      for (const [, endpoint] of interfaces) {
        expect(endpoint.Properties).toMatchObject({
          PrivateDnsEnabled: true,
          SubnetIds: [{ Ref: expect.stringMatching(/^NetworkVpcFunctionsSubnet1Subnet/) }],
        });
      }
      // The first Functions subnet is in the first declared zone.
      template.hasResourceProperties('AWS::EC2::Subnet', {
        AvailabilityZone: isolated.availabilityZones[0],
        Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: 'Functions' }]),
        MapPublicIpOnLaunch: false,
      });
    });
  }

  test('alarms: restore over the region-loss RTO, copy older than its RPO (never under a day and a bit), failed validation, dead letters', () => {
    const alarms = Object.fromEntries(
      resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => [a.Properties.AlarmName, a.Properties]),
    );
    expect(Object.keys(alarms).sort()).toEqual(
      [
        // Staging's own Slack notifier, watched as the primary's (prod's topics have DrOps' notifier).
        ...(standby
          ? []
          : [
              'dr-restore-notifier-concurrency-near-limit',
              'dr-restore-notifier-dlq-messages',
              'dr-restore-notifier-dlq-oldest-message-age',
              'dr-restore-notifier-duration-near-timeout',
              'dr-restore-notifier-errors',
              'dr-restore-notifier-throttles',
            ]),
        'dr-restore-test-duration',
        'dr-restore-test-point-age',
        'dr-restore-test-validation-failed',
        'dr-restore-validator-dlq-messages',
        'dr-restore-validator-dlq-oldest-message-age',
      ].map((suffix) => `rampart-${name}-${suffix}`),
    );
    const warning = stack.resolve(stack.topics.topics.warning.topicArn);
    expect(alarms[`rampart-${name}-dr-restore-test-duration`]).toMatchObject({
      Threshold: regionLoss.rtoSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [warning],
    });
    expect(alarms[`rampart-${name}-dr-restore-test-point-age`]).toMatchObject({
      Threshold: Math.max(regionLoss.rpoSeconds, 30 * 3600),
      MetricName: 'RecoveryPointAgeSeconds',
      Namespace: 'Rampart/Operations',
      Dimensions: [
        { Name: 'RecoveryPointType', Value: 'SNAPSHOT' },
        { Name: 'service', Value: 'restore-validation' },
      ],
      Statistic: 'Maximum',
      Period: 86_400,
      AlarmActions: [warning],
    });
    expect(alarms[`rampart-${name}-dr-restore-test-validation-failed`]).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [warning],
    });
  });

  test('a restore job of this region that fails or is aborted alerts the warning topic (the validator sees completed jobs only)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: 'AWS Backup restore test failed: runbooks/alarms/backup-restore-test-failed.md',
      EventPattern: {
        source: ['aws.backup'],
        'detail-type': ['Restore Job State Change'],
        detail: { status: ['FAILED', 'ABORTED'] },
      },
      Targets: [
        Match.objectLike({
          Arn: stack.resolve(stack.topics.topics.warning.topicArn),
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
  });

  if (standby) {
    test("prod alarms on the standby's topics (pager and Slack in drRegion), with no topics of its own", () => {
      expect(stack.topics).toBe(stacks.drOps!.topics);
      expect(resourcesOf(json, 'AWS::SNS::Topic')).toEqual([]);
      expect(stack.resolve(stack.topics.topics.warning.topicArn)).toEqual({
        'Fn::GetStackOutput': {
          StackName: `Rampart-${name}-DrOps`,
          Region: config.drRegion,
          OutputName: expect.stringMatching(/^PublishOutputRefTopicsWarning/),
        },
      });
      // Logs and dead letters: a key of this stack, rotated.
      template.hasResourceProperties('AWS::KMS::Key', {
        Description: `Rampart ${name}: logs and dead letters of the DR vault restore tests`,
        EnableKeyRotation: true,
      });
    });
    return;
  }

  test('staging: topics of its own page through the environment pager, with fixed names', () => {
    for (const severity of ['critical', 'warning', 'info']) {
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: `rampart-${name}-dr-restore-${severity}`,
        KmsMasterKeyId: Match.anyValue(),
      });
    }
    const paging = config.alarms.paging;
    if (paging?.kind === 'https') {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'https',
        Endpoint: `{{resolve:secretsmanager:${paging.endpointSecretName}:SecretString:::}}`,
      });
    }
  });

  test("staging: its topics reach Slack through the primary's webhook notifier, outside any VPC (no route out of the isolated network), reading the webhook secret's replica in drRegion", () => {
    const resources = Object.entries(json.Resources as Record<string, Json>);
    const notifiers = resourcesOf(json, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('SlackNotifier'),
    );
    expect(notifiers).toHaveLength(1);
    const [[notifierId, notifier]] = notifiers;
    const [dlqId] = resources.find(([id]) => id.startsWith('SlackDeadLetterQueue'))!;
    const secretName = config.alarms.slackWebhookSecretName;
    // No VpcConfig, no security group of its own: it needs no NAT gateway to reach Slack.
    expect(notifier.Properties.VpcConfig).toBeUndefined();
    expect(resourcesOf(json, 'AWS::EC2::SecurityGroup').map(([id]) => id)).not.toContainEqual(
      expect.stringMatching(/^Slack/),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      ReservedConcurrentExecutions: 5,
      Timeout: 30,
      Environment: {
        Variables: {
          RAMPART_ENVIRONMENT: name,
          DOCS_BASE_URL: config.alarms.docsBaseUrl,
          SLACK_WEBHOOK_SECRET_ID: secretName,
          ROUTE_ALL_TO_ONE_CHANNEL: String(config.alarms.routeAllToOneChannel),
          TOPIC_SEVERITIES: Match.anyValue(),
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: notifierId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: stack.resolve(stack.topics.key.keyArn),
      MessageRetentionPeriod: 14 * 86_400,
    });
    // Subscribed to exactly its three topics.
    const subscriptions = resourcesOf(json, 'AWS::SNS::Subscription').filter(
      ([, r]) => r.Properties.Protocol === 'lambda',
    );
    expect(subscriptions.map(([, r]) => [r.Properties.TopicArn, r.Properties.Endpoint])).toEqual(
      (['critical', 'warning', 'info'] as const).map((severity) => [
        stack.resolve(stack.topics.topics[severity].topicArn),
        { 'Fn::GetAtt': [notifierId, 'Arn'] },
      ]),
    );
    // Its only data access: the webhook secret of that name in drRegion, read only.
    const statements = resources
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('SlackNotifier'))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Json[]);
    expect(statements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager'))).toEqual([
      {
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Effect: 'Allow',
        Resource: `arn:aws:secretsmanager:${config.drRegion}:${config.account}:secret:${secretName}-??????`,
      },
    ]);
    expect(statements).toContainEqual({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${config.drRegion}.amazonaws.com` } },
      Effect: 'Allow',
      Resource: '*',
    });
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    // Undelivered alerts page (critical), as in the primary.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `rampart-${name}-dr-restore-notifier-dlq-messages`,
      AlarmActions: [stack.resolve(stack.topics.topics.critical.topicArn)],
    });
  });
});

describe('drCopyObjective: what a restore from the DR copies is held to', () => {
  const pit = { rtoSeconds: 3600, rpoSeconds: 300 };
  test('the region-loss RTO; its RPO but never under the 30 h copy cadence', () => {
    expect(
      drCopyObjective({
        recovery: { pointInTimeRestore: pit, regionLoss: { rtoSeconds: 1800, rpoSeconds: 60 } },
      }),
    ).toEqual({ rtoSeconds: 1800, rpoSeconds: 108_000 });
    expect(
      drCopyObjective({
        recovery: { pointInTimeRestore: pit, regionLoss: { rtoSeconds: 14_400, rpoSeconds: 172_800 } },
      }),
    ).toEqual({ rtoSeconds: 14_400, rpoSeconds: 172_800 });
  });

  test('without a region-loss objective, the point-in-time restore RTO', () => {
    expect(drCopyObjective({ recovery: { pointInTimeRestore: pit } })).toEqual({
      rtoSeconds: 3600,
      rpoSeconds: 108_000,
    });
  });
});
