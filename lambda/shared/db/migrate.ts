import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClientBase, Pool, PoolClient } from 'pg';

/**
 * The one migration runner (tests, local server, the post-deploy CDK trigger). Plain `.sql`
 * files named `0001_<name>.sql`, applied in order, each in its own transaction, recorded in
 * `schema_migrations` with a SHA-256 checksum. Running it again changes nothing; editing a
 * migration that was already applied is an error. No advisory locks: concurrent runners
 * serialize on a table lock inside each migration's transaction.
 *
 * Migrations must be transactional SQL (no `CREATE INDEX CONCURRENTLY`, no `VACUUM`).
 */

/** Where the migrations live in the source tree (bundles pass `dir` explicitly). */
export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationResult {
  /** File names applied by this run, in order. */
  readonly applied: string[];
  /** File names that were already applied (checksum verified). */
  readonly alreadyApplied: string[];
  /** Versions recorded in the database with no file here (a newer deploy ran): reported, not an error. */
  readonly unknownApplied: number[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads and validates the migration files of `dir`, ordered by version. */
export async function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`Migration file ${file} must be named NNNN_lower_snake_name.sql`);
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new MigrationError(`Two migration files share version ${match[1]} (${file})`);
    }
    const sql = await readFile(path.join(dir, file), 'utf8');
    migrations.push({ version, name: match[2], file, sql, checksum: checksumOf(sql) });
  }
  return migrations;
}

type Target = Pool | PoolClient | ClientBase;

function isPool(target: Target): target is Pool {
  return 'totalCount' in target && typeof (target as Pool).connect === 'function';
}

async function ensureTable(client: ClientBase): Promise<void> {
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      checksum   text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  } catch (error) {
    // Two runners creating the table at once: the loser sees a duplicate; the table exists.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
}

async function appliedChecksums(client: ClientBase): Promise<Map<number, string>> {
  const { rows } = await client.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

function verify(migration: Migration, applied: Map<number, string>): boolean {
  const checksum = applied.get(migration.version);
  if (checksum === undefined) return false;
  if (checksum !== migration.checksum) {
    throw new MigrationError(
      `Migration ${migration.file} was edited after it was applied (checksum mismatch); add a new migration instead`,
    );
  }
  return true;
}

async function runWithClient(client: ClientBase, migrations: Migration[]): Promise<MigrationResult> {
  await ensureTable(client);
  const initial = await appliedChecksums(client);
  // Check every applied migration before touching anything.
  for (const m of migrations) verify(m, initial);
  const known = new Set(migrations.map((m) => m.version));
  const result: MigrationResult = {
    applied: [],
    alreadyApplied: [],
    unknownApplied: [...initial.keys()].filter((v) => !known.has(v)),
  };
  for (const migration of migrations) {
    if (initial.has(migration.version)) {
      result.alreadyApplied.push(migration.file);
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      // Another runner may have applied it while we waited for the lock.
      if (verify(migration, await appliedChecksums(client))) {
        await client.query('ROLLBACK');
        result.alreadyApplied.push(migration.file);
        continue;
      }
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      await client.query('COMMIT');
      result.applied.push(migration.file);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof MigrationError) throw error;
      throw new MigrationError(`Migration ${migration.file} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return result;
}

/** Applies the pending migrations of `dir` through a pool or a connected client. */
export async function runMigrations(
  target: Target,
  options: { readonly dir?: string } = {},
): Promise<MigrationResult> {
  const migrations = await loadMigrations(options.dir);
  if (!isPool(target)) return runWithClient(target, migrations);
  const client = await target.connect();
  try {
    return await runWithClient(client, migrations);
  } finally {
    client.release();
  }
}
