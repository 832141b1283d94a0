import { build } from 'esbuild';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_ALIASES, FUNCTION_BUNDLING } from '../../../lib/constructs/compute/bundling';
import * as cssfilterStub from '../../../lambda/shared/bundle-stubs/cssfilter';
import * as eventStreamsStub from '../../../lambda/shared/bundle-stubs/event-streams';
import pgpassStub from '../../../lambda/shared/bundle-stubs/pgpass';
import { RICH_TEXT_PROFILE, stripHtml } from '../../../lambda/shared/sanitize';

/** Bundles `source` (CJS) as the deployed functions are bundled and returns the output path. */
async function bundleLikeDeployed(source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-stub-'));
  const entry = join(dir, 'entry.js');
  writeFileSync(entry, source);
  const root = join(__dirname, '..', '..', '..');
  await build({
    entryPoints: [entry],
    outfile: join(dir, 'out.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    external: [...FUNCTION_BUNDLING.externalModules],
    alias: { ...BUNDLE_ALIASES },
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'error',
  });
  return join(dir, 'out.js');
}

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

describe('pgpass stand-in in deployed bundles', () => {
  test('is what the bundles alias pgpass to, and answers "no entry" as pgpass does without ~/.pgpass', () => {
    expect(BUNDLE_ALIASES.pgpass).toBe('./lambda/shared/bundle-stubs/pgpass.ts');
    const callback = jest.fn();
    pgpassStub({ host: 'h', user: 'u' }, callback);
    expect(callback).toHaveBeenCalledWith(undefined);
  });

  test('a pg client built like the deployed ones still reaches the server without a password lookup', async () => {
    const out = await bundleLikeDeployed("module.exports = require('pg');\n");
    expect(readFileSync(out, 'utf8')).not.toContain('PGPASSFILE');
    const { Client } = (await import(out)) as typeof import('pg');
    // No password: pg consults pgpass (the stand-in), then connects; nothing listens on port 9.
    const client = new Client({ host: '127.0.0.1', port: 9, user: 'nobody', database: 'none' });
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
  });
});
