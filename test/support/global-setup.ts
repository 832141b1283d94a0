import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvironmentConfig } from '../../lib/config';
import { synthesizeApiTemplate } from '../../lib/local/synth-api';
import { API_TEMPLATE_FILE_VARIABLE } from './api-template';

/**
 * Once per jest run, before any worker starts: what several test files would otherwise each
 * rebuild. The dev Api template (what `npm start` reads) is synthesized here and written to a
 * temp file that `apiTemplate()` reads; workers inherit the variable that names it.
 */
export default async function globalSetup(): Promise<void> {
  const rootDir = path.resolve(__dirname, '../..');
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-jest-'));
  process.env.RAMPART_TEST_TEMP_DIR = dir;
  const file = path.join(dir, 'api-dev.template.json');
  writeFileSync(file, JSON.stringify(synthesizeApiTemplate(rootDir, loadEnvironmentConfig('dev'))));
  process.env[API_TEMPLATE_FILE_VARIABLE] = file;
}
