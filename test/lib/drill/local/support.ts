import path from 'node:path';
import type { LocalRehearsalOptions } from '../../../../lib/drill/local/rehearsal';
import { apiTemplate } from '../../../support/api-template';

/**
 * Options of a local rehearsal in a test: the run's dev Api template (no synth of its own) and a
 * step done wrong. One rehearsal per test file: the functions' module-scope state (the verifier
 * built from the first emulator's keys) lives as long as jest's module registry, i.e. the file.
 */
export async function rehearsalOptions(
  sabotage: LocalRehearsalOptions['sabotage'],
): Promise<LocalRehearsalOptions> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  const { loadEnvironmentConfig } = await import('../../../../lib/config');
  return {
    rootDir: path.resolve(__dirname, '../../../..'),
    environment: loadEnvironmentConfig('dev'),
    apiTemplate: apiTemplate('dev'),
    sabotage,
  };
}
