import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { Authorizer } from '../../domain/authz/authorizer';
import { authorizerRoutes } from '../../routes/access';
import { authorizerFromEnv, authorizerMetrics } from '../../runtime/authz';
import { logger } from '../../shared/powertools';

/**
 * API Gateway REQUEST authorizer (not an HTTP handler: no HTTP wrapper): logger context and metrics
 * around the domain authorizer, which resolves with an Allow/Deny policy covering every route the
 * caller may call, or rejects with `Error('Unauthorized')` (401).
 */
export function authorizerHandler(authorize: Authorizer) {
  return middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
    .use(injectLambdaContext(logger))
    .use(authorizerMetrics())
    .handler((event) => authorize(event));
}

/**
 * Built at init: JWKS loaded, the route access table read (compiled into the deployed bundle).
 * Policies are computed per grant on first use; a warm JWT call makes no network call.
 */
export const handler = authorizerHandler(authorizerFromEnv(process.env, authorizerRoutes()));
