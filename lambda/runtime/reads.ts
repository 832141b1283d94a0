import { getDb, type Db } from '../shared/db';

/**
 * Dependencies of read-only handlers: just the module-scope pool. Kept apart from the write
 * dependencies so read bundles carry no SQS client.
 */
export function runtimeReadDeps(): { readonly db: Db } {
  return { db: getDb() };
}
