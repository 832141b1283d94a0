import { Duration } from 'aws-cdk-lib';
import { Metric, TreatMissingData, ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct, IConstruct } from 'constructs';
import { EVENT_ALERTS, RDS_EVENT_SUBSCRIPTIONS } from '../../lambda/domain/notify/event-alerts';
import { GATEWAY_METHODS, ROUTES } from '../../lambda/routes';
import { maxConnectionsOf, proxyConnectionBudget } from '../config';
import type { SecureVpc } from '../constructs/network/secure-vpc';
import type { RampartFunction } from '../constructs/compute/rampart-function';
import { AlarmFactory, fastBurnThreshold } from '../constructs/ops/alarm-factory';
import {
  databaseAlarms,
  proxyAlarms,
  proxyMetric,
  routeMetric,
  topicAlarms,
  userPoolAlarms,
} from '../constructs/ops/component-alarms';
import { emailAlarms, emailDashboardSection } from '../constructs/ops/email-alarms';
import { DatabaseEventSubscriptions } from '../constructs/ops/database-event-subscriptions';
import { DatabaseWatch } from '../constructs/ops/database-watch';
import { deprecatedRoutesDashboardSection } from '../constructs/ops/deprecated-routes';
import { EventAlertRules } from '../constructs/ops/event-alert-rules';
import { OpsDashboard } from '../constructs/ops/ops-dashboard';
import { SeverityTopics } from '../constructs/ops/severity-topics';
import { SecretRotationWatch } from '../constructs/ops/secret-rotation-watch';
import type { ScheduledCheckerBaseProps } from '../constructs/ops/scheduled-checker';
import { RestoreValidation } from '../constructs/ops/restore-validation';
import { FaultInjection, MAX_DISRUPTION_SECONDS } from '../constructs/ops/fault-injection';
import { IdentityBackup } from '../constructs/ops/identity-backup';
import { APP_DB_USER, DATABASE_NAME } from '../constructs/data/postgres-database';
import { SlackDelivery } from '../constructs/ops/slack-delivery';
import type { ApiStack } from './api-stack';
import type { AuthStack } from './auth-stack';
import type { DataStack } from './data-stack';
import { globalTopicArns, type OpsGlobalStack } from './ops-global-stack';
import {
  alertTopics,
  alarmFunctions,
  apiFunctions,
  apiPathAlarms,
  environmentAlarmFactory,
  maintenanceAlarm,
  notifierDeadLetterAlarms,
  notifierFunction,
  serverErrorPercent,
  sloAlarms,
  type AlarmedFunction,
} from './environment-alarms';
import { RampartStack, type RampartStackProps } from './rampart-stack';

export interface OpsStackProps extends RampartStackProps {
  readonly network: SecureVpc;
  readonly api: ApiStack;
  readonly data: DataStack;
  /** The user pool: throttles and (with threat protection) high-risk sign-ins. */
  readonly auth: AuthStack;
  /**
   * The us-east-1 part: its topics are subscribed by the notifier and Chatbot.
   * @default - no global topics
   */
  readonly global?: OpsGlobalStack;
  /**
   * The regional web ACL in front of the API, when it exists.
   * @default - no regional WAF alarm
   */
  readonly regionalWebAcl?: { readonly webAcl: IConstruct; readonly metricName: string };
  /**
   * Where identity backups go: the DR region's bucket and key alias (`Rampart-<env>-DataDr`).
   * @default - no identity backup
   */
  readonly identityBackup?: { readonly bucketName: string; readonly drKeyAlias: string };
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

export { MAINTENANCE_METRIC } from './environment-alarms';

/**
 * Operations of an environment: severity topics (customer-managed key that CloudWatch and
 * EventBridge can use), pager subscription, Slack delivery (webhook notifier and optional
 * Chatbot), the alarm catalogue over every component, burn-rate SLO composites that page,
 * the maintenance suppressor, event alerts (AWS Backup, Secrets Manager rotation) and the dashboard.
 */
export class OpsStack extends RampartStack {
  public readonly topics: SeverityTopics;
  public readonly alarms: AlarmFactory;
  public readonly slack: SlackDelivery;
  public readonly eventRules: EventAlertRules;
  public readonly dashboard: OpsDashboard;
  public readonly rotationWatch: SecretRotationWatch;
  public readonly databaseWatch: DatabaseWatch;
  public readonly databaseEvents: DatabaseEventSubscriptions;
  /** AWS FIS experiments the drills start (database failover, AZ network loss), stopped by the SLO alarms. */
  public readonly faultInjection: FaultInjection;
  /** Users, groups and API-key owners backed up into drRegion (where a region loss is recovered). */
  public readonly identityBackup?: IdentityBackup;
  /** Validation of restore tests (where the Data stack runs them). */
  public readonly restoreValidation?: RestoreValidation;

  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);
    const { config, network, api, data, auth } = props;
    const { alarms: alarmsConfig } = config;
    const t = alarmsConfig.thresholds;
    const dashboardName = `rampart-${config.name}-ops`;

