/**
 * `npm run load`: a bounded load scenario over HTTP — authenticated reads and writes by several
 * roles, plus one API-key client deliberately over its usage plan — that prints requests/s,
 * p50/p99 latency and status counts, then checks:
 *   - no 5xx and no transport errors;
 *   - no dropped write: every acknowledged create (201) is in the database afterwards;
 *   - 429s only for clients whose offered rate exceeds a limit that applies to them.
 * Exit code 1 when a check fails.
 *
 * Target: the local stack, started here in-process on a free loopback port with a fresh data
 * directory (never `.local/`), unless `LOAD_TARGET_URL` names a deployed stage; then tokens come
 * from `LOAD_EDITOR_TOKEN`, `LOAD_VIEWER_TOKEN`, `LOAD_ADMIN_TOKEN` and `LOAD_API_KEY` (a free-tier
 * key), and writes are verified by reading them back. Load never goes anywhere else.
 *
 * `LOAD_PROFILE`: steady (default, 15 s), ramp, stress, soak; `LOAD_DURATION_S` overrides the
 * duration; `LOAD_ENV` (default dev) picks the config whose limits the 429 check uses.
 * docs/load-testing.md describes the profiles and how to read the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

type Profile = 'steady' | 'ramp' | 'stress' | 'soak';

interface ProfileSpec {
  readonly durationS: number;
  /** Rate multiplier at time fraction `t` (0..1) of the run. */
  readonly multiplier: (t: number) => number;
}

const PROFILES: Record<Profile, ProfileSpec> = {
  steady: { durationS: 15, multiplier: () => 1 },
  ramp: { durationS: 60, multiplier: (t) => 0.1 + 0.9 * t },
  stress: { durationS: 30, multiplier: (t) => 1 + 4 * t },
  soak: { durationS: 600, multiplier: () => 1 },
};

interface Client {
  readonly name: string;
  /** Requests per second at multiplier 1. */
  readonly rate: number;
  /** The limit (requests/second) that applies to this client's calls: above it, 429s are expected. */
  readonly limit: number;
  readonly request: () => {
    method: string;
    path: string;
    token: string;
    body?: unknown;
    headers?: Record<string, string>;
  };
  /** Called with each response. */
  readonly onResponse?: (status: number, body: unknown) => void;
}

