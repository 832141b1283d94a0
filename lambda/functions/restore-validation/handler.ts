import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EventBridgeEvent } from 'aws-lambda';
import { validateRestoreJob, type RestoreValidationOutcome } from '../../domain/ops/restore-validation';
import { restoreValidationDeps, restoreValidationSource } from '../../runtime/restore-validation';
import { logger, metrics } from '../../shared/powertools';

/**
 * `ADMIN_SECRET_ARN`; `RESTORE_TESTING_PLAN_ARNS`: comma-separated plans whose restores are
 * validated; `SOURCE_DATABASE`: what restores are compared with (lambda/runtime/restore-validation.ts).
 */
const plans = (process.env.RESTORE_TESTING_PLAN_ARNS ?? '').split(',').filter(Boolean);
const deps = restoreValidationDeps({
  rds: new RDSClient({}),
  secrets: new SecretsManagerClient({}),
  adminSecretId: process.env.ADMIN_SECRET_ARN ?? '',
  tls: { rejectUnauthorized: true },
  source: restoreValidationSource(process.env.SOURCE_DATABASE),
});

/**
 * AWS Backup "Restore Job State Change" (COMPLETED): validates a restore test's database, reports
 * the verdict with PutRestoreValidationResult and publishes `RestoreDurationSeconds` and
 * `RecoveryPointAgeSeconds` (per recovery point type) and `RestoreValidationFailed`.
 */
export const handler = middy(
  async (event: EventBridgeEvent<'Restore Job State Change', { restoreJobId: string }>) => {
    const outcome: RestoreValidationOutcome = await validateRestoreJob(
      deps,
      event.detail.restoreJobId,
      plans,
    );
    if (outcome.status === 'skipped') {
      logger.info('Restore job skipped', { restoreJobId: event.detail.restoreJobId, reason: outcome.reason });
      return outcome;
    }
    if (outcome.figures) {
      const metric = metrics.singleMetric();
      metric.addDimension('RecoveryPointType', outcome.figures.recoveryPointType);
      metric.addMetric('RestoreDurationSeconds', MetricUnit.Seconds, outcome.figures.durationSeconds);
      metric.addMetric(
        'RecoveryPointAgeSeconds',
        MetricUnit.Seconds,
        outcome.figures.recoveryPointAgeSeconds,
      );
    }
    metrics.addMetric('RestoreValidationFailed', MetricUnit.Count, outcome.status === 'FAILED' ? 1 : 0);
    (outcome.status === 'FAILED' ? logger.error : logger.info).call(logger, 'Restore validated', {
      restoreJobId: event.detail.restoreJobId,
      status: outcome.status,
      message: outcome.message,
      figures: outcome.figures,
    });
    return outcome;
  },
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
