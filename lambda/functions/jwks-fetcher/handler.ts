import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { fetchJwks, type Fetch } from '../../domain/deploy/jwks';
import { logger } from '../../shared/powertools';

/**
 * The onEvent handler of the JWKS custom resource (lib/constructs/api/user-pool-jwks.ts), run at
 * deploy time: fetches the user pool's JWKS so the authorizer gets it in its environment and never
 * fetches it itself (it may run without internet access, and a warm authorizer must make no
 * network call). CloudFormation calls it when the resource is created and when its properties
 * change: `JwksUrl` (a new user pool) or `Revision` (`auth.jwksRevision` in the environment's
 * config). Not on every deploy: after a new signing key, bump `jwksRevision` so the next deploy
 * fetches the JWKS again (docs/authorization.md).
 *
 * It only returns data or throws: CDK's provider framework answers CloudFormation (FAILED with
 * this error's message when it throws or the function times out). The fetch itself gives up
 * after 5 s (`fetchJwks`), well inside the function's 30 s.
 */
export function createJwksFetcher(fetchImpl: Fetch) {
  return async (event: CdkCustomResourceEvent): Promise<CdkCustomResourceResponse> => {
    if (event.RequestType === 'Delete') {
      // Nothing was created: the JWKS lives only in the authorizer's environment.
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const jwksUrl = event.ResourceProperties.JwksUrl as string;
    try {
      const jwks = await fetchJwks(jwksUrl, fetchImpl);
      logger.info('JWKS fetched', { kids: jwks.keys.map((key) => key.kid) });
      return { PhysicalResourceId: `jwks-${jwksUrl}`, Data: { Jwks: JSON.stringify(jwks) } };
    } catch (error) {
      logger.error('JWKS fetch failed', { reason: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  };
}

export const handler = createJwksFetcher(fetch);
