/**
 * `node --import tsx scripts/bench-micro.ts`: per-request cost of the HTTP wrapper over a bare
 * handler, warm, on real API Gateway events. Prints one JSON line last:
 * `{"bareHandlerUsP50", "wrapperOverheadUsP50", "wrapperOverheadNoMetricsUsP50", ...}`.
 *
 * The wrapper publishes metrics only when a request recorded one (plus the cold start), so the
 * bench request writes none; the `NoMetrics` figure runs with POWERTOOLS_METRICS_DISABLED to show
 * what Powertools metrics still cost per request. Application log lines are off (level SILENT).
 * Both handlers copy the event first (the wrapper normalizes it in place), so the copy cancels out.
 */
import { spawnSync } from 'node:child_process';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { apiEvent, EDITOR_USER } from '../test/fixtures/api-gateway-event';
import { lambdaContext } from '../test/fixtures/lambda-context';
import { defineRoute } from '../lambda/shared/route';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 3_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Calls per batch; batches of the two handlers alternate so machine drift hits both alike. */
const BATCH = 100;

/**
 * Per-call times of `a` and of `b`, measured in alternating batches, and the paired difference:
 * the median over batch pairs of (median of `b`'s batch - median of `a`'s batch). This machine's
 * speed drifts by 2-3x within minutes; measuring one handler after the other turned that drift
 * into "overhead" (runs disagreed by 20 µs). Pairing adjacent batches cancels most of it.
 */
async function interleaved(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<{ a: number; b: number; pairedDifference: number }> {
  for (let i = 0; i < WARMUP; i += 1) {
    await a();
    await b();
  }
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  const differences: number[] = [];
  const time = async (invoke: () => Promise<unknown>): Promise<number[]> => {
    const batch: number[] = [];
    for (let i = 0; i < BATCH; i += 1) {
      const started = process.hrtime.bigint();
      await invoke();
      batch.push(Number(process.hrtime.bigint() - started) / 1e3);
    }
    return batch;
  };
  for (let done = 0; done < ITERATIONS; done += BATCH) {
    const batchA = await time(a);
    const batchB = await time(b);
    samplesA.push(...batchA);
    samplesB.push(...batchB);
    differences.push(median(batchB) - median(batchA));
  }
  return { a: median(samplesA), b: median(samplesB), pairedDifference: median(differences) };
}

const route = defineRoute({
  id: 'benchGet',
  method: 'GET',
  path: '/api/v1/bench/{id}',
  handler: 'bench/handler.ts',
  access: { roles: ['viewer', 'editor', 'admin'], scopes: ['rampart/read'] },
});

async function measure(): Promise<Record<string, number>> {
  const { api } = await import('../lambda/shared/http/api');
  const body = { id: 'p-1', name: 'Apollo', status: 'active', version: 3 };
  const bare = async (_event: APIGatewayProxyEvent, _context: Context) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const wrapped = api(route, () => ({ status: 200, body }));
  const template = apiEvent({
    path: '/api/v1/bench/p-1',
    resource: '/api/v1/bench/{id}',
    pathParameters: { id: 'p-1' },
    headers: { accept: 'application/json', 'x-correlation-id': 'bench-1' },
    authorizer: EDITOR_USER,
  });
  const context = lambdaContext({ timeoutMs: 60_000 });
  // The wrapper normalizes the event in place, as on Lambda where each event is new: both sides
  // get a fresh structured copy, and the copy is timed on both sides so it cancels out.
  const {
    a: bareUs,
    b: wrappedUs,
    pairedDifference,
  } = await interleaved(
    () => bare(structuredClone(template), context),
    () => wrapped(structuredClone(template), context),
  );
  return {
    bareHandlerUsP50: round(bareUs),
    wrappedHandlerUsP50: round(wrappedUs),
    overheadUsP50: round(pairedDifference),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  if (process.env.BENCH_MICRO_CHILD) {
    process.stderr.write(`${JSON.stringify(await measure())}\n`);
    return;
  }
  const run = (extraEnv: Record<string, string>) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', BENCH_MICRO_CHILD: '1', ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stderr.trim().split('\n').pop()!) as Record<string, number>;
  };
  const withMetrics = run({ POWERTOOLS_METRICS_DISABLED: 'false' });
  const withoutMetrics = run({ POWERTOOLS_METRICS_DISABLED: 'true' });
  console.log(
    JSON.stringify({
      bareHandlerUsP50: withMetrics.bareHandlerUsP50,
      wrapperOverheadUsP50: withMetrics.overheadUsP50,
      wrapperOverheadNoMetricsUsP50: withoutMetrics.overheadUsP50,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
