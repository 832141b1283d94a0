import type { Pool } from 'pg';
import { readDbConfig } from './config';
import { createDb } from './client';
import type { Db } from './client';
import { createPool } from './pool';

export type { Db, DbOptions, QueryOptions } from './client';
export { createDb } from './client';
export type { DbConfig } from './config';
export { readDbConfig } from './config';
export { createPool, poolConfig } from './pool';
export { DbAbortedError, isInfrastructureError, isStaleConnectionError, isUniqueViolation } from './errors';

let pool: Pool | undefined;
let db: Db | undefined;

/**
 * The execution environment's pool, created on first call from the function's environment
 * (`readDbConfig`). Creating it opens nothing: pg connects on the first query.
 */
export function getPool(): Pool {
  pool ??= createPool(readDbConfig());
  return pool;
}

/** The execution environment's `Db` (module-scope pool + the `database` breaker). */
export function getDb(): Db {
  if (!db) {
    db = createDb({ pool: getPool() });
  }
  return db;
}

/** Closes the module-scope pool (long-running servers on shutdown, tests). */
export async function closeDb(): Promise<void> {
  const current = pool;
  pool = undefined;
  db = undefined;
  await current?.end();
}
