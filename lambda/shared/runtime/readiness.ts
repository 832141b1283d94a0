import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../../domain/events/types';
import { lastHeartbeat } from '../../domain/events/worker';
import {
  cachedReadiness,
  checkReadiness,
  type Readiness,
  type ReadinessProbes,
} from '../../domain/health/readiness';
import { breakerSnapshots } from '../breaker';
import { getDb } from '../db';

let sqs: SQSClient | undefined;

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
