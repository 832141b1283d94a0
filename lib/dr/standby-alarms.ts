import {
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  type CloudWatchClient,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';

/**
 * The standby's alarms that only mean something while its database is a replica (DrOps publishes
 * their names as `/rampart/<env>/standby/replica-alarm-names`): today the replica-lag alarm. A
 * promoted replica stops reporting `ReplicaLag`, and that alarm treats missing data as breaching,
 * so without this it would page on-call in the middle of a failover. The replica's other alarms
 * (CPU, memory, storage, connections, I/O, load) keep reporting under the same instance identifier
 * after promotion and then watch the new primary: they stay armed.
 */

/** CloudWatch takes at most 100 names per DisableAlarmActions/EnableAlarmActions/DescribeAlarms request. */
const MAX_NAMES = 100;

function checked(alarmNames: readonly string[]): string[] {
  if (alarmNames.length === 0) throw new Error('No replica alarm names given (replica-alarm-names)');
  if (alarmNames.length > MAX_NAMES)
    throw new Error(`${alarmNames.length} replica alarm names: CloudWatch takes at most ${MAX_NAMES}`);
  return [...alarmNames];
}

/**
 * Region failover, right after promotion: the replica alarms keep evaluating (their state stays
 * visible) but notify nobody. Disabling disabled actions succeeds, so the step can run again.
 */
export async function disableReplicaAlarmActions(
  cloudWatch: CloudWatchClient,
  alarmNames: readonly string[],
): Promise<void> {
  await cloudWatch.send(new DisableAlarmActionsCommand({ AlarmNames: checked(alarmNames) }));
}

/** The named metric alarms as CloudWatch describes them; a name CloudWatch does not know is an error. */
export async function describeReplicaAlarms(
  cloudWatch: CloudWatchClient,
  alarmNames: readonly string[],
): Promise<MetricAlarm[]> {
  const names = checked(alarmNames);
  const answer = await cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'], MaxRecords: MAX_NAMES }),
  );
  const alarms = answer.MetricAlarms ?? [];
  const missing = names.filter((name) => !alarms.some((alarm) => alarm.AlarmName === name));
  if (missing.length > 0) throw new Error(`CloudWatch knows no alarm ${missing.join(', ')}`);
  return alarms;
}

/**
 * Failback, once a standby replica streams again: enables the replica alarms' actions, but only
 * when every one of them is `OK` (a replica that reports its lag within the RPO). Enabling them
 * while one is still in ALARM would arm an alarm that never pages (actions run on state changes).
 */
export async function enableReplicaAlarmActions(
  cloudWatch: CloudWatchClient,
  alarmNames: readonly string[],
): Promise<void> {
  const alarms = await describeReplicaAlarms(cloudWatch, alarmNames);
  const notOk = alarms.filter((alarm) => alarm.StateValue !== 'OK');
  if (notOk.length > 0) {
    throw new Error(
      `Not re-arming: ${notOk.map((alarm) => `${alarm.AlarmName} is ${alarm.StateValue ?? 'unknown'}`).join(', ')}; ` +
        'the standby replica must stream again first (rebuild it, then wait for ReplicaLag)',
    );
  }
  await cloudWatch.send(new EnableAlarmActionsCommand({ AlarmNames: checked(alarmNames) }));
}
