/**
 * How an HTTP backend behind a mount receives the caller: request headers that API Gateway sets
 * from the authorizer's context on the integration request. A request parameter mapping replaces a
 * header of the same name the client sent, so these carry what the authorizer verified, never what
 * the client wrote. The authorizer returns every key for every caller (empty when not applicable).
 */
export const PRINCIPAL_HEADERS = {
  /** Cognito `sub` of a user, client id of a machine token, key id of an API key. */
  sub: 'x-rampart-sub',
  /** Comma-separated roles (Cognito groups) of a user; empty for machines. */
  roles: 'x-rampart-roles',
  /** Space-separated scopes of a machine token or API key; empty for users. */
  scopes: 'x-rampart-scopes',
  /** `user`, `client` or `apiKey`. */
  authType: 'x-rampart-auth-type',
  /** The API key's id for API-key callers; empty otherwise. */
  apiKeyId: 'x-rampart-api-key-id',
} as const;

/** API Gateway integration request parameters: each principal header from the authorizer context. */
export const PRINCIPAL_HEADER_MAPPINGS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(PRINCIPAL_HEADERS).map(([key, header]) => [
    `integration.request.header.${header}`,
    `context.authorizer.${key}`,
  ]),
);
