import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { logger as sharedLogger, metrics as sharedMetrics } from '../shared/powertools';
import type { RouteDefinition } from '../shared/route';
import type { ApiKeyLookup } from '../domain/authz/api-keys';
import { createAuthorizer, type Authorizer, type AuthorizerObserver } from '../domain/authz/authorizer';
import { refusingVerifier } from '../domain/authz/access-token';
import {
  tokenUsageKeysFromEnv,
  tokenVerifierFromEnv,
  type AuthorizerEnvironment,
  type TokenUsageKeys,
} from '../domain/authz/config';
import { RoutePolicies } from '../domain/authz/policy';

type Logger = Pick<typeof sharedLogger, 'info' | 'error'>;
type Metrics = Pick<typeof sharedMetrics, 'addMetric'>;

/** Refusals and failures as log lines (reason codes only, never a credential) and metrics. */
export function powertoolsObserver(
  logger: Logger = sharedLogger,
  metrics: Metrics = sharedMetrics,
): AuthorizerObserver {
  return {
    refused(outcome, details) {
      logger.info(outcome === 'forbidden' ? 'authorizer denied' : 'authorizer refused', {
        outcome,
        ...details,
      });
      metrics.addMetric(
        outcome === 'forbidden' ? 'AuthorizerForbidden' : 'AuthorizerUnauthorized',
        MetricUnit.Count,
        1,
      );
    },
    failed(details, error) {
      // Name and message only: a driver error can quote connection settings, never a key (keys are hashed first).
      const cause = error instanceof Error ? { errorName: error.name, errorMessage: error.message } : {};
      logger.error('authorizer failed; answered 401', { ...details, ...cause });
      metrics.addMetric('AuthorizerFailure', MetricUnit.Count, 1);
    },
  };
}

/**
 * The API key store of this execution environment: the api-keys domain's PostgreSQL lookup, with
 * owner scopes from the Cognito pool (cached per owner). Built on the first API key, so a JWT-only
 * workload never touches the database or Cognito, and a missing database setting is a 401 + error
 * log on that path instead of a crash at init.
 */
export function lazyApiKeyLookup(
  env: AuthorizerEnvironment & { readonly COGNITO_ENDPOINT?: string },
): ApiKeyLookup {
  let lookup: Promise<ApiKeyLookup> | undefined;
  // Loaded on first use: pg and the Cognito SDK stay out of the cold start of a JWT-only workload.
  const build = async (): Promise<ApiKeyLookup> => {
    const [{ getDb }, { PostgresApiKeyLookup }, { cachedOwnerScopes, poolRoleDirectory }] = await Promise.all(
      [import('../shared/db'), import('../domain/api-keys/store'), import('../domain/authz/owner-scopes')],
    );
    // COGNITO_ENDPOINT: local mode only (cognito-local), as for the auth functions.
    return new PostgresApiKeyLookup(
      getDb(),
      cachedOwnerScopes(poolRoleDirectory(env.USER_POOL_ID ?? '', env.COGNITO_ENDPOINT)),
    );
  };
  return {
    async findByHash(hash) {
      lookup ??= build().catch((error: unknown) => {
        // A failed build (bad database settings) is retried on the next key, not cached.
        lookup = undefined;
        throw error;
      });
      return (await lookup).findByHash(hash);
    },
  };
}

export interface AuthorizerRuntimeOptions {
  readonly apiKeys?: ApiKeyLookup;
  readonly observer?: AuthorizerObserver;
}

/**
 * The authorizer as deployed, built once at module init: JWKS parsed and loaded into the verifier,
 * policies for every role and scope set precomputed from the route manifest (`routes`, passed in by
 * the function: a composition root does not import the manifest). A broken configuration is
 * logged at ERROR and every token is refused (fail closed, never a crashing init).
 */
export function authorizerFromEnv(
  env: AuthorizerEnvironment & { readonly COGNITO_ENDPOINT?: string },
  routes: readonly RouteDefinition[],
  options: AuthorizerRuntimeOptions = {},
): Authorizer {
  const misconfigured = (error: Error) =>
    sharedLogger.error('authorizer misconfigured; refusing every token', { reason: error.message });
  let tokenUsageKeys: TokenUsageKeys | undefined;
  try {
    tokenUsageKeys = tokenUsageKeysFromEnv(env);
  } catch (error) {
    misconfigured(error as Error);
  }
  // Without usage keys API Gateway would refuse every token caller on key-required methods anyway.
  const tokens = tokenUsageKeys === undefined ? refusingVerifier() : tokenVerifierFromEnv(env, misconfigured);
  return createAuthorizer({
    tokens,
    tokenUsageKeys: tokenUsageKeys ?? { user: '', client: '' },
    apiKeys: options.apiKeys ?? lazyApiKeyLookup(env),
    policies: new RoutePolicies(routes),
    observer: options.observer ?? powertoolsObserver(),
  });
}

/**
 * Middy middleware: the cold-start metric, and a flush only when the invocation recorded a metric
 * (refusals, failures). Powertools' `logMetrics` warns on every empty flush, and the allowed path,
 * the hot one, records nothing (API Gateway already counts calls).
 */
export function authorizerMetrics(
  metrics: Pick<
    typeof sharedMetrics,
    'captureColdStartMetric' | 'hasStoredMetrics' | 'publishStoredMetrics'
  > = sharedMetrics,
): MiddlewareObj {
  const authorizerMetricsBefore = (): void => {
    metrics.captureColdStartMetric();
  };
  const authorizerMetricsAfter = (): void => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { before: authorizerMetricsBefore, after: authorizerMetricsAfter, onError: authorizerMetricsAfter };
}
