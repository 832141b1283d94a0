import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { rotateLoginClientSecret } from '../../domain/auth/client-secret-rotation';
import { clientSecretRotationDeps } from '../../runtime/auth';
import { logger } from '../../shared/powertools';
import type { SecretRotationEvent } from '../../shared/secret-rotation';

/**
 * Secrets Manager rotation function of the login client secret: Cognito's two-secret overlap
 * (`lambda/domain/auth/client-secret-rotation.ts`, runbooks/rotation/cognito-client-secret.md).
 * Middy's signal aborts the SDK calls just before the Lambda deadline; Secrets Manager retries.
 */
export const handler = middy(
  async (event: SecretRotationEvent, _context: Context, { signal }: { signal: AbortSignal }) => {
    logger.info('login client secret rotation step', { step: event.Step, token: event.ClientRequestToken });
    await rotateLoginClientSecret(event, { ...clientSecretRotationDeps(), signal });
  },
).use(injectLambdaContext(logger, { resetKeys: true }));
