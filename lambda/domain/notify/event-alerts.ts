import type { EventNotification, Severity } from './messages';

/**
 * EventBridge events that alert without an alarm. The Ops stack builds one rule per entry from
 * this list (so the rule, its severity, the runbook id and the Slack title cannot drift apart).
 */
export interface EventAlert {
  /** Runbook id: `runbooks/alarms/<id>.md`; also the rule's purpose in its name. */
  readonly id: string;
  readonly severity: Severity;
  /** Title of the Slack message. */
  readonly title: string;
  /** What it means for users, in one sentence. */
  readonly impact: string;
  /** EventBridge event pattern (source, detail-type, detail) without account/resources. */
  readonly pattern: {
    readonly source: readonly string[];
    readonly detailType: readonly string[];
    readonly detail?: Readonly<Record<string, readonly string[]>>;
  };
}

export const EVENT_ALERTS: readonly EventAlert[] = [
  {
    id: 'backup-job-failed',
    severity: 'critical',
    title: 'AWS Backup job failed',
    impact: 'A scheduled backup or its DR copy did not complete: the recovery point objective is not met.',
    pattern: {
      source: ['aws.backup'],
      detailType: ['Backup Job State Change', 'Copy Job State Change'],
      detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] },
    },
  },
  {
    id: 'backup-restore-test-failed',
    severity: 'warning',
    title: 'AWS Backup restore test failed',
    impact: 'The weekly restore test could not restore the latest snapshot: restores are not proven.',
    pattern: {
      source: ['aws.backup'],
      detailType: ['Restore Job State Change'],
      detail: { status: ['FAILED', 'ABORTED'] },
    },
  },
  {
    id: 'secret-rotation-failed',
    severity: 'critical',
    title: 'Secrets Manager rotation failed',
    impact:
      'A database secret did not rotate: break-glass credentials may be stale or, if the rotation half-finished, unusable.',
    pattern: {
      source: ['aws.secretsmanager'],
      detailType: ['AWS Service Event via CloudTrail'],
      detail: { eventName: ['RotationFailed', 'RotationAbandoned'] },
    },
  },
];

/**
 * RDS events of the database, delivered by two RDS event subscriptions (SNS, not EventBridge): the
 * categories that mean an outage or data risk to the critical topic, maintenance and notices to the
 * warning topic. The notifier shows them with the severity of the topic they came through and this
 * runbook. Categories: docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html.
 */
export const RDS_EVENT_SUBSCRIPTIONS = {
  id: 'rds-events',
  title: 'RDS event',
  impact:
    'RDS reported a failover, failure, storage shortage, recovery or maintenance on the database: check whether requests fail and what RDS is doing.',
  /** Source type of the subscriptions; the instance is their only source id. */
  sourceType: 'db-instance',
  categories: {
    critical: ['availability', 'failover', 'failure', 'low storage', 'recovery'],
    warning: ['maintenance', 'notification', 'security patching'],
  },
} as const;

/** `source` and `detail-type` the notifier gives an RDS event-subscription message (as EventBridge names them). */
export const RDS_EVENT_SOURCE = { source: 'aws.rds', detailType: 'RDS DB Instance Event' } as const;

function matches(alert: EventAlert, event: EventNotification): boolean {
  if (!alert.pattern.source.includes(event.source)) return false;
  if (!alert.pattern.detailType.includes(event.detailType)) return false;
  return Object.entries(alert.pattern.detail ?? {}).every(([key, values]) =>
    values.includes(String(event.detail[key])),
  );
}

/** The alert an event belongs to, if any. */
export function eventAlertOf(event: EventNotification): EventAlert | undefined {
  return EVENT_ALERTS.find((alert) => matches(alert, event));
}

/**
 * The alert of an RDS event-subscription message, with the severity of the topic it came through
 * (the subscription chose the topic by category; the message does not name its category).
 */
export function rdsEventAlertOf(event: EventNotification, topicSeverity: Severity): EventAlert | undefined {
  if (event.source !== RDS_EVENT_SOURCE.source || event.detailType !== RDS_EVENT_SOURCE.detailType) {
    return undefined;
  }
  return {
    id: RDS_EVENT_SUBSCRIPTIONS.id,
    severity: topicSeverity,
    title: `${RDS_EVENT_SUBSCRIPTIONS.title}${typeof event.detail.EventID === 'string' ? ` ${event.detail.EventID}` : ''}`,
    impact: RDS_EVENT_SUBSCRIPTIONS.impact,
    pattern: { source: [RDS_EVENT_SOURCE.source], detailType: [RDS_EVENT_SOURCE.detailType] },
  };
}
