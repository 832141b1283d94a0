import { build, type BuildOptions } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_ALIASES, FUNCTION_BUNDLING } from '../../lib/constructs/compute/bundling';

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
 * Bundles `source` (CommonJS, written to a temp directory) with the deployed settings and returns
 * the output file's path: what a test `import()`s to run code as it runs in Lambda.
 */
export async function bundleLikeDeployed(source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bundle-'));
  const entry = join(dir, 'entry.js');
  writeFileSync(entry, source);
  const outfile = join(dir, 'out.js');
  await build({ ...DEPLOYED_BUILD_OPTIONS, entryPoints: [entry], outfile });
  return outfile;
}
