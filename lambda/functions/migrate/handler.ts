import type { ConnectionOptions } from 'node:tls';
import { Client } from 'pg';
import { runMigrations, type MigrationResult } from '../../shared/db/migrate';
import { logger } from '../../shared/powertools';
import { getSecretJson } from '../../shared/secrets';

/** The admin secret as RDS writes it (attached to the instance, so it carries host and port). */
export interface AdminSecret {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly username: string;
  readonly password: string;
}

export interface MigrateDependencies {
  readonly readSecret: (secretId: string) => Promise<AdminSecret>;
  /** TLS settings; `false` only for a loopback test database. */
  readonly tls: ConnectionOptions | false;
}

/**
 * The post-deploy migration step: connect to the instance (not the proxy) as the admin user,
 * apply pending migrations, close. Any failure throws, which fails the CloudFormation trigger
 * and with it the deployment.
 */
export function createMigrateHandler(deps: MigrateDependencies): () => Promise<MigrationResult> {
  return async () => {
    const secretId = process.env.DB_SECRET_ID;
    if (!secretId) throw new Error('DB_SECRET_ID is not set');
    const secret = await deps.readSecret(secretId);
    const client = new Client({
      host: secret.host,
      port: Number(secret.port),
      database: secret.dbname,
      user: secret.username,
      password: secret.password,
      ssl: deps.tls === false ? false : { ...deps.tls, servername: secret.host },
      connectionTimeoutMillis: 10_000,
      application_name: 'rampart-migrate',
    });
    await client.connect();
    try {
      const result = await runMigrations(client, { dir: process.env.MIGRATIONS_DIR || undefined });
      logger.info('Migrations done', { ...result });
      return result;
    } finally {
      await client.end();
    }
  };
}

export const handler = createMigrateHandler({
  readSecret: (secretId) => getSecretJson<AdminSecret>(secretId),
  tls: { rejectUnauthorized: true },
});