    ({ topics: this.topics, slack: this.slack } = alertTopics(this, config, {
      slack: {
        remoteTopicArns: props.global ? globalTopicArns(this, config.name) : undefined,
        network: { vpc: network.vpc, subnets: network.functionSubnets },
      },
    }));
    this.alarms = environmentAlarmFactory(this, config, this.topics);
    // What every watch function of this stack shares: network, encrypted logs, failed invocations.
    const watchBase: ScheduledCheckerBaseProps = {
      vpc: network.vpc,
      subnets: network.functionSubnets,
      logEncryptionKey: this.topics.key,
      logRetentionDays: config.functions.logRetentionDays,
      logRemovalPolicy: this.logRemovalPolicy,
      deadLetterQueue: this.slack.deadLetterQueue,
    };

    this.rotationWatch = new SecretRotationWatch(this, 'SecretRotation', {
      secrets: [
        {
          name: 'database-admin',
          secret: data.database.adminSecret,
          rotationDays: config.database.secretRotationDays,
        },
        {
          name: 'origin-verify',
          secret: api.originVerify.secret,
          rotationDays: config.edge.originVerifyRotationDays,
        },
        {
          name: 'login-client',
          secret: api.loginClientSecretRotation.secret,
          rotationDays: config.auth.clientSecretRotationDays,
        },
      ],
      alarms: this.alarms,
      ...watchBase,
    });

    this.databaseWatch = new DatabaseWatch(this, 'DatabaseWatch', {
      instance: data.database.instance,
      alarms: this.alarms,
      ...watchBase,
      dr:
        config.backup.copyToDrRegion || config.database.replicateBackupsToDrRegion
          ? {
              region: config.drRegion,
              copies: config.backup.copyToDrRegion,
              replication: config.database.replicateBackupsToDrRegion,
            }
          : undefined,
    });
    if (data.backup.restoreTestingPlans.length > 0) {
      this.restoreValidation = new RestoreValidation(this, 'RestoreValidation', {
        plans: data.backup.restoreTestingPlans,
        adminSecret: data.database.adminSecret,
        secretEncryptionKey: data.key.key,
        databaseSecurityGroup: data.database.databaseSecurityGroup,
        objective: config.recovery.pointInTimeRestore,
        alarms: this.alarms,
        ...watchBase,
      });
    }
    const regionLoss = config.recovery.regionLoss;
    if (regionLoss && props.identityBackup) {
      this.identityBackup = new IdentityBackup(this, 'IdentityBackup', {
        userPool: auth.directory.userPool,
        rpoSeconds: regionLoss.identityRpoSeconds,
        drRegion: config.drRegion,
        bucketName: props.identityBackup.bucketName,
        drKeyAlias: props.identityBackup.drKeyAlias,
        database: {
          host: data.database.proxyEndpoint,
          name: DATABASE_NAME,
          user: APP_DB_USER,
          clientSecurityGroup: data.database.clientSecurityGroup,
        },
        alarms: this.alarms,
        ...watchBase,
      });
      data.database.proxy.grantConnect(this.identityBackup.backup, APP_DB_USER);
    }
    this.databaseEvents = new DatabaseEventSubscriptions(this, 'DatabaseEvents', {
      instance: data.database.instance,
      topics: this.topics,
      categories: RDS_EVENT_SUBSCRIPTIONS.categories,
    });

    // Functions: the Api stack's (every route, the authorizer, the worker, the scheduled ones, the
    // rotations) and this stack's own. Timeout and reservation are read from each function's definition.
    const watched: AlarmedFunction[] = [
      ...apiFunctions(api),
      notifierFunction(this.slack),
      {
        fn: this.rotationWatch.checker,
        component: 'secret-rotation-age',
        impact: 'Measuring secret rotation age',
      },
      {
        fn: this.databaseWatch.checker,
        component: 'database-watch',
        impact: 'Measuring backup, DR copy and replication ages and pending maintenance',
      },
    ];
    alarmFunctions(this.alarms, watched, t);

    const stage = api.restApi.api.deploymentStage;
    const apiRef = apiPathAlarms(
      this.alarms,
      api,
      config,
      props.regionalWebAcl ? { ...props.regionalWebAcl, region: this.region } : undefined,
    );
    notifierDeadLetterAlarms(this.alarms, this.slack);

