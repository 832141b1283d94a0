import { App, type Stack } from 'aws-cdk-lib';
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
  /** Template of a stack by its part name, e.g. `template('Network')`. */
  template(part: keyof RampartEnvironment): Template;
}

/**
 * Builds the given environments exactly as `bin/app.ts` does (compliance checks included) and
 * synthesizes once; cdk-nag findings make this throw.
 */
export function synthEnvironments(
  names: readonly EnvironmentName[] = ENVIRONMENT_NAMES,
  configs: readonly EnvironmentConfig[] = names.map((name) => loadEnvironmentConfig(name)),
): Record<string, SynthesizedEnvironment> {
  const app = testApp();
  const environments = buildRampart(app, configs);
  app.synth();
  const templates = new Map<Stack, Template>();
  const result: Record<string, SynthesizedEnvironment> = {};
  configs.forEach((config, index) => {
    const stacks = environments[index];
    result[config.name] = {
      config,
      stacks,
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
