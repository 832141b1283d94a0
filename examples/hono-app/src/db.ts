import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import * as schema from './schema';

/** The app's database: Drizzle over a `pg` pool it is given (behind Rampart: Rampart's pooled client). */
export type AppDb = NodePgDatabase<typeof schema>;

export function appDb(pool: Pool): AppDb {
  return drizzle(pool, { schema });
}
