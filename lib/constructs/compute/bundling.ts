import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

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
} as const;
