import { createHash } from 'node:crypto';
import {
  API_KEY_DISPLAY_PREFIX_LENGTH,
  API_KEY_LENGTH,
  API_KEY_PATTERN,
  API_KEY_PREFIX,
  generateApiKey,
  hashApiKey,
  headerValue,
  isWellFormedApiKey,
  apiKeyOfAuthorization,
} from '../../../lambda/shared/api-key-format';

describe('generateApiKey', () => {
  it('returns a prefixed base62 key, its 12-character display prefix and its SHA-256 hex hash', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(key).toHaveLength(API_KEY_LENGTH);
    expect(key).toMatch(API_KEY_PATTERN);
    expect(key.slice(API_KEY_PREFIX.length)).toMatch(/^[0-9A-Za-z]{38}$/);
    expect(prefix).toBe(key.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH));
    expect(prefix).toHaveLength(12);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashApiKey(key)).toBe(hash);
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 2_000 }, () => generateApiKey().key));
    expect(keys.size).toBe(2_000);
  });

  it('skips random bytes >= 248 so every base62 character is equally likely', () => {
    const biased = (size: number): Buffer => Buffer.alloc(size, 255);
    let calls = 0;
    const mixed = (size: number): Buffer => {
      calls += 1;
      return calls === 1 ? biased(size) : Buffer.alloc(size, 61);
    };
    const { key } = generateApiKey(mixed);
    expect(calls).toBeGreaterThan(1);
    expect(key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + 32)).toBe('z'.repeat(32));
  });
});

describe('isWellFormedApiKey', () => {
  it('accepts generated keys', () => {
    for (let index = 0; index < 200; index += 1) expect(isWellFormedApiKey(generateApiKey().key)).toBe(true);
  });

  it('rejects a key with one character changed (checksum), wrong prefix, wrong length or bad alphabet', () => {
    const { key } = generateApiKey();
    const flipped = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    expect(isWellFormedApiKey(flipped)).toBe(false);
    expect(isWellFormedApiKey(key.replace('rmp_live_', 'rmp_test_'))).toBe(false);
    expect(isWellFormedApiKey(key.slice(0, -1))).toBe(false);
    expect(isWellFormedApiKey(`${key}0`)).toBe(false);
    expect(isWellFormedApiKey(key.slice(0, 15) + '-' + key.slice(16))).toBe(false);
    expect(isWellFormedApiKey('')).toBe(false);
  });

  it('rejects random strings of the right shape (checksum catches made-up keys)', () => {
    const accepted = Array.from(
      { length: 5_000 },
      () => API_KEY_PREFIX + 'A'.repeat(32) + randomTail(),
    ).filter(isWellFormedApiKey);
    expect(accepted.length).toBeLessThanOrEqual(1);
  });
});

function randomTail(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (let index = 0; index < 6; index += 1) out += alphabet[Math.floor(Math.random() * 62)];
  return out;
}

describe('apiKeyOfAuthorization', () => {
  const { key } = generateApiKey();

  it('reads ApiKey <key> (scheme case-insensitive, spaces or tabs, trailing space)', () => {
    expect(apiKeyOfAuthorization(`ApiKey ${key}`)).toBe(key);
    expect(apiKeyOfAuthorization(`apikey \t ${key} `)).toBe(key);
  });

  it('returns undefined for anything else', () => {
    for (const value of ['', 'ApiKey', 'ApiKey ', 'Bearer abc.def.ghi', `ApiKey ${key} extra`, key]) {
      expect(apiKeyOfAuthorization(value)).toBeUndefined();
    }
  });
});

describe('headerValue', () => {
  it('finds a header whatever its spelling, and prefers the exact name', () => {
    expect(headerValue({ 'Content-Type': 'a' }, 'content-type')).toBe('a');
    expect(headerValue({ authorization: 'x' }, 'authorization')).toBe('x');
    expect(headerValue({ other: 'x' }, 'authorization')).toBeUndefined();
    expect(headerValue(null, 'authorization')).toBeUndefined();
  });
});
