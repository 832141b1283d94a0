import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pendingSdkUpdaters } from '../../domain/origin-verify/sdk-pending';
import { rotateOriginVerify, type RotationEvent } from '../../domain/origin-verify/rotation';
import { logger } from '../../shared/powertools';

let secrets: SecretsManagerClient | undefined;

/** Secrets Manager rotation function of the origin-verify header value (docs/edge.md). */
export const handler = async (event: RotationEvent): Promise<void> => {
  secrets ??= new SecretsManagerClient({});
  logger.info('origin-verify rotation step', { step: event.Step, token: event.ClientRequestToken });
  await rotateOriginVerify(event, {
    secrets,
    ...pendingSdkUpdaters(),
    log: (message, details) => logger.info(message, details ?? {}),
  });
};
