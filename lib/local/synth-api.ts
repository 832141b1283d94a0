import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config';
import { addEnvironment } from '../rampart-app';
import type { CloudFormationTemplate } from './deployed-api';

/**
 * Synthesizes an environment in-process and returns its Api stack's template: what `cdk deploy`
 * would create, read by the local gateway. `cdk.json`'s context and feature flags apply (as
 * `cdk synth` would apply them); asset bundling and CDK's CloudFormation validation are skipped
 * (neither changes the template's API resources), and so are the compliance packs, which gate
 * `npm run synth` and the tests, not the shape of the API.
 */
export function synthesizeApiTemplate(rootDir: string, config: EnvironmentConfig): CloudFormationTemplate {
  const cdkJson = JSON.parse(readFileSync(path.join(rootDir, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const { api } = addEnvironment(app, config);
  return app.synth({ validateOnSynthesis: false }).getStackByName(api.stackName)
    .template as CloudFormationTemplate;
}

/** Literal (unresolved references left out) environment variables of every function in the template. */
export function functionEnvironments(
  template: CloudFormationTemplate,
): ReadonlyMap<string, Readonly<Record<string, string>>> {
  const environments = new Map<string, Record<string, string>>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables =
      (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {};
    environments.set(
      logicalId,
      Object.fromEntries(
        Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      ),
    );
  }
  return environments;
}
