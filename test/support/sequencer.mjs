import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import DefaultSequencer from '@jest/test-sequencer';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DURATIONS_FILE = path.join(HERE, 'test-durations.json');
const ROOT = path.resolve(HERE, '..', '..');

/**
 * Long files first, also on a machine that has never run the suite (a clean clone in CI).
 *
 * Jest orders files by the durations it cached on its last run here and, with no cache, by file
 * size. By size, the drill rehearsal (a small file with 12 s of waiting on PostgreSQL processes)
 * started last and one of the two workers sat idle for its last 9 s. A file without a cached
 * duration takes the one recorded in test-durations.json: seconds, measured cold with coverage on
 * 2 cores, files of 2 s or more. Files in neither keep jest's order, after the others; files that
 * failed last time still run first.
 *
 * Refresh the record from a cold run (a new cache directory):
 *   npx jest --coverage --cacheDirectory "$(mktemp -d)" --json --outputFile=/tmp/jest.json
 *   node test/support/sequencer.mjs /tmp/jest.json
 */
export default class RecordedDurationSequencer extends DefaultSequencer {
  sort(tests) {
    const recorded = JSON.parse(readFileSync(DURATIONS_FILE, 'utf8'));
    const durationOf = (test) =>
      test.duration ?? recorded[path.relative(test.context.config.rootDir, test.path)];
    const sorted = super.sort(tests);
    const failed = sorted.filter((test) => this.hasFailed(test));
    const timed = sorted.filter((test) => !this.hasFailed(test) && durationOf(test) !== undefined);
    const rest = sorted.filter((test) => !this.hasFailed(test) && durationOf(test) === undefined);
    timed.sort((a, b) => durationOf(b) - durationOf(a));
    return [...failed, ...timed, ...rest];
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = JSON.parse(readFileSync(process.argv[2], 'utf8')).testResults;
  const durations = results
    .map((result) => [
      path.relative(ROOT, result.name),
      Math.round((result.endTime - result.startTime) / 100) / 10,
    ])
    .filter(([, seconds]) => seconds >= 2)
    .sort((a, b) => b[1] - a[1]);
  writeFileSync(DURATIONS_FILE, `${JSON.stringify(Object.fromEntries(durations), null, 2)}\n`);
}
