import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_ALERTS, type EventAlert } from '../../../lambda/domain/notify/event-alerts';
import type { AlarmSeverity } from '../../config';

export interface EventAlertRulesProps {
  readonly topics: Readonly<Record<AlarmSeverity, ITopic>>;
  /** Where events go when the topic cannot be reached after EventBridge's retries. */
  readonly deadLetterQueue: IQueue;
  /**
   * The alerts to create rules for.
   * @default EVENT_ALERTS - AWS Backup job and restore-test failures, Secrets Manager rotation failures
   */
  readonly alerts?: readonly EventAlert[];
}

/**
 * One EventBridge rule per event alert (`lambda/domain/notify/event-alerts.ts`), each publishing
 * the event to the topic of its severity; the notifier renders it with its runbook link.
 */
export class EventAlertRules extends Construct {
  public readonly rules: { readonly alert: EventAlert; readonly rule: Rule }[] = [];

  constructor(scope: Construct, id: string, props: EventAlertRulesProps) {
    super(scope, id);
    for (const alert of props.alerts ?? EVENT_ALERTS) {
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
            new SnsTopic(props.topics[alert.severity], {
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
