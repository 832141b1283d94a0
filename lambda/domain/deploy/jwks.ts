/** One RSA signing key of a JWKS, reduced to what verification needs. */
export interface RsaJwk {
  readonly kty: 'RSA';
  readonly kid: string;
  readonly alg?: string;
  readonly use?: string;
  readonly n: string;
  readonly e: string;
}

export interface Jwks {
  readonly keys: readonly RsaJwk[];
}

/** The fetch this module needs (global `fetch` in Node 18+, a stub in tests). */
export type Fetch = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

function isRsaJwk(value: unknown): value is RsaJwk {
  const key = value as Partial<RsaJwk> | null;
  return (
    typeof key === 'object' &&
    key !== null &&
    key.kty === 'RSA' &&
    typeof key.kid === 'string' &&
    typeof key.n === 'string' &&
    typeof key.e === 'string'
  );
}

/**
 * Fetches a Cognito user pool's JWKS over HTTPS and returns its RSA signing keys, minimal
 * (kty, kid, alg, use, n, e), ready to be handed to the authorizer. Throws with a reason on
 * a non-HTTPS URL, an HTTP error, a timeout, or a document without usable keys.
 */
export async function fetchJwks(url: string, fetchImpl: Fetch, timeoutMs = 5_000): Promise<Jwks> {
  if (!url.startsWith('https://')) throw new Error(`JWKS URL must be https: ${url}`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(url, { signal: controller.signal });
    if (!response.ok) throw new Error(`JWKS fetch from ${url} answered ${response.status}`);
    const document = JSON.parse(await response.text()) as { keys?: unknown };
    const keys = Array.isArray(document.keys) ? document.keys.filter(isRsaJwk) : [];
    if (keys.length === 0) throw new Error(`JWKS at ${url} has no RSA signing keys`);
    return {
      keys: keys.map(({ kty, kid, alg, use, n, e }) => ({
        kty,
        kid,
        n,
        e,
        ...(alg ? { alg } : {}),
        ...(use ? { use } : {}),
      })),
    };
  } finally {
    clearTimeout(timer);
  }
}
