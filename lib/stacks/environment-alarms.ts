import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type Alarm,
  type CompositeAlarm,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct, IConstruct } from 'constructs';
import { GATEWAY_METHODS } from '../../lambda/routes';
import type { EnvironmentConfig } from '../config';
import type { RampartFunction } from '../constructs/compute/rampart-function';
import { AlarmFactory, kebab } from '../constructs/ops/alarm-factory';
import {
  apiAlarms,
  deadLetterAlarms,
  functionAlarms,
  queueAlarms,
  wafAlarms,
} from '../constructs/ops/component-alarms';
import { dashboardUrl } from '../constructs/ops/ops-dashboard';
import { allowLogsToUse } from '../constructs/core/encrypted-log-group';
import { SeverityTopics } from '../constructs/ops/severity-topics';
import { SlackDelivery, type SlackDeliveryProps } from '../constructs/ops/slack-delivery';
import type { ApiStack } from './api-stack';
import type { RampartStack } from './rampart-stack';

/**
 * The alarm factory of one of an environment's ops stacks (Ops, OpsGlobal, DrOps): its datapoints,
 * runbook links and a link to the environment's dashboard (in `config.region`, wherever the stack is).
 */
export function environmentAlarmFactory(
  scope: Construct,
  config: Pick<EnvironmentConfig, 'name' | 'region' | 'alarms'>,
  topics: SeverityTopics,
  options: { readonly componentPrefix?: string } = {},
): AlarmFactory {
  return new AlarmFactory(scope, 'Alarms', {
    app: 'rampart',
    environment: config.name,
    docsBaseUrl: config.alarms.docsBaseUrl,
    dashboardUrl: dashboardUrl(config.region, `rampart-${config.name}-ops`),
    topics: topics.topics,
    evaluationPeriods: config.alarms.datapoints.evaluationPeriods,
    datapointsToAlarm: config.alarms.datapoints.datapointsToAlarm,
    componentPrefix: options.componentPrefix,
  });
}

/**
 * An environment's alert topics in one region and what delivers them (Ops, DrOps, DrRestore): the
 * severity topics, paged as config says, and the Slack webhook notifier on them, its logs under the
 * topics' key. `slack` carries where the notifier runs (`network`, none: outside any VPC) and what
 * differs per stack (`remoteTopicArns`, `chatbot`).
 */
export function alertTopics(
  stack: RampartStack,
  config: Pick<EnvironmentConfig, 'name' | 'alarms' | 'functions'>,
  options: {
    readonly topicNamePrefix?: string;
    readonly slack: Pick<SlackDeliveryProps, 'network' | 'remoteTopicArns' | 'chatbot'>;
  },
): { readonly topics: SeverityTopics; readonly slack: SlackDelivery } {
  const topics = new SeverityTopics(stack, 'Topics', {
    environment: config.name,
    ...(options.topicNamePrefix === undefined ? {} : { topicNamePrefix: options.topicNamePrefix }),
  });
  topics.subscribePager(config.alarms.paging);
  const slack = new SlackDelivery(stack, 'Slack', {
    environment: config.name,
    alarms: config.alarms,
    topics: topics.topics,
    key: topics.key,
    logRetentionDays: config.functions.logRetentionDays,
    logRemovalPolicy: stack.logRemovalPolicy,
    ...options.slack,
  });
  allowLogsToUse(topics.key, stack);
  return { topics, slack };
}

/** A function with component alarms: its name part and what users lose when it fails. */
export interface AlarmedFunction {
  readonly fn: RampartFunction;
  readonly component: string;
  readonly impact: string;
  /** @default 'lambda-errors' */
  readonly errorsRunbook?: string;
}

/**
 * The functions of an Api stack (primary or standby) that get component alarms: every route, the
 * authorizer, the worker, the scheduled ones, the rotations, and the standby's API key recreation.
 */
export function apiFunctions(api: ApiStack): AlarmedFunction[] {
  return [
    ...GATEWAY_METHODS.filter((route) => api.routeFunctions[route.id] !== undefined).map((route) => ({
      fn: api.routeFunctions[route.id],
      component: kebab(route.id),
      impact: `${route.method} ${route.path}`,
    })),
    {
      fn: api.authorizerFunction,
      component: 'authorizer',
      impact: 'Every authenticated route (the authorizer)',
      errorsRunbook: 'authorizer-errors',
    },
    { fn: api.worker, component: 'worker', impact: 'Event processing (worker)' },
    {
      fn: api.outboxRelay,
      component: 'outbox-relay',
      impact: 'Relaying unpublished events (outbox relay)',
    },
    { fn: api.apiKeyCleanup, component: 'api-key-cleanup', impact: 'Expired API key removal (cleanup)' },
    ...(api.originVerifyRotation
      ? [
          {
            fn: api.originVerifyRotation,
            component: 'origin-verify-rotation',
            impact: 'Rotation of the CloudFront origin-verify header',
          },
        ]
      : []),
    {
      fn: api.loginClientSecretRotationFunction,
      component: 'login-client-secret-rotation',
      impact: 'Rotation of the login client secret (Cognito)',
    },
    {
      fn: api.apiKeyRecreation,
      component: 'api-key-recreation',
      impact: "Recreating the gateway's API keys after a failover or failback",
    },
  ];
}

/** Errors, throttles, duration and concurrency of each function; timeout and reservation read from its definition. */
export function alarmFunctions(
  alarms: AlarmFactory,
  functions: readonly AlarmedFunction[],
  thresholds: EnvironmentConfig['alarms']['thresholds'],
): void {
  for (const w of functions) {
    const definition = w.fn.node.defaultChild as CfnFunction;
    functionAlarms(
      alarms,
      {
        fn: w.fn,
        component: w.component,
        timeout: Duration.seconds(definition.timeout ?? 3),
        reservedConcurrency: definition.reservedConcurrentExecutions ?? 0,
        impact: w.impact,
        errorsRunbook: w.errorsRunbook,
      },
      thresholds,
    );
  }
}

