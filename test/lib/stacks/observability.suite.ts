import type { Template } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../../lib/config';
import type { RampartEnvironment } from '../../../lib/rampart-app';
import { DATABASE_WATCH_METRICS } from '../../../lambda/domain/ops/database-watch';
import { RDS_EVENT_SUBSCRIPTIONS } from '../../../lambda/domain/notify/event-alerts';
import { synthEnvironments } from '../../support/synth';

/** The cost watch's statements on the us-east-1 info topic and key (test/lib/cost/cost.suite.ts holds their conditions). */
const COST_ALERT_STATEMENTS = [
  expect.objectContaining({ Sid: 'AllowBudgets', Principal: { Service: 'budgets.amazonaws.com' } }),
  expect.objectContaining({
    Sid: 'AllowCostAnomalyDetection',
    Principal: { Service: 'costalerts.amazonaws.com' },
  }),
];

/**
 * Issue 15 §5 on the synthesized templates of every environment: tracing, access logs, retained and
 * encrypted logs, the RDS log exports' encryption, the conditions on every policy that admits an
 * AWS service, and the alarms the review found missing (RDS events, backup absence, DR copies and
 * replication, Cognito, certificate expiry, pending maintenance).
 */
const environments = synthEnvironments();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Part = keyof RampartEnvironment;

const ACCOUNTS: Record<EnvironmentName, string> = {
  dev: '111111111111',
  staging: '222222222222',
  prod: '333333333333',
};

function resources(template: Template, type?: string): [string, Json][] {
  return Object.entries(template.toJSON().Resources as Record<string, Json>).filter(
    ([, resource]) => type === undefined || resource.Type === type,
  );
}

/** The stacks of an environment that exist, with their templates. */
function stacksOf(name: EnvironmentName): [Part, Template][] {
  const env = environments[name];
  return (Object.keys(env.stacks) as Part[])
    .filter((part) => env.stacks[part] !== undefined)
    .map((part) => [part, env.template(part)]);
}

