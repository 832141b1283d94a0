import { Stack } from 'aws-cdk-lib';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { CfnAnomalyMonitor, CfnAnomalySubscription } from 'aws-cdk-lib/aws-ce';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The services that publish cost alerts to the topic (and so must be able to use its key). */
export const COST_ALERT_PUBLISHERS = {
  budgets: 'budgets.amazonaws.com',
  anomalies: 'costalerts.amazonaws.com',
} as const;

/** When the budget alerts: actual spend at 80 % and 100 %, forecast spend at 100 % of the limit. */
export const BUDGET_ALERTS = [
  { notificationType: 'ACTUAL', threshold: 80 },
  { notificationType: 'ACTUAL', threshold: 100 },
  { notificationType: 'FORECASTED', threshold: 100 },
] as const;

export interface CostWatchProps {
  /** Environment name: part of the budget, monitor and subscription names. */
  readonly environment: string;
  /** The monthly limit in USD (`cost.monthlyBudgetUsd`, the same figure `npm test` holds the estimate to). */
  readonly monthlyBudgetUsd: number;
  /** Anomalies whose total impact reaches this many USD are sent (`cost.anomalyAlertUsd`). */
  readonly anomalyAlertUsd: number;
  /**
   * The cost allocation tags that select the environment's resources (Rampart tags every resource;
   * the tags must be activated as cost allocation tags in the Billing console, docs/cost.md).
   */
  readonly tags: Readonly<Record<string, string>>;
  /** The tag the anomaly monitor watches (a custom monitor takes one tag key). */
  readonly anomalyTag: string;
  /** Where the alerts go: the environment's info topic. */
  readonly topic: ITopic;
  /** The topic's customer-managed key: the publishing services need to use it or their alerts are dropped. */
  readonly topicKey: IKey;
}

/**
 * Watches the real bill: an AWS Budgets cost budget over the environment's tagged resources with
 * actual (80 %, 100 %) and forecast (100 %) alerts, and a Cost Anomaly Detection monitor on the
 * project tag with an immediate subscription above a dollar impact, both publishing to the given
 * topic. Budgets and Cost Explorer are global services whose CloudFormation resources live in
 * us-east-1; build this in a us-east-1 stack. Lets both services publish to the topic (limited to
 * this account) and use its key.
 */
export class CostWatch extends Construct {
  public readonly budget: CfnBudget;
  public readonly anomalyMonitor: CfnAnomalyMonitor;
  public readonly anomalySubscription: CfnAnomalySubscription;

  constructor(scope: Construct, id: string, props: CostWatchProps) {
    super(scope, id);
    if (!(props.monthlyBudgetUsd > 0))
      throw new Error('CostWatch: monthlyBudgetUsd must be a positive amount');
    if (!(props.anomalyAlertUsd > 0)) throw new Error('CostWatch: anomalyAlertUsd must be a positive amount');
    const tagKeys = Object.keys(props.tags);
    if (tagKeys.length === 0) throw new Error('CostWatch: give at least one cost allocation tag');
    const anomalyTagValue = props.tags[props.anomalyTag];
    if (anomalyTagValue === undefined) {
      throw new Error(
        `CostWatch: anomalyTag "${props.anomalyTag}" must be one of the tags (${tagKeys.join(', ')})`,
      );
    }
    const stack = Stack.of(this);
    this.allowPublishing(stack, props);

    const tagFilters = tagKeys.map((key) => ({
      tags: { key, values: [props.tags[key]], matchOptions: ['EQUALS'] },
    }));
    this.budget = new CfnBudget(this, 'Budget', {
      budget: {
        budgetName: `rampart-${props.environment}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyBudgetUsd, unit: 'USD' },
        filterExpression: tagFilters.length === 1 ? tagFilters[0] : { and: tagFilters },
      },
      notificationsWithSubscribers: BUDGET_ALERTS.map((alert) => ({
        notification: {
          notificationType: alert.notificationType,
          comparisonOperator: 'GREATER_THAN',
          threshold: alert.threshold,
          thresholdType: 'PERCENTAGE',
        },
        subscribers: [{ subscriptionType: 'SNS', address: props.topic.topicArn }],
      })),
    });

    this.anomalyMonitor = new CfnAnomalyMonitor(this, 'AnomalyMonitor', {
      monitorName: `rampart-${props.environment}-spend`,
      monitorType: 'CUSTOM',
      monitorSpecification: JSON.stringify({
        Tags: { Key: props.anomalyTag, Values: [anomalyTagValue], MatchOptions: ['EQUALS'] },
      }),
    });
    this.anomalySubscription = new CfnAnomalySubscription(this, 'AnomalySubscription', {
      subscriptionName: `rampart-${props.environment}-spend-anomalies`,
      monitorArnList: [this.anomalyMonitor.attrMonitorArn],
      // SNS subscribers take IMMEDIATE only: each anomaly is sent when it is found.
      frequency: 'IMMEDIATE',
      subscribers: [{ type: 'SNS', address: props.topic.topicArn }],
      thresholdExpression: JSON.stringify({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: [String(props.anomalyAlertUsd)],
        },
      }),
    });
    // Cost Explorer checks that it may publish when the subscription is created.
    this.anomalySubscription.node.addDependency(props.topic);
  }

  /**
   * Both services may publish to the topic and use its key, each limited to this account (and, for
   * Budgets, to this account's budgets, as AWS Budgets documents for the topic policy).
   */
  private allowPublishing(stack: Stack, props: CostWatchProps): void {
    const budgetsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'budgets', region: '', resource: '*' }) },
    };
    const thisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    const grants = [
      { sid: 'AllowBudgets', service: COST_ALERT_PUBLISHERS.budgets, conditions: budgetsOfThisAccount },
      { sid: 'AllowCostAnomalyDetection', service: COST_ALERT_PUBLISHERS.anomalies, conditions: thisAccount },
    ];
    for (const { sid, service, conditions } of grants) {
      props.topic.addToResourcePolicy(
        new PolicyStatement({
          sid,
          principals: [new ServicePrincipal(service)],
          actions: ['sns:Publish'],
          resources: [props.topic.topicArn],
          conditions,
        }),
      );
      // Without this the service's messages to the encrypted topic are dropped silently.
      props.topicKey.addToResourcePolicy(
        new PolicyStatement({
          sid,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions,
        }),
      );
    }
  }
}
