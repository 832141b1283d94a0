import { DisableRuleCommand, EnableRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  disableStandbySchedules,
  enableStandbySchedules,
  parseScheduleRuleNames,
} from '../../../lib/dr/standby-schedules';

/** EventBridge has no local peer: the exact requests are asserted. */

const events = mockClient(EventBridgeClient);
const RULES = [
  'Rampart-prod-DrApi-OutboxRelaySchedule869A67AB-1',
  'Rampart-prod-DrApi-ApiKeyCleanupSchedule-2',
];
const client = () => new EventBridgeClient({ region: 'eu-west-2' });

beforeEach(() => events.reset());

test('failover enables every standby schedule by name, and only those', async () => {
  events.on(EnableRuleCommand).resolves({});
  await enableStandbySchedules(client(), RULES);
  expect(events).toHaveReceivedCommandTimes(EnableRuleCommand, 2);
  expect(events.commandCalls(EnableRuleCommand).map((call) => call.args[0].input)).toEqual([
    { Name: RULES[0] },
    { Name: RULES[1] },
  ]);
  expect(events).not.toHaveReceivedCommand(DisableRuleCommand);
});

test('an empty list is refused (a missing parameter must not pass as done)', async () => {
  await expect(enableStandbySchedules(client(), [])).rejects.toThrow('No standby schedule rules given');
});

test('failback disables them again', async () => {
  events.on(DisableRuleCommand).resolves({});
  await disableStandbySchedules(client(), RULES);
  expect(events.commandCalls(DisableRuleCommand).map((call) => call.args[0].input)).toEqual([
    { Name: RULES[0] },
    { Name: RULES[1] },
  ]);
});

test('the SSM value parses as the DrApi stack writes it; anything else is refused', () => {
  expect(parseScheduleRuleNames(JSON.stringify(RULES))).toEqual(RULES);
  expect(() => parseScheduleRuleNames('not json')).toThrow('schedule-rule-names must be a JSON array');
  expect(() => parseScheduleRuleNames('["a", 1]')).toThrow('schedule-rule-names must be a JSON array');
});
