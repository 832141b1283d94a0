import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadEnvironmentConfig } from '../../lib/config';
import { describePlaceholders, findPlaceholders } from '../../lib/config/placeholders';

const root = join(__dirname, '..', '..');

function runApp(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env, CDK_OUTDIR: join(root, 'cdk.out', 'test-bin') },
  });
}

describe('bin/app.ts', () => {
  test('an unknown environment gives one clear line and exit code 1', () => {
    const result = runApp([], { CDK_CONTEXT_JSON: JSON.stringify({ env: 'qa' }) });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'rampart: Unknown environment "qa": expected one of dev, staging, prod',
    );
  });

  test('an invalid override gives one clear line naming the field', () => {
    const result = runApp([], {
      CDK_CONTEXT_JSON: JSON.stringify({ env: 'dev' }),
      RAMPART_DEV_ACCOUNT: 'abc',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'rampart: Invalid config for environment "dev": account: must be a 12-digit AWS account id',
    );
  });

  test.each(['staging', 'prod'])(
    'synth of the committed %s refuses its placeholders with the preflight messages, exit code 1',
    (name) => {
      const result = runApp([], { CDK_CONTEXT_JSON: JSON.stringify({ env: name }) });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toBe(
        `rampart: Environment "${name}" holds placeholder values and cannot be deployed (npm run preflight -- -c env=${name} lists them with every prerequisite):`,
      );
      const expected = describePlaceholders(findPlaceholders(loadEnvironmentConfig(name)));
      expect(lines.slice(1, -1)).toEqual(expected.map(({ message }) => `  - ${message}`));
      expect(lines.at(-1)).toBe('To synthesize templates for review only: -c allowPlaceholders=true');
    },
  );
});
