import { readFileSync } from 'node:fs';
import path from 'node:path';

const lock = JSON.parse(readFileSync(path.join(__dirname, '..', 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Every version of a package the lockfile installs, wherever it is nested. */
function versionsOf(name: string): string[] {
  const versions = new Set<string>();
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (location.endsWith(`node_modules/${name}`) && entry.version !== undefined) versions.add(entry.version);
  }
  return [...versions].sort();
}

describe('one AWS SDK in every bundle', () => {
  // Two copies of the SDK's core in a bundle double its size and split its middleware state
  // (a credential provider or retry strategy configured on one copy is invisible to the other).
  test.each(['@aws-sdk/core', '@smithy/core'])('the lockfile holds exactly one version of %s', (name) => {
    expect(versionsOf(name)).toHaveLength(1);
  });

  test('every @aws-sdk client is pinned to the same release', () => {
    const clients = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }).filter(
      ([name]) => name.startsWith('@aws-sdk/client-') || name === '@aws-sdk/rds-signer',
    );
    expect(clients.length).toBeGreaterThan(0);
    expect(new Set(clients.map(([, version]) => version)).size).toBe(1);
    for (const [name, version] of clients) expect(versionsOf(name)).toEqual([version]);
  });
});
