import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { logger as sharedLogger, metrics as sharedMetrics } from '../shared/powertools';
import type { RouteAccessEntry } from '../shared/route-access';
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
 * Where the API-key path lives. Deployed, `authz-api-keys.js` is a file of its own beside the
 * authorizer's bundle (`FUNCTION_CHUNKS` in lib/constructs/compute/bundling.ts); from source (tests,
 * local mode) it is ./authz-api-keys.ts. Either way Node resolves it relative to the requiring
 * file. The path is a variable so that the bundler leaves the `require` to Node instead of
 * inlining the module (and pg and the Cognito client with it) into the JWT path's bundle.
 */
const API_KEY_PATH_MODULE = './authz-api-keys';

function loadApiKeyPath(): typeof import('./authz-api-keys') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(API_KEY_PATH_MODULE) as typeof import('./authz-api-keys');
}

/**
 * The API key store of this execution environment (./authz-api-keys.ts), loaded and built on the
 * first API key: a JWT-only workload never loads pg or the Cognito client, never touches the
 * database or Cognito, and a missing database setting (or a missing file) is a 401 + error log on
 * that path instead of a crash at init.
 */
export function lazyApiKeyLookup(
  env: AuthorizerEnvironment & { readonly COGNITO_ENDPOINT?: string },
  load: () => Pick<typeof import('./authz-api-keys'), 'apiKeyLookupFromEnv'> = loadApiKeyPath,
): ApiKeyLookup {
  let lookup: ApiKeyLookup | undefined;
  return {
    async findByHash(hash) {
      // A failed load or build (bad database settings) throws here and is retried on the next key.
      lookup ??= load().apiKeyLookupFromEnv(env);
      return lookup.findByHash(hash);
    },
  };
}

export interface AuthorizerRuntimeOptions {
  readonly apiKeys?: ApiKeyLookup;
  readonly observer?: AuthorizerObserver;
}

/**
 * The authorizer as deployed, built once at module init: JWKS parsed and loaded into the verifier;
 * policies computed per role or scope set on first use from the route manifest's access table
 * (`routes`, passed in by the function: a composition root does not import the manifest). A
 * broken configuration is logged at ERROR and every token is refused (fail closed, never a
 * crashing init).
 */
export function authorizerFromEnv(
  env: AuthorizerEnvironment & { readonly COGNITO_ENDPOINT?: string },
  routes: readonly RouteAccessEntry[],
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
