import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fetchJwks, type Fetch } from '../../domain/deploy/jwks';
import { logger } from '../../shared/powertools';

/**
 * CloudFormation custom resource, run at deploy time: fetches the user pool's JWKS so the
 * authorizer gets it in its environment and never fetches it itself (it may run without
 * internet access, and a warm authorizer must make no network call). CloudFormation calls it when
 * the resource is created and when its properties change: `JwksUrl` (a new user pool) or
 * `Revision` (`auth.jwksRevision` in the environment's config). Not on every deploy: after a new
 * signing key, bump `jwksRevision` so the next deploy fetches the JWKS again (docs/authorization.md).
 */
export function createJwksFetcher(fetchImpl: Fetch) {
  return async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
    const physicalId = `jwks-${event.ResourceProperties.JwksUrl as string}`;
    try {
      const data: Record<string, string> = {};
      if (event.RequestType !== 'Delete') {
        const jwks = await fetchJwks(event.ResourceProperties.JwksUrl as string, fetchImpl);
        data.Jwks = JSON.stringify(jwks);
        logger.info('JWKS fetched', { kids: jwks.keys.map((key) => key.kid) });
      }
      await respond(event, context, 'SUCCESS', physicalId, data);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error('JWKS fetch failed', { reason });
      await respond(event, context, 'FAILED', physicalId, {}, reason);
    }
  };
}

export const handler = createJwksFetcher(fetch);

/** Sends the custom resource result to CloudFormation's pre-signed S3 URL (https; http only in tests). */
export function respond(
  event: CloudFormationCustomResourceEvent,
  context: Context,
  status: 'SUCCESS' | 'FAILED',
  physicalResourceId: string,
  data: Record<string, string>,
  reason?: string,
): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason ?? `See log stream ${context.logStreamName}`,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  return new Promise((resolve, reject) => {
    const request = event.ResponseURL.startsWith('http://') ? httpRequest : httpsRequest;
    const req = request(
      event.ResponseURL,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300
            ? resolve()
            : reject(new Error(`CloudFormation answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
