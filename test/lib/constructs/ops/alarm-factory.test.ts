import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { loadEnvironmentConfig } from '../../../../lib/config';
import { AlarmFactory, kebab } from '../../../../lib/constructs/ops/alarm-factory';
import { SeverityTopics } from '../../../../lib/constructs/ops/severity-topics';
import { SlackDelivery } from '../../../../lib/constructs/ops/slack-delivery';
import { testApp } from '../../../support/synth';

const env = { account: '123456789012', region: 'eu-west-1' };
const metric = new Metric({
  namespace: 'Test',
  metricName: 'Errors',
  statistic: 'Sum',
  period: Duration.minutes(1),
});

function factory(stack: Stack, docsBaseUrl = 'https://docs.example.com/rampart/', componentPrefix?: string) {
  const topics = new SeverityTopics(stack, 'Topics', { environment: 'test' });
  return new AlarmFactory(stack, 'Alarms', {
    app: 'rampart',
    environment: 'test',
    docsBaseUrl,
    dashboardUrl:
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/rampart-test-ops',
    topics: topics.topics,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    componentPrefix,
  });
}

const spec = {
  runbook: 'lambda-errors',
  component: 'get-project',
  signal: 'errors',
  severity: 'warning' as const,
  impact: 'GET /projects/{id} fails.',
  metric,
  threshold: 5,
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  treatMissingData: TreatMissingData.NOT_BREACHING,
};

describe('AlarmFactory', () => {
  test('a component prefix goes before every component, in the name and the construct id', () => {
    const stack = new Stack(testApp(), 'S', { env });
    const alarms = factory(stack, undefined, 'standby');
    alarms.metricAlarm(spec);
    expect(alarms.alarmName('worker', 'errors')).toBe('rampart-test-standby-worker-errors');
    const found = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    expect(Object.entries(found).map(([id, alarm]) => [id, alarm.Properties.AlarmName])).toEqual([
      [
        expect.stringMatching(/^AlarmsStandbyGetProjectErrors[0-9A-F]{8}$/),
        'rampart-test-standby-get-project-errors',
      ],
    ]);
  });

  test('names, describes and routes an alarm, with explicit M of N and missing data', () => {
    const stack = new Stack(testApp(), 'S', { env });
    const alarms = factory(stack);
    alarms.metricAlarm(spec);
    const template = Template.fromStack(stack);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) =>
      id.includes('Warning'),
    )!;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'rampart-test-get-project-errors',
      AlarmDescription:
        'Severity: warning. Impact: GET /projects/{id} fails. Dashboard: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/rampart-test-ops Runbook: https://docs.example.com/rampart/runbooks/alarms/lambda-errors.md',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    });
    expect(alarms.entries.map((e) => [e.alarmName, e.runbook, e.severity])).toEqual([
      ['rampart-test-get-project-errors', 'lambda-errors', 'warning'],
    ]);
  });

  test('datapointsToAlarm never exceeds a smaller evaluationPeriods', () => {
    const stack = new Stack(testApp(), 'S', { env });
    factory(stack).metricAlarm({ ...spec, evaluationPeriods: 1 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
    });
  });

  test('refuses names that are not kebab-case, a docs URL without a trailing slash and descriptions over 1024 characters', () => {
    const stack = new Stack(testApp(), 'S', { env });
    const alarms = factory(stack);
    expect(() => alarms.metricAlarm({ ...spec, component: 'getProject' })).toThrow(
      'AlarmFactory: component "getProject" must be kebab-case',
    );
    expect(() => alarms.metricAlarm({ ...spec, impact: 'x'.repeat(1000) })).toThrow(
      /characters; CloudWatch allows 1024/,
    );
    expect(() => factory(new Stack(testApp(), 'T', { env }), 'https://docs.example.com')).toThrow(
      'docsBaseUrl must end with /',
    );
  });

  test('burn-rate SLO: four window alarms to info, one critical composite with the suppressor', () => {
    const stack = new Stack(testApp(), 'S', { env });
    const alarms = factory(stack);
    const suppressor = alarms.metricAlarm({
      ...spec,
      component: 'ops',
      signal: 'maintenance-mode',
      severity: 'info',
    });
    alarms.burnRateSlo({
      runbook: 'slo-availability',
      component: 'slo-availability',
      impact: 'Budget burns.',
      objectivePercent: 99.9,
      badPercent: (window) => metric.with({ period: window }),
      actionsSuppressor: suppressor,
    });
    const template = Template.fromStack(stack);
    const windows = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties)
      .filter((p) => p.AlarmName.includes('burn'))
      .map((p) => [p.AlarmName, p.Threshold, p.Period]);
    expect(windows).toEqual([
      ['rampart-test-slo-availability-burn-fast-1h', 1.44, 3600],
      ['rampart-test-slo-availability-burn-fast-5m', 1.44, 300],
      ['rampart-test-slo-availability-burn-slow-6h', 0.6, 21600],
      ['rampart-test-slo-availability-burn-slow-30m', 0.6, 1800],
    ]);
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'rampart-test-slo-availability-burn-rate',
      ActionsSuppressorWaitPeriod: 60,
      ActionsSuppressorExtensionPeriod: 600,
    });
    expect(alarms.entries.filter((e) => e.severity === 'critical').map((e) => e.alarmName)).toEqual([
      'rampart-test-slo-availability-burn-rate',
    ]);
  });

  test('kebab', () => {
    expect(kebab('getProject')).toBe('get-project');
    expect(kebab('healthReady')).toBe('health-ready');
    expect(kebab('ApiKeyUsage')).toBe('api-key-usage');
  });
});

describe('SlackDelivery', () => {
  function delivery(routeAllToOneChannel: boolean) {
    const stack = new Stack(testApp(), 'S', { env });
    const config = loadEnvironmentConfig('prod');
    const topics = new SeverityTopics(stack, 'Topics', { environment: 'prod' });
    const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new SlackDelivery(stack, 'Slack', {
      environment: 'prod',
      alarms: { ...config.alarms, routeAllToOneChannel },
      topics: topics.topics,
      key: topics.key,
      network: { vpc, subnets: { subnets: vpc.privateSubnets } },
      logRetentionDays: 30,
    });
    return Template.fromStack(stack);
  }

  test('one Chatbot channel per severity, or one for all when routeAllToOneChannel', () => {
    expect(
      Object.keys(delivery(false).findResources('AWS::Chatbot::SlackChannelConfiguration')),
    ).toHaveLength(3);
    const single = delivery(true);
    const channels = Object.values(single.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    expect(
      channels.map((c) => [
        c.Properties.ConfigurationName,
        c.Properties.SlackChannelId,
        c.Properties.SnsTopicArns.length,
      ]),
    ).toEqual([['rampart-prod-all', 'C0000WARNING', 3]]);
    single.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ROUTE_ALL_TO_ONE_CHANNEL: 'true' } },
    });
  });

  test('the notifier reads only its webhook secret (decrypting through Secrets Manager) and can write its encrypted DLQ', () => {
    const template = delivery(false);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        p.Properties.PolicyDocument.Statement as {
          Action: unknown;
          Resource: unknown;
          Condition?: unknown;
        }[],
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rampart/prod/slack-webhook-??????',
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      }),
    );
    const dlq = Object.keys(template.findResources('AWS::SQS::Queue'))[0];
    const key = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlq, 'Arn'] } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
      }),
    );
  });
});
