import type { ApiKeyLookup } from '../domain/authz/api-keys';
import { PostgresApiKeyLookup } from '../domain/api-keys/store';
import { cachedOwnerScopes, poolRoleDirectory } from '../domain/authz/owner-scopes';
import { getDb } from '../shared/db';

/**
 * The authorizer's API-key path: the api-keys domain's PostgreSQL lookup, with owner scopes from the
 * Cognito pool (cached per owner). pg and the Cognito client are most of the authorizer's code, and
 * only an `ApiKey` credential needs them: deployed, this module is its own file beside the
 * authorizer's bundle (`FUNCTION_CHUNKS` in lib/constructs/compute/bundling.ts), required on the
 * first API key (`lazyApiKeyLookup` in ./authz.ts), so the JWT path loads without it.
 */
export function apiKeyLookupFromEnv(env: {
  readonly USER_POOL_ID?: string;
  /** Local mode only (cognito-local), as for the auth functions. */
  readonly COGNITO_ENDPOINT?: string;
}): ApiKeyLookup {
  return new PostgresApiKeyLookup(
    getDb(),
    cachedOwnerScopes(poolRoleDirectory(env.USER_POOL_ID ?? '', env.COGNITO_ENDPOINT)),
  );
}
