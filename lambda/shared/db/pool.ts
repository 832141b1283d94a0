import { Pool } from 'pg';
import type { PoolConfig } from 'pg';
import { Signer } from '@aws-sdk/rds-signer';
import type { DbConfig } from './config';
import { logger } from '../powertools';
import { describeDbError } from './errors';

/**
 * The `password` pg should use: a fresh IAM token (Lambda through RDS Proxy), or none, when the
 * URL carries it or the server trusts loopback (local mode, tests). Password secrets are only
 * read by the migration function, which connects on its own; keeping the Secrets Manager client
 * out of this module keeps it out of every handler bundle.
 */
export function passwordProvider(config: DbConfig): PoolConfig['password'] {
  if (config.iamAuth) {
    if (!config.host || !config.user) throw new Error('IAM auth needs host and user');
    const signer = new Signer({
      hostname: config.host,
      port: config.port,
      username: config.user,
      region: config.region,
    });
    // Signing is local (no network call); a token is valid 15 minutes and only checked at connect.
    return () => signer.getAuthToken();
  }
  return undefined;
}

/** Translates a `DbConfig` into the pg pool settings. Exported for tests. */
export function poolConfig(config: DbConfig): PoolConfig {
  if (config.iamAuth && config.ssl === false) throw new Error('IAM database auth requires TLS');
  return {
    connectionString: config.connectionString,
    host: config.connectionString ? undefined : config.host,
    port: config.connectionString ? undefined : config.port,
    database: config.connectionString ? undefined : config.database,
    user: config.connectionString ? undefined : config.user,
    password: passwordProvider(config),
    ssl: config.ssl === false ? undefined : config.ssl,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    idleTimeoutMillis: config.idleTimeoutMs,
    // Let a frozen Lambda environment exit cleanly; the pool reconnects on demand.
    allowExitOnIdle: true,
  };
}

/**
 * Creates a pg pool that never crashes the process: an idle connection dropped by the server
 * or RDS Proxy only logs (pg removes it; the next call opens a new one). No connection is
 * opened until the first query.
 */
export function createPool(config: DbConfig | PoolConfig): Pool {
  const pool = new Pool('poolMax' in config ? poolConfig(config) : config);
  pool.on('error', (error) => {
    logger.warn('Idle database connection failed; it was removed from the pool', {
      error: describeDbError(error),
    });
  });
  return pool;
}
