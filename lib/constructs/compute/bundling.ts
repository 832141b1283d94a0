import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ROUTE_ACCESS_GLOBAL } from '../../../lambda/shared/route-access';

/** The Lambda runtime of every Rampart function (`npm run bench` measures on its Node major). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Deployed bundles replace the AWS SDK's Node credential chain with the two sources Lambda
 * actually uses (environment, container endpoint): see lambda/shared/aws/lambda-credentials.ts.
 * Paths are relative to the project root, where esbuild runs.
 */
export const CREDENTIALS_SHIM = './lambda/shared/aws/lambda-credentials.ts';
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': CREDENTIALS_SHIM,
  '@aws-sdk/credential-providers': CREDENTIALS_SHIM,
  // js-xss needs cssfilter only for whitelisted `style` attributes, which no profile allows.
  cssfilter: './lambda/shared/bundle-stubs/cssfilter.ts',
  // No service Rampart calls has an event-stream operation; the SDK imports the codec on demand.
  '@smithy/core/event-streams': './lambda/shared/bundle-stubs/event-streams.ts',
  // pg looks up ~/.pgpass only for connections without a password; Rampart's always have one.
  pgpass: './lambda/shared/bundle-stubs/pgpass.ts',
};

/**
 * esbuild settings every Rampart function is bundled with; `npm run bench` builds with the same
 * object so the measured bundle is the deployed bundle. CJS loads ~25 ms faster than ESM here,
 * `module` first in mainFields shrinks SDK-heavy bundles by about a third, and bundling the AWS
 * SDK pins the version that was tested instead of whatever the runtime ships.
 */
export const FUNCTION_BUNDLING = {
  format: OutputFormat.CJS,
  minify: true,
  sourceMap: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  bundleAwsSDK: true,
  // `pg` requires its optional native binding lazily; it is never installed.
  externalModules: ['pg-native'],
  esbuildArgs: aliasArgs(BUNDLE_ALIASES),
} as const;

function aliasArgs(aliases: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(aliases).map(([name, target]) => [`--alias:${name}`, target]));
}

/**
 * Part of a function's code built as a file of its own beside the function's `index.js`, with the
 * settings above, and `require`d only on a rare path: the main bundle stays small, so the common
 * path's cold start does not parse and compile code it never runs. Code outside the chunk reaches
 * it with `require('./<file without .js>')` through a variable (so esbuild leaves it to Node),
 * from a module in the same directory as `entry` (so the same relative path also works unbundled).
 */
export interface FunctionChunk {
  /** The chunk's source module, relative to the project root. */
  readonly entry: string;
  /** File name beside `index.js`. */
  readonly file: string;
}

/** What one function's bundle adds to `FUNCTION_BUNDLING`. */
export interface FunctionBundlingExtras {
  /** Stand-ins for this function's main bundle only (not its chunks), like `BUNDLE_ALIASES`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Files of their own beside `index.js` (see `FunctionChunk`). */
  readonly chunks?: readonly FunctionChunk[];
  /**
   * The route manifest's access table compiled in as data (`ROUTE_ACCESS_GLOBAL`, lambda/shared/route-access.ts):
   * whoever builds the function passes `routeAccessDefine(ROUTES)` as its define.
   */
  readonly routeAccess?: boolean;
}

/**
 * Per-function additions, keyed by the function's entry relative to `lambda/functions/` (as
 * `RampartFunction`'s `entry`). `npm run bench` and the bundle tests build with them too.
 */
export const FUNCTION_BUNDLING_EXTRAS: Readonly<Record<string, FunctionBundlingExtras>> = {
  'authorizer/handler.ts': {
    // aws-jwt-verify imports https to fetch JWKS; the authorizer never fetches one (baked at deploy).
    aliases: { https: './lambda/shared/bundle-stubs/jwks-fetch-https.ts' },
    // The API-key path (pg, the Cognito client): the JWT path, which most requests take, loads without it.
    chunks: [{ entry: './lambda/runtime/authz-api-keys.ts', file: 'authz-api-keys.js' }],
    // Method, path and access of every route, without the request schemas (and zod) it never uses.
    routeAccess: true,
  },
};

/** The extras of the function whose entry (relative to `lambda/functions/`) is `entry`. */
export function functionBundlingExtras(entry: string): FunctionBundlingExtras {
  return FUNCTION_BUNDLING_EXTRAS[entry] ?? {};
}

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The shell command (run by CDK from the project root, after it bundled the function) that builds
 * `chunk` into `outputDir` with the project's esbuild and exactly `FUNCTION_BUNDLING`'s settings.
 */
export function chunkBuildCommand(inputDir: string, outputDir: string, chunk: FunctionChunk): string {
  const args = [
    `${inputDir}/node_modules/.bin/esbuild`,
    chunk.entry,
    '--bundle',
    `--target=${FUNCTION_BUNDLING.target}`,
    '--platform=node',
    `--format=${FUNCTION_BUNDLING.format}`,
    `--outfile=${outputDir}/${chunk.file}`,
    ...(FUNCTION_BUNDLING.minify ? ['--minify'] : []),
    ...FUNCTION_BUNDLING.externalModules.map((name) => `--external:${name}`),
    `--main-fields=${FUNCTION_BUNDLING.mainFields.join(',')}`,
    ...Object.entries(BUNDLE_ALIASES).map(([name, target]) => `--alias:${name}=${target}`),
    '--log-level=warning',
  ];
  return args.map(shellQuote).join(' ');
}

/**
 * NodejsFunction's bundling props for the function whose entry (relative to `lambda/functions/`)
 * is `entry`: `FUNCTION_BUNDLING`, its extra aliases, `define` (esbuild's), and a step after
 * bundling that builds its chunks beside `index.js`. Throws when the function's extras need a
 * define that `define` lacks.
 */
export function bundlingFor(entry: string, define: Readonly<Record<string, string>> = {}): BundlingOptions {
  const { aliases = {}, chunks = [], routeAccess = false } = functionBundlingExtras(entry);
  if (routeAccess && define[ROUTE_ACCESS_GLOBAL] === undefined) {
    throw new Error(
      `${entry} is bundled with the route access table: pass routeAccessDefine(ROUTES) (lambda/shared/route-access.ts) as its bundling define`,
    );
  }
  return {
    ...FUNCTION_BUNDLING,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    externalModules: [...FUNCTION_BUNDLING.externalModules],
    esbuildArgs: { ...FUNCTION_BUNDLING.esbuildArgs, ...aliasArgs(aliases) },
    ...(Object.keys(define).length > 0 ? { define: { ...define } } : {}),
    ...(chunks.length > 0
      ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir: string, outputDir: string) =>
              chunks.map((chunk) => chunkBuildCommand(inputDir, outputDir, chunk)),
          },
        }
      : {}),
  };
}