/**
 * The request path of an Api stack beyond its functions: the stage (5XX and 4XX rates, per-route
 * latency), the work queue and its DLQ, and the regional web ACL when given.
 */
export function apiPathAlarms(
  alarms: AlarmFactory,
  api: ApiStack,
  config: Pick<EnvironmentConfig, 'name' | 'alarms' | 'queue'>,
  regionalWebAcl?: { readonly webAcl: IConstruct; readonly metricName: string; readonly region: string },
): { readonly stage: ApiStack['restApi']['api']['deploymentStage']; readonly apiName: string } {
  const t = config.alarms.thresholds;
  const stage = api.restApi.api.deploymentStage;
  const apiRef = { stage, apiName: `rampart-${config.name}`, routes: GATEWAY_METHODS };
  apiAlarms(alarms, apiRef, t);
  queueAlarms(alarms, { queue: api.workQueue.queue, component: 'work-queue', impact: 'Event processing' }, t);
  deadLetterAlarms(alarms, {
    queue: api.workQueue.deadLetterQueue,
    component: 'work-dlq',
    impact: 'Events or scheduled runs failed for good',
    retention: Duration.days(config.queue.deadLetterRetentionDays),
  });
  if (regionalWebAcl) wafAlarms(alarms, { ...regionalWebAcl, component: 'api-waf' }, t);
  return apiRef;
}

/** The Slack notifier of an ops stack, as an alarmed function. */
export function notifierFunction(slack: SlackDelivery, component = 'notifier'): AlarmedFunction {
  return { fn: slack.notifier, component, impact: 'Alert delivery to Slack (notifier)' };
}

/** The Slack notifier's dead letters: alerts that never reached Slack (critical: they page). */
export function notifierDeadLetterAlarms(
  alarms: AlarmFactory,
  slack: SlackDelivery,
  component = 'notifier',
): void {
  deadLetterAlarms(alarms, {
    queue: slack.deadLetterQueue,
    component: `${component}-dlq`,
    impact: 'Alerts were not delivered to Slack',
    retention: slack.deadLetterRetention,
    runbook: 'notifier-undelivered',
    severity: 'critical',
  });
}

/** Custom metric that mutes the paging composites while it is 1 (maintenance, DR drills). */
export const MAINTENANCE_METRIC = { namespace: 'Rampart/Operations', metricName: 'MaintenanceMode' } as const;

/**
 * `<prefix>ops-maintenance-mode`: in ALARM while the region's `MaintenanceMode` metric for the
 * environment is 1 (set by hand or by a drill, in the region of the stack), muting that region's
 * paging SLO composites; it keeps its state until the next data point (1 mutes, 0 unmutes).
 */
export function maintenanceAlarm(alarms: AlarmFactory, environment: string): Alarm {
  return alarms.metricAlarm({
    runbook: 'ops-maintenance-mode',
    component: 'ops',
    signal: 'maintenance-mode',
    severity: 'info',
    impact: 'Paging SLO alarms are muted while this is in ALARM (maintenance or DR drill).',
    metric: new Metric({
      ...MAINTENANCE_METRIC,
      dimensionsMap: { Environment: environment },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.IGNORE,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  });
}

/** Share of a stage's requests answered 5XX over a window (the availability SLO's bad events). */
export function serverErrorPercent(stage: Stage, window: Duration): MathExpression {
  return new MathExpression({
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    usingMetrics: {
      errors: stage.metricServerError({ period: window, statistic: 'Sum' }),
      requests: stage.metricCount({ period: window, statistic: 'Sum' }),
    },
    label: '5XX % of requests',
    period: window,
  });
}

/**
 * The availability and latency objectives of an API stage as paging burn-rate composites
 * (`<prefix>slo-<availability|latency>-burn-rate`, docs/alerting.md "SLOs"), muted by
 * `actionsSuppressor`. Their window alarms treat missing data as not breaching: a stage without
 * requests (an idle standby) burns no budget.
 */
export function sloAlarms(
  alarms: AlarmFactory,
  stage: Stage,
  slo: EnvironmentConfig['alarms']['slo'],
  actionsSuppressor: Alarm,
): { readonly availability: CompositeAlarm; readonly latency: CompositeAlarm } {
  const availability = alarms.burnRateSlo({
    runbook: 'slo-availability',
    component: 'slo-availability',
    impact: `The availability objective (${slo.availabilityPercent}% of requests without 5XX) is burning its error budget too fast.`,
    objectivePercent: slo.availabilityPercent,
    badPercent: (window) => serverErrorPercent(stage, window),
    actionsSuppressor,
    watches: [stage],
  });
  const latency = alarms.burnRateSlo({
    runbook: 'slo-latency',
    component: 'slo-latency',
    impact: `The latency objective (${slo.latencyPercent}% of requests under ${slo.latencyThresholdMs} ms) is burning its error budget too fast.`,
    objectivePercent: slo.latencyPercent,
    badPercent: (window) =>
      new MathExpression({
        expression: '100 - fast',
        usingMetrics: {
          fast: stage.metricLatency({ period: window, statistic: `PR(:${slo.latencyThresholdMs})` }),
        },
        label: `% of requests slower than ${slo.latencyThresholdMs} ms`,
        period: window,
      }),
    actionsSuppressor,
    watches: [stage],
  });
  return { availability, latency };
}
