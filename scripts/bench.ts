/**
 * `npm run bench [-- --json]`: builds every function under lambda/functions with the exact esbuild
 * settings the CDK app deploys (lib/constructs/compute/bundling.ts, per-function aliases and chunks
 * included), measures bundle size and cold module load time (median of fresh `node` processes), the
 * HTTP wrapper's per-request overhead over a bare handler, and the authorizer's warm JWT path. One
 * handler is also built with NodejsFunction's default settings, side by side.
 *
 * A function's `bundleBytes` and `loadMsMedian` are its `index.js`: what every cold start loads.
 * A chunk (a file beside it, required only on a rare path: the authorizer's API-key path) is
 * listed under `chunks` with its own size and the time to require it after `index.js`.
 */
import { build, type BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join, relative } from 'node:path';
import { MOUNTS } from '../lambda/routes';
import { FUNCTION_RUNTIME } from '../lib/constructs/compute/bundling';
import { TEST_TOKEN_USAGE_KEYS } from '../test/fixtures/authorizer-event';
import { LOGIN_CLIENT_ID, MACHINE_CLIENT_ID, TEST_JWKS, TEST_USER_POOL_ID } from '../test/fixtures/tokens';
import { bundleFunctionLikeDeployed } from '../test/support/bundle';

const root = join(__dirname, '..');
const functionsDir = join(root, 'lambda', 'functions');
const outDir = join(root, 'bench-out');
const json = process.argv.includes('--json');
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);
/** The bound every HTTP handler keeps (docs/performance.md), a mounted app's included. */
const HTTP_BUNDLE_BOUND_KIB = 400;

/** NodejsFunction's defaults for a Node 24 runtime: unminified, esbuild's default main fields, AWS SDK external. */
const cdkDefault: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: false,
  sourcemap: false,
  external: ['@aws-sdk/*', 'pg-native'],
  logLevel: 'error',
};

/** Environment a function sees at init in Lambda, minus anything that would reach AWS. */
const lambdaEnv = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_DEV: 'false',
  // Functions that validate their configuration at init get placeholders (nothing is called).
  SLACK_WEBHOOK_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:bench',
  // The authorizer's configuration, so its init does what a deployed one does (JWKS into the verifier),
  // not the cheaper refuse-everything path of a misconfigured one.
  USER_POOL_ID: TEST_USER_POOL_ID,
  ALLOWED_CLIENT_IDS: `${LOGIN_CLIENT_ID},${MACHINE_CLIENT_ID}`,
  JWKS: JSON.stringify(TEST_JWKS),
  TOKEN_USAGE_KEYS: JSON.stringify(TEST_TOKEN_USAGE_KEYS),
};

/** Node major of the functions' Lambda runtime (`nodejs24.x` -> 24). */
const RUNTIME_MAJOR = Number(/^nodejs(\d+)/.exec(FUNCTION_RUNTIME.name)?.[1]);

/**
 * The Node binary loads and micro benchmarks run on: the Lambda runtime's major, so what is measured
 * is what deploys (Node 21+ differs from 20 on the load path: pg's Cloudflare check constructs a
 * `Response` where `navigator` is missing, loading undici, ~20 ms). `BENCH_NODE` names a binary;
 * otherwise this Node if its major matches, else the official build from the npm registry
 * (`node-<platform>-<arch>@<major>`, fetched once by npm exec into its cache). Offline, it falls back
 * to this Node and says so.
 */
