import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RELEASED_DIR } from './openapi/released';

/**
 * `npm run openapi:release`: records docs/api/openapi.json as a released contract,
 * docs/api/released/<info.version>.json. From then on the breaking-change check holds the API to it
 * (docs/versioning.md). Bump `API_VERSION` (scripts/openapi/document.ts) and run `npm run openapi`
 * first; an existing release is never overwritten.
 */
const source = path.resolve(__dirname, '../docs/api/openapi.json');
const { info } = JSON.parse(readFileSync(source, 'utf8')) as { info: { version: string } };
const target = path.join(RELEASED_DIR, `${info.version}.json`);
if (existsSync(target)) {
  process.stderr.write(
    `${path.relative(process.cwd(), target)} exists: bump API_VERSION for a new release\n`,
  );
  process.exit(1);
}
copyFileSync(source, target);
process.stdout.write(`released ${info.version}: ${path.relative(process.cwd(), target)}\n`);
