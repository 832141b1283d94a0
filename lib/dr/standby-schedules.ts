import { DisableRuleCommand, EnableRuleCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parseStandbyNameList } from '../config';

/**
 * Step 4 of a region failover: enables the standby's scheduled functions (outbox relay, API key
 * cleanup), disabled while the standby's database is a replica. `ruleNames` is the SSM parameter
 * `/rampart/<env>/standby/schedule-rule-names` (JSON array). Enabling an enabled rule succeeds.
 */
export async function enableStandbySchedules(
  events: EventBridgeClient,
  ruleNames: readonly string[],
): Promise<void> {
  if (ruleNames.length === 0) throw new Error('No standby schedule rules given (schedule-rule-names)');
  for (const name of ruleNames) await events.send(new EnableRuleCommand({ Name: name }));
}

/** The reverse (failback, or after a drill): the standby's schedules wait again, disabled. */
export async function disableStandbySchedules(
  events: EventBridgeClient,
  ruleNames: readonly string[],
): Promise<void> {
  for (const name of ruleNames) await events.send(new DisableRuleCommand({ Name: name }));
}

/** Parses `schedule-rule-names` as the DrApi stack writes it (a JSON array of rule names). */
export function parseScheduleRuleNames(raw: string): string[] {
  return parseStandbyNameList('schedule-rule-names', raw);
}
