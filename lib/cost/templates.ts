import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { EnvironmentConfig } from '../config';
import { addEnvironment, stackName } from '../rampart-app';
import type { StackTemplate, TemplateResource } from './estimate';

/** The templates of one environment's stacks in a cloud assembly (every `Rampart-<env>-*` stack). */
export function environmentTemplates(assembly: CloudAssembly, config: EnvironmentConfig): StackTemplate[] {
  const prefix = stackName(config, '');
  return assembly.stacks
    .filter((stack) => stack.stackName.startsWith(prefix))
    .map((stack) => ({
      stackName: stack.stackName,
      region: stack.environment.region,
      resources: (stack.template as { Resources?: Record<string, TemplateResource> }).Resources ?? {},
    }));
}

/**
 * Synthesizes one environment in-process, as `cdk synth` would (`cdk.json`'s context and feature
 * flags apply), and returns its stacks' templates. Asset bundling, CDK's CloudFormation validation
 * and the compliance packs are skipped: none of them changes what is deployed and priced, and
 * `npm run synth` and the tests run them.
 */
export function synthesizeTemplates(rootDir: string, config: EnvironmentConfig): StackTemplate[] {
  const cdkJson = JSON.parse(readFileSync(path.join(rootDir, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  addEnvironment(app, config);
  return environmentTemplates(app.synth({ validateOnSynthesis: false }), config);
}
