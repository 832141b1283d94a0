import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseStandbyNameList } from '../../../lib/config';
import {
  describeReplicaAlarms,
  disableReplicaAlarmActions,
  enableReplicaAlarmActions,
} from '../../../lib/dr/standby-alarms';

/** CloudWatch has no local peer: the exact requests are asserted. */

const cloudWatch = mockClient(CloudWatchClient);
const ALARMS = ['rampart-prod-standby-db-replica-lag'];
const client = () => new CloudWatchClient({ region: 'eu-west-2' });

beforeEach(() => cloudWatch.reset());

test('failover disables the actions of exactly the named alarms, in one request', async () => {
  cloudWatch.on(DisableAlarmActionsCommand).resolves({});
  await disableReplicaAlarmActions(client(), ALARMS);
  expect(cloudWatch).toHaveReceivedCommandTimes(DisableAlarmActionsCommand, 1);
  expect(cloudWatch.commandCalls(DisableAlarmActionsCommand)[0].args[0].input).toEqual({
    AlarmNames: ['rampart-prod-standby-db-replica-lag'],
  });
  expect(cloudWatch).not.toHaveReceivedCommand(EnableAlarmActionsCommand);
});

test('an empty list is refused (a missing parameter must not pass as done), as is more than one request holds', async () => {
  await expect(disableReplicaAlarmActions(client(), [])).rejects.toThrow('No replica alarm names given');
  const many = Array.from({ length: 101 }, (_, i) => `alarm-${i}`);
  await expect(disableReplicaAlarmActions(client(), many)).rejects.toThrow('CloudWatch takes at most 100');
  expect(cloudWatch.calls()).toEqual([]);
});

test('failback enables them once every one is OK (the replica streams again)', async () => {
  cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [{ AlarmName: ALARMS[0], StateValue: 'OK', ActionsEnabled: false }],
  });
  cloudWatch.on(EnableAlarmActionsCommand).resolves({});
  await enableReplicaAlarmActions(client(), ALARMS);
  expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toEqual({
    AlarmNames: ALARMS,
    AlarmTypes: ['MetricAlarm'],
    MaxRecords: 100,
  });
  expect(cloudWatch.commandCalls(EnableAlarmActionsCommand)[0].args[0].input).toEqual({
    AlarmNames: ALARMS,
  });
});

test.each(['ALARM', 'INSUFFICIENT_DATA'] as const)(
  'failback refuses to re-arm an alarm in %s: armed there it would never page',
  async (state) => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: ALARMS[0], StateValue: state, ActionsEnabled: false }],
    });
    await expect(enableReplicaAlarmActions(client(), ALARMS)).rejects.toThrow(
      `Not re-arming: rampart-prod-standby-db-replica-lag is ${state}; the standby replica must stream again first`,
    );
    expect(cloudWatch).not.toHaveReceivedCommand(EnableAlarmActionsCommand);
  },
);

test('a name CloudWatch does not know is an error, not a silent success', async () => {
  cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  await expect(describeReplicaAlarms(client(), ALARMS)).rejects.toThrow(
    'CloudWatch knows no alarm rampart-prod-standby-db-replica-lag',
  );
  await expect(enableReplicaAlarmActions(client(), ALARMS)).rejects.toThrow('CloudWatch knows no alarm');
  expect(cloudWatch).not.toHaveReceivedCommand(EnableAlarmActionsCommand);
});

test('the SSM value parses as DrOps writes it; anything else is refused by its key', () => {
  expect(parseStandbyNameList('replica-alarm-names', JSON.stringify(ALARMS))).toEqual(ALARMS);
  expect(() => parseStandbyNameList('replica-alarm-names', '"one"')).toThrow(
    'replica-alarm-names must be a JSON array of names',
  );
  expect(() => parseStandbyNameList('replica-alarm-names', '[""]')).toThrow(
    'replica-alarm-names must be a JSON array of names',
  );
});
