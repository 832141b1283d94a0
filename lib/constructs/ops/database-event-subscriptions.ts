import { CfnEventSubscription, type IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { AlarmSeverity } from '../../config';
import type { SeverityTopics } from './severity-topics';

export interface DatabaseEventSubscriptionsProps {
  /** The instance whose events are subscribed to (its identifier is the only source id). */
  readonly instance: IDatabaseInstance;
  /** The alarm topics; their policies and key are opened to RDS events of `instance` only. */
  readonly topics: SeverityTopics;
  /** RDS event categories per severity topic, e.g. `{ critical: ['failover', ...], warning: [...] }`. */
  readonly categories: Partial<Record<AlarmSeverity, readonly string[]>>;
}

/**
 * RDS event subscriptions of one DB instance, one per severity topic: RDS publishes failovers,
 * failures, storage shortages, recoveries and maintenance notices to SNS itself (no alarm, no
 * EventBridge rule); the notifier renders them with runbooks/alarms/rds-events.md. The topics
 * admit `events.rds.amazonaws.com` for this account and this instance's ARN only.
 */
export class DatabaseEventSubscriptions extends Construct {
  public readonly subscriptions: {
    readonly severity: AlarmSeverity;
    readonly subscription: CfnEventSubscription;
  }[] = [];

  constructor(scope: Construct, id: string, props: DatabaseEventSubscriptionsProps) {
    super(scope, id);
    const severities = (Object.keys(props.categories) as AlarmSeverity[]).filter(
      (severity) => (props.categories[severity] ?? []).length > 0,
    );
    props.topics.allowRdsEvents(props.instance.instanceArn, severities);
    for (const severity of severities) {
      const topic = props.topics.topics[severity];
      const subscription = new CfnEventSubscription(
        this,
        `${severity[0].toUpperCase()}${severity.slice(1)}Events`,
        {
          snsTopicArn: topic.topicArn,
          sourceType: 'db-instance',
          sourceIds: [props.instance.instanceIdentifier],
          eventCategories: [...(props.categories[severity] ?? [])],
          enabled: true,
        },
      );
      // RDS checks that it may publish when the subscription is created: policies and key first.
      subscription.node.addDependency(topic, props.topics.key);
      this.subscriptions.push({ severity, subscription });
    }
  }
}
