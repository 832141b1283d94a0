import { Client } from 'pg';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

// Privileges need a real server (roles, SET ROLE, ownership): always a PostgreSQL server (this
// run's embedded one, or TEST_DATABASE_URL's), never skipped. If none starts, every test here fails.
let database: TestDatabase;
let app: Client;

beforeAll(async () => {
  database = await startTestDatabase({ backend: 'server', poolMax: 2 });
  // Something the application must never see, owned by the migration user.
  await database.pool.query(
    'CREATE SCHEMA audit; CREATE TABLE audit.trail (id int); INSERT INTO audit.trail VALUES (1)',
  );
  app = new Client({ ...database.connection, user: 'rampart_app', password: undefined });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
  await database?.stop();
});

async function failsWith(sql: string, code: string): Promise<void> {
  await expect(app.query(sql)).rejects.toMatchObject({ code });
}

describe('rampart_app (migration 0100_app_role)', () => {
  test('connects as itself, without superuser or create rights', async () => {
    const { rows } = await app.query<{
      user: string;
      rolsuper: boolean;
      rolcreatedb: boolean;
      rolcreaterole: boolean;
    }>(
      'SELECT current_user AS user, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
    );
    expect(rows).toEqual([
      { user: 'rampart_app', rolsuper: false, rolcreatedb: false, rolcreaterole: false },
    ]);
  });

  test('reads and writes the application tables (including defaults from sequences and functions)', async () => {
    const inserted = await app.query<{ id: string; version: number }>(
      "INSERT INTO projects (name, owner_sub) VALUES ('Apollo', 'user-1') RETURNING id, version",
    );
    expect(inserted.rows[0].version).toBe(1);
    const { id } = inserted.rows[0];
    await app.query("UPDATE projects SET status = 'active', version = version + 1 WHERE id = $1", [id]);
    const read = await app.query('SELECT name, status, version FROM projects WHERE id = $1', [id]);
    expect(read.rows).toEqual([{ name: 'Apollo', status: 'active', version: 2 }]);
    await app.query('DELETE FROM projects WHERE id = $1', [id]);
    expect((await app.query('SELECT count(*)::int AS n FROM projects')).rows[0].n).toBe(0);
  });

  test('has DML on every application table and USAGE on every sequence', async () => {
    const { rows } = await database.pool.query<{ table: string; ok: boolean }>(`
      SELECT c.relname AS table,
             has_table_privilege('rampart_app', c.oid, 'SELECT,INSERT,UPDATE,DELETE') AS ok
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => !row.ok)).toEqual([]);
    const sequences = await database.pool.query<{ ok: boolean }>(`
      SELECT has_sequence_privilege('rampart_app', c.oid, 'USAGE') AS ok
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'S'`);
    expect(sequences.rows.filter((row) => !row.ok)).toEqual([]);
  });

  test('tables created by later migrations get the same grants', async () => {
    await database.pool.query('CREATE TABLE later_feature (id bigserial PRIMARY KEY, note text)');
    await app.query("INSERT INTO later_feature (note) VALUES ('ok')");
    expect((await app.query('SELECT note FROM later_feature')).rows).toEqual([{ note: 'ok' }]);
  });

  test('cannot drop, truncate or alter tables, nor create new ones', async () => {
    await failsWith('DROP TABLE projects', '42501');
    await failsWith('TRUNCATE projects', '42501');
    await failsWith('ALTER TABLE projects ADD COLUMN extra text', '42501');
    await failsWith('CREATE TABLE sneaky (id int)', '42501');
    await failsWith('CREATE SCHEMA sneaky', '42501');
  });

  test('cannot read or change the migration history', async () => {
    await failsWith('SELECT * FROM schema_migrations', '42501');
    await failsWith('DELETE FROM schema_migrations', '42501');
  });

  test('cannot read other schemas', async () => {
    await failsWith('SELECT * FROM audit.trail', '42501');
  });

  test('carries its session limits on the role (no SET needed through the proxy)', async () => {
    expect((await app.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('10s');
    expect((await app.query('SHOW lock_timeout')).rows[0].lock_timeout).toBe('5s');
  });
});
