import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { insertApiKey } from '../../../../lambda/domain/api-keys/store';
import { secretHash } from '../../../../lambda/domain/auth/secret-hash';
import { ROUTES } from '../../../../lambda/routes';
import { generateApiKey } from '../../../../lambda/shared/api-key-format';
import type { Db } from '../../../../lambda/shared/db/client';
import type { RouteDefinition } from '../../../../lambda/shared/route';
import {
  authorizerEvent,
  concretePath,
  methodArnFor,
  TEST_TOKEN_USAGE_KEYS,
} from '../../../fixtures/authorizer-event';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { bundleFunctionLikeDeployed, type FunctionBundle } from '../../../support/bundle';
import { startCognitoLocal, type CognitoLocal } from '../../../support/cognito-local';
import { startTestDatabase, type TestDatabase } from '../../../support/database';
import { evaluatePolicy } from '../../domain/authz/policy-evaluator';

/**
 * The deployed handler end to end: real cognito-local tokens verified against the JWKS baked into
 * `JWKS` (as the deploy-time custom resource does), API keys looked up in real PostgreSQL by the
 * api-keys domain's store, owner roles read from the emulator's groups.
 */

const PASSWORD = 'Correct-Horse-Battery-42!';
const execFileAsync = promisify(execFile);
const EDITOR = 'ed@example.com';
const VIEWER = 'vi@example.com';

let cognito: CognitoLocal;
let database: TestDatabase;
let db: Db;
let output: CapturedOutput;
let handler: (typeof import('../../../../lambda/functions/authorizer/handler'))['handler'];
const savedEnv = { ...process.env };

async function accessAndIdToken(email: string): Promise<{ access: string; id: string }> {
  const result = await cognito.client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: cognito.clientId,
      AuthParameters: {
        USERNAME: email,
        PASSWORD,
        SECRET_HASH: secretHash(email, cognito.clientId, cognito.clientSecret),
      },
    }),
  );
  return { access: result.AuthenticationResult!.AccessToken!, id: result.AuthenticationResult!.IdToken! };
}

async function storeKey(
  ownerSub: string,
  scopes: string[],
): Promise<{ key: string; id: string; usage: string }> {
  const { key, prefix, hash } = generateApiKey();
  const id = randomUUID();
  const usage = `usage-${randomUUID()}`;
  await insertApiKey(db, {
    id,
    ownerSub,
    name: 'test key',
    prefix,
    hash,
    scopes,
    tier: 'standard',
    gatewayKeyId: `gw-${id}`,
    usageIdentifier: usage,
    expiresAt: null,
    createdAt: new Date(),
  });
  return { key, id, usage };
}

async function call(
  headers: Record<string, string>,
  route?: RouteDefinition,
): Promise<APIGatewayAuthorizerResult> {
  const event = authorizerEvent({ method: route?.method, resource: route?.path, headers });
  return (await handler(
    event,
    lambdaContext({ functionName: 'rampart-dev-authorizer' }),
  )) as APIGatewayAuthorizerResult;
}

function verdicts(result: APIGatewayAuthorizerResult): string[] {
  return ROUTES.map(
    (route) =>
      `${route.method} ${route.path}: ${evaluatePolicy(result.policyDocument, methodArnFor(route.method, concretePath(route.path)))}`,
  );
}

function manifestVerdicts(allowed: (route: RouteDefinition) => boolean): string[] {
  return ROUTES.map((route) => `${route.method} ${route.path}: ${allowed(route) ? 'allow' : 'deny'}`);
}

function hasScope(route: RouteDefinition, scopes: string[]): boolean {
  if (route.access.public === true) return true;
  const accepted = route.access.scopes as readonly string[];
  return scopes.some((scope) => accepted.includes(scope));
}

