import type { ConnectionOptions } from 'node:tls';

/** How to reach PostgreSQL. Built from the environment by `readDbConfig`, or passed in by tests. */
export interface DbConfig {
  /** Full `postgres://` URL (local mode, tests); host/port/database/user are ignored when set. */
  readonly connectionString?: string;
  readonly host?: string;
  readonly port: number;
  readonly database?: string;
  readonly user?: string;
  /**
   * Sign a 15-minute IAM auth token per new connection (RDS Proxy). Forces TLS.
   * @default false (env `DB_IAM_AUTH=true`)
   */
  readonly iamAuth: boolean;
  /** Region for IAM token signing. @default - env `AWS_REGION` */
  readonly region?: string;
  /** TLS options; `false` disables TLS (loopback only). @default - verified TLS when iamAuth, else off */
  readonly ssl: false | ConnectionOptions;
  /**
   * Connections in this process's pool. One per Lambda execution environment (RDS Proxy does
   * the real pooling); more for a long-running server.
   * @default 1 (env `DB_POOL_MAX`)
   */
  readonly poolMax: number;
  /** Milliseconds to wait for a new connection before failing. @default 3000 (env `DB_CONNECT_TIMEOUT_MS`) */
  readonly connectTimeoutMs: number;
  /** Milliseconds an idle pooled connection lives. @default 60000 (env `DB_IDLE_TIMEOUT_MS`) */
  readonly idleTimeoutMs: number;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

/**
 * Reads the database settings of a function from its environment (set by the CDK construct):
 * `DATABASE_URL` or `DB_HOST`/`DB_PORT`/`DB_NAME`/`DB_USER`, `DB_IAM_AUTH`,
 * `DB_SSL` (`false` to disable outside IAM mode), `DB_POOL_MAX`, `DB_CONNECT_TIMEOUT_MS`, `DB_IDLE_TIMEOUT_MS`.
 */
export function readDbConfig(env: NodeJS.ProcessEnv = process.env): DbConfig {
  const iamAuth = env.DB_IAM_AUTH === 'true';
  const connectionString = env.DATABASE_URL || undefined;
  if (!connectionString && !env.DB_HOST) {
    throw new Error('Set DATABASE_URL or DB_HOST (with DB_NAME and DB_USER) to reach the database');
  }
  if (iamAuth && (!env.DB_HOST || !env.DB_USER)) {
    throw new Error('DB_IAM_AUTH=true needs DB_HOST and DB_USER (the token is signed for them)');
  }
  const sslWanted = iamAuth || env.DB_SSL === 'true';
  return {
    connectionString,
    host: env.DB_HOST,
    port: intFromEnv(env, 'DB_PORT', 5432),
    database: env.DB_NAME,
    user: env.DB_USER,
    iamAuth,
    region: env.AWS_REGION,
    // Node's bundled CAs include Amazon Trust Services, which signs RDS Proxy certificates.
    ssl: sslWanted ? { rejectUnauthorized: true } : false,
    poolMax: intFromEnv(env, 'DB_POOL_MAX', 1),
    connectTimeoutMs: intFromEnv(env, 'DB_CONNECT_TIMEOUT_MS', 3000),
    idleTimeoutMs: intFromEnv(env, 'DB_IDLE_TIMEOUT_MS', 60_000, 0),
  };
}
