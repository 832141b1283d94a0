#!/usr/bin/env node
// `npm run synth [-- -c env=NAME]`: synthesizes every environment (or one) offline and lists the
// stacks. No credentials, no network: notices, telemetry and the version check are off, and
// availability zones come from config. CDK's built-in CloudFormation validation stays on here.
// Staging and prod are committed with placeholder values (lib/config/placeholders.ts) that their
// deploys refuse; this synth checks the committed templates, so it allows them (with a warning):
// its cdk.out is for review and tests, not for deploying.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const cdk = join(require.resolve('aws-cdk/package.json'), '..', 'bin', 'cdk');
const outdir = 'cdk.out';
const started = performance.now();
const result = spawnSync(
  process.execPath,
  [cdk, 'synth', '--quiet', '--output', outdir, '-c', 'allowPlaceholders=true', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      CDK_DISABLE_VERSION_CHECK: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      // scripts/bin/npx runs CDK's per-function esbuild without npx's start-up cost.
      PATH: `${join(import.meta.dirname, 'bin')}:${process.env.PATH}`,
    },
  },
);
if (result.status !== 0) process.exit(result.status ?? 1);

const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
const rows = Object.entries(manifest.artifacts)
  .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
  .map(([name, artifact]) => {
    const template = JSON.parse(readFileSync(join(outdir, artifact.properties.templateFile), 'utf8'));
    return {
      stack: name,
      environment: artifact.environment.replace('aws://', ''),
      resources: Object.keys(template.Resources ?? {}).length,
    };
  });
console.log(`\nSynthesized ${rows.length} stacks in ${((performance.now() - started) / 1000).toFixed(1)} s:`);
console.table(rows);
