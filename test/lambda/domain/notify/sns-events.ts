import type { SNSEvent } from 'aws-lambda';

export const TOPIC_ARNS = {
  critical: 'arn:aws:sns:eu-west-1:111111111111:Rampart-dev-Ops-CriticalTopic1A2B3C-AbCdEf',
  warning: 'arn:aws:sns:eu-west-1:111111111111:Rampart-dev-Ops-WarningTopic4D5E6F-GhIjKl',
  info: 'arn:aws:sns:eu-west-1:111111111111:Rampart-dev-Ops-InfoTopic7G8H9I-MnOpQr',
} as const;

const DOCS = 'https://github.com/example-org/rampart/blob/main/';
const DASHBOARD =
  'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/rampart-dev-ops';

/** An SNS event exactly as Lambda receives it from a topic subscription. */
export function snsEvent(
  message: unknown,
  options: { topicArn?: string; messageId?: string; subject?: string } = {},
): SNSEvent {
  const topicArn = options.topicArn ?? TOPIC_ARNS.warning;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:2f0b8c7e-1d2a-4d7e-9a51-3c0b6a1e2f90`,
        Sns: {
          Type: 'Notification',
          MessageId: options.messageId ?? '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: topicArn,
          Subject: options.subject ?? 'ALARM: "rampart-dev-api-5xx-rate" in EU (Ireland)',
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          Timestamp: '2026-11-27T21:30:00.000Z',
          SignatureVersion: '1',
          Signature:
            'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
          SigningCertUrl:
            'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          UnsubscribeUrl: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:2f0b8c7e`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** A metric-math alarm message as CloudWatch publishes it to SNS. */
export function alarmMessage(state: 'ALARM' | 'OK' = 'ALARM') {
  const name = 'rampart-dev-api-5xx-rate';
  return {
    AlarmName: name,
    AlarmDescription: `Severity: warning. Impact: clients get 5XX answers. Dashboard: ${DASHBOARD} Runbook: ${DOCS}runbooks/alarms/api-5xx-rate.md`,
    AWSAccountId: '111111111111',
    AlarmConfigurationUpdatedTimestamp: '2026-11-27T20:00:00.000+0000',
    NewStateValue: state,
    NewStateReason:
      state === 'ALARM'
        ? 'Threshold Crossed: 3 out of the last 5 datapoints [7.5 (27/11/26 21:29:00), 6.1 (27/11/26 21:28:00)] were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).'
        : 'Threshold Crossed: no datapoints were greater than the threshold (5.0).',
    StateChangeTime: '2026-11-27T21:30:00.123+0000',
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}`,
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    Trigger: {
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
      TreatMissingData: 'notBreaching',
      EvaluateLowSampleCountPercentile: '',
      Metrics: [
        {
          Expression: 'IF(count >= 10, 100 * errors / count, 0)',
          Id: 'rate',
          Label: '5XX %',
          ReturnData: true,
        },
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Dimensions: [{ value: 'rampart-dev', name: 'ApiName' }],
              MetricName: '5XXError',
              Namespace: 'AWS/ApiGateway',
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
    },
  };
}

/** A single-metric alarm message. */
export function metricAlarmMessage() {
  const name = 'rampart-dev-projectsGet-errors';
  return {
    AlarmName: name,
    AlarmDescription: `Severity: critical. Impact: GET /projects/{id} fails. Runbook: ${DOCS}runbooks/alarms/lambda-errors.md`,
    AWSAccountId: '111111111111',
    NewStateValue: 'ALARM',
    NewStateReason: 'Threshold Crossed: 1 datapoint [12.0] was >= 5 <script>',
    StateChangeTime: '2026-11-27T21:30:00.123+0000',
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}`,
    OldStateValue: 'INSUFFICIENT_DATA',
    Trigger: {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      StatisticType: 'Statistic',
      Statistic: 'SUM',
      Unit: null,
      Dimensions: [{ value: 'Rampart-dev-Api-ProjectsGetFunction', name: 'FunctionName' }],
      Period: 60,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 5,
      TreatMissingData: 'notBreaching',
    },
  };
}

/** A composite alarm message (burn-rate SLO). */
export function compositeMessage() {
  const name = 'rampart-dev-slo-availability-burn';
  return {
    AlarmName: name,
    AlarmDescription: `Severity: critical. Impact: the availability error budget burns too fast. Dashboard: ${DASHBOARD} Runbook: ${DOCS}runbooks/alarms/slo-availability-burn.md`,
    AWSAccountId: '111111111111',
    NewStateValue: 'ALARM',
    NewStateReason:
      'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:rampart-dev-slo-availability-fast-1h transitioned to ALARM at Friday 27 November, 2026 21:30:00 UTC',
    StateChangeTime: '2026-11-27T21:30:00.123+0000',
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:${name}`,
    OldStateValue: 'OK',
    AlarmRule:
      '(ALARM("rampart-dev-slo-availability-fast-1h") AND ALARM("rampart-dev-slo-availability-fast-5m"))',
    TriggeringChildren: [
      {
        Arn: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:rampart-dev-slo-availability-fast-1h',
        State: { Value: 'ALARM', Timestamp: '2026-11-27T21:30:00.000+0000' },
      },
    ],
  };
}

/** AWS Backup "Backup Job State Change" FAILED, as EventBridge delivers it to SNS. */
export function backupFailedEvent() {
  return {
    version: '0',
    id: '5b0e6f3e-31a7-2e1f-8ad0-2f9c0a8c1b3d',
    'detail-type': 'Backup Job State Change',
    source: 'aws.backup',
    account: '111111111111',
    time: '2026-11-27T05:12:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:rds:eu-west-1:111111111111:db:rampart-dev-db'],
    detail: {
      backupJobId: 'B2A1E6F0-0000-0000-0000-000000000000',
      backupVaultName: 'rampart_dev_vault',
      resourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:rampart-dev-db',
      resourceType: 'RDS',
      state: 'FAILED',
      statusMessage: 'Insufficient privileges to perform this action.',
      creationDate: '2026-11-27T05:00:00Z',
    },
  };
}

/** Secrets Manager RotationFailed, as EventBridge delivers it (CloudTrail service event). */
export function rotationFailedEvent() {
  return {
    version: '0',
    id: '0f2c3d4e-aaaa-bbbb-cccc-123456789012',
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.secretsmanager',
    account: '111111111111',
    time: '2026-11-27T03:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'RotationFailed',
      awsRegion: 'eu-west-1',
      additionalEventData: {
        SecretId: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:DatabaseAdminSecret-AbC123',
      },
      eventType: 'AwsServiceEvent',
    },
  };
}

/**
 * An RDS event-subscription message: the shape of the RDS sample event in the Lambda developer
 * guide (docs.aws.amazon.com/lambda/latest/dg/services-rds.html), with the `Source ARN` RDS adds.
 */
export function rdsEventMessage() {
  return {
    'Event Source': 'db-instance',
    'Event Time': '2026-11-27 21:29:54.511',
    'Identifier Link':
      'https://console.aws.amazon.com/rds/home?region=eu-west-1#dbinstance:id=rampart-dev-databaseinstance-abc123',
    'Source ID': 'rampart-dev-databaseinstance-abc123',
    'Source ARN': 'arn:aws:rds:eu-west-1:111111111111:db:rampart-dev-databaseinstance-abc123',
    'Event ID':
      'http://docs.amazonwebservices.com/AmazonRDS/latest/UserGuide/USER_Events.html#RDS-EVENT-0049',
    'Event Message': 'Multi-AZ instance failover completed',
  };
}
