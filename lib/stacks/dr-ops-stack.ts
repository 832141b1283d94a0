import { Duration, Validations } from 'aws-cdk-lib';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { CloudFormationStackDriftDetectionCheck, MaximumExecutionFrequency } from 'aws-cdk-lib/aws-config';
import type { Construct, IConstruct } from 'constructs';
import type { AlarmFactory } from '../constructs/ops/alarm-factory';
import { TopicTarget } from '../constructs/ops/event-alert-rules';
import { SeverityTopics } from '../constructs/ops/severity-topics';
import { databaseAlarms, proxyAlarms, topicAlarms } from '../constructs/ops/component-alarms';
import type { SecureVpc } from '../constructs/network/secure-vpc';
import { SlackDelivery } from '../constructs/ops/slack-delivery';
import { maxConnectionsOf, proxyConnectionBudget } from '../config';
import { publishStandbyValue, type DrDataStack } from './dr-data-stack';
import type { ApiStack } from './api-stack';
import {
  alertTopics,
  alarmFunctions,
  apiFunctions,
  apiPathAlarms,
  environmentAlarmFactory,
  maintenanceAlarm,
  notifierDeadLetterAlarms,
  notifierFunction,
  sloAlarms,
} from './environment-alarms';
import { RampartStack, type RampartStackProps } from './rampart-stack';

/** `rampart-<env>-standby-<severity>`: the standby's alarm topics in drRegion. */
export function standbyTopicPrefix(environment: string): string {
  return `rampart-${environment}-standby`;
}

export interface DrOpsStackProps extends Omit<RampartStackProps, 'regionOverride'> {
  /** The standby data tier whose replica is watched. */
  readonly data: DrDataStack;
  /** The standby's network (`Rampart-<env>-DrNetwork`): the Slack notifier runs in its function subnets. */
  readonly network: SecureVpc;
  /**
   * The standby API (`warm-standby`) and its regional web ACL: the same component alarms as the
   * primary's (functions, stage and routes, work queue and DLQ, web ACL), quiet while it idles.
   * @default - no standby API (`pilot-light`)
   */
  readonly api?: {
    readonly stack: ApiStack;
    readonly regionalWebAcl: { readonly webAcl: IConstruct; readonly metricName: string };
  };
}

/**
 * The standby's alarms in drRegion (`Rampart-<env>-DrOps`), where its metrics are: severity topics
 * (CMK, fixed names) paging through the environment's pager and posting to Slack through this
 * region's own notifier (the webhook secret replicated here); the replica lag against the
 * region-loss RPO (above it, a region failover now would lose more acknowledged writes than
 * promised); the standby API's component alarms (the primary's, named `standby-*`); failed
 * deliveries of its topics; and drift of this region's stacks (an AWS Config rule; a hand change to
 * the standby would otherwise surface only during a failover). The rule needs AWS Config recording
 * in drRegion (account setup, docs/dr.md).
 */
