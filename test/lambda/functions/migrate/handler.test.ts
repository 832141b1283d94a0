import { mkdtemp, cp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MIGRATIONS_DIR } from '../../../../lambda/shared/db/migrate';
import { createMigrateHandler, type AdminSecret } from '../../../../lambda/functions/migrate/handler';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

// The deploy-time migration step against a real PostgreSQL (the run's server or TEST_DATABASE_URL's;
// PGlite with TEST_DATABASE=pglite).
let database: TestDatabase;
let secret: AdminSecret;
const readSecret = jest.fn(async (secretId: string) => {
  expect(secretId).toBe('arn:aws:secretsmanager:eu-west-1:111111111111:secret:admin');
  return secret;
});
const migrate = createMigrateHandler({ readSecret, tls: false });

beforeAll(async () => {
  database = await startTestDatabase({ migrate: false, poolMax: 1 });
  const { host, port, user, password, database: dbname } = database.connection;
  secret = {
    host: host!,
    port: Number(port),
    dbname: dbname!,
    username: user!,
    password: typeof password === 'string' ? password : '',
  };
  process.env.DB_SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:admin';
});

afterAll(async () => {
  delete process.env.DB_SECRET_ID;
  delete process.env.MIGRATIONS_DIR;
  await database?.stop();
});

describe('migrate handler', () => {
  test('applies every migration with the admin secret, then a second run changes nothing', async () => {
    const first = await migrate();
    expect(first.applied).toContain('0100_app_role.sql');
    expect(first.applied[0]).toBe('0001_projects.sql');
    expect(first.alreadyApplied).toEqual([]);
    const second = await migrate();
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const { rows } = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM schema_migrations',
    );
    expect(rows[0].n).toBe(first.applied.length);
  });

  test('a failing migration rejects (so the CloudFormation trigger fails the deploy) and is not recorded', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rampart-migrate-'));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(path.join(dir, '9999_broken.sql'), 'CREATE TABLE projects (id int);');
    process.env.MIGRATIONS_DIR = dir;
    try {
      await expect(migrate()).rejects.toThrow(
        /Migration 9999_broken\.sql failed: relation "projects" already exists/,
      );
    } finally {
      delete process.env.MIGRATIONS_DIR;
    }
    const { rows } = await database.pool.query('SELECT 1 FROM schema_migrations WHERE version = 9999');
    expect(rows).toEqual([]);
  });

  test('without DB_SECRET_ID it refuses to run', async () => {
    const saved = process.env.DB_SECRET_ID;
    delete process.env.DB_SECRET_ID;
    try {
      await expect(migrate()).rejects.toThrow('DB_SECRET_ID is not set');
    } finally {
      process.env.DB_SECRET_ID = saved;
    }
  });

  test('wrong credentials reject instead of passing silently', async () => {
    const saved = secret;
    secret = { ...saved, port: 1 };
    try {
      await expect(migrate()).rejects.toThrow();
    } finally {
      secret = saved;
    }
  });
});
