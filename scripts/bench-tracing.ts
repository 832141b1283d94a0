/**
 * `npm run bench:tracing [-- --json]`: what X-Ray subsegments for SDK calls and pg queries
 * would cost the deployed bundles (docs/performance.md, "Tracing"). Rampart does not depend on
 * Powertools Tracer or the X-Ray SDK; to measure, install them outside the project first:
 *
 *   mkdir -p /tmp/tracer-probe && cd /tmp/tracer-probe && npm init -y
 *   npm install --save-exact @aws-lambda-powertools/tracer@2.35.0 aws-xray-sdk-postgres@3.12.0
 *
 * (`BENCH_TRACER_DIR` names another directory). Each function is built twice with the deployed
 * esbuild settings (lib/constructs/compute/bundling.ts): as deployed, and with the handler wrapped
 * the way tracing would need it (a Powertools Tracer and its Middy middleware, pg patched by
 * aws-xray-sdk-postgres where the function uses pg). Sizes, and the median cold `require()` on the
 * Lambda runtime's Node major (`BENCH_NODE`, else the running Node), are printed side by side.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_ALIASES, functionBundlingExtras } from '../lib/constructs/compute/bundling';
import { ROUTES } from '../lambda/routes';
import { routeAccessDefine } from '../lambda/shared/route-access';
import { TEST_TOKEN_USAGE_KEYS } from '../test/fixtures/authorizer-event';
import { LOGIN_CLIENT_ID, MACHINE_CLIENT_ID, TEST_JWKS, TEST_USER_POOL_ID } from '../test/fixtures/tokens';
import { DEPLOYED_BUILD_OPTIONS } from '../test/support/bundle';

const root = join(__dirname, '..');
const outDir = join(root, 'bench-out', 'tracing');
const tracerDir = process.env.BENCH_TRACER_DIR ?? '/tmp/tracer-probe';
const node = process.env.BENCH_NODE ?? process.execPath;
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);

/**
 * One function per kind, and whether it uses pg: no SDK, SDK only, pg only, SDK and pg (the largest
 * HTTP handler), the authorizer (its JWT path: pg and the Cognito client are in a chunk it loads on the first API key).
 */
const FUNCTIONS: readonly (readonly [string, boolean])[] = [
  ['health', false],
  ['auth-login', false],
  ['projects-get', true],
  ['api-keys-create', true],
  // The JWT path: pg (and its patch) would be in the API-key chunk.
  ['authorizer', false],
];

const lambdaEnv = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_DEV: 'false',
  // The authorizer's configuration, as scripts/bench.ts gives it (JWKS into the verifier at init).
  USER_POOL_ID: TEST_USER_POOL_ID,
  ALLOWED_CLIENT_IDS: `${LOGIN_CLIENT_ID},${MACHINE_CLIENT_ID}`,
  JWKS: JSON.stringify(TEST_JWKS),
  TOKEN_USAGE_KEYS: JSON.stringify(TEST_TOKEN_USAGE_KEYS),
};

