import { rmSync } from 'node:fs';

/** Removes what `global-setup.ts` made. */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.RAMPART_TEST_TEMP_DIR;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
