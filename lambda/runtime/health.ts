import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../domain/events/types';
import { lastHeartbeat } from '../domain/events/worker';
import {
  cachedReadiness,
  checkReadiness,
  type Readiness,
  type ReadinessProbes,
} from '../domain/health/readiness';
import { breakerSnapshots } from '../shared/breaker';
import { getDb } from '../shared/db';

let sqs: SQSClient | undefined;
let probeOverrides: Partial<ReadinessProbes> = {};

/**
 * Local server only (`lib/local`): replaces some probes (its in-process queue instead of SQS, its
 * dead-letter list). Never called by a deployed function; `{}` restores the defaults.
 */
export function setReadinessProbes(overrides: Partial<ReadinessProbes>): void {
  probeOverrides = overrides;
  readiness = undefined;
}

/** Readiness probes against the real pool and queue. */
export function runtimeReadinessProbes(queueUrl = process.env.QUEUE_URL): ReadinessProbes {
  return {
    async pingDatabase(signal) {
      await getDb().query('SELECT 1', [], { signal, idempotent: true });
    },
    async pingQueue(signal) {
      if (!queueUrl) throw new Error('QUEUE_URL is not set');
      sqs ??= new SQSClient({});
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
        { abortSignal: signal },
      );
    },
    lastWorkerHeartbeat: () => lastHeartbeat(getDb()),
    breakers: breakerSnapshots,
    ...probeOverrides,
  };
}

let readiness: (() => Promise<Readiness>) | undefined;
/** The execution environment's cached readiness check (`READINESS_CACHE_MS`, default 5 s). */
export function runtimeReadiness(): Promise<Readiness> {
  readiness ??= cachedReadiness(
    () => checkReadiness(runtimeReadinessProbes(), systemClock),
    systemClock,
    Number(process.env.READINESS_CACHE_MS ?? 5_000),
  );
  return readiness();
}
