/**
 * The request inputs the authorizer reads, as HTTP header names. This one list is
 *
 * - the authorizer's identity sources: API Gateway keys its result cache on exactly these values
 *   and answers 401 itself, without calling the authorizer, when one is missing or empty;
 * - the only headers the credential parser looks at (`credentialOf` in `domain/authz`), so no
 *   input outside the cache key can change who a cached answer is for;
 * - headers both web ACLs redact from their logs.
 *
 * A test asserts the synthesized `IdentitySource` equals it. API keys therefore travel only as
 * `Authorization: ApiKey <key>` (docs/authorization.md says why `x-api-key` is not read).
 */
export const AUTHORIZER_IDENTITY_HEADERS = ['Authorization'] as const;

/** Request headers as API Gateway passes them to a REQUEST authorizer or a proxy integration. */
export interface RequestHeaders {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly (string | undefined)[] | undefined>> | null;
}

/**
 * Every value of header `name` in the request (any spelling of the name), in arrival order. API
 * Gateway puts the last value of a repeated header in `headers` and all of them in
 * `multiValueHeaders`; reading only `headers` would let a second `Authorization` go unseen.
 */
export function headerValues(request: RequestHeaders, name: string): string[] {
  const lower = name.toLowerCase();
  const multi = request.multiValueHeaders;
  const values: string[] = [];
  if (multi !== null && multi !== undefined) {
    for (const key of Object.keys(multi)) {
      if (key.toLowerCase() !== lower) continue;
      for (const value of multi[key] ?? []) if (typeof value === 'string') values.push(value);
    }
    if (values.length > 0) return values;
  }
  const single = request.headers;
  if (single === null || single === undefined) return values;
  for (const key of Object.keys(single)) {
    const value = single[key];
    if (key.toLowerCase() === lower && typeof value === 'string') values.push(value);
  }
  return values;
}