/** A function's main bundle (`index.js`, what a cold start loads) as deployed, with its own aliases and defines. */
function deployedOptions(name: string): BuildOptions {
  const { aliases = {}, routeAccess = false } = functionBundlingExtras(`${name}/handler.ts`);
  return {
    ...DEPLOYED_BUILD_OPTIONS,
    alias: { ...BUNDLE_ALIASES, ...aliases },
    ...(routeAccess ? { define: routeAccessDefine(ROUTES) } : {}),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function loadOnce(file: string): number {
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const result = spawnSync(node, ['-e', probe], { env: lambdaEnv, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
  return Number(result.stdout);
}

/**
 * Cold `require()` of both bundles in fresh processes, alternating (deployed, traced, deployed...)
 * so that the machine's drift hits both alike: medians of each and the median of the pairwise
 * differences.
 */
function pairedLoads(plain: string, traced: string): { plain: number; traced: number; added: number } {
  const plainSamples: number[] = [];
  const tracedSamples: number[] = [];
  const differences: number[] = [];
  for (let run = 0; run < LOAD_RUNS; run += 1) {
    const a = loadOnce(plain);
    const b = loadOnce(traced);
    plainSamples.push(a);
    tracedSamples.push(b);
    differences.push(b - a);
  }
  return { plain: median(plainSamples), traced: median(tracedSamples), added: median(differences) };
}

/** The reference workload of scripts/bench.ts (µs per JSON.stringify): says which machine state a run saw. */
function calibrationUs(): number {
  const probe =
    "const o={a:1,b:'hello',c:[1,2,3],d:{e:'f'}};let x=0;for(let i=0;i<20000;i++)x+=JSON.stringify(o).length;" +
    'const t=process.hrtime.bigint();for(let i=0;i<200000;i++)x+=JSON.stringify(o).length;' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e3/200000))';
  const runs = Array.from({ length: 5 }, () =>
    Number(spawnSync(node, ['-e', probe], { encoding: 'utf8' }).stdout),
  );
  return Number(median(runs).toFixed(3));
}

async function bundle(entry: string, outfile: string, options: BuildOptions): Promise<number> {
  await build({ ...options, entryPoints: [entry], outfile });
  return statSync(outfile).size;
}

/** Powertools commons resolved from the project (same release) for the tracer too: one copy, as deployed. */
const oneCommons: Plugin = {
  name: 'one-powertools-commons',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@aws-lambda-powertools\/commons(\/|$)/ }, (args) =>
      args.resolveDir.startsWith(root)
        ? undefined
        : esbuild.resolve(args.path, { kind: args.kind, resolveDir: root }),
    );
  },
};

/** The handler re-exported behind a Tracer, its middleware and (for pg users) the pg patch. */
function tracedEntry(name: string, usesPg: boolean): string {
  const handler = join(root, 'lambda', 'functions', name, 'handler.ts');
  const source = [
    "import { Tracer } from '@aws-lambda-powertools/tracer';",
    "import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';",
    ...(usesPg
      ? [
          "import capturePostgres from 'aws-xray-sdk-postgres';",
          "import * as pg from 'pg';",
          'capturePostgres(pg);',
        ]
      : []),
    "export const tracer = new Tracer({ serviceName: 'bench' });",
    'export const traced = captureLambdaHandler(tracer);',
    `export { handler } from ${JSON.stringify(handler)};`,
  ].join('\n');
  const file = join(outDir, `${name}.traced-entry.ts`);
  writeFileSync(file, source);
  return file;
}

async function main(): Promise<void> {
  if (!existsSync(join(tracerDir, 'node_modules', '@aws-lambda-powertools', 'tracer'))) {
    throw new Error(`no Powertools Tracer under ${tracerDir}: see the comment at the top of this script`);
  }
  mkdirSync(outDir, { recursive: true });
  const calibrationBefore = calibrationUs();
  const rows = [];
  for (const [name, usesPg] of FUNCTIONS) {
    const entry = join(root, 'lambda', 'functions', name, 'handler.ts');
    const plainFile = join(outDir, `${name}.js`);
    const tracedFile = join(outDir, `${name}.traced.js`);
    const deployed = deployedOptions(name);
    const plainBytes = await bundle(entry, plainFile, deployed);
    const tracedBytes = await bundle(tracedEntry(name, usesPg), tracedFile, {
      ...deployed,
      nodePaths: [join(tracerDir, 'node_modules')],
      plugins: [oneCommons],
    });
    const loads = pairedLoads(plainFile, tracedFile);
    rows.push({
      function: name,
      'KiB deployed': Number((plainBytes / 1024).toFixed(1)),
      'KiB traced': Number((tracedBytes / 1024).toFixed(1)),
      'KiB added': Number(((tracedBytes - plainBytes) / 1024).toFixed(1)),
      'load ms deployed': Number(loads.plain.toFixed(1)),
      'load ms traced': Number(loads.traced.toFixed(1)),
      'load ms added': Number(loads.added.toFixed(1)),
    });
  }
  const version = spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
  const calibration = { before: calibrationBefore, after: calibrationUs() };
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ node: version, loadRuns: LOAD_RUNS, calibration, rows }, null, 2));
    return;
  }
  console.log(`X-Ray subsegments (Powertools Tracer + aws-xray-sdk-postgres), loads on node ${version}`);
  console.log(
    `machine speed: reference workload ${calibration.before} µs/op before, ${calibration.after} after\n`,
  );
  console.table(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