beforeAll(async () => {
  cognito = await startCognitoLocal({
    users: [
      { email: EDITOR, password: PASSWORD, roles: ['editor'] },
      { email: VIEWER, password: PASSWORD, roles: ['viewer'] },
    ],
  });
  database = await startTestDatabase();
  db = database.createDb();
  // What the deploy-time custom resource does: fetch the pool's JWKS once and bake it into the env.
  const jwks = await (await fetch(`${cognito.issuer}/.well-known/jwks.json`)).text();
  const { host, port, user, database: name } = database.connection;
  Object.assign(process.env, {
    ...cognito.env,
    TOKEN_ISSUER: cognito.issuer,
    ALLOWED_CLIENT_IDS: cognito.clientId,
    JWKS: jwks,
    TOKEN_USAGE_KEYS: JSON.stringify(TEST_TOKEN_USAGE_KEYS),
    DATABASE_URL: `postgres://${String(user)}@${host}:${port}/${name}`,
    DB_POOL_MAX: '1',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  output = captureStdout();
  ({ handler } = await import('../../../../lambda/functions/authorizer/handler'));
});

afterAll(async () => {
  output?.restore();
  await (await import('../../../../lambda/shared/db')).closeDb();
  await database?.stop();
  await cognito?.stop();
  process.env = savedEnv;
});

beforeEach(() => output.clear());

describe('authorizer handler (cognito-local + PostgreSQL)', () => {
  it('allows an editor with a real Cognito access token, for exactly the routes the manifest gives editors', async () => {
    const { access } = await accessAndIdToken(EDITOR);
    const result = await call(
      { Authorization: `Bearer ${access}` },
      ROUTES.find((r) => r.id === 'getProject'),
    );
    expect(result.principalId).toBe(cognito.users.get(EDITOR));
    expect(result.context).toEqual({
      sub: cognito.users.get(EDITOR),
      roles: 'editor',
      scopes: '',
      authType: 'user',
      // Every principal key, for the principal headers of HTTP backend mounts.
      apiKeyId: '',
    });
    expect(verdicts(result)).toEqual(
      manifestVerdicts(
        (route) =>
          route.access.public === true || (route.access.roles as readonly string[]).includes('editor'),
      ),
    );
  });

  it('refuses the ID token of the same login with 401, logging the reason but never the token', async () => {
    const { id } = await accessAndIdToken(EDITOR);
    await expect(call({ Authorization: `Bearer ${id}` })).rejects.toThrow(new Error('Unauthorized'));
    const lines = output.lines();
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'authorizer refused', reason: 'wrong-token-use', level: 'INFO' }),
    );
    expect(JSON.stringify(lines)).not.toContain(id.split('.')[2]);
  });

  it('emits an AuthorizerUnauthorized metric for a refusal and nothing for an allowed call', async () => {
    await expect(call({})).rejects.toThrow(new Error('Unauthorized'));
    const metricLines = output.lines().filter((line) => '_aws' in line);
    expect(metricLines).toContainEqual(expect.objectContaining({ AuthorizerUnauthorized: 1 }));
    output.clear();
    const { access } = await accessAndIdToken(VIEWER);
    await call({ Authorization: `Bearer ${access}` });
    expect(
      output.lines().filter((line) => 'AuthorizerUnauthorized' in line || 'AuthorizerForbidden' in line),
    ).toEqual([]);
  });

  it('allows an API key stored in PostgreSQL, with its scopes and usageIdentifierKey', async () => {
    const owner = cognito.users.get(EDITOR)!;
    const { key, id, usage } = await storeKey(owner, ['rampart/read', 'rampart/write']);
    const result = await call({ Authorization: `ApiKey ${key}` });
    expect(result.usageIdentifierKey).toBe(usage);
    expect(result.context).toEqual({
      sub: id,
      ownerSub: owner,
      roles: '',
      scopes: 'rampart/read rampart/write',
      authType: 'apiKey',
      apiKeyId: id,
      tier: 'standard',
    });
    expect(verdicts(result)).toEqual(
      manifestVerdicts((route) => hasScope(route, ['rampart/read', 'rampart/write'])),
    );
  });

  it('denies (403) a key whose owner, a viewer in Cognito now, lacks its write scope', async () => {
    const { key } = await storeKey(cognito.users.get(VIEWER)!, ['rampart/read', 'rampart/write']);
    const result = await call({ Authorization: `ApiKey ${key}` });
    expect(result.policyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Resource: expect.stringMatching(/\/dev\/\*$/) }),
    ]);
    expect(output.lines()).toContainEqual(expect.objectContaining({ reason: 'scope-exceeds-owner' }));
  });

  it('denies (403) a key whose owner no longer exists', async () => {
    const { key } = await storeKey(randomUUID(), ['rampart/read']);
    const result = await call({ Authorization: `ApiKey ${key}` });
    expect(result.policyDocument.Statement.map((statement) => statement.Effect)).toEqual(['Deny']);
  });

  it('refuses (401) a revoked key', async () => {
    const { key, id } = await storeKey(cognito.users.get(EDITOR)!, ['rampart/read']);
    await db.query(`UPDATE api_keys SET status = 'revoked', revoked_at = now() WHERE id = $1`, [id]);
    await expect(call({ Authorization: `ApiKey ${key}` })).rejects.toThrow(new Error('Unauthorized'));
    expect(output.lines()).toContainEqual(expect.objectContaining({ reason: 'revoked', apiKeyId: id }));
  });

  it('refuses (401, never 500) when the key store is down, logging the failure at ERROR', async () => {
    const { key } = await storeKey(cognito.users.get(EDITOR)!, ['rampart/read']);
    await database.goDown();
    try {
      await expect(call({ Authorization: `ApiKey ${key}` })).rejects.toThrow(new Error('Unauthorized'));
    } finally {
      await database.comeBack();
    }
    expect(output.lines()).toContainEqual(
      expect.objectContaining({ level: 'ERROR', reason: 'key-lookup-failed', keyPrefix: key.slice(0, 12) }),
    );
    expect(JSON.stringify(output.lines())).not.toContain(key);
  });
});

