import path from 'node:path';
import { loadEnvironmentConfig, type EnvironmentName } from '../../lib/config';
import type { CloudFormationTemplate } from '../../lib/local/deployed-api';
import { synthesizeApiTemplate } from '../../lib/local/synth-api';

const templates = new Map<EnvironmentName, CloudFormationTemplate>();

/** An environment's synthesized Api template, as `npm start` reads it (once per test file). */
export function apiTemplate(name: EnvironmentName = 'dev'): CloudFormationTemplate {
  let template = templates.get(name);
  if (template === undefined) {
    template = synthesizeApiTemplate(path.resolve(__dirname, '../..'), loadEnvironmentConfig(name));
    templates.set(name, template);
  }
  return template;
}
