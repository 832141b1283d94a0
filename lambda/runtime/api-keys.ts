import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { getDb } from '../shared/db';
import { systemClock } from '../domain/events/types';
import { DEFAULT_API_KEY_CONFIG, type ApiKeyConfig, type ApiKeyDeps } from '../domain/api-keys/api-keys';
import { ApiGatewayKeyGateway, usagePlanRefsFromEnv, type KeyGateway } from '../domain/api-keys/key-gateway';
import type { KeyInventory } from '../domain/api-keys/standby';

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/**
 * API key settings from the function's environment: `API_KEY_ROTATION_GRACE_HOURS` (default 24),
 * `API_KEY_MAX_PER_OWNER` (default 20).
 */
export function readApiKeyConfig(env: NodeJS.ProcessEnv = process.env): ApiKeyConfig {
  return {
    rotationGraceHours: positiveNumber(
      env,
      'API_KEY_ROTATION_GRACE_HOURS',
      DEFAULT_API_KEY_CONFIG.rotationGraceHours,
    ),
    maxKeysPerOwner: Math.floor(
      positiveNumber(env, 'API_KEY_MAX_PER_OWNER', DEFAULT_API_KEY_CONFIG.maxKeysPerOwner),
    ),
    maxUsageDays: DEFAULT_API_KEY_CONFIG.maxUsageDays,
  };
}

let deps: ApiKeyDeps | undefined;
let gatewayOverride: KeyGateway | undefined;

/**
 * Local server only (`lib/local`): API keys live in its in-process {@link KeyGateway}
 * (`LocalKeyGateway`) instead of API Gateway. Never called by a deployed function; `undefined`
 * restores the API Gateway implementation.
 */
export function setKeyGateway(gateway: KeyGateway | undefined): void {
  gatewayOverride = gateway;
  deps = undefined;
}

/**
 * The execution environment's API key dependencies, built on first use (module-scope pool, one
 * API Gateway client, usage plans from `USAGE_PLAN_NAMES` or `USAGE_PLAN_IDS`). Creating them opens no connection.
 */
export function apiKeyRuntimeDeps(): ApiKeyDeps {
  deps ??= {
    db: getDb(),
    gateway:
      gatewayOverride ??
      new ApiGatewayKeyGateway(new APIGatewayClient({}), usagePlanRefsFromEnv(process.env)),
    clock: systemClock,
    config: readApiKeyConfig(),
  };
  return deps;
}

/**
 * The standby's key recreation (after a region failover): the module-scope pool and this region's
 * API Gateway, usage plans by name (`USAGE_PLAN_NAMES`).
 */
export function standbyKeyDeps(): { readonly db: ReturnType<typeof getDb>; readonly gateway: KeyInventory } {
  return {
    db: getDb(),
    gateway: new ApiGatewayKeyGateway(new APIGatewayClient({}), usagePlanRefsFromEnv(process.env)),
  };
}
