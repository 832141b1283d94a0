import { SEVERITIES, type Severity } from '../domain/notify/messages';
import type { NotifierDeps } from '../domain/notify/notifier';

/** Notifier settings from the function's environment (set by the Ops stack). */
export interface NotifierSettings {
  readonly environment: string;
  readonly docsBaseUrl?: string;
  readonly webhookSecretId: string;
  readonly topicSeverities: Readonly<Record<string, Severity>>;
  readonly routeAllToOneChannel: boolean;
  readonly baseDelayMs?: number;
}

/**
 * `RAMPART_ENVIRONMENT`, `DOCS_BASE_URL`, `SLACK_WEBHOOK_SECRET_ID`, `TOPIC_SEVERITIES` (JSON
 * `{topicArn: severity}`), `ROUTE_ALL_TO_ONE_CHANNEL` (`true`), `SLACK_RETRY_BASE_MS`.
 */
export function readNotifierSettings(env: NodeJS.ProcessEnv = process.env): NotifierSettings {
  const webhookSecretId = env.SLACK_WEBHOOK_SECRET_ID;
  if (!webhookSecretId) throw new Error('SLACK_WEBHOOK_SECRET_ID is not set');
  let topicSeverities: Record<string, Severity> = {};
  try {
    const parsed = JSON.parse(env.TOPIC_SEVERITIES ?? '{}') as Record<string, unknown>;
    topicSeverities = Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, Severity] =>
        (SEVERITIES as readonly unknown[]).includes(entry[1]),
      ),
    );
  } catch {
    throw new Error('TOPIC_SEVERITIES must be JSON {topicArn: severity}');
  }
  const base = Number(env.SLACK_RETRY_BASE_MS);
  return {
    environment: env.RAMPART_ENVIRONMENT ?? 'unknown',
    docsBaseUrl: env.DOCS_BASE_URL || undefined,
    webhookSecretId,
    topicSeverities,
    routeAllToOneChannel: env.ROUTE_ALL_TO_ONE_CHANNEL === 'true',
    baseDelayMs: Number.isFinite(base) && base >= 0 && env.SLACK_RETRY_BASE_MS ? base : undefined,
  };
}

export type { NotifierDeps };