/** Functions built by RampartFunction (Powertools service set), as opposed to CDK's providers. */
function rampartFunctions(template: Template): [string, Json][] {
  return resources(template, 'AWS::Lambda::Function').filter(
    ([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
  );
}

describe.each(ENVIRONMENT_NAMES)('Observability and patching (%s)', (name) => {
  const { config, template } = environments[name];
  const account = ACCOUNTS[name];
  const region = config.region;
  const retained = name !== 'dev';

  test('the committed account ids are the ones this suite expects', () => {
    expect(config.account).toBe(account);
  });

  test('every Rampart function traces actively, and so does the API stage: one trace from API Gateway to the function', () => {
    let count = 0;
    for (const [, stack] of stacksOf(name)) {
      for (const [id, fn] of rampartFunctions(stack)) {
        count += 1;
        expect({ id, tracing: fn.Properties.TracingConfig }).toEqual({ id, tracing: { Mode: 'Active' } });
      }
    }
    // Routes, authorizer, worker, relay, cleanup, rotations, JWKS fetcher, migrations, notifier, watches.
    expect(count).toBeGreaterThanOrEqual(25);
    const [[, stage]] = resources(template('api'), 'AWS::ApiGateway::Stage');
    expect(stage.Properties.TracingEnabled).toBe(true);
  });

  test('the access log format, exactly: edge address, trace id, Lambda request id, authorizer and integration errors', () => {
    const [[, stage]] = resources(template('api'), 'AWS::ApiGateway::Stage');
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format as string)).toEqual({
      requestId: '$context.requestId',
      extendedRequestId: '$context.extendedRequestId',
      xrayTraceId: '$context.xrayTraceId',
      edgeIp: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integration.latency',
      integrationStatus: '$context.integration.status',
      integrationRequestId: '$context.integration.requestId',
      integrationError: '$context.integration.error',
      integrationErrorMessage: '$context.integrationErrorMessage',
      principalId: '$context.authorizer.principalId',
      authType: '$context.authorizer.authType',
      authorizerLatency: '$context.authorizer.latency',
      authorizerStatus: '$context.authorizer.integrationStatus',
      authorizerError: '$context.authorizer.error',
      authorizeStatus: '$context.authorize.status',
      authorizeError: '$context.authorize.error',
      apiKeyId: '$context.identity.apiKeyId',
      errorResponseType: '$context.error.responseType',
      errorMessage: '$context.error.message',
      wafStatus: '$context.waf.status',
      wafError: '$context.waf.error',
    });
    // The client's address is not a $context variable; `ip` is gone rather than mislabelled.
    expect(stage.Properties.AccessLogSetting.Format).not.toContain('"ip"');
  });

  test(`function log groups: encrypted, ${config.functions.logRetentionDays} days, ${retained ? 'kept' : 'deleted'} with the stack`, () => {
    for (const [part, stack] of stacksOf(name)) {
      const logGroups = Object.fromEntries(resources(stack, 'AWS::Logs::LogGroup'));
      for (const [id, fn] of rampartFunctions(stack)) {
        const groupId = (fn.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref;
        const group = logGroups[groupId];
        expect({
          part,
          id,
          group: group && { ...group, Properties: { ...group.Properties, Tags: undefined } },
        }).toEqual({
          part,
          id,
          group: {
            Type: 'AWS::Logs::LogGroup',
            Properties: {
              KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/Key/), 'Arn'] },
              RetentionInDays: config.functions.logRetentionDays,
              Tags: undefined,
            },
            DeletionPolicy: retained ? 'Retain' : 'Delete',
            UpdateReplacePolicy: retained ? 'Retain' : 'Delete',
          },
        });
      }
    }
    if (name === 'prod') {
      expect(config.functions.logRetentionDays).toBeGreaterThanOrEqual(365);
      expect(config.database.cloudwatchLogsRetentionDays).toBeGreaterThanOrEqual(365);
      expect(config.api.accessLogRetentionDays).toBeGreaterThanOrEqual(365);
    }
  });

  test('the RDS log exports are encrypted with the data key once they exist, and keep the configured retention', () => {
    const data = template('data');
    const instanceRef = { Ref: 'DatabaseInstanceAA8A5FDE' };
    const keyArn = { 'Fn::GetAtt': ['KeyE447D366', 'Arn'] };
    const associations = resources(data, 'Custom::AWS');
    expect(associations.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^DatabaseLogExportsPostgresqlEncryption/),
      expect.stringMatching(/^DatabaseLogExportsUpgradeEncryption/),
    ]);
    for (const logType of ['postgresql', 'upgrade']) {
      const [, association] = associations.find(([id]) =>
        id.includes(`${logType[0].toUpperCase()}${logType.slice(1)}Encryption`),
      )!;
      const call = {
        'Fn::Join': [
          '',
          [
            '{"service":"CloudWatchLogs","action":"associateKmsKey","parameters":{"logGroupName":"/aws/rds/instance/',
            instanceRef,
            `/${logType}","kmsKeyId":"`,
            keyArn,
            '"},"physicalResourceId":{"id":"/aws/rds/instance/',
            instanceRef,
            `/${logType}"}}`,
          ],
        ],
      };
      expect(association.Properties.Create).toEqual(call);
      expect(association.Properties.Update).toEqual(call);
      expect(association.Properties.Delete).toBeUndefined();
      const [retentionId, retention] = resources(data, 'Custom::LogRetention').find(([, r]) =>
        JSON.stringify(r.Properties.LogGroupName).includes(`/${logType}"`),
      )!;
      expect(retention.Properties.RetentionInDays).toBe(config.database.cloudwatchLogsRetentionDays);
      expect(association.DependsOn).toContain(retentionId);
    }
    const policies = resources(data, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('DatabaseLogExports'),
    );
    expect(policies.map(([, p]) => p.Properties.PolicyDocument.Statement)).toEqual(
      ['postgresql', 'upgrade'].map((logType) => [
        {
          Action: 'logs:AssociateKmsKey',
          Effect: 'Allow',
          Resource: ['', ':*'].map((suffix) => ({
            'Fn::Join': [
              '',
              [
                `arn:aws:logs:${region}:${account}:log-group:/aws/rds/instance/`,
                instanceRef,
                `/${logType}${suffix}`,
              ],
            ],
          })),
        },
      ]),
    );
  });

  test('every KMS key policy that admits CloudWatch Logs limits it to this account and region by encryption context', () => {
    let keys = 0;
    for (const [part, stack] of stacksOf(name)) {
      const stackRegion = environments[name].stacks[part]!.region;
      for (const [id, key] of resources(stack, 'AWS::KMS::Key')) {
        const logs = (key.Properties.KeyPolicy.Statement as Json[]).filter(
          (s) => typeof s.Principal?.Service === 'string' && s.Principal.Service.startsWith('logs.'),
        );
        if (logs.length === 0) continue;
        keys += 1;
        expect({ part, id, logs }).toEqual({
          part,
          id,
          logs: [
            {
              Sid: 'AllowCloudWatchLogsOfThisAccount',
              Effect: 'Allow',
              Principal: { Service: `logs.${stackRegion}.amazonaws.com` },
              Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
              Resource: '*',
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stackRegion}:${account}:log-group:*`,
                },
              },
            },
          ],
        });
      }
    }
    expect(keys).toBeGreaterThanOrEqual(4); // data, api, ops topics, edge WAF logs (and the DR key where it exists)
  });

  test('no key or topic policy admits an AWS service without a condition, except EventBridge on the topic keys', () => {
    for (const [part, stack] of stacksOf(name)) {
      const documents: [string, Json[]][] = [
        ...resources(stack, 'AWS::KMS::Key').map(
          ([id, key]) => [id, key.Properties.KeyPolicy.Statement] as [string, Json[]],
        ),
        ...resources(stack, 'AWS::SNS::TopicPolicy').map(
          ([id, policy]) => [id, policy.Properties.PolicyDocument.Statement] as [string, Json[]],
        ),
      ];
      for (const [id, statements] of documents) {
        for (const statement of statements) {
          if (statement.Effect !== 'Allow' || statement.Principal?.Service === undefined) continue;
          const documentedException =
            /^TopicsKey/.test(id) && statement.Principal.Service === 'events.amazonaws.com';
          expect({ part, id, sid: statement.Sid, conditioned: statement.Condition !== undefined }).toEqual({
            part,
            id,
            sid: statement.Sid,
            conditioned: !documentedException,
          });
        }
      }
    }
  });

  describe.each(['ops', 'opsGlobal'] as const)('alarm topics and their key (%s)', (part) => {
    const stack = () => environments[name].stacks[part];
    const stackRegion = () => stack().region;
    const alarmArn = () => `arn:aws:cloudwatch:${stackRegion()}:${account}:alarm:rampart-${name}-*`;
    const instanceArn = {
      'Fn::Join': [
        '',
        [
          `arn:aws:rds:${region}:${account}:db:`,
          {
            'Fn::GetStackOutput': {
              StackName: `Rampart-${name}-Data`,
              Region: region,
              OutputName: 'PublishOutputRefDatabaseInstanceAA8A5FDE96074C11',
            },
          },
        ],
      ],
    };

    test('the key: CloudWatch for Rampart alarms of this account, EventBridge, CloudWatch Logs, RDS events of the database (regional only)', () => {
      const [[, key]] = resources(template(part), 'AWS::KMS::Key').filter(([id]) =>
        id.startsWith('TopicsKey'),
      );
      const services = (key.Properties.KeyPolicy.Statement as Json[]).filter((s) => s.Principal?.Service);
      expect(services).toEqual([
        {
          Sid: 'AllowCloudWatchAlarms',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': alarmArn() },
          },
        },
        {
          Sid: 'AllowEventBridgeRules',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
        ...(part === 'opsGlobal' ? COST_ALERT_STATEMENTS : []),
        ...(part === 'ops'
          ? [
              expect.objectContaining({ Sid: 'AllowCloudWatchLogsOfThisAccount' }),
              {
                Sid: 'AllowRdsEventSubscriptions',
                Effect: 'Allow',
                Principal: { Service: 'events.rds.amazonaws.com' },
                Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
                Resource: '*',
                Condition: {
                  StringEquals: { 'aws:SourceAccount': account },
                  ArnLike: { 'aws:SourceArn': instanceArn },
                },
              },
            ]
          : []),
      ]);
    });

    test('each topic: TLS only; publishers limited to this account and their source resources', () => {
      const policies = resources(template(part), 'AWS::SNS::TopicPolicy');
      expect(policies).toHaveLength(3);
      for (const [id, policy] of policies) {
        const topic = (policy.Properties.Topics as { Ref: string }[])[0];
        const severity = /Topics(Critical|Warning|Info)TopicPolicy/.exec(id)![1].toLowerCase();
        expect({ id, statements: policy.Properties.PolicyDocument.Statement }).toEqual({
          id,
          statements: [
            {
              Sid: 'AllowPublishThroughSSLOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: topic,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            {
              Sid: 'AllowCloudWatchAlarms',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topic,
              Condition: {
                StringEquals: { 'aws:SourceAccount': account },
                ArnLike: { 'aws:SourceArn': alarmArn() },
              },
            },
            {
              Sid: 'AllowEventBridgeRules',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topic,
              Condition: {
                StringEquals: { 'aws:SourceAccount': account },
                ArnLike: { 'aws:SourceArn': `arn:aws:events:${stackRegion()}:${account}:rule/*` },
              },
            },
            ...(part === 'opsGlobal' && severity === 'info' ? COST_ALERT_STATEMENTS : []),
            ...(part === 'ops' && severity !== 'info'
              ? [
                  {
                    Sid: 'AllowRdsEventSubscriptions',
                    Effect: 'Allow',
                    Principal: { Service: 'events.rds.amazonaws.com' },
                    Action: 'sns:Publish',
                    Resource: topic,
                    Condition: {
                      StringEquals: { 'aws:SourceAccount': account },
                      ArnLike: { 'aws:SourceArn': instanceArn },
                    },
                  },
                ]
              : []),
          ],
        });
      }
    });
  });

  test('RDS event subscriptions: outage categories to the critical topic, maintenance and notices to warning, this instance only', () => {
    const ops = template('ops');
    const subscriptions = resources(ops, 'AWS::RDS::EventSubscription');
    const instanceId = {
      'Fn::GetStackOutput': {
        StackName: `Rampart-${name}-Data`,
        Region: region,
        OutputName: 'PublishOutputRefDatabaseInstanceAA8A5FDE96074C11',
      },
    };
    expect(subscriptions.map(([, s]) => ({ ...s.Properties, Tags: undefined }))).toEqual([
      {
        Enabled: true,
        EventCategories: ['availability', 'failover', 'failure', 'low storage', 'recovery'],
        SnsTopicArn: { Ref: expect.stringMatching(/^TopicsCriticalTopic/) },
        SourceIds: [instanceId],
        SourceType: 'db-instance',
        Tags: undefined,
      },
      {
        Enabled: true,
        EventCategories: ['maintenance', 'notification', 'security patching'],
        SnsTopicArn: { Ref: expect.stringMatching(/^TopicsWarningTopic/) },
        SourceIds: [instanceId],
        SourceType: 'db-instance',
        Tags: undefined,
      },
    ]);
    expect(RDS_EVENT_SUBSCRIPTIONS.categories).toEqual({
      critical: subscriptions[0][1].Properties.EventCategories,
      warning: subscriptions[1][1].Properties.EventCategories,
    });
    // Created after the topic policies and the key that let RDS publish.
    for (const [, subscription] of subscriptions) {
      expect(subscription.DependsOn).toEqual(
        expect.arrayContaining([expect.stringMatching(/^TopicsKey/), expect.stringMatching(/TopicPolicy/)]),
      );
    }
  });

  test('the database watch: every 30 minutes, reads only RDS metadata, its DLQ key, and the DR checks only where configured', () => {
    const ops = template('ops');
    const [[fnId, fn]] = resources(ops, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('DatabaseWatchChecker'),
    );
    const dr = config.backup.copyToDrRegion || config.database.replicateBackupsToDrRegion;
    expect(fn.Properties.Environment.Variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'database-watch',
      POWERTOOLS_METRICS_NAMESPACE: 'Rampart/Operations',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      DB_INSTANCE_ID: {
        'Fn::GetStackOutput': {
          StackName: `Rampart-${name}-Data`,
          Region: region,
          OutputName: 'PublishOutputRefDatabaseInstanceAA8A5FDE96074C11',
        },
      },
      ...(dr
        ? {
            DR_REGION: config.drRegion,
            WATCH_DR_COPIES: String(config.backup.copyToDrRegion),
            WATCH_REPLICATION: String(config.database.replicateBackupsToDrRegion),
          }
        : {}),
    });
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    const [[, rule]] = resources(ops, 'AWS::Events::Rule').filter(([id]) =>
      id.startsWith('DatabaseWatchSchedule'),
    );
    expect(rule.Properties.ScheduleExpression).toBe('rate(30 minutes)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
      }),
    ]);
    const [[, policy]] = resources(ops, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('DatabaseWatchChecker'),
    );
    const regions = [region, ...(dr ? [config.drRegion] : [])];
    const arns = (resource: string) => regions.flatMap((r) => [`arn:aws:rds:${r}:${account}:${resource}:*`]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SlackDeadLetterQueue/), 'Arn'] },
      },
      {
        Action: [
          'rds:DescribePendingMaintenanceActions',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ],
        Effect: 'Allow',
        Resource: '*',
      },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TopicsKey/), 'Arn'] },
      },
      {
        Action: 'rds:DescribeDBInstances',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              `arn:aws:rds:${region}:${account}:db:`,
              {
                'Fn::GetStackOutput': {
                  StackName: `Rampart-${name}-Data`,
                  Region: region,
                  OutputName: 'PublishOutputRefDatabaseInstanceAA8A5FDE96074C11',
                },
              },
            ],
          ],
        },
      },
      {
        Action: 'rds:DescribeDBSnapshots',
        Effect: 'Allow',
        Resource: regions.flatMap((r) => [
          `arn:aws:rds:${r}:${account}:db:*`,
          `arn:aws:rds:${r}:${account}:snapshot:*`,
        ]),
      },
      ...(config.database.replicateBackupsToDrRegion
        ? [
            {
              Action: 'rds:DescribeDBInstanceAutomatedBackups',
              Effect: 'Allow',
              Resource: arns('auto-backup'),
            },
          ]
        : []),
    ]);
  });

  test('database watch alarms: backup absence (and DR copy, replication where configured), pending maintenance; silence breaches', () => {
    const alarms = Object.fromEntries(
      resources(template('ops'), 'AWS::CloudWatch::Alarm').map(([, a]) => [
        a.Properties.AlarmName,
        a.Properties,
      ]),
    );
    const expected: [string, string, number, string][] = [
      ['backup-missing', DATABASE_WATCH_METRICS.backupAge, 26, 'critical'],
      ...(config.backup.copyToDrRegion
        ? [
            ['dr-copy-missing', DATABASE_WATCH_METRICS.drCopyAge, 30, 'critical'] as [
              string,
              string,
              number,
              string,
            ],
          ]
        : []),
      ...(config.database.replicateBackupsToDrRegion
        ? [
            ['backup-replication-lag', DATABASE_WATCH_METRICS.replicationLag, 60, 'critical'] as [
              string,
              string,
              number,
              string,
            ],
          ]
        : []),
      ['db-pending-maintenance', DATABASE_WATCH_METRICS.pendingMaintenance, 0, 'warning'],
    ];
    const watchAlarms = Object.keys(alarms).filter((alarmName) =>
      (alarms[alarmName].Dimensions as Json[] | undefined)?.some((d) => d.Value === 'database-watch'),
    );
    expect(watchAlarms.sort()).toEqual(expected.map(([signal]) => `rampart-${name}-${signal}`).sort());
    for (const [signal, metricName, threshold, severity] of expected) {
      const alarm = alarms[`rampart-${name}-${signal}`];
      expect(alarm).toMatchObject({
        Namespace: 'Rampart/Operations',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'database-watch' }],
        Statistic: 'Maximum',
        Period: 3600,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
      });
      expect(alarm.AlarmDescription).toMatch(
        new RegExp(`^Severity: ${severity}\\. .* Runbook: https://\\S+/runbooks/alarms/${signal}\\.md$`),
      );
    }
  });

  test('Cognito: throttled sign-ins and refreshes of both clients; high-risk sign-ins where threat protection is on', () => {
    const alarms = Object.fromEntries(
      resources(template('ops'), 'AWS::CloudWatch::Alarm').map(([, a]) => [
        a.Properties.AlarmName,
        a.Properties,
      ]),
    );
    const output = (outputName: RegExp) =>
      expect.objectContaining({
        'Fn::GetStackOutput': expect.objectContaining({
          StackName: `Rampart-${name}-Auth`,
          OutputName: expect.stringMatching(outputName),
        }),
      });
    const throttles = alarms[`rampart-${name}-auth-throttled-requests`];
    expect(throttles.Metrics[0]).toEqual({
      Expression: 'SUM(METRICS())',
      Id: 'expr_1',
      Label: 'throttled sign-ins and refreshes',
      ReturnData: true,
    });
    expect(
      (throttles.Metrics as Json[])
        .slice(1)
        .map((m) => [m.Label, m.MetricStat.Metric.Namespace, m.MetricStat.Stat, m.MetricStat.Period]),
    ).toEqual([
      ['login SignInThrottles', 'AWS/Cognito', 'Sum', 60],
      ['login TokenRefreshThrottles', 'AWS/Cognito', 'Sum', 60],
      ['machine SignInThrottles', 'AWS/Cognito', 'Sum', 60],
      ['machine TokenRefreshThrottles', 'AWS/Cognito', 'Sum', 60],
    ]);
    expect((throttles.Metrics as Json[])[1].MetricStat.Metric.Dimensions).toEqual([
      { Name: 'UserPool', Value: output(/^PublishOutputRefDirectoryUserPool[0-9A-F]/) },
      { Name: 'UserPoolClient', Value: output(/LoginClient/) },
    ]);
    expect(throttles).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });

    const highRisk = alarms[`rampart-${name}-auth-high-risk-sign-ins`];
    if (!config.auth.plusFeatures) {
      expect(highRisk).toBeUndefined();
      return;
    }
    expect(highRisk).toMatchObject({
      Namespace: 'AWS/Cognito',
      MetricName: 'AccountTakeOverRisk',
      Dimensions: [
        { Name: 'Operation', Value: 'SignIn' },
        { Name: 'RiskLevel', Value: 'high' },
        { Name: 'UserPoolId', Value: output(/^PublishOutputRefDirectoryUserPool[0-9A-F]/) },
      ],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('certificate expiry: in us-east-1 where the custom domain is, below 45 days; an expired certificate stops reporting and breaches', () => {
    const alarms = resources(template('opsGlobal'), 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.Namespace === 'AWS/CertificateManager',
    );
    if (!config.edge.domain) {
      expect(alarms).toEqual([]);
      return;
    }
    expect(
      alarms.map(([, a]) => ({
        ...a.Properties,
        AlarmActions: undefined,
        OKActions: undefined,
        Tags: undefined,
        AlarmDescription: undefined,
      })),
    ).toEqual([
      {
        AlarmName: `rampart-${name}-edge-certificate-days-to-expiry`,
        Namespace: 'AWS/CertificateManager',
        MetricName: 'DaysToExpiry',
        Dimensions: [
          {
            Name: 'CertificateArn',
            Value:
              config.edge.domain.certificateArn ??
              expect.objectContaining({
                'Fn::GetStackOutput': expect.objectContaining({
                  StackName: `Rampart-${name}-Edge`,
                  Region: 'us-east-1',
                }),
              }),
          },
        ],
        Statistic: 'Minimum',
        Period: 86400,
        Threshold: 45,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        AlarmActions: undefined,
        OKActions: undefined,
        Tags: undefined,
        AlarmDescription: undefined,
      },
    ]);
    expect(environments[name].stacks.opsGlobal.region).toBe('us-east-1');
  });
});
