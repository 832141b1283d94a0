import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROUTES } from '../lambda/routes';
import { openApiDocument, serializeDocument } from './openapi/document';

/**
 * `npm run openapi`: writes docs/api/openapi.json (OpenAPI 3.1) from the route manifest. The file is
 * committed; test/contract/openapi.test.ts fails when it is stale.
 */
const target = path.resolve(__dirname, '../docs/api/openapi.json');
writeFileSync(target, serializeDocument(openApiDocument(ROUTES)));
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
