import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { logger } from './powertools';

export interface SecretsCacheOptions {
  /** @default - one `SecretsManagerClient` for the execution environment, created on first use */
  readonly client?: SecretsManagerClient;
  /**
   * How long a value is reused before it is fetched again.
   * @default 300000 (5 minutes; env `SECRETS_TTL_MS`)
   */
  readonly ttlMs?: number;
  /**
   * Also read the secret's `NextRotationDate` (DescribeSecret, same IAM grant as `grantRead`)
   * so a cached value never outlives the next scheduled rotation.
   * @default true
   */
  readonly respectRotation?: boolean;
  /** Clock in epoch milliseconds (tests). @default Date.now */
  readonly now?: () => number;
}

interface Entry {
  readonly value: Promise<string>;
  expiresAt: number;
}

/** Recognises an authentication failure that a rotated secret would explain. */
export type AuthFailurePredicate = (error: unknown) => boolean;

/** PostgreSQL 28P01/28000 and the usual HTTP 401/403 shapes. */
export const isAuthFailure: AuthFailurePredicate = (error) => {
  if (typeof error !== 'object' || error === null) return false;
  const { code, status, statusCode } = error as { code?: unknown; status?: unknown; statusCode?: unknown };
  return code === '28P01' || code === '28000' || status === 401 || statusCode === 401;
};

/**
 * In-memory cache of Secrets Manager values with expiry. Module scope keeps one per Lambda
 * execution environment, so a warm invocation makes no Secrets Manager call.
 */
export class SecretsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly respectRotation: boolean;
  private readonly now: () => number;
  private clientInstance?: SecretsManagerClient;

  constructor(options: SecretsCacheOptions = {}) {
    this.clientInstance = options.client;
    const envTtl = Number(process.env.SECRETS_TTL_MS);
    this.ttlMs = options.ttlMs ?? (Number.isFinite(envTtl) && envTtl >= 0 ? envTtl : 300_000);
    this.respectRotation = options.respectRotation ?? true;
    this.now = options.now ?? Date.now;
  }

  /** The secret's current string value (binary secrets decoded as UTF-8). */
  async getString(secretId: string): Promise<string> {
    const cached = this.entries.get(secretId);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const fetched = this.fetch(secretId);
    const entry: Entry = { value: fetched.then((f) => f.text), expiresAt: Number.POSITIVE_INFINITY };
    entry.value.catch(() => undefined); // the failure is reported below, to this caller
    this.entries.set(secretId, entry);
    try {
      entry.expiresAt = (await fetched).expiresAt;
    } catch (error) {
      // Never cache a failure: the next caller tries again.
      if (this.entries.get(secretId) === entry) this.entries.delete(secretId);
      throw error;
    }
    return entry.value;
  }

  /** The secret parsed as JSON (RDS credentials, API keys...). */
  async getJson<T = Record<string, unknown>>(secretId: string): Promise<T> {
    const text = await this.getString(secretId);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`Secret ${secretId} is not valid JSON`);
    }
  }

  /** Drops one cached secret (or all), so the next read fetches it again. */
  invalidate(secretId?: string): void {
    if (secretId === undefined) this.entries.clear();
    else this.entries.delete(secretId);
  }

  /**
   * Runs `fn` with the secret; if it fails with an authentication failure (the secret was
   * rotated since we cached it), refetches the secret once and runs `fn` again.
   */
  async refreshOnAuthFailure<T>(
    secretId: string,
    fn: (value: string) => Promise<T>,
    authFailure: AuthFailurePredicate = isAuthFailure,
  ): Promise<T> {
    try {
      return await fn(await this.getString(secretId));
    } catch (error) {
      if (!authFailure(error)) throw error;
      logger.warn('Authentication failed with a cached secret; refetching it once', { secretId });
      this.invalidate(secretId);
      return fn(await this.getString(secretId));
    }
  }

  private get client(): SecretsManagerClient {
    this.clientInstance ??= new SecretsManagerClient({});
    return this.clientInstance;
  }

  private async fetch(secretId: string): Promise<{ text: string; expiresAt: number }> {
    const fetchedAt = this.now();
    const [value, nextRotation] = await Promise.all([
      this.client.send(new GetSecretValueCommand({ SecretId: secretId })),
      this.respectRotation
        ? this.client
            .send(new DescribeSecretCommand({ SecretId: secretId }))
            .then((d) => d.NextRotationDate?.getTime())
        : Promise.resolve(undefined),
    ]);
    const text =
      value.SecretString ??
      (value.SecretBinary ? Buffer.from(value.SecretBinary).toString('utf8') : undefined);
    if (text === undefined) throw new Error(`Secret ${secretId} has no value`);
    const ttlExpiry = fetchedAt + this.ttlMs;
    const expiresAt =
      nextRotation !== undefined && nextRotation > fetchedAt ? Math.min(ttlExpiry, nextRotation) : ttlExpiry;
    return { text, expiresAt };
  }
}

let shared: SecretsCache | undefined;

/** The execution environment's cache (created on first use, not at import). */
export function secretsCache(): SecretsCache {
  shared ??= new SecretsCache();
  return shared;
}

export const getSecretString = (secretId: string): Promise<string> => secretsCache().getString(secretId);
export const getSecretJson = <T = Record<string, unknown>>(secretId: string): Promise<T> =>
  secretsCache().getJson<T>(secretId);
export const invalidateSecret = (secretId?: string): void => secretsCache().invalidate(secretId);
export const refreshOnAuthFailure = <T>(
  secretId: string,
  fn: (value: string) => Promise<T>,
  authFailure?: AuthFailurePredicate,
): Promise<T> => secretsCache().refreshOnAuthFailure(secretId, fn, authFailure);
