import { cp, mkdtemp, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_MIGRATIONS_DIR,
  MigrationError,
  loadMigrations,
  runMigrations,
} from '../../../../lambda/shared/db/migrate';
import { startTestDatabase } from '../../../support/database';
import type { TestDatabase } from '../../../support/database';

describe('runMigrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await startTestDatabase({ migrate: false });
  });
  afterAll(() => database.stop());

  it('applies every migration once, and a second run changes nothing', async () => {
    const files = (await loadMigrations()).map((m) => m.file);
    const first = await runMigrations(database.pool);
    expect(first.applied).toEqual(files);

    const before = await database.pool.query('SELECT version, checksum, applied_at FROM schema_migrations');
    const second = await runMigrations(database.pool);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(files);
    const after = await database.pool.query('SELECT version, checksum, applied_at FROM schema_migrations');
    expect(after.rows).toEqual(before.rows);
  });

  it('creates the schema the domain needs, with gen_random_uuid() available', async () => {
    const { rows } = await database.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'idempotency_keys',
        'outbox',
        'processed_events',
        'project_activity',
        'projects',
        'schema_migrations',
        'worker_heartbeat',
      ]),
    );
    const inserted = await database.pool.query<{ id: string; version: number }>(
      `INSERT INTO projects (name, owner_sub) VALUES ('p', 'u') RETURNING id, version`,
    );
    expect(inserted.rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(inserted.rows[0].version).toBe(1);
    await expect(
      database.pool.query(`INSERT INTO projects (name, owner_sub, status) VALUES ('p', 'u', 'bogus')`),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('refuses to run when an applied migration was edited', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rampart-migrations-'));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    await appendFile(path.join(dir, '0001_projects.sql'), '\n-- edited after release\n');
    await expect(runMigrations(database.pool, { dir })).rejects.toThrow(
      /0001_projects\.sql was edited after it was applied/,
    );
  });

  it('rolls back a failing migration completely and records nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rampart-migrations-'));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(
      path.join(dir, '0999_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n',
    );
    const failure = runMigrations(database.pool, { dir });
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toThrow(/0999_broken\.sql failed/);
    const tables = await database.pool.query(`SELECT to_regclass('half_done') AS t`);
    expect(tables.rows[0].t).toBeNull();
    const recorded = await database.pool.query('SELECT 1 FROM schema_migrations WHERE version = 999');
    expect(recorded.rowCount).toBe(0);
  });

  it('rejects badly named migration files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rampart-migrations-'));
    await writeFile(path.join(dir, 'add-things.sql'), 'SELECT 1;');
    await expect(loadMigrations(dir)).rejects.toThrow(/NNNN_lower_snake_name\.sql/);
  });
});
