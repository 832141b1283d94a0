import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDrillCli, type DrillCliIo } from '../../bin/drill';

/** The command in-process: its output captured, and any attempt to build AWS clients an error. */
async function run(
  argv: string[],
  env: Record<string, string> = {},
  rootDir = path.resolve(__dirname, '../..'),
) {
  const out: string[] = [];
  const err: string[] = [];
  const io: DrillCliIo = {
    env,
    rootDir,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    awsClients: async () => {
      throw new Error('no AWS in this test');
    },
  };
  const code = await runDrillCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run drill', () => {
  it('--dry-run prints the plan with the expected RTO and RPO from config.recovery and calls nothing', async () => {
    const result = await run(['--env', 'prod', '--scenario', 'region-failover', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Drill region-failover on prod (eu-west-1, account');
    expect(result.out).toContain('Expected: RTO <= 1800 s, RPO <= 60 s (failure kind "regionLoss")');
    expect(result.out).toContain(
      '   2. [fault] Start the FIS experiment that cuts the primary region off (drill only) (timeout 120 s;',
    );
    expect(result.out).toContain("   4. [recover] Disable the actions of the standby's replica-only alarms");
    expect(result.out).toContain('   5. [recover] Register the promoted instance with the standby');
    expect(result.out).toContain('Dry run: nothing was called.');
  });

  it('refuses a drill on prod without --confirm prod, after printing the plan', async () => {
    const result = await run(['--env', 'prod', '--scenario', 'az-failover']);
    expect(result.code).toBe(2);
    expect(result.out).toContain('Expected: RTO <= 300 s, RPO <= 0 s');
    expect(result.err).toContain('drill: a drill on prod needs --confirm prod');
  });

  it('needs the public edge and the machine credential for a real drill', async () => {
    const result = await run(['--env', 'staging', '--scenario', 'point-in-time-restore'], {
      DRILL_API_URL: 'https://api.example.com',
    });
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      "set DRILL_API_URL (the public edge) and DRILL_API_KEY (the drill's machine credential)",
    );
  });

  it('refuses a scenario the environment declares no objective for', async () => {
    const result = await run(['--env', 'dev', '--scenario', 'region-failover', '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'drill: dev declares no recovery.regionLoss: a region-failover is not recovered there, so there is nothing to drill',
    );
  });

  it.each([
    [['--scenario', 'az-failover'], 'give --env <env> (or --local)'],
    [
      ['--env', 'staging', '--scenario', 'primary-loss'],
      '--scenario must be one of az-failover, point-in-time-restore, region-failover on AWS',
    ],
    [
      ['--local', '--scenario', 'region-failover'],
      '--scenario must be one of primary-loss, point-in-time-restore with --local',
    ],
    [['--local', '--env', 'dev', '--scenario', 'primary-loss'], '--local takes only --scenario and --json'],
    [['--scenario', 'az-failover', '--bogus'], "Unknown option '--bogus'"],
  ])('usage error for %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`drill: ${message}`);
    expect(result.err).toContain('usage: npm run drill -- --env <env>');
  });

  it('--write-runbooks writes one runbook per scenario and procedure', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rampart-drill-runbooks-'));
    try {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(path.join(root, 'runbooks', 'dr'), { recursive: true });
      const result = await run(['--write-runbooks'], {}, root);
      expect(result.code).toBe(0);
      expect(readdirSync(path.join(root, 'runbooks', 'dr')).sort()).toEqual([
        'az-failover.md',
        'point-in-time-restore.md',
        'primary-loss.md',
        'region-failback.md',
        'region-failover.md',
      ]);
      expect(readFileSync(path.join(root, 'runbooks', 'dr', 'az-failover.md'), 'utf8')).toBe(
        readFileSync(path.resolve(__dirname, '../../runbooks/dr/az-failover.md'), 'utf8'),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
