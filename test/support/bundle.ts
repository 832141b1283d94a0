import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUNDLE_ALIASES,
  FUNCTION_BUNDLING,
  functionBundlingExtras,
} from '../../lib/constructs/compute/bundling';
import { ROUTES } from '../../lambda/routes';
import { routeAccessDefine } from '../../lambda/shared/route-access';

const ROOT = join(__dirname, '..', '..');

/**
 * The esbuild options NodejsFunction passes for every Rampart function (`FUNCTION_BUNDLING`,
 * translated from CDK's bundling props: CJS, minified, the runtime's target, `module` first in
 * mainFields, AWS SDK bundled, pg-native external, the stand-in aliases), run from the project
 * root as CDK runs esbuild.
 */
export const DEPLOYED_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: FUNCTION_BUNDLING.target,
  minify: FUNCTION_BUNDLING.minify,
  sourcemap: FUNCTION_BUNDLING.sourceMap,
  mainFields: [...FUNCTION_BUNDLING.mainFields],
  external: [...FUNCTION_BUNDLING.externalModules],
  alias: { ...BUNDLE_ALIASES },
  absWorkingDir: ROOT,
  nodePaths: [join(ROOT, 'node_modules')],
  logLevel: 'error',
};

/**
 * Bundles `source` (CommonJS, written to a temp directory) with the deployed settings (plus a
 * function's extra `aliases`, if given) and returns the output file's path: what a test
 * `import()`s to run code as it runs in Lambda.
 */
export async function bundleLikeDeployed(
  source: string,
  aliases: Readonly<Record<string, string>> = {},
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bundle-'));
  const entry = join(dir, 'entry.js');
  writeFileSync(entry, source);
  const outfile = join(dir, 'out.js');
  await build({
    ...DEPLOYED_BUILD_OPTIONS,
    alias: { ...BUNDLE_ALIASES, ...aliases },
    entryPoints: [entry],
    outfile,
  });
  return outfile;
}

/** A function as deployed: its `index.js` and the chunks beside it, with their sizes. */
export interface FunctionBundle {
  readonly dir: string;
  readonly main: { readonly file: string; readonly bytes: number };
  readonly chunks: readonly { readonly file: string; readonly bytes: number }[];
}

/**
 * Builds the function whose entry (relative to `lambda/functions/`) is `entry` into `outDir` as
 * NodejsFunction and its after-bundling step do for the deployed asset: `index.js` with the
 * function's extra aliases and defines (`FUNCTION_BUNDLING_EXTRAS`; the route access table from
 * the manifest, as the Api stack passes it), and each chunk with the common settings.
 */
export async function bundleFunctionLikeDeployed(entry: string, outDir: string): Promise<FunctionBundle> {
  const { aliases = {}, chunks = [], routeAccess = false } = functionBundlingExtras(entry);
  mkdirSync(outDir, { recursive: true });
  const mainFile = join(outDir, 'index.js');
  await build({
    ...DEPLOYED_BUILD_OPTIONS,
    alias: { ...BUNDLE_ALIASES, ...aliases },
    ...(routeAccess ? { define: routeAccessDefine(ROUTES) } : {}),
    entryPoints: [join(ROOT, 'lambda', 'functions', entry)],
    outfile: mainFile,
  });
  const built = [];
  for (const chunk of chunks) {
    const file = join(outDir, chunk.file);
    await build({ ...DEPLOYED_BUILD_OPTIONS, entryPoints: [join(ROOT, chunk.entry)], outfile: file });
    built.push({ file, bytes: statSync(file).size });
  }
  return { dir: outDir, main: { file: mainFile, bytes: statSync(mainFile).size }, chunks: built };
}
