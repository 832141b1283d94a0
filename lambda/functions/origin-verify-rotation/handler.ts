import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sdkUpdatersFromEnv } from '../../domain/origin-verify/sdk-updaters';
import { rotateOriginVerify, type RotationEvent } from '../../domain/origin-verify/rotation';
import { logger } from '../../shared/powertools';

let secrets: SecretsManagerClient | undefined;
let updaters: ReturnType<typeof sdkUpdatersFromEnv> | undefined;

/** Secrets Manager rotation function of the origin-verify header value (docs/edge.md). */
export const handler = async (event: RotationEvent): Promise<void> => {
  secrets ??= new SecretsManagerClient({});
  updaters ??= sdkUpdatersFromEnv(process.env);
  logger.info('origin-verify rotation step', { step: event.Step, token: event.ClientRequestToken });
  await rotateOriginVerify(event, {
    secrets,
    ...updaters,
    log: (message, details) => logger.info(message, details ?? {}),
  });
};
