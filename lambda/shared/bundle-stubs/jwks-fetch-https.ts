/**
 * Stand-in for `https` in the authorizer's main bundle only (`FUNCTION_BUNDLING_EXTRAS` in
 * lib/constructs/compute/bundling.ts; its API-key chunk keeps the real module for the Cognito
 * client). aws-jwt-verify imports `request` from https for one thing: fetching a JWKS. The
 * authorizer never fetches one: the JWKS is baked into its environment at deploy time and loaded
 * with `cacheJwks` at init (docs/authorization.md), and it runs in a VPC where a fetch would hang.
 * Loading https (with tls and http) was a sixth of its cold start. If a fetch is ever
 * attempted, it fails at once, saying why.
 */
export const JWKS_FETCH_UNAVAILABLE =
  'The authorizer does not fetch JWKS (https is not bundled: lambda/shared/bundle-stubs/jwks-fetch-https.ts); ' +
  'the JWKS comes from its JWKS environment variable, fetched at deploy time';

export function request(): never {
  throw new Error(JWKS_FETCH_UNAVAILABLE);
}
