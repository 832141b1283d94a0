import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { rotationAges, watchedSecretsFromEnv } from '../../domain/ops/rotation-age';
import { logger, metrics } from '../../shared/powertools';

let client: SecretsManagerClient | undefined;
const secrets = watchedSecretsFromEnv(process.env.WATCHED_SECRETS);

/**
 * Scheduled: publishes `Rampart/Operations DaysSinceLastRotation` per watched secret (EMF).
 * Throws when a secret cannot be described, after publishing the others.
 */
export const handler = async (): Promise<void> => {
  client ??= new SecretsManagerClient({});
  const { ages, failures } = await rotationAges(
    secrets,
    (secretId) => client!.send(new DescribeSecretCommand({ SecretId: secretId })),
    new Date(),
  );
  for (const age of ages) {
    const metric = metrics.singleMetric();
    metric.addDimension('Secret', age.name);
    metric.addMetric('DaysSinceLastRotation', MetricUnit.Count, age.days);
    if (!age.rotationEnabled) logger.warn('Rotation is not enabled', { secret: age.name });
  }
  if (failures.length > 0) {
    logger.error('Secrets not described', { failures });
    throw new Error(`Could not describe ${failures.map((f) => f.name).join(', ')}`);
  }
};
