import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { backUpIdentities, readApiKeyOwners } from '../../runtime/identity-backup';
import { getDb } from '../../shared/db';
import { logger, metrics } from '../../shared/powertools';

/** `USER_POOL_ID`, `BACKUP_BUCKET`, `DR_REGION` and the DB_* settings of the proxy. */
const runtime = {
  cognito: new CognitoIdentityProviderClient({}),
  s3: new S3Client({ region: process.env.DR_REGION }),
  userPoolId: process.env.USER_POOL_ID ?? '',
  bucketName: process.env.BACKUP_BUCKET ?? '',
  apiKeyOwners: () => readApiKeyOwners(getDb()),
};

/** Scheduled: one identity snapshot into the DR bucket; `IdentityBackups` 1 when written (EMF). */
export const handler = middy(async () => {
  const snapshot = await backUpIdentities(runtime, new Date());
  metrics.addMetric('IdentityBackups', MetricUnit.Count, 1);
  metrics.addMetric('IdentityBackupUsers', MetricUnit.Count, snapshot.users.length);
  logger.info('Identities backed up', {
    takenAt: snapshot.takenAt,
    users: snapshot.users.length,
    groups: snapshot.groups.length,
    apiKeyOwners: snapshot.apiKeyOwners.length,
  });
  return { takenAt: snapshot.takenAt, users: snapshot.users.length };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
