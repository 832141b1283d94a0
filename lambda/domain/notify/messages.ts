/** Severities of Rampart's alert topics (mirrors the `alarms` config). */
export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** The metric side of a metric alarm, as CloudWatch sends it in the SNS message `Trigger`. */
export interface AlarmTrigger {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly statistic?: string;
  readonly dimensions: readonly { readonly name: string; readonly value: string }[];
  /** Metric math alarms carry their expressions instead of a single metric. */
  readonly expressions: readonly string[];
  readonly periodSeconds?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly comparison?: string;
  readonly threshold?: number;
  readonly treatMissingData?: string;
}

/** A CloudWatch alarm state change (metric or composite). */
export interface AlarmNotification {
  readonly kind: 'alarm';
  readonly alarmName: string;
  readonly description: string;
  readonly state: string;
  readonly previousState: string;
  readonly reason: string;
  readonly time: string;
  /** Region code, from the alarm ARN (the message's `Region` is a display name). */
  readonly region?: string;
  readonly account?: string;
  readonly trigger?: AlarmTrigger;
  /** Composite alarms: the rule and the children that changed its state. */
  readonly composite?: {
    readonly rule: string;
    readonly triggeringChildren: readonly { readonly name: string; readonly state: string }[];
  };
}

/** An EventBridge event delivered through a topic (AWS Backup jobs, secret rotation...). */
export interface EventNotification {
  readonly kind: 'event';
  readonly source: string;
  readonly detailType: string;
  readonly time: string;
  readonly region?: string;
  readonly account?: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Any other text published to a topic (a test publish, a custom message). */
export interface TextNotification {
  readonly kind: 'text';
  readonly subject?: string;
  readonly text: string;
}

export type Notification = AlarmNotification | EventNotification | TextNotification;

/** One SNS delivery, reduced to what the notifier uses. */
export interface SnsDelivery {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * The SNS deliveries of a Lambda event. Throws nothing: an event that is not an SNS event gives
 * no deliveries plus one problem per unusable record.
 */
export function snsDeliveries(event: unknown): { deliveries: SnsDelivery[]; problems: string[] } {
  const deliveries: SnsDelivery[] = [];
  const problems: string[] = [];
  const records = isObject(event) ? event.Records : undefined;
  if (!Array.isArray(records)) return { deliveries, problems: ['event has no Records array'] };
  records.forEach((record: unknown, index) => {
    const sns = isObject(record) ? record.Sns : undefined;
    if (!isObject(sns)) {
      problems.push(`record ${index} has no Sns object`);
      return;
    }
    const messageId = str(sns.MessageId);
    const message = str(sns.Message);
    if (!messageId || message === undefined) {
      problems.push(`record ${index} lacks MessageId or Message`);
      return;
    }
    deliveries.push({
      messageId,
      topicArn: str(sns.TopicArn) ?? '',
      subject: str(sns.Subject) ?? undefined,
      message,
    });
  });
  return { deliveries, problems };
}

function regionOfArn(arn: string | undefined): string | undefined {
  const region = arn?.split(':')[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}

function alarmNameOfArn(arn: string): string {
  const marker = ':alarm:';
  const at = arn.indexOf(marker);
  return at >= 0 ? arn.slice(at + marker.length) : arn;
}

function trigger(value: unknown): AlarmTrigger | undefined {
  if (!isObject(value)) return undefined;
  const dimensions = Array.isArray(value.Dimensions)
    ? value.Dimensions.filter(isObject).map((d) => ({
        name: String(d.name ?? ''),
        value: String(d.value ?? ''),
      }))
    : [];
  const expressions = Array.isArray(value.Metrics)
    ? value.Metrics.filter(isObject)
        .map(
          (m) => str(m.Expression) ?? (isObject(m.MetricStat) ? describeMetricStat(m.MetricStat) : undefined),
        )
        .filter((e): e is string => e !== undefined)
    : [];
  return {
    namespace: str(value.Namespace),
    metricName: str(value.MetricName),
    statistic: str(value.ExtendedStatistic) ?? str(value.Statistic),
    dimensions,
    expressions,
    periodSeconds: num(value.Period),
    evaluationPeriods: num(value.EvaluationPeriods),
    datapointsToAlarm: num(value.DatapointsToAlarm),
    comparison: str(value.ComparisonOperator),
    threshold: num(value.Threshold),
    treatMissingData: str(value.TreatMissingData),
  };
}

function describeMetricStat(stat: Json): string | undefined {
  const metric = isObject(stat.Metric) ? stat.Metric : undefined;
  const name = str(metric?.MetricName);
  if (!name) return undefined;
  return `${str(metric?.Namespace) ?? ''} ${name} (${str(stat.Stat) ?? '?'})`.trim();
}

function alarm(body: Json): AlarmNotification {
  const arn = str(body.AlarmArn);
  const children = Array.isArray(body.TriggeringChildren) ? body.TriggeringChildren.filter(isObject) : [];
  const rule = str(body.AlarmRule);
  return {
    kind: 'alarm',
    alarmName: str(body.AlarmName) ?? 'unnamed alarm',
    description: str(body.AlarmDescription) ?? '',
    state: str(body.NewStateValue) ?? 'UNKNOWN',
    previousState: str(body.OldStateValue) ?? 'UNKNOWN',
    reason: str(body.NewStateReason) ?? '',
    time: str(body.StateChangeTime) ?? '',
    region: regionOfArn(arn),
    account: str(body.AWSAccountId),
    trigger: trigger(body.Trigger),
    composite:
      rule !== undefined
        ? {
            rule,
            triggeringChildren: children.map((child) => ({
              name: alarmNameOfArn(str(child.Arn) ?? '?'),
              state: isObject(child.State) ? (str(child.State.Value) ?? '?') : '?',
            })),
          }
        : undefined,
  };
}

function event(body: Json): EventNotification {
  return {
    kind: 'event',
    source: str(body.source) ?? '',
    detailType: str(body['detail-type']) ?? '',
    time: str(body.time) ?? '',
    region: str(body.region),
    account: str(body.account),
    resources: Array.isArray(body.resources) ? body.resources.map(String) : [],
    detail: isObject(body.detail) ? body.detail : {},
  };
}

/**
 * An RDS event-subscription message (`{"Event Source": "db-instance", "Event ID": "...#RDS-EVENT-0049",
 * ...}`, as in docs.aws.amazon.com/lambda/latest/dg/services-rds.html), shown as the event
 * EventBridge would have sent: source `aws.rds`, the event id, message and source in `detail`.
 */
function rdsEvent(body: Json): EventNotification {
  const eventId = str(body['Event ID']) ?? '';
  const sourceArn = str(body['Source ARN']);
  const detail: Record<string, unknown> = {
    EventID: eventId.slice(eventId.lastIndexOf('#') + 1),
    Message: str(body['Event Message']) ?? '',
    SourceType: str(body['Event Source']) ?? '',
    SourceIdentifier: str(body['Source ID']) ?? '',
  };
  const link = str(body['Identifier Link']);
  if (link) detail.IdentifierLink = link;
  return {
    kind: 'event',
    source: 'aws.rds',
    detailType: 'RDS DB Instance Event',
    time: str(body['Event Time']) ?? '',
    region: sourceArn ? regionOfArn(sourceArn) : undefined,
    account: sourceArn?.split(':')[4] || undefined,
    resources: sourceArn ? [sourceArn] : [],
    detail,
  };
}

/**
 * What a topic message is: a CloudWatch alarm (metric or composite), an EventBridge event, an RDS
 * event subscription's message, or plain text. Never throws; a message that is JSON but neither alarm nor event is shown as text.
 */
export function parseNotification(delivery: SnsDelivery): Notification {
  let body: unknown;
  try {
    body = JSON.parse(delivery.message);
  } catch {
    body = undefined;
  }
  if (isObject(body) && typeof body.AlarmName === 'string' && typeof body.NewStateValue === 'string') {
    return alarm(body);
  }
  if (isObject(body) && typeof body.source === 'string' && typeof body['detail-type'] === 'string') {
    return event(body);
  }
  if (isObject(body) && typeof body['Event Source'] === 'string' && typeof body['Event ID'] === 'string') {
    return rdsEvent(body);
  }
  return { kind: 'text', subject: delivery.subject, text: delivery.message };
}

/** `Severity: critical` in an alarm description (the alarm factory writes it first). */
export function severityOfDescription(description: string): Severity | undefined {
  const match = /Severity:\s*(critical|warning|info)\b/i.exec(description);
  return match ? (match[1].toLowerCase() as Severity) : undefined;
}

/** A labelled https link in an alarm description, e.g. `Runbook: https://...`. */
export function linkOfDescription(description: string, label: string): string | undefined {
  const match = new RegExp(`${label}:\\s*(https://\\S+?)(?=[\\s,;]|$)`, 'i').exec(description);
  return match?.[1];
}