interface Sample {
  readonly client: string;
  readonly status: number;
  readonly ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function send(
  baseUrl: string,
  spec: ReturnType<Client['request']>,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { ...spec.headers };
  headers.authorization = spec.token.startsWith('rmp_') ? `ApiKey ${spec.token}` : `Bearer ${spec.token}`;
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${spec.path}`, {
    method: spec.method,
    headers,
    body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** Open-loop pacing: each client issues requests on its own schedule, in flight bounded. */
async function run(baseUrl: string, clients: readonly Client[], spec: ProfileSpec, durationS: number) {
  const samples: Sample[] = [];
  const transportErrors: string[] = [];
  const started = performance.now();
  const end = started + durationS * 1000;
  const MAX_IN_FLIGHT = 64;
  await Promise.all(
    clients.map(async (client) => {
      const inFlight = new Set<Promise<void>>();
      let next = performance.now();
      while (next < end) {
        const t = (next - started) / (durationS * 1000);
        const interval = 1000 / (client.rate * spec.multiplier(t));
        const wait = next - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
        const request = client.request();
        const sent = performance.now();
        const pending = send(baseUrl, request)
          .then(({ status, body }) => {
            samples.push({ client: client.name, status, ms: performance.now() - sent });
            client.onResponse?.(status, body);
          })
          .catch((error: unknown) => {
            transportErrors.push(`${client.name}: ${error instanceof Error ? error.message : String(error)}`);
          })
          .finally(() => inFlight.delete(pending));
        inFlight.add(pending);
        next += interval;
      }
      await Promise.all(inFlight);
    }),
  );
  return { samples, transportErrors, elapsedS: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const profile = (process.env.LOAD_PROFILE ?? 'steady') as Profile;
  const spec = PROFILES[profile];
  if (spec === undefined) throw new Error(`LOAD_PROFILE must be one of ${Object.keys(PROFILES).join(', ')}`);
  const durationS = Number(process.env.LOAD_DURATION_S ?? spec.durationS);
  if (!(durationS > 0 && durationS <= 3600)) throw new Error('LOAD_DURATION_S must be in 1..3600');
  const targetUrl = process.env.LOAD_TARGET_URL;

  const { capacityPlan, loadEnvironmentConfig } = await import('../lib/config');
  const environment = loadEnvironmentConfig(process.env.LOAD_ENV ?? 'dev');
  // The limits each client meets, from the environment's capacity model (docs/load-testing.md).
  const { methods, usagePlans } = capacityPlan(environment);

  let baseUrl: string;
  let stop = async () => undefined as void;
  let tokens: { editor: string; viewer: string; admin: string; apiKey: string };
  let verifyStored: (ids: readonly string[]) => Promise<string[]>;

  if (targetUrl === undefined) {
    const { startLocalStack } = await import('../lib/local/local-stack');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rampart-load-'));
    const stack = await startLocalStack({
      rootDir: path.resolve(__dirname, '..'),
      dataDir,
      port: 0,
      environment,
      log: (line) => console.error(`local: ${line}`),
    });
    console.log(`local stack ready in ${stack.startupMs} ms at ${stack.url}`);
    baseUrl = `${stack.url}/api/v1`;
    stop = async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
    const loginAs = async (email: string) => {
      const user = stack.users.find((candidate) => candidate.email === email)!;
      const { body } = await send(baseUrl, {
        method: 'POST',
        path: '/auth/login',
        token: '',
        body: { email, password: user.password },
      });
      return (body as { accessToken: string }).accessToken;
    };
    const editor = await loginAs('editor@example.com');
    const created = await send(baseUrl, {
      method: 'POST',
      path: '/api-keys',
      token: editor,
      body: { name: 'load: over quota', scopes: ['rampart/read'], tier: 'free' },
    });
    tokens = {
      editor,
      viewer: await loginAs('viewer@example.com'),
      admin: await loginAs('admin@example.com'),
      apiKey: (created.body as { key: string }).key,
    };
    const { getDb } = await import('../lambda/shared/db');
    verifyStored = async (ids) => {
      const { rows } = await getDb().query<{ id: string }>(
        'SELECT id FROM projects WHERE id = ANY($1::uuid[])',
        [ids],
      );
      const stored = new Set(rows.map((row) => row.id));
      return ids.filter((id) => !stored.has(id));
    };
  } else {
    const url = new URL(targetUrl);
    baseUrl = `${url.origin}${url.pathname.replace(/\/$/, '')}`;
    const need = (name: string) => {
      const value = process.env[name];
      if (!value) throw new Error(`${name} is required with LOAD_TARGET_URL`);
      return value;
    };
    tokens = {
      editor: need('LOAD_EDITOR_TOKEN'),
      viewer: need('LOAD_VIEWER_TOKEN'),
      admin: need('LOAD_ADMIN_TOKEN'),
      apiKey: need('LOAD_API_KEY'),
    };
    verifyStored = async (ids) => {
      const missing: string[] = [];
      for (const id of ids) {
        const { status } = await send(baseUrl, {
          method: 'GET',
          path: `/projects/${id}`,
          token: tokens.editor,
        });
        if (status !== 200) missing.push(id);
        await new Promise((resolve) => setTimeout(resolve, 1000 / 20));
      }
      return missing;
    };
  }

  try {
    const listed = await send(baseUrl, { method: 'GET', path: '/projects?limit=50', token: tokens.viewer });
    const known = ((listed.body as { items?: { id: string }[] })?.items ?? []).map((item) => item.id);
    const acknowledged: string[] = [];
    const freePlan = usagePlans.free.rateLimit;
    const pick = () => (known.length > 0 ? known[Math.floor(Math.random() * known.length)] : randomUUID());
    const clients: Client[] = [
      {
        name: 'viewer list',
        rate: 25,
        limit: methods.listProjects.rateLimit,
        request: () => ({ method: 'GET', path: '/projects?limit=20', token: tokens.viewer }),
      },
      {
        name: 'viewer get',
        rate: 25,
        limit: methods.getProject.rateLimit,
        request: () => ({ method: 'GET', path: `/projects/${pick()}`, token: tokens.viewer }),
      },
      {
        name: 'editor create',
        rate: 8,
        limit: methods.createProject.rateLimit,
        request: () => ({
          method: 'POST',
          path: '/projects',
          token: tokens.editor,
          body: { name: `load ${randomUUID().slice(0, 8)}` },
          headers: { 'idempotency-key': randomUUID() },
        }),
        onResponse: (status, body) => {
          if (status === 201) {
            const id = (body as { id: string }).id;
            acknowledged.push(id);
            known.push(id);
          }
        },
      },
      {
        name: 'admin details',
        rate: 2,
        limit: methods.healthDetails.rateLimit,
        request: () => ({ method: 'GET', path: '/health/details', token: tokens.admin }),
      },
      {
        name: 'api key (free plan)',
        rate: 5 * freePlan,
        limit: freePlan,
        request: () => ({ method: 'GET', path: `/projects/${pick()}`, token: tokens.apiKey }),
      },
    ];
    // The two readers of getProject share its method throttle with the API-key client's calls.
    const peak = Math.max(...Array.from({ length: 11 }, (_, i) => spec.multiplier(i / 10)));

    console.log(`profile ${profile}: ${durationS} s, peak multiplier ${peak}, clients:`);
    for (const client of clients)
      console.log(`  ${client.name.padEnd(20)} ${client.rate} rps (limit ${client.limit} rps)`);

    const { samples, transportErrors, elapsedS } = await run(baseUrl, clients, spec, durationS);
    const latencies = samples.map((sample) => sample.ms).sort((a, b) => a - b);
    const statusCounts: Record<string, number> = {};
    for (const sample of samples) statusCounts[sample.status] = (statusCounts[sample.status] ?? 0) + 1;

    console.log(
      `\n${samples.length} requests in ${elapsedS.toFixed(1)} s = ${(samples.length / elapsedS).toFixed(1)} req/s`,
    );
    console.log(
      `latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${(latencies.at(-1) ?? 0).toFixed(1)} ms`,
    );
    console.log(`status counts ${JSON.stringify(statusCounts)}`);
    for (const client of clients) {
      const own = samples.filter((sample) => sample.client === client.name);
      const sorted = own.map((sample) => sample.ms).sort((a, b) => a - b);
      const counts: Record<string, number> = {};
      for (const sample of own) counts[sample.status] = (counts[sample.status] ?? 0) + 1;
      console.log(
        `  ${client.name.padEnd(20)} n=${String(own.length).padStart(5)} p50 ${percentile(sorted, 50).toFixed(1)} ms p99 ${percentile(sorted, 99).toFixed(1)} ms ${JSON.stringify(counts)}`,
      );
    }

    const failures: string[] = [];
    const serverErrors = samples.filter((sample) => sample.status >= 500);
    if (serverErrors.length > 0) failures.push(`${serverErrors.length} responses were 5xx`);
    if (transportErrors.length > 0)
      failures.push(`${transportErrors.length} transport errors, e.g. ${transportErrors[0]}`);
    for (const client of clients) {
      const throttled = samples.filter(
        (sample) => sample.client === client.name && sample.status === 429,
      ).length;
      const overLimit = client.rate * peak > client.limit;
      if (throttled > 0 && !overLimit) failures.push(`${client.name}: ${throttled} 429s within its limit`);
      if (client.limit === freePlan && throttled === 0)
        failures.push(`${client.name}: over its plan but never throttled`);
    }
    const missing = await verifyStored(acknowledged);
    console.log(`writes acknowledged ${acknowledged.length}, missing from the database ${missing.length}`);
    if (missing.length > 0)
      failures.push(`${missing.length} acknowledged writes are missing: ${missing.slice(0, 3).join(', ')}`);
    console.log(
      `machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
    );
    if (failures.length > 0) {
      console.error(`\nFAILED:\n  ${failures.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.log('\nOK: no 5xx, no dropped writes, 429s only where a limit says so');
    }
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
