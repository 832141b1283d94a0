import { App, Stack } from 'aws-cdk-lib';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUNDLE_ALIASES,
  bundlingFor,
  chunkBuildCommand,
  FUNCTION_BUNDLING,
  FUNCTION_BUNDLING_EXTRAS,
} from '../../../../lib/constructs/compute/bundling';
import { RampartFunction } from '../../../../lib/constructs/compute/rampart-function';
import { ROUTES } from '../../../../lambda/routes';
import { ROUTE_ACCESS_GLOBAL, routeAccessDefine } from '../../../../lambda/shared/route-access';
import { bundleFunctionLikeDeployed } from '../../../support/bundle';

const KIB = 1024;

describe('per-function bundling', () => {
  test('a function without extras gets exactly the common settings and no after-bundling step', () => {
    const bundling = bundlingFor('health/handler.ts');
    expect(bundling.commandHooks).toBeUndefined();
    expect(bundling.esbuildArgs).toEqual(FUNCTION_BUNDLING.esbuildArgs);
    expect(bundling).toMatchObject({ minify: true, format: 'cjs', mainFields: ['module', 'main'] });
  });

  test("the authorizer's main bundle gets the https stand-in and the route access table, and its API-key path is built beside it", () => {
    expect(() => bundlingFor('authorizer/handler.ts')).toThrow(
      'authorizer/handler.ts is bundled with the route access table: pass routeAccessDefine(ROUTES)',
    );
    const bundling = bundlingFor('authorizer/handler.ts', routeAccessDefine(ROUTES));
    expect(bundling.define).toEqual(routeAccessDefine(ROUTES));
    expect(JSON.parse(bundling.define![ROUTE_ACCESS_GLOBAL])).toEqual(
      ROUTES.map(({ method, path, access }) => ({ method, path, access })),
    );
    expect(bundling.esbuildArgs).toEqual({
      ...FUNCTION_BUNDLING.esbuildArgs,
      '--alias:https': './lambda/shared/bundle-stubs/jwks-fetch-https.ts',
    });
    expect(bundling.commandHooks?.afterBundling('/project', '/asset-output')).toEqual([
      chunkBuildCommand('/project', '/asset-output', {
        entry: './lambda/runtime/authz-api-keys.ts',
        file: 'authz-api-keys.js',
      }),
    ]);
  });

  test('a chunk is built with the common settings (not the main bundle’s extra aliases), quoted for the shell', () => {
    const command = chunkBuildCommand("/pro'ject", '/asset-output', {
      entry: './lambda/runtime/authz-api-keys.ts',
      file: 'authz-api-keys.js',
    });
    expect(command).toBe(
      [
        `'/pro'\\''ject/node_modules/.bin/esbuild'`,
        `'./lambda/runtime/authz-api-keys.ts'`,
        `'--bundle'`,
        `'--target=node22'`,
        `'--platform=node'`,
        `'--format=cjs'`,
        `'--outfile=/asset-output/authz-api-keys.js'`,
        `'--minify'`,
        `'--external:pg-native'`,
        `'--main-fields=module,main'`,
        ...Object.entries(BUNDLE_ALIASES).map(([name, target]) => `'--alias:${name}=${target}'`),
        `'--log-level=warning'`,
      ].join(' '),
    );
    expect(command).not.toContain('https');
  });

  test('every chunk entry exists, and is required relative to a module in its own directory', () => {
    for (const { chunks = [] } of Object.values(FUNCTION_BUNDLING_EXTRAS)) {
      for (const chunk of chunks) {
        const source = join(__dirname, '..', '..', '..', '..', chunk.entry);
        expect(existsSync(source)).toBe(true);
        const siblings = readdirSync(join(source, '..')).filter((file) => file.endsWith('.ts'));
        const requiring = siblings.filter((file) =>
          readFileSync(join(source, '..', file), 'utf8').includes(`'./${chunk.file.replace(/\.js$/, '')}'`),
        );
        expect(requiring.length).toBeGreaterThan(0);
      }
    }
  });
});

describe("the authorizer's deployed asset, bundled by CDK", () => {
  let outdir: string;
  let asset: string;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'rampart-cdk-bundle-'));
    // Asset bundling on (unlike the stack tests): CDK runs esbuild and the after-bundling step.
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': ['Bundled'] } });
    const stack = new Stack(app, 'Bundled');
    const vpc = new Vpc(stack, 'Vpc', {
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Functions', subnetType: SubnetType.PRIVATE_ISOLATED }],
    });
    const fn = new RampartFunction(stack, 'Authorizer', {
      entry: 'authorizer/handler.ts',
      description: 'bundling test',
      serviceName: 'authorizer',
      logRetentionDays: 14,
      logEncryptionKey: new Key(stack, 'Key'),
      vpc,
      vpcSubnets: { subnetGroupName: 'Functions' },
      reservedConcurrentExecutions: 1,
      invocation: 'synchronous',
      // As the Api stack passes it.
      bundlingDefine: routeAccessDefine(ROUTES),
    });
    app.synth({ validateOnSynthesis: false });
    const code = stack.resolve((fn.node.defaultChild as CfnFunction).code) as { s3Key: string };
    asset = join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`);
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('holds index.js and the API-key chunk, byte for byte what npm run bench and the bundle tests build', async () => {
    expect(readdirSync(asset).sort()).toEqual(['authz-api-keys.js', 'index.js']);
    const local = await bundleFunctionLikeDeployed('authorizer/handler.ts', join(outdir, 'local'));
    expect(readFileSync(join(asset, 'index.js'))).toEqual(readFileSync(local.main.file));
    expect(readFileSync(join(asset, 'authz-api-keys.js'))).toEqual(readFileSync(local.chunks[0].file));
  });

  test('the JWT path (index.js) stays within 120 KiB (issue 14), reads the compiled route table and carries neither pg nor the Cognito client', () => {
    const main = readFileSync(join(asset, 'index.js'), 'utf8');
    expect(Buffer.byteLength(main)).toBeLessThanOrEqual(120 * KIB);
    // Replaced by the table at bundling (a bundle without it would evaluate the whole manifest at init).
    expect(main).not.toContain(ROUTE_ACCESS_GLOBAL);
    for (const marker of ['PGCONNECT_TIMEOUT', 'AdminListGroupsForUser']) {
      expect(main).not.toContain(marker);
    }
  });
});
