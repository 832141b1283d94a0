import { rmSync } from 'node:fs';
import { runPostgresServer } from './postgres-server';

/** Removes what `global-setup.ts` made and stops its PostgreSQL server. */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.RAMPART_TEST_TEMP_DIR;
  try {
    await runPostgresServer.current?.stop();
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
