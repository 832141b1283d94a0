import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromContainerMetadata } from '@smithy/credential-provider-imds';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Stand-in for `@aws-sdk/credential-provider-node` (and `credential-providers`) in deployed
 * bundles only: esbuild aliases those packages to this file (lib/constructs/compute/bundling.ts).
 *
 * Lambda hands a function its role's credentials in environment variables, so the node chain's
 * SSO, INI-file, process and web-identity providers (and the STS/SSO clients they pull in) are
 * dead weight there: ~250 KB of every bundle and tens of milliseconds of cold start. This keeps
 * the two sources Lambda uses: environment variables, then the container credentials endpoint.
 * Tests and the local server run unbundled and keep the full default chain.
 */
function lambdaChain(): AwsCredentialIdentityProvider {
  const env = fromEnv();
  const container = fromContainerMetadata();
  return async () => {
    try {
      return await env();
    } catch {
      return container();
    }
  };
}

export const defaultProvider = (_init?: unknown): AwsCredentialIdentityProvider => lambdaChain();
export const fromNodeProviderChain = (_init?: unknown): AwsCredentialIdentityProvider => lambdaChain();