describe('authorizer handler with a broken configuration', () => {
  it('logs the misconfiguration at init and refuses every token (401), never crashing the init', async () => {
    const { access } = await accessAndIdToken(EDITOR);
    const good = process.env.JWKS;
    process.env.JWKS = '{"keys":[]}';
    try {
      await jest.isolateModulesAsync(async () => {
        const broken = await import('../../../../lambda/functions/authorizer/handler');
        const event = authorizerEvent({ headers: { Authorization: `Bearer ${access}` } });
        await expect(broken.handler(event, lambdaContext())).rejects.toThrow(new Error('Unauthorized'));
      });
    } finally {
      process.env.JWKS = good;
    }
    const lines = output.lines();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'authorizer misconfigured; refusing every token',
        reason: 'JWKS has no keys',
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ reason: 'not-configured' }));
  });
});

/**
 * The same handler as deployed: `index.js` (the JWT path) and the API-key path in its own file
 * beside it (`FUNCTION_BUNDLING_EXTRAS`), built with the deployed settings
 * (test/lib/constructs/compute/bundling.test.ts proves CDK's asset is these same bytes).
 */
describe('authorizer handler as deployed (index.js + API-key chunk)', () => {
  let deployed: FunctionBundle;
  let bundled: typeof handler;

  beforeAll(async () => {
    deployed = await bundleFunctionLikeDeployed(
      'authorizer/handler.ts',
      mkdtempSync(join(tmpdir(), 'rampart-authorizer-')),
    );
    ({ handler: bundled } = (await import(deployed.main.file)) as { handler: typeof handler });
  });

  afterAll(() => rmSync(deployed.dir, { recursive: true, force: true }));

  async function callBundled(headers: Record<string, string>): Promise<APIGatewayAuthorizerResult> {
    const event = authorizerEvent({ headers });
    return (await bundled(
      event,
      lambdaContext({ functionName: 'rampart-dev-authorizer' }),
    )) as APIGatewayAuthorizerResult;
  }

  it('ships the API-key path (pg, the Cognito client) only in the chunk', () => {
    expect(deployed.chunks.map((chunk) => basename(chunk.file))).toEqual(['authz-api-keys.js']);
    const main = readFileSync(deployed.main.file, 'utf8');
    const chunk = readFileSync(deployed.chunks[0].file, 'utf8');
    for (const marker of ['PGCONNECT_TIMEOUT', 'AdminListGroupsForUser']) {
      expect(main).not.toContain(marker);
      expect(chunk).toContain(marker);
    }
    // aws-jwt-verify's JWKS fetch gets the https stand-in: the authorizer never fetches.
    expect(main).toContain('The authorizer does not fetch JWKS');
    expect(chunk).not.toContain('The authorizer does not fetch JWKS');
  });

  it('allows a Cognito access token exactly as the source does', async () => {
    const { access } = await accessAndIdToken(EDITOR);
    const result = await callBundled({ Authorization: `Bearer ${access}` });
    expect(result.context).toEqual({
      sub: cognito.users.get(EDITOR),
      roles: 'editor',
      scopes: '',
      authType: 'user',
      // Every principal key, for the principal headers of HTTP backend mounts.
      apiKeyId: '',
    });
    expect(verdicts(result)).toEqual(verdicts(await call({ Authorization: `Bearer ${access}` })));
  });

  it("allows an API key from PostgreSQL through the chunk, and the chunk's database metrics are flushed with the invocation", async () => {
    const owner = cognito.users.get(EDITOR)!;
    const { key, id, usage } = await storeKey(owner, ['rampart/read']);
    output.clear();
    const result = await callBundled({ Authorization: `ApiKey ${key}` });
    expect(result.usageIdentifierKey).toBe(usage);
    expect(result.context).toMatchObject({
      sub: id,
      ownerSub: owner,
      scopes: 'rampart/read',
      authType: 'apiKey',
    });
    // One Powertools metrics instance per process: what the chunk's pool records, the handler publishes.
    expect(output.lines()).toContainEqual(expect.objectContaining({ DbAcquireTime: expect.anything() }));
  });

  it('the JWT path never loads the chunk; the first API key does (a fresh Node process, as Lambda runs it)', async () => {
    const { access } = await accessAndIdToken(VIEWER);
    const { key } = await storeKey(cognito.users.get(VIEWER)!, ['rampart/read']);
    const script = `
      const { basename } = require('node:path');
      const { handler } = require(process.argv[1]);
      const context = { functionName: 'rampart-dev-authorizer', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 5000 };
      const loaded = () => Object.keys(require.cache).map((file) => basename(file)).filter((file) => file.endsWith('.js'));
      (async () => {
        const seen = [];
        for (const event of JSON.parse(process.argv[2])) {
          const result = await handler(event, context).catch((error) => ({ error: error.message }));
          seen.push({ principalId: result.principalId ?? result.error, loaded: loaded() });
        }
        process.stdout.write('RESULT ' + JSON.stringify(seen) + '\\n');
      })();`;
    const events = [
      authorizerEvent({ headers: { Authorization: `Bearer ${access}` } }),
      authorizerEvent({ headers: { Authorization: `ApiKey ${key}` } }),
    ];
    // Asynchronously: the database gate and cognito-local answer from this process's event loop.
    const child = await execFileAsync(
      process.execPath,
      ['-e', script, deployed.main.file, JSON.stringify(events)],
      {
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    const line = child.stdout.split('\n').find((text) => text.startsWith('RESULT '));
    expect(line).toBeDefined();
    const [jwt, apiKey] = JSON.parse(line!.slice('RESULT '.length)) as {
      principalId: string;
      loaded: string[];
    }[];
    expect(jwt).toEqual({ principalId: cognito.users.get(VIEWER), loaded: ['index.js'] });
    expect(apiKey.loaded).toEqual(['index.js', 'authz-api-keys.js']);
    expect(apiKey.principalId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