export class DrOpsStack extends RampartStack {
  public readonly topics: SeverityTopics;
  public readonly alarms: AlarmFactory;
  /** The standby's own Slack notifier (webhook secret in drRegion). */
  public readonly slack: SlackDelivery;
  public readonly stackDrift: CloudFormationStackDriftDetectionCheck;
  /**
   * The standby API's availability and latency burn-rate composites (page once it serves).
   * @default - none without a standby API (`pilot-light`)
   */
  public readonly slo?: ReturnType<typeof sloAlarms>;
  /** Names of the alarms that only mean something while the standby database is a replica. */
  public readonly replicaAlarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: DrOpsStackProps) {
    super(scope, id, { ...props, regionOverride: props.config.drRegion });
    const { config } = props;
    const regionLoss = config.recovery.regionLoss;
    if (!regionLoss) throw new Error(`DrOpsStack ${id}: the environment declares no region-loss objective`);
    // Slack as the primary does it: the webhook notifier on every topic, reading the webhook from a
    // secret of the same name here (a replica of the primary's, docs/alerting.md), so the standby's
    // alerts reach Slack while the primary region is down.
    ({ topics: this.topics, slack: this.slack } = alertTopics(this, config, {
      topicNamePrefix: standbyTopicPrefix(config.name),
      slack: { network: { vpc: props.network.vpc, subnets: props.network.functionSubnets }, chatbot: false },
    }));
    // `rampart-<env>-standby-<component>-<signal>`: the primary's Ops has the same components.
    this.alarms = environmentAlarmFactory(this, config, this.topics, { componentPrefix: 'standby' });
    const replica = props.data.database.replica;
    this.alarms.metricAlarm({
      runbook: 'dr-replica-lag',
      component: 'db',
      signal: 'replica-lag',
      severity: 'critical',
      impact: `A region failover now would lose more than the ${regionLoss.rpoSeconds} s of writes prod promises (region-loss RPO).`,
      watches: [replica],
      metric: new Metric({
        namespace: 'AWS/RDS',
        metricName: 'ReplicaLag',
        dimensionsMap: { DBInstanceIdentifier: replica.instanceIdentifier },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: regionLoss.rpoSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // A replica that stops reporting its lag is not replicating.
      treatMissingData: TreatMissingData.BREACHING,
    });
    // A promoted replica reports no lag: the failover step disables this alarm's actions by these
    // names, the failback re-enables them once a replica streams again (lib/dr/standby-alarms.ts).
    // The replica's other alarms keep reporting under the same identifier and then watch the
    // promoted primary, so they stay armed.
    this.replicaAlarmNames = [this.alarms.alarmName('db', 'replica-lag')];
    publishStandbyValue(
      this,
      'replica-alarm-names',
      JSON.stringify(this.replicaAlarmNames),
      'Alarms that mean something only while the standby is a replica (actions disabled after promotion)',
    );

    // The standby API's components, with the primary's alarms and thresholds: every one treats
    // missing data as not breaching, so an idle standby (no requests, no invocations) stays OK, and
    // a failed-over one is watched from its first request.
    const t = config.alarms.thresholds;
    if (props.api) {
      alarmFunctions(this.alarms, apiFunctions(props.api.stack), t);
      const { stage } = apiPathAlarms(this.alarms, props.api.stack, config, {
        ...props.api.regionalWebAcl,
        region: this.region,
      });
      // The primary's SLO composites for the standby stage (`standby-slo-*-burn-rate`), muted by
      // this region's maintenance alarm (composites see alarms of their own region only). Idle,
      // the stage has no requests: its window alarms get no data, which is not breaching.
      this.slo = sloAlarms(this.alarms, stage, config.alarms.slo, maintenanceAlarm(this.alarms, config.name));
    }
    // The replica and the standby proxy: the primary's database and proxy alarms. The replica
    // reports its metrics while it replicates; the proxy, without a target until promotion, reports
    // nothing and its alarms treat that as not breaching.
    databaseAlarms(
      this.alarms,
      { instance: replica, maxConnections: maxConnectionsOf(config.database.instanceClass) },
      t,
    );
    proxyAlarms(
      this.alarms,
      {
        // Its name is fixed (`rampart-<env>-standby`): the promotion step registers its target by it.
        proxy: props.data.database.proxy,
        connectionBudget: proxyConnectionBudget(config.database),
      },
      t,
    );
    // The notifier and its dead letters, as in the primary.
    alarmFunctions(this.alarms, [notifierFunction(this.slack)], t);
    notifierDeadLetterAlarms(this.alarms, this.slack);
    topicAlarms(this.alarms, this.topics.topics);

    // Every CloudFormation stack of drRegion: the standby's and DataDr.
    this.stackDrift = new CloudFormationStackDriftDetectionCheck(this, 'StackDrift', {
      configRuleName: `rampart-${config.name}-standby-stack-drift`,
      description: 'The stacks in drRegion (the standby) match their templates',
      maximumExecutionFrequency: MaximumExecutionFrequency.SIX_HOURS,
    });
    this.stackDrift.onComplianceChange('StackDriftAlert', {
      description: 'A stack in drRegion drifted from its template: the standby may not fail over as tested',
      eventPattern: { detail: { newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } } },
      // The critical topic: in drRegion it is the one with a subscriber (the pager). The topic policy
      // admits this account's rules only (TopicTarget adds no unconditioned statement).
      target: new TopicTarget(this.topics.topics.critical, {
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      }),
    });
    const role = this.stackDrift.node.tryFindChild('Role');
    if (role) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
        reason:
          'CloudFormation drift detection reads every resource type of the checked stacks; AWS documents ReadOnlyAccess for the role of the cloudformation-stack-drift-detection-check rule, and the role is assumable by AWS Config only.',
      });
    }
  }
}
