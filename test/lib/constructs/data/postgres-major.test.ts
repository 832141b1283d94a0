import { DatabaseInstanceEngine } from 'aws-cdk-lib/aws-rds';
import { Client } from 'pg';
import { POSTGRES_VERSION } from '../../../../lib/constructs/data/postgres-database';
import { startTestDatabase } from '../../../support/database';
import {
  POSTGRES_SERVER_URL_VARIABLE,
  postgresServerPackageVersion,
  startPostgresServer,
} from '../../../support/postgres-server';

const majorOf = (version: string) => /^(\d+)\./.exec(version)?.[1];

async function serverVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  } finally {
    await client.end();
  }
}

/** `SHOW server_version` of the embedded server: this run's, or (when TEST_DATABASE_URL replaced it) one started here. */
async function embeddedServerVersion(): Promise<string> {
  const url = process.env[POSTGRES_SERVER_URL_VARIABLE];
  if (url) return serverVersion(url);
  const server = await startPostgresServer();
  try {
    return await serverVersion(server.url);
  } finally {
    await server.stop();
  }
}

async function pgliteVersion(): Promise<string> {
  // Migrated, like every other file's PGlite: it then starts from the cached data directory.
  const database = await startTestDatabase({ backend: 'pglite' });
  try {
    return (await database.pool.query<{ server_version: string }>('SHOW server_version')).rows[0]
      .server_version;
  } finally {
    await database.stop();
  }
}

test('RDS, the embedded server the tests use and PGlite run one PostgreSQL major', async () => {
  const deployed = POSTGRES_VERSION.postgresMajorVersion;
  expect(deployed).toMatch(/^\d+$/);
  // Settled, not Promise.all: a failure of one must not leave the other running past the test.
  const [server, pglite] = (await Promise.allSettled([embeddedServerVersion(), pgliteVersion()])).map(
    (result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    },
  );
  expect({
    rdsEngine: majorOf(POSTGRES_VERSION.postgresFullVersion),
    rdsParameterGroupFamily: DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION })
      .parameterGroupFamily,
    embeddedServerPackage: majorOf(postgresServerPackageVersion()),
    embeddedServer: majorOf(server),
    pglite: majorOf(pglite),
  }).toEqual({
    rdsEngine: deployed,
    rdsParameterGroupFamily: `postgres${deployed}`,
    embeddedServerPackage: deployed,
    embeddedServer: deployed,
    pglite: deployed,
  });
});
