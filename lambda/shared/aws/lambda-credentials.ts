import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromContainerMetadata } from '@smithy/credential-provider-imds';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Stand-in for `@aws-sdk/credential-provider-node` (and `credential-providers`) in deployed
 * bundles only: esbuild aliases those packages to this file (lib/constructs/compute/bundling.ts).
 *
 * Lambda hands a function its role's credentials in environment variables, so the node chain's
 * SSO, INI-file, process and web-identity providers (and the STS/SSO clients they pull in) are
 * dead weight there: ~250 KB of every bundle and tens of milliseconds of cold start. This keeps
 * the two sources Lambda uses: environment variables, then the container credentials endpoint
 * (`AWS_CONTAINER_CREDENTIALS_FULL_URI` or `_RELATIVE_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN`
 * sent as the Authorization header when set). Tests and the local server run unbundled and keep
 * the full default chain (test/lambda/shared/aws/lambda-credentials.test.ts proves the bundled one).
 */

/** Thrown when neither source is configured, instead of the container provider's narrower message. */
export const NO_LAMBDA_CREDENTIALS =
  'No AWS credentials: neither AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY nor a container credentials ' +
  'endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) is set. Deployed ' +
  "bundles read only these two sources (lambda/shared/aws/lambda-credentials.ts); Lambda sets the first for every function's role.";

const CONTAINER_ENDPOINT_VARIABLES = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
] as const;

/** Temporary credentials are fetched again this long before they expire, as the SDK's own chain does. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Remembers the credentials until they are about to expire (or a caller forces a refresh). SDK
 * clients do not cache what their default provider returns: they expect the provider to, as the
 * SDK's Node chain does; without this, every request would ask the container endpoint again.
 * A failure is not remembered: the next call asks again.
 */
function memoize(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let held: Promise<AwsCredentialIdentity> | undefined;
  const refresh = (): Promise<AwsCredentialIdentity> => {
    const attempt = provider();
    held = attempt;
    attempt.catch(() => {
      if (held === attempt) held = undefined;
    });
    return attempt;
  };
  return async (options?: Record<string, unknown>) => {
    if (held === undefined || options?.forceRefresh) return refresh();
    const current = held;
    const credentials = await current;
    const expiresSoon =
      credentials.expiration !== undefined &&
      credentials.expiration.getTime() - Date.now() < REFRESH_BEFORE_EXPIRY_MS;
    if (!expiresSoon) return credentials;
    // Concurrent callers share one refresh.
    return held === current ? refresh() : held;
  };
}

function lambdaChain(): AwsCredentialIdentityProvider {
  const env = fromEnv();
  const container = fromContainerMetadata();
  return memoize(async () => {
    try {
      return await env();
    } catch {
      if (!CONTAINER_ENDPOINT_VARIABLES.some((name) => process.env[name])) {
        throw new Error(NO_LAMBDA_CREDENTIALS);
      }
      // A configured endpoint that fails (refused, timed out, bad answer) reports its own error.
      return container();
    }
  });
}

export const defaultProvider = (_init?: unknown): AwsCredentialIdentityProvider => lambdaChain();
export const fromNodeProviderChain = (_init?: unknown): AwsCredentialIdentityProvider => lambdaChain();