    databaseAlarms(
      this.alarms,
      { instance: data.database.instance, maxConnections: maxConnectionsOf(config.database.instanceClass) },
      t,
    );
    proxyAlarms(
      this.alarms,
      { proxy: data.database.proxy, connectionBudget: proxyConnectionBudget(config.database) },
      t,
    );
    topicAlarms(this.alarms, this.topics.topics);
    // The user pool's mail goes through SES where config says so (staging, prod); dev uses Cognito's sender.
    if (config.auth.email) emailAlarms(this.alarms, config.auth.email);
    userPoolAlarms(this.alarms, {
      userPool: auth.directory.userPool,
      userPoolId: auth.directory.userPool.userPoolId,
      clients: [
        { name: 'login', clientId: auth.directory.loginClient.userPoolClientId },
        { name: 'machine', clientId: auth.directory.machineClient.userPoolClientId },
      ],
      threatProtection: config.auth.plusFeatures,
    });

    // SLOs: burn-rate composites page; muted by the maintenance alarm.
    const maintenance = maintenanceAlarm(this.alarms, config.name);
    const { availability: availabilitySlo, latency: latencySlo } = sloAlarms(
      this.alarms,
      stage,
      alarmsConfig.slo,
      maintenance,
    );

    // The region-loss fault's stop condition: the API failing at the SLO's fast-burn rate in every
    // minute of the region-loss RTO (capped at FIS's 12 h) means traffic never moved to the standby.
    const regionFaultStop = regionLoss
      ? this.alarms.metricAlarm({
          runbook: 'slo-availability',
          component: 'region-fault',
          signal: 'overrun',
          severity: 'info',
          impact: `The API answered 5XX above the fast-burn rate for the whole region-loss RTO (${regionLoss.rtoSeconds} s): a region-failover drill has not moved traffic; this stops its FIS fault.`,
          metric: serverErrorPercent(stage, MINUTE),
          threshold: fastBurnThreshold(alarmsConfig.slo.availabilityPercent),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          // No requests (traffic moved to the standby) is not an outage of this API.
          treatMissingData: TreatMissingData.NOT_BREACHING,
          evaluationPeriods: Math.ceil(Math.min(regionLoss.rtoSeconds, MAX_DISRUPTION_SECONDS) / 60),
          datapointsToAlarm: Math.ceil(Math.min(regionLoss.rtoSeconds, MAX_DISRUPTION_SECONDS) / 60),
          watches: [stage],
        })
      : undefined;

    this.faultInjection = new FaultInjection(this, 'FaultInjection', {
      environment: config.name,
      recovery: config.recovery,
      database: data.database.instance,
      multiAz: config.database.multiAz,
      vpc: network.vpc,
      functionSubnets: network.functionSubnets,
      stopAlarms: [availabilitySlo, latencySlo],
      regionLoss:
        regionLoss && regionFaultStop
          ? {
              dataSubnets: network.dataSubnets,
              rtoSeconds: regionLoss.rtoSeconds,
              stopAlarm: regionFaultStop,
            }
          : undefined,
      logEncryptionKey: this.topics.key,
      logRetentionDays: config.functions.logRetentionDays,
      logRemovalPolicy: this.logRemovalPolicy,
    });

    this.eventRules = new EventAlertRules(this, 'EventAlerts', {
      alerts: EVENT_ALERTS,
      topics: this.topics.topics,
      deadLetterQueue: this.slack.deadLetterQueue,
    });

