import { Duration } from 'aws-cdk-lib';
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
import type { SeverityTopics } from '../constructs/ops/severity-topics';
import type { SlackDelivery } from '../constructs/ops/slack-delivery';
import type { ApiStack } from './api-stack';

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
