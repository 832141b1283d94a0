import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  PutMetricDataCommand,
  StandardUnit,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { renderMarkdownReport } from '../report';
import type { DrillReport } from '../runner';

/** CloudWatch namespace of the drill figures (dimensions `Environment`, `Scenario`). */
export const DRILL_METRICS_NAMESPACE = 'Rampart/Drills';

export interface PublishClients {
  readonly cloudWatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly cloudFormation: CloudFormationClient;
}

/**
 * The environment's alarm topic of a severity, from the Ops stack's resources: the topics have
 * generated names, their construct ids are `Topics/<Severity>Topic` (SeverityTopics).
 */
export async function opsTopicArn(
  cloudFormation: CloudFormationClient,
  environment: string,
  severity: 'info' | 'warning',
): Promise<string> {
  const answer = await cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: `Rampart-${environment}-Ops` }),
  );
  const prefix = `Topics${severity[0].toUpperCase()}${severity.slice(1)}Topic`;
  const topics = (answer.StackResources ?? []).filter(
    (resource) =>
      resource.ResourceType === 'AWS::SNS::Topic' && resource.LogicalResourceId?.startsWith(prefix),
  );
  if (topics.length !== 1 || topics[0].PhysicalResourceId === undefined)
    throw new Error(`Rampart-${environment}-Ops has ${topics.length} ${severity} topics, expected one`);
  return topics[0].PhysicalResourceId;
}

/**
 * Publishes a drill's figures as CloudWatch metrics and its summary to the environment's topic:
 * `info` when it passed, `warning` when it failed (a failed drill needs follow-up, not a page).
 */
export async function publishReport(
  report: DrillReport,
  clients: PublishClients,
): Promise<{ topicArn: string }> {
  const dimensions = [
    { Name: 'Environment', Value: report.environment },
    { Name: 'Scenario', Value: report.scenario },
  ];
  const timestamp = new Date(report.finishedAt);
  const metrics: MetricDatum[] = [
    { MetricName: 'DrillPassed', Value: report.passed ? 1 : 0, Unit: StandardUnit.Count },
    { MetricName: 'LostAcknowledgedWrites', Value: report.lostAcknowledgedWrites, Unit: StandardUnit.Count },
    ...(report.achievedRtoSeconds === null
      ? []
      : [{ MetricName: 'AchievedRtoSeconds', Value: report.achievedRtoSeconds, Unit: StandardUnit.Seconds }]),
    ...(report.achievedRpoSeconds === null
      ? []
      : [{ MetricName: 'AchievedRpoSeconds', Value: report.achievedRpoSeconds, Unit: StandardUnit.Seconds }]),
  ].map((datum) => ({ ...datum, Dimensions: dimensions, Timestamp: timestamp }));
  await clients.cloudWatch.send(
    new PutMetricDataCommand({ Namespace: DRILL_METRICS_NAMESPACE, MetricData: metrics }),
  );
  const topicArn = await opsTopicArn(
    clients.cloudFormation,
    report.environment,
    report.passed ? 'info' : 'warning',
  );
  await clients.sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: `Rampart ${report.environment}: drill ${report.scenario} ${report.passed ? 'passed' : 'FAILED'}`,
      Message: renderMarkdownReport({ ...report, heartbeats: { ...report.heartbeats, samples: [] } }),
    }),
  );
  return { topicArn };
}
