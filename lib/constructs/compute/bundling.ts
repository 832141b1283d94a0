import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

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
  esbuildArgs: Object.fromEntries(
    Object.entries(BUNDLE_ALIASES).map(([name, target]) => [`--alias:${name}`, target]),
  ) as Record<string, string>,
} as const;
