import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { RouteDefinition } from '../../../lambda/shared/route';
import type { AlarmSeverity, AlarmsConfig } from '../../config';
import { kebab, type AlarmFactory } from './alarm-factory';

type Thresholds = AlarmsConfig['thresholds'];
const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** An RDS Proxy as its alarms need it: the L2 `DatabaseProxy` or the standby's `CfnDBProxy`. */
export type WatchedProxy = IConstruct & { readonly dbProxyName: string };

/** A function and how it is configured, as the alarms need it. */
export interface WatchedFunction {
  readonly fn: LambdaFunction;
  /** Name part, kebab-case (`projects-get`, `authorizer`, `worker`). */
  readonly component: string;
  readonly timeout: Duration;
  readonly reservedConcurrency: number;
  /** What users lose when it fails. */
  readonly impact: string;
  /** @default 'lambda-errors' */
  readonly errorsRunbook?: string;
}

/**
 * Errors, throttles, p99 duration above `durationPercentOfTimeout` of the timeout, and (for
 * reservations of 2 or more) concurrency near the reservation; with a reservation of 1 the
 * function is at its limit whenever it runs, so the throttles alarm is the signal.
 */
export function functionAlarms(factory: AlarmFactory, watched: WatchedFunction, t: Thresholds): void {
  const { fn, component, impact } = watched;
  const common = { component, watches: [fn] as IConstruct[] };
  factory.metricAlarm({
    ...common,
    runbook: watched.errorsRunbook ?? 'lambda-errors',
    signal: 'errors',
    severity: 'warning',
    impact: `${impact} fails for some requests.`,
    metric: fn.metricErrors({ period: MINUTE, statistic: 'Sum' }),
    threshold: t.functionErrors,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'lambda-throttles',
    signal: 'throttles',
    severity: 'warning',
    impact: `${impact} is refused (429/502) because the function is at its reserved concurrency.`,
    metric: fn.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const timeoutMs = watched.timeout.toMilliseconds();
  factory.metricAlarm({
    ...common,
    runbook: 'lambda-duration-near-timeout',
    signal: 'duration-near-timeout',
    severity: 'warning',
    impact: `${impact} is close to timing out (p99 above ${t.durationPercentOfTimeout}% of ${watched.timeout.toSeconds()} s).`,
    metric: fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
    threshold: Math.round((timeoutMs * t.durationPercentOfTimeout) / 100),
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  if (watched.reservedConcurrency >= 2) {
    factory.metricAlarm({
      ...common,
      runbook: 'lambda-concurrency-near-limit',
      signal: 'concurrency-near-limit',
      severity: 'warning',
      impact: `${impact} will be throttled soon (concurrency near its reservation of ${watched.reservedConcurrency}).`,
      metric: fn.metric('ConcurrentExecutions', { period: MINUTE, statistic: 'Maximum' }),
      threshold: Math.max(1, Math.ceil((watched.reservedConcurrency * t.concurrencyPercentOfReserved) / 100)),
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

/** `100 * bad / count` guarded by a minimum request count (quiet at low traffic). */
function ratePercent(
  bad: IMetric,
  count: IMetric,
  minRequests: number,
  label: string,
  period: Duration,
): MathExpression {
  return new MathExpression({
    expression: `IF(requests >= ${minRequests}, 100 * bad / requests, 0)`,
    usingMetrics: { bad, requests: count },
    label,
    period,
  });
}

/** The REST API stage: 5XX and 4XX rates, and per-route p90/p99 latency from the manifest. */
export function apiAlarms(
  factory: AlarmFactory,
  api: {
    readonly stage: Stage;
    readonly apiName: string;
    readonly routes: readonly Pick<RouteDefinition, 'id' | 'path'>[] & readonly { readonly method: string }[];
  },
  t: Thresholds,
): void {
  const { stage } = api;
  const watches = [stage];
  factory.metricAlarm({
    runbook: 'api-5xx-rate',
    component: 'api',
    signal: '5xx-rate',
    severity: 'warning',
    impact: `More than ${t.api5xxPercent}% of API requests fail with a 5XX.`,
    metric: ratePercent(
      stage.metricServerError({ period: MINUTE, statistic: 'Sum' }),
      stage.metricCount({ period: MINUTE, statistic: 'Sum' }),
      t.minRequestsForRate,
      '5XX %',
      MINUTE,
    ),
    threshold: t.api5xxPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    watches,
  });
  factory.metricAlarm({
    runbook: 'api-4xx-rate',
    component: 'api',
    signal: '4xx-rate',
    severity: 'warning',
    impact: `More than ${t.api4xxPercent}% of API requests are refused with a 4XX (auth, throttling or a broken client).`,
    metric: ratePercent(
      stage.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      stage.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
      t.minRequestsForRate,
      '4XX %',
      FIVE_MINUTES,
    ),
    threshold: t.api4xxPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    watches,
  });
  for (const route of api.routes) {
    for (const [signal, statistic, threshold] of [
      ['p90-latency', 'p90', t.latencyP90Ms],
      ['p99-latency', 'p99', t.latencyP99Ms],
    ] as const) {
      factory.metricAlarm({
        runbook: 'api-route-latency',
        component: kebab(route.id),
        signal,
        severity: 'warning',
        impact: `${route.method} ${route.path} is slow (${statistic} above ${threshold} ms).`,
        metric: routeMetric(api, route, 'Latency', statistic, FIVE_MINUTES),
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        watches,
      });
    }
  }
}

/** A per-method API Gateway metric (detailed metrics are on for the stage). */
export function routeMetric(
  api: { readonly stage: Stage; readonly apiName: string },
  route: { readonly method: string; readonly path: string },
  metricName: string,
  statistic: string,
  period: Duration,
): Metric {
  return new Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: {
      ApiName: api.apiName,
      Stage: api.stage.stageName,
      Method: route.method,
      Resource: route.path,
    },
    statistic,
    period,
    label: `${route.method} ${route.path} ${statistic}`,
  });
}

/** A work queue: age of the oldest message. */
export function queueAlarms(
  factory: AlarmFactory,
  queue: { readonly queue: Queue; readonly component: string; readonly impact: string },
  t: Thresholds,
): void {
  factory.metricAlarm({
    runbook: 'queue-oldest-message-age',
    component: queue.component,
    signal: 'oldest-message-age',
    severity: 'warning',
    impact: `${queue.impact} is delayed (oldest message older than ${t.queueOldestMessageSeconds} s).`,
    metric: queue.queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, statistic: 'Maximum' }),
    threshold: t.queueOldestMessageSeconds,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    watches: [queue.queue],
  });
}

/** A dead-letter queue: any message, and a message close to expiring (half its retention). */
export function deadLetterAlarms(
  factory: AlarmFactory,
  dlq: {
    readonly queue: Queue;
    readonly component: string;
    readonly impact: string;
    readonly retention: Duration;
    /** @default 'dlq-messages' */
    readonly runbook?: string;
    /** @default 'warning' */
    readonly severity?: AlarmSeverity;
  },
): void {
  const runbook = dlq.runbook ?? 'dlq-messages';
  const severity = dlq.severity ?? 'warning';
  factory.metricAlarm({
    runbook,
    component: dlq.component,
    signal: 'messages',
    severity,
    impact: `${dlq.impact} (messages in the dead-letter queue).`,
    metric: dlq.queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    watches: [dlq.queue],
  });
  const halfRetention = Math.floor(dlq.retention.toSeconds() / 2);
  factory.metricAlarm({
    runbook,
    component: dlq.component,
    signal: 'oldest-message-age',
    severity,
    impact: `${dlq.impact}; the oldest dead letter expires in less than ${Math.round(halfRetention / 3600)} h and will be lost.`,
    metric: dlq.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
    threshold: halfRetention,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    watches: [dlq.queue],
  });
}

/** The RDS instance: CPU, freeable memory, free storage, connections, I/O latency, DB load. */
export function databaseAlarms(
  factory: AlarmFactory,
  db: { readonly instance: IDatabaseInstance; readonly maxConnections: number },
  t: Thresholds,
): void {
  const { instance } = db;
  const common = { component: 'db', severity: 'warning' as const, watches: [instance] };
  const missing = TreatMissingData.BREACHING; // an instance that stops reporting is down
  factory.metricAlarm({
    ...common,
    runbook: 'db-cpu',
    signal: 'cpu',
    impact: `Queries slow down (CPU above ${t.dbCpuPercent}%).`,
    metric: instance.metricCPUUtilization({ period: FIVE_MINUTES, statistic: 'Average' }),
    threshold: t.dbCpuPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: missing,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'db-freeable-memory',
    signal: 'freeable-memory',
    impact: `The database swaps or is killed by the OOM killer (freeable memory below ${t.dbFreeableMemoryMiB} MiB).`,
    metric: instance.metricFreeableMemory({ period: FIVE_MINUTES, statistic: 'Minimum' }),
    threshold: t.dbFreeableMemoryMiB * MiB,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: missing,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'db-free-storage',
    signal: 'free-storage',
    impact: `Writes will fail when storage runs out (free storage below ${t.dbFreeStorageGiB} GiB).`,
    metric: instance.metricFreeStorageSpace({ period: FIVE_MINUTES, statistic: 'Minimum' }),
    threshold: t.dbFreeStorageGiB * GiB,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: missing,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'db-connections',
    signal: 'connections',
    impact: `New connections will be refused (above ${t.dbConnectionsPercent}% of max_connections ${db.maxConnections}).`,
    metric: instance.metricDatabaseConnections({ period: MINUTE, statistic: 'Maximum' }),
    threshold: Math.floor((db.maxConnections * t.dbConnectionsPercent) / 100),
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: missing,
  });
  for (const [signal, metricName] of [
    ['read-latency', 'ReadLatency'],
    ['write-latency', 'WriteLatency'],
  ] as const) {
    factory.metricAlarm({
      ...common,
      runbook: 'db-io-latency',
      signal,
      impact: `Queries wait on storage (${metricName} above ${t.dbIoLatencyMs} ms).`,
      metric: instance.metric(metricName, { period: FIVE_MINUTES, statistic: 'Average' }),
      threshold: t.dbIoLatencyMs / 1000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
  factory.metricAlarm({
    ...common,
    runbook: 'db-load',
    signal: 'load',
    impact: `Sessions queue for CPU, I/O or locks (DB load above ${t.dbLoad} average active sessions).`,
    metric: instance.metric('DBLoad', { period: FIVE_MINUTES, statistic: 'Average' }),
    threshold: t.dbLoad,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** An RDS Proxy metric (`AWS/RDS`, `ProxyName` dimension); CDK has no helpers for these. */
export function proxyMetric(
  proxy: WatchedProxy,
  metricName: string,
  statistic: string,
  period: Duration,
  extraDimensions: Record<string, string> = {},
): Metric {
  return new Metric({
    namespace: 'AWS/RDS',
    metricName,
    dimensionsMap: { ProxyName: proxy.dbProxyName, ...extraDimensions },
    statistic,
    period,
  });
}

/** RDS Proxy: borrow latency, connections vs budget, auth failures, pinned sessions, availability. */
export function proxyAlarms(
  factory: AlarmFactory,
  db: { readonly proxy: WatchedProxy; readonly connectionBudget: number },
  t: Thresholds,
): void {
  const { proxy } = db;
  const common = { component: 'db-proxy', severity: 'warning' as const, watches: [proxy] };
  factory.metricAlarm({
    ...common,
    runbook: 'proxy-borrow-latency',
    signal: 'borrow-latency',
    impact: `Requests wait for a pooled database connection (borrow latency above ${t.proxyBorrowLatencyMs} ms).`,
    metric: proxyMetric(proxy, 'DatabaseConnectionsBorrowLatency', 'Average', MINUTE),
    threshold: t.proxyBorrowLatencyMs * 1000, // microseconds
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'proxy-connections',
    signal: 'connections',
    impact: `Borrowing will time out (503) when the proxy reaches its budget of ${db.connectionBudget} database connections.`,
    metric: proxyMetric(proxy, 'DatabaseConnections', 'Maximum', MINUTE),
    threshold: Math.floor((db.connectionBudget * t.proxyConnectionsPercent) / 100),
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'proxy-auth-failures',
    signal: 'auth-failures',
    impact: 'Functions cannot connect (IAM token or TLS refused by the proxy).',
    metric: proxyMetric(proxy, 'ClientConnectionsSetupFailedAuth', 'Sum', FIVE_MINUTES),
    threshold: t.proxyAuthFailures,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'proxy-pinned-sessions',
    signal: 'pinned-sessions',
    impact: `Pooling is lost: more than ${t.proxyPinnedPercent}% of database connections are pinned to one client.`,
    metric: new MathExpression({
      expression: 'IF(connections > 0, 100 * pinned / connections, 0)',
      usingMetrics: {
        pinned: proxyMetric(proxy, 'DatabaseConnectionsCurrentlySessionPinned', 'Maximum', FIVE_MINUTES),
        connections: proxyMetric(proxy, 'DatabaseConnections', 'Maximum', FIVE_MINUTES),
      },
      label: 'pinned %',
      period: FIVE_MINUTES,
    }),
    threshold: t.proxyPinnedPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  factory.metricAlarm({
    ...common,
    runbook: 'proxy-availability',
    signal: 'availability',
    impact: 'The proxy cannot reach the database: every database route fails.',
    metric: proxyMetric(proxy, 'AvailabilityPercentage', 'Minimum', MINUTE, {
      TargetGroup: 'default',
      TargetRole: 'READ_WRITE',
    }),
    threshold: 100,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    // The proxy reports availability only while it has clients; silence is not an outage.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** A web ACL's blocked requests (`Rule=ALL`); `region` only for REGIONAL scope. */
export function wafAlarms(
  factory: AlarmFactory,
  acl: {
    readonly webAcl: IConstruct;
    readonly metricName: string;
    readonly component: string;
    readonly region?: string;
  },
  t: Thresholds,
): void {
  factory.metricAlarm({
    runbook: 'waf-blocked-spike',
    component: acl.component,
    signal: 'blocked-spike',
    severity: 'warning',
    impact: `An attack or a false positive: more than ${t.wafBlockedRequests} requests blocked in 5 minutes.`,
    metric: new Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: acl.metricName, Rule: 'ALL', ...(acl.region ? { Region: acl.region } : {}) },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    }),
    threshold: t.wafBlockedRequests,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    evaluationPeriods: 2,
    datapointsToAlarm: 1,
    watches: [acl.webAcl],
  });
}

/** CloudFront 5xx error rate; only meaningful in us-east-1, where CloudFront publishes metrics. */
export function cloudFrontAlarms(
  factory: AlarmFactory,
  distribution: { readonly distribution: IConstruct; readonly distributionId: string },
  t: Thresholds,
): void {
  factory.metricAlarm({
    runbook: 'cloudfront-5xx-rate',
    component: 'cdn',
    signal: '5xx-rate',
    severity: 'warning',
    impact: `Viewers get errors from the edge (5xx error rate above ${t.cloudFront5xxPercent}%).`,
    metric: new Metric({
      namespace: 'AWS/CloudFront',
      metricName: '5xxErrorRate',
      dimensionsMap: { DistributionId: distribution.distributionId, Region: 'Global' },
      statistic: 'Average',
      period: MINUTE,
    }),
    threshold: t.cloudFront5xxPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    watches: [distribution.distribution],
  });
}

/** SNS delivery failures of each alarm topic (meta-alarm: alerts that did not reach anyone). */
export function topicAlarms(
  factory: AlarmFactory,
  topics: Readonly<Record<AlarmSeverity, ITopic>>,
  /** First part of each alarm's component (`<prefix>-<severity>`): names are unique per environment. */
  componentPrefix = 'topic',
): void {
  for (const [severity, topic] of Object.entries(topics)) {
    factory.metricAlarm({
      runbook: 'sns-notifications-failed',
      component: `${componentPrefix}-${severity}`,
      signal: 'notifications-failed',
      severity: severity === 'critical' ? 'critical' : 'warning',
      impact: `${severity} alerts did not reach a subscriber (Slack notifier, Chatbot or pager).`,
      metric: topic.metricNumberOfNotificationsFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      watches: [topic],
    });
  }
}

/** Metric names the Cognito user pool publishes for throttled sign-ins and token refreshes, per app client. */
const COGNITO_THROTTLE_METRICS = ['SignInThrottles', 'TokenRefreshThrottles'] as const;

/**
 * The user pool: throttled sign-ins and token refreshes of its app clients (Cognito's request rate
 * quotas are per account and region; a throttled call is a failed login or refresh for a user), and,
 * with threat protection (Cognito Plus), sign-ins Cognito scored as high account-takeover risk.
 * Metrics and dimensions: docs.aws.amazon.com/cognito/latest/developerguide/metrics-for-cognito-user-pools.html
 * and user-pool-settings-viewing-threat-protection-metrics.html.
 */
export function userPoolAlarms(
  factory: AlarmFactory,
  pool: {
    readonly userPool: IConstruct;
    readonly userPoolId: string;
    readonly clients: readonly { readonly name: string; readonly clientId: string }[];
    readonly threatProtection: boolean;
  },
): void {
  const usingMetrics: Record<string, IMetric> = {};
  pool.clients.forEach((client, index) =>
    COGNITO_THROTTLE_METRICS.forEach((metricName, m) => {
      usingMetrics[`t${index}x${m}`] = new Metric({
        namespace: 'AWS/Cognito',
        metricName,
        dimensionsMap: { UserPool: pool.userPoolId, UserPoolClient: client.clientId },
        statistic: 'Sum',
        period: MINUTE,
        label: `${client.name} ${metricName}`,
      });
    }),
  );
  factory.metricAlarm({
    runbook: 'auth-throttles',
    component: 'auth',
    // Not `-throttles`: that suffix is the functions' alarm (catalogue rows are told apart by name).
    signal: 'throttled-requests',
    severity: 'warning',
    impact:
      'Cognito refuses sign-ins or token refreshes (request rate quota): users cannot log in or stay logged in.',
    metric: new MathExpression({
      expression: 'SUM(METRICS())',
      usingMetrics,
      label: 'throttled sign-ins and refreshes',
      period: MINUTE,
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    watches: [pool.userPool],
  });
  if (!pool.threatProtection) return;
  factory.metricAlarm({
    runbook: 'auth-high-risk-sign-ins',
    component: 'auth',
    signal: 'high-risk-sign-ins',
    severity: 'warning',
    impact:
      'Cognito threat protection scored sign-ins as high account-takeover risk (blocked or challenged by the risk configuration): an attack on accounts, or a false positive locking users out.',
    metric: new Metric({
      namespace: 'AWS/Cognito',
      metricName: 'AccountTakeOverRisk',
      dimensionsMap: { UserPoolId: pool.userPoolId, Operation: 'SignIn', RiskLevel: 'high' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    watches: [pool.userPool],
  });
}

/** Days of certificate validity below which `certificate-expiry` fires (ACM's expiry events start here). */
export const CERTIFICATE_MIN_DAYS = 45;

/**
 * Days until the custom domain's certificate expires (ACM's `DaysToExpiry`, published in the
 * certificate's region, us-east-1 for CloudFront). ACM renews DNS-validated certificates from 60
 * days before expiry and starts its own expiry events at 45: below 45 days, renewal is not
 * happening (validation record gone) or the certificate is imported and must be replaced by hand.
 * The metric stops when the certificate has expired, so missing data breaches.
 */
export function certificateAlarms(
  factory: AlarmFactory,
  cert: { readonly certificate: ICertificate; readonly domainName: string },
): void {
  factory.metricAlarm({
    runbook: 'certificate-expiry',
    component: 'edge-certificate',
    signal: 'days-to-expiry',
    severity: 'warning',
    impact: `The certificate of ${cert.domainName} expires in less than ${CERTIFICATE_MIN_DAYS} days: when it does, every viewer gets a TLS error.`,
    metric: cert.certificate.metricDaysToExpiry({ period: Duration.days(1), statistic: 'Minimum' }),
    threshold: CERTIFICATE_MIN_DAYS,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.BREACHING,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    watches: [cert.certificate],
  });
}
