import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where released contracts live, one `<version>.json` per release (docs/versioning.md). */
export const RELEASED_DIR = path.resolve(__dirname, '../../docs/api/released');

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let index = 0; index < 3; index++) {
    if (pa[index] !== pb[index]) return (pa[index] ?? 0) - (pb[index] ?? 0);
  }
  return 0;
}

/** The newest released contract: the promise the breaking-change check holds the API to. */
export function newestReleasedContract(): { version: string; document: Record<string, unknown> } {
  const versions = readdirSync(RELEASED_DIR)
    .filter((file) => /^\d+\.\d+\.\d+\.json$/.test(file))
    .map((file) => file.replace(/\.json$/, ''))
    .sort(compareVersions);
  const version = versions.at(-1);
  if (version === undefined) throw new Error(`No released contract in ${RELEASED_DIR}`);
  return {
    version,
    document: JSON.parse(readFileSync(path.join(RELEASED_DIR, `${version}.json`), 'utf8')) as Record<
      string,
      unknown
    >,
  };
}
