import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MOUNTS, ROUTES } from '../../lambda/routes';
import { problemSchema } from '../../lambda/shared/http/contract';
import { mountOperationRoutes, openApiDocument, serializeDocument } from '../../scripts/openapi/document';
import { localEnvironment, postmanCollection } from '../../scripts/openapi/postman';

const DOCUMENT_FILE = path.resolve(__dirname, '../../docs/api/openapi.json');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const built = serializeDocument(openApiDocument(ROUTES, MOUNTS));
const document = JSON.parse(built) as Json;
const operations = Object.entries(document.paths as Json).flatMap(([pathName, item]) =>
  Object.entries(item as Json).map(([method, operation]) => ({
    pathName,
    method,
    operation: operation as Json,
  })),
);

/** Every JSON Schema node under `node`, with where it is. */
function schemaNodes(node: unknown, at: string, out: { at: string; schema: Json }[] = []) {
  if (Array.isArray(node)) node.forEach((item, index) => schemaNodes(item, `${at}/${index}`, out));
  else if (node !== null && typeof node === 'object') {
    const object = node as Json;
    if (typeof object.type === 'string') out.push({ at, schema: object });
    for (const [key, value] of Object.entries(object)) {
      if (key !== 'example' && key !== 'examples') schemaNodes(value, `${at}/${key}`, out);
    }
  }
  return out;
}

describe('docs/api/openapi.json', () => {
  it('is what `npm run openapi` builds from the manifest now (run it and commit the file)', () => {
    expect(readFileSync(DOCUMENT_FILE, 'utf8')).toBe(built);
  });

  it('is deterministic', () => {
    expect(serializeDocument(openApiDocument(ROUTES, MOUNTS))).toBe(built);
  });

  it('has one operation per manifest route and per sub-route a mount declares, with id, tag, summary and description', () => {
    const mounted = MOUNTS.flatMap(mountOperationRoutes).filter(
      (route) =>
        !ROUTES.some((candidate) => candidate.method === route.method && candidate.path === route.path),
    );
    expect(operations.map(({ operation }) => operation.operationId).sort()).toEqual(
      [...ROUTES, ...mounted].map((route) => route.id).sort(),
    );
    expect(mounted.length).toBeGreaterThan(0);
    for (const { operation } of operations) {
      expect(operation.tags).toHaveLength(1);
      expect(operation.summary).toEqual(expect.any(String));
      expect(operation.description).toEqual(expect.stringMatching(/Public: no credentials\.|Roles: /));
    }
  });

  it('gives every success response an example, and every operation that takes input a request example', () => {
    for (const { operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        const content = (response as Json).content?.['application/json'];
        if (status.startsWith('2') && content !== undefined) expect(content.example).toBeDefined();
      }
      const body = operation.requestBody?.content['application/json'];
      if (body !== undefined) expect(body.example).toBeDefined();
      const inputs = (operation.parameters as Json[]).filter((p) => p.in === 'path' || p.in === 'query');
      if (body === undefined && inputs.length > 0)
        expect(inputs.some((p) => p.example !== undefined)).toBe(true);
    }
  });

  it('request examples in the manifest pass the route’s own schemas', () => {
    for (const route of ROUTES) {
      const example = route.requestExample ?? {};
      for (const part of ['body', 'query', 'path'] as const) {
        const schema = route.schemas?.[part];
        if (example[part] === undefined) continue;
        expect({ route: route.id, part, ok: schema?.safeParse(example[part]).success }).toEqual({
          route: route.id,
          part,
          ok: true,
        });
      }
    }
  });

  it('bounds every string, array and number (maxLength or enum/const, maxItems, minimum and maximum)', () => {
    const unbounded = schemaNodes(document, '#').filter(({ schema }) => {
      if (schema.type === 'string')
        return schema.maxLength === undefined && !schema.enum && !('const' in schema);
      if (schema.type === 'array') return schema.maxItems === undefined;
      if (schema.type === 'integer' || schema.type === 'number')
        return schema.maximum === undefined || schema.minimum === undefined;
      return false;
    });
    expect(unbounded.map(({ at }) => at)).toEqual([]);
  });

  it('has a real problem example for every code it references, valid against the problem schema', () => {
    const referenced = new Set(
      built.match(/#\/components\/examples\/[A-Z_]+/g)?.map((ref) => ref.split('/').pop()),
    );
    expect(Object.keys(document.components.examples).sort()).toEqual([...referenced].sort());
    for (const [code, example] of Object.entries(document.components.examples as Json)) {
      expect(example.value.code).toBe(code);
      expect(problemSchema.safeParse(example.value).success).toBe(true);
    }
  });

  it('declares the security of each operation from its access: public, roles, scopes and API keys', () => {
    const byId = Object.fromEntries(operations.map(({ operation }) => [operation.operationId, operation]));
    expect(byId.login.security).toEqual([]);
    expect(byId.listProjects.security).toEqual([
      { CognitoUser: [] },
      { CognitoClient: ['rampart/read'] },
      { ApiKey: [] },
    ]);
    expect(byId.createApiKey.security).toEqual([{ CognitoUser: [] }]);
    expect(byId.deleteProject['x-rampart-roles']).toEqual(['admin']);
  });
});

describe('the Postman collection (docs/api/)', () => {
  const read = (name: string) => readFileSync(path.resolve(__dirname, '../../docs/api', name), 'utf8');

  it('is what `npm run openapi` converts from the document now, with the local environment', async () => {
    const collection = await postmanCollection(document);
    expect(read('rampart.postman_collection.json')).toBe(serializeDocument(collection));
    expect(read('rampart-local.postman_environment.json')).toBe(serializeDocument(localEnvironment()));
  });

  it('prepares the sign-in: the login request stores the tokens every other request sends', () => {
    const collection = JSON.parse(read('rampart.postman_collection.json')) as Json;
    expect(collection.auth).toEqual({
      type: 'bearer',
      bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }],
    });
    const auth = (collection.item as Json[]).find((folder) => folder.name === 'Auth');
    const signIn = (auth?.item as Json[]).find((item) => item.name === 'Sign in with email and password');
    expect(JSON.parse(signIn?.request.body.raw)).toEqual({ email: '{{email}}', password: '{{password}}' });
    expect(signIn?.event[0].script.exec.join('\n')).toContain(
      "pm.collectionVariables.set('accessToken', body.accessToken)",
    );
    // No request overrides the collection's auth (with a token variable sign-in does not set).
    const requests = (collection.item as Json[]).flatMap((folder) => folder.item as Json[]);
    expect(requests.filter((item) => (item.request.auth ?? null) !== null).map((item) => item.name)).toEqual(
      [],
    );
  });

  it('names deprecated requests so in Postman too', () => {
    const collection = JSON.parse(read('rampart.postman_collection.json')) as Json;
    const requests = (collection.item as Json[]).flatMap((folder) => folder.item as Json[]);
    expect(
      requests.filter((item) => String(item.name).startsWith('Deprecated:')).map((item) => item.name),
    ).toEqual(['Deprecated: Who is calling (alias of `GET /me`)']);
  });
});
