import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MOUNTS, ROUTES } from '../lambda/routes';
import { openApiDocument, serializeDocument } from './openapi/document';
import { localEnvironment, postmanCollection } from './openapi/postman';

/**
 * `npm run openapi`: writes docs/api/openapi.json (OpenAPI 3.1) from the route manifest, and the
 * Postman collection and local environment converted from it. The files are committed;
 * test/contract/openapi.test.ts fails when they are stale.
 */
async function main(): Promise<void> {
  const out = path.resolve(__dirname, '../docs/api');
  const document = openApiDocument(ROUTES, MOUNTS);
  const files: Record<string, unknown> = {
    'rampart.postman_collection.json': await postmanCollection(document),
    'rampart-local.postman_environment.json': localEnvironment(),
  };
  writeFileSync(path.join(out, 'openapi.json'), serializeDocument(document));
  for (const [name, content] of Object.entries(files))
    writeFileSync(path.join(out, name), serializeDocument(content as never));
  process.stdout.write(`wrote docs/api/openapi.json, ${Object.keys(files).join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
