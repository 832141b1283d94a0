import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// test/support/sequencer.mjs starts the files listed there first; a renamed or deleted file left
// in the list would silently fall back to jest's order.
test('every file in test/support/test-durations.json is a test file that exists', () => {
  const root = join(__dirname, '..');
  const recorded = JSON.parse(
    readFileSync(join(root, 'test', 'support', 'test-durations.json'), 'utf8'),
  ) as Record<string, number>;
  const missing = Object.keys(recorded).filter(
    (file) => !file.endsWith('.test.ts') || !existsSync(join(root, file)),
  );
  expect(missing).toEqual([]);
  expect(Object.values(recorded).every((seconds) => seconds > 0)).toBe(true);
});