    const fnMetrics = (metric: (fn: RampartFunction) => Metric) =>
      watched.map((w) => metric(w.fn).with({ label: w.component }));
    this.dashboard = new OpsDashboard(this, 'Dashboard', {
      dashboardName,
      alarms: this.alarms.entries.map((entry) => entry.alarm),
      sections: [
        {
          title: 'API',
          graphs: [
            {
              title: 'Requests, 4XX, 5XX',
              left: [
                stage.metricCount({ period: MINUTE, statistic: 'Sum' }),
                stage.metricClientError({ period: MINUTE, statistic: 'Sum' }),
                stage.metricServerError({ period: MINUTE, statistic: 'Sum' }),
              ],
            },
            {
              title: 'Latency p50/p90/p99',
              left: ['p50', 'p90', 'p99'].map((s) => stage.metricLatency({ period: MINUTE, statistic: s })),
            },
            {
              title: 'Integration latency p99',
              left: [stage.metricIntegrationLatency({ period: MINUTE, statistic: 'p99' })],
            },
          ],
        },
        {
          title: 'Routes (golden signals)',
          graphs: GATEWAY_METHODS.map((route) => ({
            title: `${route.method} ${route.path}`,
            left: [
              routeMetric(apiRef, route, 'Latency', 'p90', FIVE_MINUTES),
              routeMetric(apiRef, route, 'Latency', 'p99', FIVE_MINUTES),
            ],
            right: [
              routeMetric(apiRef, route, 'Count', 'Sum', FIVE_MINUTES),
              routeMetric(apiRef, route, '5XXError', 'Sum', FIVE_MINUTES),
              routeMetric(apiRef, route, '4XXError', 'Sum', FIVE_MINUTES),
            ],
          })),
        },
        ...deprecatedRoutesDashboardSection(apiRef, ROUTES),
        {
          title: 'Functions and authorizer',
          graphs: [
            {
              title: 'Errors',
              left: fnMetrics((fn) => fn.metricErrors({ period: MINUTE, statistic: 'Sum' })),
            },
            {
              title: 'Throttles',
              left: fnMetrics((fn) => fn.metricThrottles({ period: MINUTE, statistic: 'Sum' })),
            },
            {
              title: 'Duration p99',
              left: fnMetrics((fn) => fn.metricDuration({ period: MINUTE, statistic: 'p99' })),
            },
            {
              title: 'Authorizer',
              left: [
                api.authorizerFunction.metricInvocations({ period: MINUTE }),
                api.authorizerFunction.metricErrors({ period: MINUTE }),
              ],
              right: [api.authorizerFunction.metricDuration({ period: MINUTE, statistic: 'p99' })],
            },
          ],
        },
        {
          title: 'Database and proxy',
          graphs: [
            {
              title: 'CPU and DB load',
              left: [data.database.instance.metricCPUUtilization({ period: MINUTE })],
              right: [data.database.instance.metric('DBLoad', { period: MINUTE })],
            },
            {
              title: 'Memory and storage',
              left: [data.database.instance.metricFreeableMemory({ period: FIVE_MINUTES })],
              right: [data.database.instance.metricFreeStorageSpace({ period: FIVE_MINUTES })],
            },
            {
              title: 'Read/write latency',
              left: ['ReadLatency', 'WriteLatency'].map((m) =>
                data.database.instance.metric(m, { period: MINUTE }),
              ),
            },
            {
              title: 'Connections',
              left: [
                data.database.instance.metricDatabaseConnections({ period: MINUTE, statistic: 'Maximum' }),
                proxyMetric(data.database.proxy, 'DatabaseConnections', 'Maximum', MINUTE),
                proxyMetric(data.database.proxy, 'ClientConnections', 'Maximum', MINUTE),
              ],
            },
            {
              title: 'Proxy borrow latency (µs) and pinned',
              left: [proxyMetric(data.database.proxy, 'DatabaseConnectionsBorrowLatency', 'Average', MINUTE)],
              right: [
                proxyMetric(
                  data.database.proxy,
                  'DatabaseConnectionsCurrentlySessionPinned',
                  'Maximum',
                  MINUTE,
                ),
              ],
            },
            {
              title: 'Proxy auth failures',
              left: [proxyMetric(data.database.proxy, 'ClientConnectionsSetupFailedAuth', 'Sum', MINUTE)],
            },
          ],
        },
        {
          title: 'Queue and worker',
          graphs: [
            {
              title: 'Work queue',
              left: [api.workQueue.queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE })],
              right: [api.workQueue.queue.metricApproximateAgeOfOldestMessage({ period: MINUTE })],
            },
            {
              title: 'Dead letters',
              left: [
                api.workQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: MINUTE }),
                this.slack.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: MINUTE }),
              ],
            },
            {
              title: 'Worker',
              left: [
                api.worker.metricInvocations({ period: MINUTE }),
                api.worker.metricErrors({ period: MINUTE }),
              ],
              right: [api.worker.metricDuration({ period: MINUTE, statistic: 'p99' })],
            },
          ],
        },
        ...(props.regionalWebAcl
          ? [
              {
                title: 'WAF',
                graphs: [
                  {
                    title: 'Regional web ACL',
                    left: ['AllowedRequests', 'BlockedRequests'].map(
                      (metricName) =>
                        new Metric({
                          namespace: 'AWS/WAFV2',
                          metricName,
                          dimensionsMap: {
                            WebACL: props.regionalWebAcl!.metricName,
                            Rule: 'ALL',
                            Region: this.region,
                          },
                          statistic: 'Sum',
                          period: FIVE_MINUTES,
                        }),
                    ),
                  },
                ],
              },
            ]
          : []),
        ...(config.auth.email ? [emailDashboardSection(config.auth.email)] : []),
      ],
    });
  }
}