function runtimeNode(): { path: string; version: string; note?: string } {
  const versionOf = (path: string) =>
    spawnSync(path, ['-p', 'process.version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (process.env.BENCH_NODE)
    return { path: process.env.BENCH_NODE, version: versionOf(process.env.BENCH_NODE) };
  if (Number(process.versions.node.split('.')[0]) === RUNTIME_MAJOR) {
    return { path: process.execPath, version: process.version };
  }
  const fetched = spawnSync(
    'npm',
    [
      'exec',
      '--yes',
      `--package=node-${process.platform}-${process.arch}@${RUNTIME_MAJOR}`,
      '--',
      'node',
      '-e',
      'process.stdout.write(process.execPath)',
    ],
    { encoding: 'utf8', timeout: 180_000 },
  );
  const path = fetched.status === 0 ? fetched.stdout.trim() : '';
  if (path && existsSync(path)) return { path, version: versionOf(path) };
  return {
    path: process.execPath,
    version: process.version,
    note: `could not fetch Node ${RUNTIME_MAJOR} (offline?); measured on ${process.version}, not the runtime's major`,
  };
}

const runtime = runtimeNode();

/**
 * A fixed reference workload (JSON.stringify of a small object, µs per call, median of 5 runs),
 * printed with the results. This machine's speed drifts by 2-3x over minutes; comparing this
 * figure tells whether two runs' numbers can be compared at all.
 */
function calibrationUs(): number {
  const probe =
    "const o={a:1,b:'hello',c:[1,2,3],d:{e:'f'}};let x=0;for(let i=0;i<20000;i++)x+=JSON.stringify(o).length;" +
    'const t=process.hrtime.bigint();for(let i=0;i<200000;i++)x+=JSON.stringify(o).length;' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e3/200000))';
  const runs = Array.from({ length: 5 }, () =>
    Number(spawnSync(runtime.path, ['-e', probe], { encoding: 'utf8' }).stdout),
  );
  return Number(median(runs).toFixed(3));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Median time to `require()` a bundle in a fresh Node process: what a cold start pays for the code.
 * With `after`, that file is required first, untimed (a chunk is loaded by a running function).
 */
function loadMs(file: string, after?: string): number {
  const first = after === undefined ? '' : `require(${JSON.stringify(after)});`;
  const probe = `${first}const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples: number[] = [];
  for (let run = 0; run < LOAD_RUNS; run += 1) {
    const result = spawnSync(runtime.path, ['-e', probe], { env: lambdaEnv, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
    samples.push(Number(result.stdout));
  }
  return median(samples);
}

/**
 * Median over `LOAD_RUNS` rounds of load(file) / load(reference), the two loaded back to back in
 * fresh processes each round: the machine's drift (2-3x within minutes) cancels out of the ratio,
 * where two medians taken minutes apart would carry it.
 */
function pairedLoadRatio(file: string, reference: string): number {
  const ratios: number[] = [];
  for (let run = 0; run < LOAD_RUNS; run += 1) {
    const [measured, baseline] = [file, reference].map((path) => {
      const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(path)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      const result = spawnSync(runtime.path, ['-e', probe], { env: lambdaEnv, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`loading ${path} failed: ${result.stderr}`);
      return Number(result.stdout);
    });
    ratios.push(measured / baseline);
  }
  return Number(median(ratios).toFixed(2));
}

function handlerEntries(): { name: string; entry: string }[] {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir)
    .filter((name) => existsSync(join(functionsDir, name, 'handler.ts')))
    .map((name) => ({ name, entry: `${name}/handler.ts` }));
}

async function bundle(entry: string, outfile: string, options: BuildOptions): Promise<number> {
  await build({ ...options, entryPoints: [entry], outfile });
  return statSync(outfile).size;
}

interface FunctionResult {
  name: string;
  bundleBytes: number;
  loadMsMedian: number;
  chunks?: { file: string; bytes: number; loadMsMedianAfterMain: number }[];
}

/** Runs a micro benchmark script in its own process; its last stdout line is a JSON object. */
function microbenchmark(script: string): Record<string, number> {
  const result = spawnSync(runtime.path, ['--import', 'tsx', join(root, 'scripts', script)], {
    env: { ...lambdaEnv, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
  const lastLine = result.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(lastLine) as Record<string, number>;
}

function microbenchmarks(): Record<string, number> {
  return { ...microbenchmark('bench-micro.ts'), ...microbenchmark('bench-authorizer.ts') };
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const calibrationBefore = calibrationUs();
  const functions: FunctionResult[] = [];
  for (const { name, entry } of handlerEntries()) {
    const built = await bundleFunctionLikeDeployed(entry, join(outDir, name));
    const result: FunctionResult = {
      name,
      bundleBytes: built.main.bytes,
      loadMsMedian: loadMs(built.main.file),
    };
    if (built.chunks.length > 0) {
      result.chunks = built.chunks.map((chunk) => ({
        file: basename(chunk.file),
        bytes: chunk.bytes,
        loadMsMedianAfterMain: loadMs(chunk.file, built.main.file),
      }));
    }
    functions.push(result);
  }
  const authorizer = functions.find((fn) => fn.name === 'authorizer');
  const health = functions.find((fn) => fn.name === 'health');
  // The issue-14 targets: the authorizer's JWT path (its index.js) <= 120 KiB, and <= 1.5x health's load.
  const authorizerJwtPath =
    authorizer && health
      ? {
          bundleBytes: authorizer.bundleBytes,
          bundleKiB: Number((authorizer.bundleBytes / 1024).toFixed(1)),
          loadMsMedian: authorizer.loadMsMedian,
          healthLoadMsMedian: health.loadMsMedian,
          loadRatioToHealth: Number((authorizer.loadMsMedian / health.loadMsMedian).toFixed(2)),
          loadRatioToHealthPaired: pairedLoadRatio(
            join(outDir, 'authorizer', 'index.js'),
            join(outDir, 'health', 'index.js'),
          ),
          apiKeyChunk: authorizer.chunks?.[0],
        }
      : undefined;

  // Mounted apps (the app, its framework and its ORM inside the wrapper): bundle and cold load,
  // held to the HTTP handlers' bound; a run over it fails.
  const mountedApps = MOUNTS.flatMap((mount) => {
    if (!('handler' in mount.target)) return [];
    const name = mount.target.handler.split('/')[0];
    const fn = functions.find((candidate) => candidate.name === name);
    if (fn === undefined) return [];
    const bundleKiB = Number((fn.bundleBytes / 1024).toFixed(1));
    return [
      {
        mount: mount.id,
        function: name,
        bundleBytes: fn.bundleBytes,
        bundleKiB,
        loadMsMedian: fn.loadMsMedian,
        // Against a Rampart read handler loaded in alternation: the machine's drift cancels out.
        loadRatioToProjectsGetPaired: pairedLoadRatio(
          join(outDir, name, 'index.js'),
          join(outDir, 'projects-get', 'index.js'),
        ),
        boundKiB: HTTP_BUNDLE_BOUND_KIB,
        withinBound: bundleKiB <= HTTP_BUNDLE_BOUND_KIB,
      },
    ];
  });
  if (mountedApps.some((app) => !app.withinBound)) process.exitCode = 1;

  let comparison: Record<string, unknown> | undefined;
  const reference = handlerEntries().find((fn) => fn.name === 'projects-get') ?? handlerEntries()[0];
  if (reference) {
    const outfile = join(outDir, `${reference.name}.cdk-default.js`);
    const bundleBytes = await bundle(join(functionsDir, reference.entry), outfile, cdkDefault);
    const ours = functions.find((fn) => fn.name === reference.name)!;
    const defaultLoad = loadMs(outfile);
    comparison = {
      name: reference.name,
      defaultBundleBytes: bundleBytes,
      defaultLoadMsMedian: defaultLoad,
      bundleRatio: Number((ours.bundleBytes / bundleBytes).toFixed(2)),
      loadRatio: Number((ours.loadMsMedian / defaultLoad).toFixed(2)),
      note: 'default keeps @aws-sdk/* external (loaded from node_modules here, from the runtime in Lambda)',
    };
  }

  const micro = microbenchmarks();
  const report = {
    machine: `${process.platform}-${process.arch}, ${cpus().length} cores`,
    // Loads and micro benchmarks run on the Lambda runtime's Node major; esbuild runs on this Node.
    measuredOnNode: runtime.version,
    lambdaRuntime: FUNCTION_RUNTIME.name,
    ...(runtime.note ? { measuredOnNodeNote: runtime.note } : {}),
    loadRuns: LOAD_RUNS,
    // Same workload before and after the run: if they differ much, the machine changed speed mid-run.
    calibrationUsBefore: calibrationBefore,
    calibrationUsAfter: calibrationUs(),
    functions,
    authorizerJwtPath,
    mountedApps,
    ...micro,
    cdkDefaultComparison: comparison,
  };

  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(
    `Rampart bench on ${report.machine}; loads and micro benchmarks on node ${runtime.version} (Lambda ${FUNCTION_RUNTIME.name})\n`,
  );
  if (runtime.note) console.log(`note: ${runtime.note}\n`);
  console.log(
    `machine speed: reference workload ${report.calibrationUsBefore} µs/op before, ${report.calibrationUsAfter} after (lower is faster)\n`,
  );
  console.table(
    functions.map((fn) => ({
      function: fn.name,
      'bundle KiB': Number((fn.bundleBytes / 1024).toFixed(1)),
      'load ms (median)': Number(fn.loadMsMedian.toFixed(1)),
    })),
  );
  for (const fn of functions) {
    for (const chunk of fn.chunks ?? []) {
      console.log(
        `${fn.name} chunk ${chunk.file}: ${(chunk.bytes / 1024).toFixed(1)} KiB, ${chunk.loadMsMedianAfterMain.toFixed(1)} ms to require after index.js`,
      );
    }
  }
  if (authorizerJwtPath) {
    console.log(
      `authorizer JWT path: ${authorizerJwtPath.bundleKiB} KiB, load ${authorizerJwtPath.loadMsMedian.toFixed(1)} ms = ${authorizerJwtPath.loadRatioToHealth}x health's ${authorizerJwtPath.healthLoadMsMedian.toFixed(1)} ms (${authorizerJwtPath.loadRatioToHealthPaired}x loaded in alternation)`,
    );
  }
  for (const app of mountedApps) {
    console.log(
      `mounted app ${app.mount} (${app.function}): ${app.bundleKiB} KiB (bound ${app.boundKiB} KiB: ${app.withinBound ? 'met' : 'EXCEEDED'}), load ${app.loadMsMedian.toFixed(1)} ms = ${app.loadRatioToProjectsGetPaired}x projects-get's (loaded in alternation)`,
    );
  }
  for (const [key, value] of Object.entries(micro)) console.log(`${key}: ${value}`);
  if (comparison) {
    console.log(
      `\nNodejsFunction defaults vs Rampart settings (${relative(root, join(functionsDir, reference!.entry))}):`,
    );
    console.table([comparison]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
