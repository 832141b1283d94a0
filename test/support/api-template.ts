import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnvironmentConfig, type EnvironmentName } from '../../lib/config';
import type { CloudFormationTemplate } from '../../lib/local/deployed-api';
import { synthesizeApiTemplate } from '../../lib/local/synth-api';

/** Names the file holding the dev Api template synthesized once per jest run (global-setup.ts). */
export const API_TEMPLATE_FILE_VARIABLE = 'RAMPART_TEST_API_TEMPLATE';

const templates = new Map<EnvironmentName, CloudFormationTemplate>();

/**
 * An environment's synthesized Api template, as `npm start` reads it: dev's from the file the
 * global setup wrote for this run, any other synthesized here (once per test file).
 */
export function apiTemplate(name: EnvironmentName = 'dev'): CloudFormationTemplate {
  let template = templates.get(name);
  if (template === undefined) {
    const file = process.env[API_TEMPLATE_FILE_VARIABLE];
    template =
      name === 'dev' && file !== undefined
        ? (JSON.parse(readFileSync(file, 'utf8')) as CloudFormationTemplate)
        : synthesizeApiTemplate(path.resolve(__dirname, '../..'), loadEnvironmentConfig(name));
    templates.set(name, template);
  }
  return template;
}
