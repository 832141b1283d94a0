import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { AlarmFactory } from '../constructs/ops/alarm-factory';
import { dashboardUrl } from '../constructs/ops/ops-dashboard';
import type { SeverityTopics } from '../constructs/ops/severity-topics';

/**
 * The alarm factory of one of an environment's ops stacks (Ops, OpsGlobal, DrOps): its datapoints,
 * runbook links and a link to the environment's dashboard (in `config.region`, wherever the stack is).
 */
export function environmentAlarmFactory(
  scope: Construct,
  config: Pick<EnvironmentConfig, 'name' | 'region' | 'alarms'>,
  topics: SeverityTopics,
): AlarmFactory {
  return new AlarmFactory(scope, 'Alarms', {
    app: 'rampart',
    environment: config.name,
    docsBaseUrl: config.alarms.docsBaseUrl,
    dashboardUrl: dashboardUrl(config.region, `rampart-${config.name}-ops`),
    topics: topics.topics,
    evaluationPeriods: config.alarms.datapoints.evaluationPeriods,
    datapointsToAlarm: config.alarms.datapoints.datapointsToAlarm,
  });
}
