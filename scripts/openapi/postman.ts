import { createHash } from 'node:crypto';
import { SEED_USERS } from '../../lib/local/local-stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// openapi-to-postmanv2 ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const converter = require('openapi-to-postmanv2') as {
  convert(
    input: { type: 'json'; data: Json },
    options: Record<string, unknown>,
    callback: (
      error: Error | null,
      result: { result: boolean; reason?: string; output: { data: Json }[] },
    ) => void,
  ): void;
};

/** Stores the tokens of a successful sign-in in collection variables; every other request sends them. */
const LOGIN_TEST_SCRIPT = [
  '// Rampart: keep the tokens of a successful sign-in for the other requests.',
  'if (pm.response.code === 200) {',
  '  const body = pm.response.json();',
  '  if (body.accessToken) {',
  "    pm.collectionVariables.set('accessToken', body.accessToken);",
  "    pm.collectionVariables.set('refreshToken', body.refreshToken || '');",
  '  }',
  '}',
];

/** A stable id from a path of names, so the committed collection only changes with the contract. */
function stableId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Replaces the converter's random ids with stable ones, recursively. */
function stabilize(node: unknown, at: string[]): unknown {
  if (Array.isArray(node)) return node.map((item, index) => stabilize(item, [...at, String(index)]));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if ((key === 'id' || key === '_postman_id') && typeof value === 'string') out[key] = stableId(...at, key);
    else out[key] = stabilize(value, [...at, key]);
  }
  return out;
}

function forEachRequest(items: Json[], visit: (item: Json) => void): void {
  for (const item of items) {
    if (Array.isArray(item.item)) forEachRequest(item.item as Json[], visit);
    else visit(item);
  }
}

/**
 * A copy of the document whose deprecated operations' summaries start with "Deprecated:", so the
 * request names in Postman say it (the collection format has no deprecation flag for a request).
 */
function markDeprecatedSummaries(document: Json): Json {
  const copy = structuredClone(document);
  for (const pathItem of Object.values(copy.paths as Json)) {
    for (const operation of Object.values(pathItem as Json) as Json[]) {
      if (operation?.deprecated === true) operation.summary = `Deprecated: ${String(operation.summary)}`;
    }
  }
  return copy;
}

/**
 * The Postman collection of the API, converted from the OpenAPI document (folders by tag, bodies
 * from the examples), with `{{baseUrl}}`, bearer auth from `{{accessToken}}`, and the sign-in
 * request storing the tokens it receives: run "Sign in with email and password" first.
 */
export async function postmanCollection(document: Json): Promise<Json> {
  const converted = await new Promise<Json>((resolve, reject) => {
    converter.convert(
      { type: 'json', data: markDeprecatedSummaries(document) },
      {
        folderStrategy: 'Tags',
        requestNameSource: 'Fallback',
        parametersResolution: 'Example',
        includeAuthInfoInExample: false,
      },
      (error, result) => {
        if (error !== null) reject(error);
        else if (!result.result) reject(new Error(`openapi-to-postmanv2: ${String(result.reason)}`));
        else resolve(result.output[0].data);
      },
    );
  });
  forEachRequest(converted.item as Json[], (item) => {
    const url = item.request?.url as Json | undefined;
    // `{{baseUrl}}` is the whole origin (the environment sets it); the server's `host` variable goes.
    if (Array.isArray(url?.variable)) url.variable = (url.variable as Json[]).filter((v) => v.key !== 'host');
    // The converter gives each protected request its own bearer auth with a `{{bearerToken}}` nobody
    // sets; without it the request inherits the collection's `{{accessToken}}`, which sign-in stores.
    if (item.request?.auth?.type === 'bearer') delete item.request.auth;
    // Saved example answers: the successes only (the problem examples are in the reference).
    if (Array.isArray(item.response))
      item.response = (item.response as Json[]).filter((r) => Number(r.code) < 400);
    const isLogin = Array.isArray(url?.path) && (url.path as string[]).join('/') === 'api/v1/auth/login';
    if (isLogin) {
      item.request.body.raw = JSON.stringify({ email: '{{email}}', password: '{{password}}' }, null, 2);
      item.event = [{ listen: 'test', script: { type: 'text/javascript', exec: LOGIN_TEST_SCRIPT } }];
    }
  });
  const collection: Json = {
    ...converted,
    info: {
      ...converted.info,
      description: [
        'Generated from docs/api/openapi.json by `npm run openapi` (do not edit).',
        '',
        'First request: Auth › "Sign in with email and password" with the environment’s `email` and `password`; its test script stores `accessToken` and `refreshToken`, which every other request sends as `Authorization: Bearer {{accessToken}}`.',
        'Machine callers: set the collection auth to an API key header `Authorization: ApiKey <key>` instead.',
      ].join('\n'),
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: 'http://127.0.0.1:3000', type: 'string' },
      { key: 'accessToken', value: '', type: 'string' },
      { key: 'refreshToken', value: '', type: 'string' },
    ],
  };
  return stabilize(collection, ['collection']) as Json;
}

/** The environment for the local stack (`npm start`): its URL and a local seed user. */
export function localEnvironment(): Json {
  const editor = SEED_USERS.find((user) => user.roles.includes('editor'))!;
  return {
    id: stableId('environment', 'local'),
    name: 'Rampart local (npm start)',
    values: [
      { key: 'baseUrl', value: 'http://127.0.0.1:3000', type: 'default', enabled: true },
      { key: 'email', value: editor.email, type: 'default', enabled: true },
      // Valid only in the local emulator (docs/local.md), never anywhere else.
      { key: 'password', value: editor.password, type: 'secret', enabled: true },
    ],
    _postman_variable_scope: 'environment',
  };
}
