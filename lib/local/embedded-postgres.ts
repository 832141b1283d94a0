import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** PGlite served over the PostgreSQL wire protocol, its data in a directory that outlives the run. */
export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** True when the data directory was created by this start (empty database). */
  readonly created: boolean;
  /** Flushes and closes PGlite, then ends the child process. */
  stop(): Promise<void>;
}

/**
 * PGlite runs in a child Node process: it executes statements synchronously, which would freeze
 * the gateway's event loop for the length of every query. The child ignores SIGINT so that Ctrl-C
 * in a terminal (sent to the whole process group) cannot kill it before the parent closes it
 * cleanly; it stops when its stdin closes, which also happens if the parent dies.
 */
const CHILD = `
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
const fs = require('node:fs');
process.on('SIGINT', () => undefined);
(async () => {
  const dataDir = process.env.PGLITE_DATA_DIR;
  const created = !fs.existsSync(dataDir + '/PG_VERSION');
  const db = await PGlite.create({ dataDir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: Number(process.env.PGLITE_MAX_CONNECTIONS) });
  await server.start();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.stdin.on('end', stop).on('close', stop).resume();
  process.on('SIGTERM', stop);
  process.stdout.write(JSON.stringify({ port: Number(server.getServerConn().split(':').pop()), created }) + '\\n');
})().catch((error) => { console.error(error); process.exit(1); });
`;

export interface EmbeddedPostgresOptions {
  /** Directory holding the database files (created when missing). */
  readonly dataDir: string;
  /** Repository root: where `@electric-sql/pglite` resolves from. */
  readonly rootDir: string;
  /**
   * Connections the socket server accepts. PGlite is one backend: it serializes statements, so
   * clients should use a pool of 1 (see test/support/database.ts for why).
   * @default 8
   */
  readonly maxConnections?: number;
}

/** Starts PGlite on a free loopback port over `dataDir`. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(process.execPath, ['-e', CHILD], {
    cwd: options.rootDir,
    env: {
      PGLITE_DATA_DIR: path.resolve(options.dataDir),
      PGLITE_MAX_CONNECTIONS: String(options.maxConnections ?? 8),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    child.once('exit', (code) => reject(new Error(`PGlite exited with ${String(code)} before it was ready`)));
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
  });
  child.stdout.resume();
  const { port, created } = JSON.parse(first) as { port: number; created: boolean };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    created,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.stdin.end();
      await exited;
    },
  };
}
