import { Stack } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { Construct, IConstruct } from 'constructs';
import { ALARM_SEVERITIES, type AlarmSeverity } from '../config';
import type { AlarmFactory } from '../constructs/ops/alarm-factory';
import {
  certificateAlarms,
  cloudFrontAlarms,
  topicAlarms,
  wafAlarms,
} from '../constructs/ops/component-alarms';
import { CostWatch } from '../constructs/ops/cost-watch';
import { SeverityTopics } from '../constructs/ops/severity-topics';
import { environmentAlarmFactory } from './environment-alarms';
import { RampartStack, rampartTags, type RampartStackProps } from './rampart-stack';

/** CloudFront publishes its metrics, and the CLOUDFRONT-scope WAF its own, only in us-east-1. */
export const GLOBAL_REGION = 'us-east-1';

/** `rampart-<env>-global-<severity>`: fixed so the regional Ops stack subscribes by ARN. */
export function globalTopicPrefix(environment: string): string {
  return `rampart-${environment}-global`;
}

/** ARNs of the us-east-1 topics, built from their fixed names. */
export function globalTopicArns(stack: Stack, environment: string): Record<AlarmSeverity, string> {
  return Object.fromEntries(
    ALARM_SEVERITIES.map((severity) => [
      severity,
      stack.formatArn({
        service: 'sns',
        region: GLOBAL_REGION,
        resource: `${globalTopicPrefix(environment)}-${severity}`,
      }),
    ]),
  ) as Record<AlarmSeverity, string>;
}

export interface OpsGlobalStackProps extends Omit<RampartStackProps, 'regionOverride'> {
  /**
   * The CloudFront distribution to alarm on, when the edge exists.
   * @default - no CloudFront alarms
   */
  readonly distribution?: { readonly distribution: IConstruct; readonly distributionId: string };
  /**
   * The CLOUDFRONT-scope web ACL (its visibility metric name), when it exists.
   * @default - no global WAF alarms
   */
  readonly webAcl?: { readonly webAcl: IConstruct; readonly metricName: string };
  /**
   * The custom domain's certificate (us-east-1, where ACM publishes its `DaysToExpiry`).
   * @default - no certificate alarm (no custom domain)
   */
  readonly certificate?: { readonly certificate: ICertificate; readonly domainName: string };
}

/**
 * The us-east-1 part of Ops: severity topics (fixed names, subscribed by the regional notifier
 * and Chatbot), the pager subscription, the CloudFront / global WAF and certificate alarms,
 * which only see metrics in this region, and the cost watch (AWS Budgets and Cost Anomaly
 * Detection, global services whose resources live here).
 */
export class OpsGlobalStack extends RampartStack {
  public readonly topics: SeverityTopics;
  public readonly alarms: AlarmFactory;
  /** The AWS Budgets budget and Cost Anomaly Detection monitor of the environment (docs/cost.md). */
  public readonly costWatch: CostWatch;

  constructor(scope: Construct, id: string, props: OpsGlobalStackProps) {
    super(scope, id, { ...props, regionOverride: GLOBAL_REGION });
    const { config } = props;
    this.topics = new SeverityTopics(this, 'Topics', {
      environment: config.name,
      topicNamePrefix: globalTopicPrefix(config.name),
    });
    this.topics.subscribePager(config.alarms.paging);
    this.alarms = environmentAlarmFactory(this, config, this.topics);
    if (props.distribution) cloudFrontAlarms(this.alarms, props.distribution, config.alarms.thresholds);
    if (props.webAcl) {
      wafAlarms(this.alarms, { ...props.webAcl, component: 'edge-waf' }, config.alarms.thresholds);
    }
    if (props.certificate) certificateAlarms(this.alarms, props.certificate);
    // Budgets and Cost Explorer are global services whose resources live here; their alerts go to
    // the info topic (the notifier subscribes to it), whose failed deliveries are alarmed like the
    // regional topics'.
    const { project, environment } = rampartTags(config);
    this.costWatch = new CostWatch(this, 'CostWatch', {
      environment: config.name,
      monthlyBudgetUsd: config.cost.monthlyBudgetUsd,
      anomalyAlertUsd: config.cost.anomalyAlertUsd,
      tags: { project, environment },
      anomalyTag: 'project',
      topic: this.topics.topics.info,
      topicKey: this.topics.key,
    });
    topicAlarms(this.alarms, this.topics.topics, 'global-topic');
  }
}
