import { ZodError } from 'zod';
import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';
import {
  ENVIRONMENT_NAMES,
  environmentConfigSchema,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
  type EnvironmentName,
} from './schema';

export * from './schema';
export * from './capacity';
export * from './recovery';
export * from './standby';

const DECLARED: Record<EnvironmentName, EnvironmentConfigInput> = { dev, staging, prod };

/** A configuration problem, worded for the person running `cdk`: one line, names the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Values that may replace the declared ones, e.g. from `RAMPART_PROD_ACCOUNT`. */
export interface ConfigOverrides {
  readonly account?: string;
  readonly region?: string;
}

function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

function describe(error: ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Validates a declared environment (plus overrides) and returns the typed config.
 * @throws ConfigError naming the environment, each offending field and what it accepts.
 */
export function parseEnvironmentConfig(
  declared: EnvironmentConfigInput | unknown,
  overrides: ConfigOverrides = {},
): EnvironmentConfig {
  const candidate = {
    ...(declared as object),
    ...(overrides.account !== undefined ? { account: overrides.account } : {}),
    ...(overrides.region !== undefined ? { region: overrides.region } : {}),
  };
  const result = environmentConfigSchema.safeParse(candidate);
  if (!result.success) {
    const name = (declared as { name?: unknown })?.name;
    throw new ConfigError(`Invalid config for environment "${String(name)}": ${describe(result.error)}`);
  }
  return result.data;
}

/**
 * Loads one environment's config by name.
 * @throws ConfigError for an unknown name (listing the known ones) or an invalid field.
 */
export function loadEnvironmentConfig(name: string, overrides: ConfigOverrides = {}): EnvironmentConfig {
  if (!isEnvironmentName(name)) {
    throw new ConfigError(`Unknown environment "${name}": expected one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }
  return parseEnvironmentConfig(DECLARED[name], overrides);
}

/**
 * The environments to synthesize: the one named by `-c env=NAME`, or all of them.
 * `variables` is the process environment as given by `bin/`; `RAMPART_<ENV>_ACCOUNT` and
 * `RAMPART_<ENV>_REGION` replace an environment's declared account and region.
 */
export function resolveEnvironments(
  selected: string | undefined,
  variables: Readonly<Record<string, string | undefined>>,
): EnvironmentConfig[] {
  const names = selected ? [selected] : [...ENVIRONMENT_NAMES];
  return names.map((name) => {
    const prefix = `RAMPART_${name.toUpperCase()}_`;
    return loadEnvironmentConfig(name, {
      account: variables[`${prefix}ACCOUNT`] || undefined,
      region: variables[`${prefix}REGION`] || undefined,
    });
  });
}
