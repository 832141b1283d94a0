import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Rampart API key format, shared by key creation (`lambda/domain/api-keys/`) and the authorizer.
 *
 * `rmp_live_` + 32 random base62 characters (~190 bits) + a 6-character base62 CRC32 of everything
 * before it. The fixed prefix lets secret scanners (GitHub push protection, trufflehog, gitleaks) find
 * leaked keys with one regex, and the checksum lets them, and the authorizer, reject typos and
 * made-up strings without a database lookup. Only the SHA-256 hex hash of the whole key and its
 * first {@link API_KEY_DISPLAY_PREFIX_LENGTH} characters are ever stored.
 */
export const API_KEY_PREFIX = 'rmp_live_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;

/** Length of the stored, displayable key prefix (`rmp_live_` plus 3 random characters). */
export const API_KEY_DISPLAY_PREFIX_LENGTH = 12;

/** Total key length: prefix, random part, checksum. */
export const API_KEY_LENGTH = API_KEY_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH;

/** The regex a secret scanner can use to find Rampart keys in text. */
export const API_KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`,
);

/** A freshly generated key: `key` is shown to its owner once; only `prefix` and `hash` are stored. */
export interface GeneratedApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly hash: string;
}

function checksumOf(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let index = 0; index < CHECKSUM_LENGTH; index += 1) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** Uniform base62 characters by rejection sampling (bytes >= 248 would bias the modulo). */
function randomBase62(length: number, random: (size: number) => Buffer): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** SHA-256 hex digest of the whole key: what the store keeps and what the authorizer looks up. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The displayable prefix stored next to the hash (safe to show in listings and logs). */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH);
}

/**
 * Generates a new key.
 * @param random source of random bytes (tests pass a deterministic one)
 */
export function generateApiKey(random: (size: number) => Buffer = randomBytes): GeneratedApiKey {
  const body = API_KEY_PREFIX + randomBase62(RANDOM_LENGTH, random);
  const key = body + checksumOf(body);
  return { key, prefix: apiKeyDisplayPrefix(key), hash: hashApiKey(key) };
}

/** True for a string with the Rampart key shape and a correct checksum (no lookup needed). */
export function isWellFormedApiKey(candidate: string): boolean {
  if (candidate.length !== API_KEY_LENGTH || !API_KEY_PATTERN.test(candidate)) return false;
  const split = candidate.length - CHECKSUM_LENGTH;
  return checksumOf(candidate.slice(0, split)) === candidate.slice(split);
}

/** Request headers as API Gateway passes them (any case; absent map is `null`). */
export type HeaderMap = Readonly<Record<string, string | undefined>> | null | undefined;

/** Case-insensitive header read (API Gateway keeps the client's spelling in REQUEST authorizer events). */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) return headers[key];
  }
  return undefined;
}

const API_KEY_SCHEME = /^ApiKey[ \t]+(\S+)[ \t]*$/i;

/**
 * The API key in one `Authorization` value of the form `ApiKey <key>` (scheme in any case), or
 * `undefined` when the value has another form. The key is not validated: see {@link isWellFormedApiKey}.
 */
export function apiKeyOfAuthorization(authorization: string): string | undefined {
  return API_KEY_SCHEME.exec(authorization)?.[1];
}
