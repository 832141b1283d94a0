import { Duration } from 'aws-cdk-lib';
import { Rule, type IRuleRef, type IRuleTarget, type RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import {
  addToDeadLetterQueueResourcePolicy,
  bindBaseTargetConfig,
  type TargetBaseProps,
} from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmSeverity } from '../../config';

/**
 * An event that alerts without an alarm, as the rule needs it. The catalogue is
 * `lambda/domain/notify/event-alerts.ts` (the notifier renders from the same entries); the Ops stack
 * passes it in, so constructs stay free of Lambda domain code.
 */
export interface EventAlertSpec {
  /** Runbook id: `runbooks/alarms/<id>.md`; in PascalCase, the rule's construct id. */
  readonly id: string;
  readonly severity: AlarmSeverity;
  /** Title of the Slack message; the rule's description. */
  readonly title: string;
  /** EventBridge event pattern (source, detail-type, detail) without account/resources. */
  readonly pattern: {
    readonly source: readonly string[];
    readonly detailType: readonly string[];
    readonly detail?: Readonly<Record<string, readonly string[]>>;
  };
}

export interface EventAlertRulesProps {
  readonly topics: Readonly<Record<AlarmSeverity, ITopic>>;
  /** Where events go when the topic cannot be reached after EventBridge's retries. */
  readonly deadLetterQueue: IQueue;
  /** The alerts to create rules for (the Ops stack passes `EVENT_ALERTS`). */
  readonly alerts: readonly EventAlertSpec[];
}

/**
 * CDK's `SnsTopic` target, minus the grant it adds: for a topic of the same app it appends an
 * `sns:Publish` statement for `events.amazonaws.com` with no condition, which would admit any
 * account's rule. The severity topics' own policy admits this account's rules only
 * (`SeverityTopics`). The dead-letter queue still gets CDK's statement (conditioned on the rule).
 */
export class TopicTarget implements IRuleTarget {
  constructor(
    private readonly topic: ITopic,
    private readonly props: TargetBaseProps,
  ) {}

  bind(rule: IRuleRef): RuleTargetConfig {
    if (this.props.deadLetterQueue) addToDeadLetterQueueResourcePolicy(rule, this.props.deadLetterQueue);
    return { ...bindBaseTargetConfig(this.props), arn: this.topic.topicArn };
  }
}

/**
 * One EventBridge rule per event alert, each publishing the event to the topic of its severity;
 * the notifier renders it with its runbook link.
 */
export class EventAlertRules extends Construct {
  public readonly rules: { readonly alert: EventAlertSpec; readonly rule: Rule }[] = [];

  constructor(scope: Construct, id: string, props: EventAlertRulesProps) {
    super(scope, id);
    for (const alert of props.alerts) {
      const rule = new Rule(
        this,
        alert.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
        {
          description: `${alert.title}: runbooks/alarms/${alert.id}.md`,
          eventPattern: {
            source: [...alert.pattern.source],
            detailType: [...alert.pattern.detailType],
            detail: alert.pattern.detail
              ? Object.fromEntries(Object.entries(alert.pattern.detail).map(([k, v]) => [k, [...v]]))
              : undefined,
          },
          targets: [
            new TopicTarget(props.topics[alert.severity], {
              deadLetterQueue: props.deadLetterQueue,
              retryAttempts: 8,
              maxEventAge: Duration.hours(2),
            }),
          ],
        },
      );
      this.rules.push({ alert, rule });
    }
  }
}
