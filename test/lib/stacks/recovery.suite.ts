import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES } from '../../../lib/config';
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
