import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

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
});
