import { App, type Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ENVIRONMENT_NAMES,
  loadEnvironmentConfig,
  type EnvironmentConfig,
  type EnvironmentName,
} from '../../lib/config';
import { buildRampart, type RampartEnvironment } from '../../lib/rampart-app';

const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/**
 * A test app with the same feature flags as `cdk.json` (which `new App()` does not read),
 * asset bundling skipped and CDK's built-in CloudFormation validation off: both cost seconds
 * per synth and are exercised by the one full `npm run synth` in CI instead.
 */
export function testApp(extraContext: Record<string, unknown> = {}): App {
  return new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...extraContext },
    builtinCloudFormationValidation: false,
  });
}

export interface SynthesizedEnvironment {
  readonly config: EnvironmentConfig;
  readonly stacks: RampartEnvironment;
  /** The cloud assembly the environment was synthesized into (shared by every environment of the app). */
  readonly assembly: CloudAssembly;
  /** Template of a stack by its part name, e.g. `template('Network')`. */
  template(part: keyof RampartEnvironment): Template;
}

/** The committed environments, synthesized once per test file (see `synthEnvironments`). */
let committed: Record<string, SynthesizedEnvironment> | undefined;

/**
 * Builds the given environments exactly as `bin/app.ts` does (compliance checks included) and
 * synthesizes once; cdk-nag findings make this throw. The committed environments (no `configs`
 * given) are synthesized together once per test file and shared: a synth costs seconds, and the
 * stack suites run in one file (test/lib/rampart-app.test.ts) so that they share one.
 */
export function synthEnvironments(
  names: readonly EnvironmentName[] = ENVIRONMENT_NAMES,
  configs?: readonly EnvironmentConfig[],
): Record<string, SynthesizedEnvironment> {
  if (configs === undefined) {
    committed ??= synthesize(ENVIRONMENT_NAMES.map((name) => loadEnvironmentConfig(name)));
    return Object.fromEntries(names.map((name) => [name, committed![name]]));
  }
  return synthesize(configs);
}

function synthesize(configs: readonly EnvironmentConfig[]): Record<string, SynthesizedEnvironment> {
  const app = testApp();
  const environments = buildRampart(app, configs);
  const assembly = app.synth();
  const templates = new Map<Stack, Template>();
  const result: Record<string, SynthesizedEnvironment> = {};
  configs.forEach((config, index) => {
    const stacks = environments[index];
    result[config.name] = {
      config,
      stacks,
      assembly,
      template(part) {
        const stack = stacks[part];
        if (!stack) throw new Error(`Environment ${config.name} has no ${part} stack`);
        if (!templates.has(stack)) templates.set(stack, Template.fromStack(stack));
        return templates.get(stack)!;
      },
    };
  });
  return result;
}
