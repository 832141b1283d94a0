import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES } from '../../../lib/config';
import { FIS_TEMPLATE_TAGS } from '../../../lib/drill/aws/adapters';
import { synthEnvironments } from '../../support/synth';

// Restores that prove something, the audit framework, fault injection and identity backups
// (issue 16), proven on the one synth of every environment.
const environments = synthEnvironments();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A value the Data stack publishes for this environment's Ops stack, by the output name's prefix. */
const fromData = (name: string, region: string, output: string) => ({
  'Fn::GetStackOutput': {
    StackName: `Rampart-${name}-Data`,
    Region: region,
    OutputName: Match.stringLikeRegexp(`^PublishOutput(Fn)?${output}`),
  },
});
const resourcesOf = (json: Json, type: string): [string, Json][] =>
  Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

describe.each(ENVIRONMENT_NAMES)('Restore validation (%s)', (name) => {
  const { config, template } = environments[name];
  const ops = template('ops');
  const json = ops.toJSON() as Json;
  const validators = resourcesOf(json, 'AWS::Lambda::Function').filter(([id]) =>
    id.startsWith('RestoreValidationValidator'),
  );

  if (!config.backup.restoreTesting) {
    test('no restore testing, no validator and no restore alarms', () => {
      expect(validators).toEqual([]);
      expect(
        resourcesOf(json, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
          /restore-test/.test(a.Properties.AlarmName),
        ),
      ).toEqual([]);
    });
    return;
  }

  const [validatorId] = validators.map(([id]) => id);
  const validator = { 'Fn::GetAtt': [validatorId, 'Arn'] };

  test('one validator, in the VPC, one at a time, told both restore testing plans and the admin secret', () => {
    expect(validators).toHaveLength(1);
    ops.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Validates databases restored by AWS Backup restore tests and reports the result',
      ReservedConcurrentExecutions: 1,
      Timeout: 300,
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({
          ADMIN_SECRET_ARN: fromData(name, config.region, 'RefDatabaseAdminSecret'),
          RESTORE_TESTING_PLAN_ARNS: {
            'Fn::Join': [
              '',
              [
                fromData(
                  name,
                  config.region,
                  'GetAttBackupRestoreTestingPlan[0-9A-F]{8}RestoreTestingPlanArn',
                ),
                ',',
                fromData(name, config.region, 'GetAttBackupRestoreTestingPlanContinuous'),
              ],
            ],
          },
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          POWERTOOLS_SERVICE_NAME: 'restore-validation',
        }),
      },
    });
  });

  test('runs on every completed AWS Backup restore job, retried twice', () => {
    ops.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.backup'],
        'detail-type': ['Restore Job State Change'],
        detail: { status: ['COMPLETED'] },
      },
      Targets: [Match.objectLike({ Arn: validator, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
  });

  test('may describe restore jobs and report their validation, describe instances, read the admin secret: nothing more', () => {
    const role = json.Resources[validatorId].Properties.Role['Fn::GetAtt'][0];
    const statements = resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    expect(statements.map((s) => [s.Action].flat().sort().join(' ')).sort()).toEqual(
      [
        'backup:DescribeRestoreJob backup:GetRestoreJobMetadata backup:PutRestoreValidationResult xray:PutTelemetryRecords xray:PutTraceSegments',
        'kms:Decrypt',
        'kms:Decrypt kms:GenerateDataKey',
        'rds:DescribeDBInstances',
        'secretsmanager:DescribeSecret secretsmanager:GetSecretValue',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(statements.find((s) => s.Action === 'rds:DescribeDBInstances')!.Resource).toBe(
      `arn:aws:rds:${config.region}:${config.account}:db:*`,
    );
    expect(statements.find((s) => s.Action === 'kms:Decrypt')).toEqual({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: {
        'Fn::GetStackOutput': {
          StackName: `Rampart-${name}-Data`,
          Region: config.region,
          OutputName: 'PublishOutputFnGetAttKeyE447D366Arn6A2B0F78',
        },
      },
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` } },
    });
  });

  test('reaches PostgreSQL only through the database security group; otherwise HTTPS out', () => {
    ops.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription:
        'Restore validation: HTTPS to AWS APIs, PostgreSQL to the database and restored instances',
      SecurityGroupEgress: Match.arrayWith([
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      ]),
    });
    ops.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      FromPort: 5432,
      ToPort: 5432,
      DestinationSecurityGroupId: fromData(name, config.region, 'GetAttDatabaseDatabaseSecurityGroup'),
    });
    ops.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      GroupId: fromData(name, config.region, 'GetAttDatabaseDatabaseSecurityGroup'),
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^RestoreValidationSecurityGroup'), 'GroupId'],
      },
    });
  });

  test('alarms: restore duration over the point-in-time RTO, continuous point older than its RPO, failed validation', () => {
    const { rtoSeconds, rpoSeconds } = config.recovery.pointInTimeRestore;
    const alarm = (signal: string) =>
      resourcesOf(json, 'AWS::CloudWatch::Alarm').find(
        ([, a]) => a.Properties.AlarmName === `rampart-${name}-restore-test-${signal}`,
      )![1].Properties;
    const day = 86_400;
    expect(alarm('duration')).toMatchObject({
      Threshold: rtoSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      EvaluationPeriods: 1,
      Metrics: expect.arrayContaining([
        expect.objectContaining({ Expression: 'MAX([continuous, snapshot])' }),
        expect.objectContaining({
          Id: 'continuous',
          MetricStat: expect.objectContaining({
            Metric: {
              Namespace: 'Rampart/Operations',
              MetricName: 'RestoreDurationSeconds',
              Dimensions: [
                { Name: 'RecoveryPointType', Value: 'CONTINUOUS' },
                { Name: 'service', Value: 'restore-validation' },
              ],
            },
            Period: day,
          }),
        }),
      ]),
    });
    expect(alarm('point-age')).toMatchObject({
      Threshold: rpoSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      MetricName: 'RecoveryPointAgeSeconds',
      Namespace: 'Rampart/Operations',
      Dimensions: [
        { Name: 'RecoveryPointType', Value: 'CONTINUOUS' },
        { Name: 'service', Value: 'restore-validation' },
      ],
      Period: day,
      Statistic: 'Maximum',
    });
    expect(alarm('validation-failed')).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: expect.arrayContaining([
        expect.objectContaining({ Expression: 'MAX([failed, errors])' }),
        expect.objectContaining({
          Id: 'errors',
          MetricStat: expect.objectContaining({
            Metric: expect.objectContaining({
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: { Ref: validatorId } }],
            }),
          }),
        }),
      ]),
    });
  });
});

describe.each(ENVIRONMENT_NAMES)('Backup Audit Manager (%s)', (name) => {
  const { config, template } = environments[name];
  const data = template('data');
  const { pointInTimeRestore } = config.recovery;
  const database = {
    ComplianceResourceIds: [{ Ref: 'DatabaseInstanceAA8A5FDE' }],
    ComplianceResourceTypes: ['RDS'],
  };
  const parameters = (values: Record<string, string>) =>
    Object.entries(values).map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue }));

  test('the framework’s controls are the declared targets: restore time = RTO, last recovery point within the RPO (to the hour), protected by the plan', () => {
    const lock = config.backup.vaultLock;
    data.hasResourceProperties('AWS::Backup::Framework', {
      FrameworkName: `rampart_${name}_recovery_targets`,
      FrameworkControls: [
        {
          ControlName: 'RESTORE_TIME_FOR_RESOURCES_MEET_TARGET',
          ControlInputParameters: parameters({ maxRestoreTime: String(pointInTimeRestore.rtoSeconds / 60) }),
          ControlScope: database,
        },
        {
          ControlName: 'BACKUP_LAST_RECOVERY_POINT_CREATED',
          // Every environment declares a point-in-time RPO under an hour: the control's finest unit.
          ControlInputParameters: parameters({ recoveryPointAgeUnit: 'hours', recoveryPointAgeValue: '1' }),
          ControlScope: database,
        },
        {
          ControlName: 'BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN',
          ControlInputParameters: [],
          ControlScope: database,
        },
        {
          ControlName: 'BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK',
          ControlInputParameters: parameters({
            requiredFrequencyUnit: 'days',
            requiredFrequencyValue: '1',
            requiredRetentionDays: String(config.backup.dailyRetentionDays),
          }),
        },
        { ControlName: 'BACKUP_RECOVERY_POINT_ENCRYPTED', ControlInputParameters: [] },
        { ControlName: 'BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED', ControlInputParameters: [] },
        ...(config.backup.copyToDrRegion
          ? [
              {
                ControlName: 'BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION',
                ControlInputParameters: parameters({ crossRegionList: config.drRegion }),
                ControlScope: database,
              },
            ]
          : []),
        ...(lock
          ? [
              {
                ControlName: 'BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK',
                ControlInputParameters: parameters({
                  minRetentionDays: String(lock.minRetentionDays),
                  maxRetentionDays: String(lock.maxRetentionDays),
                }),
                ControlScope: database,
              },
            ]
          : []),
      ],
    });
    expect(pointInTimeRestore.rpoSeconds).toBeLessThanOrEqual(3600);
  });

  test('compliance and restore-job reports go to an encrypted, versioned, private bucket only Backup’s reports role writes to', () => {
    const bucket = { Ref: Match.stringLikeRegexp('^BackupAuditEvidence') };
    for (const [suffix, setting] of [
      [
        'compliance',
        {
          ReportTemplate: 'CONTROL_COMPLIANCE_REPORT',
          FrameworkArns: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupAuditFramework'), 'FrameworkArn'] },
          ],
        },
      ],
      ['restores', { ReportTemplate: 'RESTORE_JOB_REPORT' }],
    ] as const) {
      data.hasResourceProperties('AWS::Backup::ReportPlan', {
        ReportPlanName: `rampart_${name}_${suffix}`,
        ReportDeliveryChannel: {
          S3BucketName: bucket,
          S3KeyPrefix: `reports/${suffix}`,
          Formats: ['CSV', 'JSON'],
        },
        ReportSetting: setting,
      });
    }
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': ['KeyE447D366', 'Arn'] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    data.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: bucket,
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: {
              AWS: `arn:aws:iam::${config.account}:role/aws-service-role/reports.backup.amazonaws.com/AWSServiceRoleForBackupReports`,
            },
            Resource: {
              'Fn::Join': [
                '',
                [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupAuditEvidence'), 'Arn'] }, '/reports/*'],
              ],
            },
          },
        ]),
      },
    });
  });
});

describe.each(ENVIRONMENT_NAMES)('Fault injection (%s)', (name) => {
  const { config, stacks, template } = environments[name];
  const ops = template('ops');
  const json = ops.toJSON() as Json;
  const experiments = resourcesOf(json, 'AWS::FIS::ExperimentTemplate').map(([, r]) => r.Properties as Json);
  const sloArn = (component: string) => ({
    'Fn::GetAtt': [Match.stringLikeRegexp(`^Alarms${component}BurnRate`), 'Arn'],
  });
  const zones = config.network.availabilityZones;
  const instanceArn = {
    'Fn::Join': [
      '',
      [
        `arn:aws:rds:${config.region}:${config.account}:db:`,
        {
          'Fn::GetStackOutput': {
            OutputName: 'PublishOutputRefDatabaseInstanceAA8A5FDE96074C11',
            Region: config.region,
            StackName: `Rampart-${name}-Data`,
          },
        },
      ],
    ],
  };

  const regionLoss = config.recovery.regionLoss;
  const isRegionLoss = (experiment: Json) => experiment.Tags?.['rampart:drill'] === 'region-failover';

  test(`${config.database.multiAz ? 'a forced Multi-AZ failover of the database and ' : ''}one network loss per AZ (${zones.length})${regionLoss ? ' and the region loss' : ''}`, () => {
    expect(experiments.map((e) => Object.values(e.Actions as Json)[0].ActionId).sort()).toEqual(
      [
        ...(config.database.multiAz ? ['aws:rds:reboot-db-instances'] : []),
        ...zones.map(() => 'aws:network:disrupt-connectivity'),
        ...(regionLoss ? ['aws:network:disrupt-connectivity'] : []),
      ].sort(),
    );
    if (config.database.multiAz) {
      ops.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
        Targets: {
          Database: {
            ResourceType: 'aws:rds:db',
            ResourceArns: [instanceArn],
            SelectionMode: 'ALL',
          },
        },
        Actions: {
          Failover: {
            ActionId: 'aws:rds:reboot-db-instances',
            Parameters: { forceFailover: 'true' },
            Targets: { DBInstances: 'Database' },
          },
        },
      });
    }
    for (const zone of zones) {
      ops.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
        Description: Match.stringLikeRegexp(
          `${zone} function subnets cut off for ${config.recovery.azLoss.rtoSeconds} s`,
        ),
        Targets: {
          Subnets: {
            ResourceType: 'aws:ec2:subnet',
            ResourceArns: [Match.anyValue()],
            SelectionMode: 'ALL',
          },
        },
        Actions: {
          DisruptNetwork: {
            ActionId: 'aws:network:disrupt-connectivity',
            Parameters: { scope: 'all', duration: `PT${config.recovery.azLoss.rtoSeconds}S` },
            Targets: { Subnets: 'Subnets' },
          },
        },
      });
    }
  });

  test('every AZ and database experiment stops on the SLO burn-rate alarms; each logs to an encrypted log group', () => {
    expect(experiments.length).toBeGreaterThan(0);
    for (const experiment of experiments.filter((e) => !isRegionLoss(e))) {
      expect(experiment.StopConditions).toEqual([
        { Source: 'aws:cloudwatch:alarm', Value: expect.anything() },
        { Source: 'aws:cloudwatch:alarm', Value: expect.anything() },
      ]);
    }
    ops.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      StopConditions: [
        { Source: 'aws:cloudwatch:alarm', Value: sloArn('SloAvailability') },
        { Source: 'aws:cloudwatch:alarm', Value: sloArn('SloLatency') },
      ],
      LogConfiguration: {
        CloudWatchLogsConfiguration: {
          LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FaultInjectionLogs'), 'Arn'] },
        },
        LogSchemaVersion: 2,
      },
    });
    const [, logGroup] = resourcesOf(json, 'AWS::Logs::LogGroup').find(([id]) =>
      id.startsWith('FaultInjectionLogs'),
    )!;
    expect(logGroup.Properties.KmsKeyId).toBeDefined();
    expect(logGroup.Properties.RetentionInDays).toBe(config.functions.logRetentionDays);
  });

  test('a role only FIS of this account assumes, that may reboot this instance and swap network ACLs of the function subnets', () => {
    const [, role] = resourcesOf(json, 'AWS::IAM::Role').find(([id]) => id.startsWith('FaultInjectionRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'fis.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': config.account } },
      },
    ]);
    const statements = role.Properties.Policies[0].PolicyDocument.Statement as Json[];
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(byAction('rds:RebootDBInstance').map((s) => s.Resource)).toEqual(
      config.database.multiAz ? [instanceArn] : [],
    );
    expect(byAction('ec2:DeleteNetworkAcl')[0].Condition).toEqual({
      StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' },
    });
    expect(byAction('ec2:CreateNetworkAcl')[0].Condition).toEqual({
      StringEquals: { 'aws:RequestTag/managedByFIS': 'true' },
    });
    const swapped = byAction('ec2:ReplaceNetworkAclAssociation')[0].Resource as Json[];
    // Every ACL (FIS's and the subnet's own) and the function subnets, one per AZ, and for the
    // region loss the data subnets too: nothing else.
    expect(swapped).toHaveLength(1 + zones.length * (regionLoss ? 2 : 1));
    expect(swapped.slice(1)).toEqual(
      [...zones, ...(regionLoss ? zones : [])].map(() => ({
        'Fn::Join': [
          '',
          [
            `arn:aws:ec2:${config.region}:${config.account}:subnet/`,
            { 'Fn::GetStackOutput': expect.anything() },
          ],
        ],
      })),
    );
  });

  test('the experiment ids are stack outputs the drill runner reads', () => {
    const outputs = Object.values(json.Outputs as Record<string, Json>).filter((o) =>
      /^rampart-.*-fis-/.test(o.Export?.Name ?? ''),
    );
    expect(outputs.map((o) => o.Export.Name).sort()).toEqual(
      [
        ...(config.database.multiAz ? [`rampart-${name}-fis-database-failover`] : []),
        ...zones.map((zone) => `rampart-${name}-fis-az-network-loss-${zone}`),
        ...(regionLoss ? [`rampart-${name}-fis-region-loss`] : []),
      ].sort(),
    );
    for (const output of outputs) expect(output.Value).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
  });

  if (!regionLoss) {
    test('no region-loss objective: no region-loss experiment and no overrun alarm', () => {
      expect(experiments.filter(isRegionLoss)).toEqual([]);
      expect(
        resourcesOf(json, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
          /region-fault/.test(a.Properties.AlarmName),
        ),
      ).toEqual([]);
    });
    return;
  }

  const faultSeconds = Math.min(2 * regionLoss.rtoSeconds, 12 * 3600);
  const subnetArn = (tier: 'Functions' | 'Data') => ({
    'Fn::Join': [
      '',
      [
        `arn:aws:ec2:${config.region}:${config.account}:subnet/`,
        {
          'Fn::GetStackOutput': {
            StackName: `Rampart-${name}-Network`,
            Region: config.region,
            OutputName: expect.stringMatching(new RegExp(`^PublishOutputRefNetworkVpc${tier}Subnet`)),
          },
        },
      ],
    ],
  });

  test(`the region loss: every function and data subnet cut off for ${faultSeconds} s, tagged for the region-failover drill`, () => {
    const [, template] = resourcesOf(json, 'AWS::FIS::ExperimentTemplate').find(([id]) =>
      id.startsWith('FaultInjectionRegionLoss'),
    )!;
    expect(template.Properties.Targets).toEqual({
      Subnets: {
        ResourceType: 'aws:ec2:subnet',
        ResourceArns: [...zones.map(() => subnetArn('Functions')), ...zones.map(() => subnetArn('Data'))],
        SelectionMode: 'ALL',
      },
    });
    // Six distinct subnets: each AZ's function and data subnet once.
    const ids = (template.Properties.Targets.Subnets.ResourceArns as Json[]).map(
      (arn) => arn['Fn::Join'][1][1]['Fn::GetStackOutput'].OutputName,
    );
    expect(new Set(ids).size).toBe(2 * zones.length);
    expect(template.Properties.Actions).toEqual({
      DisruptNetwork: {
        ActionId: 'aws:network:disrupt-connectivity',
        Description: 'Deny all traffic in and out of every function and data subnet, in every AZ',
        Parameters: { scope: 'all', duration: `PT${faultSeconds}S` },
        Targets: { Subnets: 'Subnets' },
      },
    });
    // The drill finds it by these tags (lib/drill/aws/adapters.ts FIS_TEMPLATE_TAGS).
    expect(template.Properties.Tags).toEqual({
      project: 'rampart',
      environment: name,
      owner: config.owner,
      Name: `rampart-${name}-region-loss`,
      [FIS_TEMPLATE_TAGS.scenario]: 'region-failover',
      [FIS_TEMPLATE_TAGS.environment]: name,
    });
    // Only the overrun alarm: the SLO composites would stop a region loss within minutes.
    expect(template.Properties.StopConditions).toEqual([
      {
        Source: 'aws:cloudwatch:alarm',
        Value: { 'Fn::GetAtt': [expect.stringMatching(/^AlarmsRegionFaultOverrun/), 'Arn'] },
      },
    ]);
    expect(template.Properties.LogConfiguration.LogSchemaVersion).toBe(2);
    expect(template.Properties.RoleArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^FaultInjectionRole/), 'Arn'],
    });
  });

  /** A per-minute sum of the API stage's metric, as a metric-math input. */
  const stageSum = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApiGateway',
        MetricName: metricName,
        Dimensions: [
          { Name: 'ApiName', Value: `rampart-${name}` },
          { Name: 'Stage', Value: Match.anyValue() },
        ],
      },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: false,
  });

  test('its stop condition: the API failing at the fast-burn rate in every minute of the region-loss RTO', () => {
    const minutes = Math.ceil(Math.min(regionLoss.rtoSeconds, 12 * 3600) / 60);
    const info = stacks.ops.resolve(stacks.ops.topics.topics.info.topicArn);
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `rampart-${name}-region-fault-overrun`,
      AlarmDescription: Match.stringLikeRegexp(
        `^Severity: info\\. Impact: The API answered 5XX above the fast-burn rate for the whole region-loss RTO \\(${regionLoss.rtoSeconds} s\\).* Runbook: https://\\S+/runbooks/alarms/slo-availability\\.md$`,
      ),
      Metrics: [
        {
          Id: 'expr_1',
          Expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          Label: '5XX % of requests',
          ReturnData: true,
        },
        stageSum('errors', '5XXError'),
        stageSum('requests', 'Count'),
      ],
      Threshold: Math.round(14.4 * (100 - config.alarms.slo.availabilityPercent) * 1000) / 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      EvaluationPeriods: minutes,
      DatapointsToAlarm: minutes,
      AlarmActions: [info],
      OKActions: [info],
    });
  });
});

describe.each(ENVIRONMENT_NAMES)('Identity backup (%s)', (name) => {
  const { config, stacks, template } = environments[name];
  const regionLoss = config.recovery.regionLoss;
  const ops = template('ops');
  const json = ops.toJSON() as Json;
  const backups = resourcesOf(json, 'AWS::Lambda::Function').filter(([id]) =>
    id.startsWith('IdentityBackupChecker'),
  );
  const bucketName = `rampart-${name}-identities-${config.account}-${config.drRegion}`;

  if (!regionLoss) {
    test('no region loss declared: no identity backup, no bucket', () => {
      expect(backups).toEqual([]);
      expect(stacks.dataDr?.identityBackups).toBeUndefined();
    });
    return;
  }

  test(`a bucket in ${config.drRegion}, encrypted with the DR key, private, TLS only, kept as long as the snapshot copies`, () => {
    const dr = template('dataDr');
    dr.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: bucketName,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': ['KeyE447D366', 'Arn'] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: config.backup.drCopyRetentionDays, Status: 'Enabled' })],
      },
    });
    expect(stacks.dataDr!.region).toBe(config.drRegion);
    expect(stacks.ops.dependencies).toContain(stacks.dataDr);
  });

  test(`backs up every identity RPO (${regionLoss.identityRpoSeconds} s) through the proxy as rampart_app, writing only identities/ of that bucket`, () => {
    expect(backups).toHaveLength(1);
    const [backupId, backup] = backups[0];
    expect(backup.Properties.Environment.Variables).toMatchObject({
      BACKUP_BUCKET: bucketName,
      DR_REGION: config.drRegion,
      DB_USER: 'rampart_app',
      DB_IAM_AUTH: 'true',
    });
    ops.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: { 3600: 'rate(1 hour)', 86400: 'rate(1 day)' }[regionLoss.identityRpoSeconds],
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [backupId, 'Arn'] } })],
    });
    const role = backup.Properties.Role['Fn::GetAtt'][0];
    const statements = resourcesOf(json, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    expect(statements.find((s) => s.Action === 's3:PutObject')!.Resource).toBe(
      `arn:aws:s3:::${bucketName}/identities/*`,
    );
    expect(statements.find((s) => s.Action === 'kms:GenerateDataKey' && s.Condition)).toEqual({
      Action: 'kms:GenerateDataKey',
      Effect: 'Allow',
      Resource: `arn:aws:kms:${config.drRegion}:${config.account}:key/*`,
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/rampart-${name}-dr` } },
    });
    expect(
      [statements.find((s) => [s.Action].flat().includes('cognito-idp:ListUsers'))!.Action].flat().sort(),
    ).toEqual(['cognito-idp:ListGroups', 'cognito-idp:ListUsers', 'cognito-idp:ListUsersInGroup']);
  });

  test('alarms when no backup was written within the identity RPO, or the backup failed', () => {
    const [, alarm] = resourcesOf(json, 'AWS::CloudWatch::Alarm').find(
      ([, a]) => a.Properties.AlarmName === `rampart-${name}-identity-backup-missing`,
    )!;
    expect(alarm.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      EvaluationPeriods: 1,
      Metrics: expect.arrayContaining([
        expect.objectContaining({ Expression: 'IF(FILL(errors, 0) > 0, 0, FILL(backups, 0))' }),
        expect.objectContaining({
          Id: 'backups',
          MetricStat: expect.objectContaining({
            Metric: {
              Namespace: 'Rampart/Operations',
              MetricName: 'IdentityBackups',
              Dimensions: [{ Name: 'service', Value: 'identity-backup' }],
            },
            Period: regionLoss.identityRpoSeconds,
            Stat: 'Sum',
          }),
        }),
      ]),
    });
  });
});
