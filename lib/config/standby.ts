import type { EnvironmentConfig } from './schema';

/**
 * What a region loss needs in drRegion, by strategy (docs/dr.md): `pilot-light` keeps the data
 * warm (network, replica, proxy, alarms) and deploys the rest during the incident; `warm-standby`
 * also keeps the user pool and the idle API there, so a failover deploys nothing.
 */
export function standbyParts(config: Pick<EnvironmentConfig, 'recovery'>): {
  readonly data: boolean;
  readonly api: boolean;
} {
  const strategy = config.recovery.strategy;
  return { data: strategy !== 'backup-restore', api: strategy === 'warm-standby' };
}

/** The DR vault's copies are restore-tested in drRegion (`Rampart-<env>-DrRestore`). */
export function drRestoreTests(config: Pick<EnvironmentConfig, 'backup'>): boolean {
  return config.backup.copyToDrRegion && config.backup.restoreTesting;
}

/**
 * The stack whose alarm topics in drRegion page and post to Slack (so drRegion needs the Slack
 * webhook's replica and, for an HTTPS pager, its endpoint secret): the standby's `DrOps`, else the
 * DR restore tests' own topics (`DrRestore`), else none.
 */
export function drRegionAlertStack(
  config: Pick<EnvironmentConfig, 'recovery' | 'backup'>,
): 'DrOps' | 'DrRestore' | undefined {
  if (standbyParts(config).data) return 'DrOps';
  return drRestoreTests(config) ? 'DrRestore' : undefined;
}

/** What the failover steps read from SSM Parameter Store in drRegion, by key. */
export const STANDBY_PARAMETER_KEYS = [
  'replica-instance-id',
  'source-instance-arn',
  'proxy-name',
  'proxy-target-group',
  'backup-retention-days',
  'backup-window',
  'api-origin-domain',
  'api-stage',
  'distribution-id',
  'primary-origin-domain',
  'usage-plan-names',
  'schedule-rule-names',
  'origin-verify-pattern-set',
  'api-key-recreation-function',
  'replica-alarm-names',
] as const;
export type StandbyParameterKey = (typeof STANDBY_PARAMETER_KEYS)[number];

/** `/rampart/<env>/standby/<key>`: where the standby stacks publish what a failover script needs. */
export function standbyParameterName(environment: string, key: StandbyParameterKey): string {
  return `/rampart/${environment}/standby/${key}`;
}

/**
 * Parses a standby value that holds names (`schedule-rule-names`, `replica-alarm-names`): a JSON
 * array of non-empty strings, as the standby stacks write it; anything else is refused by key.
 */
export function parseStandbyNameList(key: StandbyParameterKey, raw: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${key} must be a JSON array of names`);
  }
  if (!Array.isArray(parsed) || !parsed.every((name) => typeof name === 'string' && name !== '')) {
    throw new Error(`${key} must be a JSON array of names`);
  }
  return parsed as string[];
}

/** Name of the standby's RDS Proxy: fixed, so the promotion step can register its target. */
export function standbyProxyName(environment: string): string {
  return `rampart-${environment}-standby`;
}

/**
 * Tags that mark an AWS FIS experiment template as the fault of a drill scenario in an environment:
 * the Ops stack tags its region-loss template so, and the drill runner looks the template up by them.
 */
export const DRILL_TEMPLATE_TAGS = { scenario: 'rampart:drill', environment: 'rampart:environment' } as const;
