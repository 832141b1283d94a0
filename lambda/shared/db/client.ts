import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DependencyBreaker, getBreaker } from '../breaker';
import { logger, metrics as sharedMetrics } from '../powertools';
import { DbAbortedError, describeDbError, isStaleConnectionError, toDependencyError } from './errors';

export interface QueryOptions {
  /**
   * Cancels the statement: on abort the call rejects at once with `TIMEOUT` and the connection
   * under it is closed and dropped from the pool (see `runCancellable` for why).
   */
  readonly signal?: AbortSignal;
  /**
   * Safe to run twice: one retry on a fresh connection when the pooled one turns out dead.
   * @default - true for statements starting with SELECT/SHOW/VALUES, false otherwise
   */
  readonly idempotent?: boolean;
}

/** What domain code depends on: parameterized statements and transactions, nothing else. */
export interface Db {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>>;
  /**
   * Runs `fn` inside BEGIN/COMMIT on one connection (ROLLBACK when it throws). Calling
   * `transaction` on the `tx` handle joins the outer transaction (no savepoints).
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, options?: { readonly signal?: AbortSignal }): Promise<T>;
}

export interface DbOptions {
  readonly pool: Pool;
  /** @default - the shared `database` breaker */
  readonly breaker?: DependencyBreaker;
  /** @default - the function's Powertools metrics instance */
  readonly metrics?: Metrics;
  /** Called when the server rejects our credentials (e.g. to drop a cached secret). */
  readonly onAuthFailure?: () => void;
}

const READ_ONLY = /^\s*(select|show|values)\b/i;

class StatementPhaseError extends Error {
  constructor(readonly original: unknown) {
    super('statement failed');
  }
}

/**
 * The pg-backed `Db`. Every call goes through the circuit breaker; infrastructure failures
 * surface as `AppError` (`DEPENDENCY_UNAVAILABLE` with Retry-After, or `TIMEOUT`), other
 * errors (constraint violations...) unchanged.
 */
export function createDb(options: DbOptions): Db {
  const { pool } = options;
  const breaker = options.breaker ?? getBreaker('database');
  const metrics = options.metrics ?? sharedMetrics;

  async function acquire(signal?: AbortSignal): Promise<PoolClient> {
    if (signal?.aborted) throw new DbAbortedError(signal.reason);
    const started = performance.now();
    const pending = pool.connect();
    let client: PoolClient;
    if (signal) {
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new DbAbortedError(signal.reason));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        client = await Promise.race([pending, aborted]);
      } catch (error) {
        // If the connection arrives after the abort, hand it straight back.
        pending.then(
          (c) => c.release(),
          () => undefined,
        );
        throw error;
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort);
      }
    } else {
      client = await pending;
    }
    metrics.addMetric('DbAcquireTime', MetricUnit.Milliseconds, performance.now() - started);
    metrics.addMetric('DbPoolTotal', MetricUnit.Count, pool.totalCount);
    metrics.addMetric('DbPoolIdle', MetricUnit.Count, pool.idleCount);
    metrics.addMetric('DbPoolWaiting', MetricUnit.Count, pool.waitingCount);
    return client;
  }

  /**
   * Runs one statement; on abort rejects immediately and marks the connection broken so the
   * caller releases it with an error (pg-pool then closes the socket instead of reusing it).
   *
   * Why not a cancel request or `pg_cancel_backend(pid)`: both need a second connection,
   * which doubles the proxy connections of a Lambda with a pool of one, and through RDS Proxy
   * the pid belongs to a multiplexed backend. Closing the socket is the one route that always
   * frees the caller; the server-side statement is bounded by the role's `statement_timeout`
   * and `client_connection_check_interval` (set on the role, never per session).
   */
  function runCancellable<R extends QueryResultRow>(
    client: PoolClient,
    text: string,
    values: readonly unknown[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<QueryResult<R>> {
    const params = values ? [...values] : undefined;
    if (!signal) return client.query<R>(text, params);
    if (signal.aborted) return Promise.reject(new DbAbortedError(signal.reason));
    return new Promise<QueryResult<R>>((resolve, reject) => {
      const onAbort = () => reject(new DbAbortedError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      client
        .query<R>(text, params)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Checks out a connection, keeps the process alive if it dies mid-use, releases it correctly. */
  async function withClient<T>(signal: AbortSignal | undefined, fn: (client: PoolClient) => Promise<T>) {
    const client = await acquire(signal);
    let broken: unknown;
    const onError = (error: unknown) => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (error) {
      const original = error instanceof StatementPhaseError ? error.original : error;
      if (original instanceof DbAbortedError || isStaleConnectionError(original)) broken ??= original;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken ? (broken instanceof Error ? broken : new Error(String(broken))) : undefined);
    }
  }

  /** One retry on a fresh connection when the statement hit a dead pooled socket. */
  async function withStaleRetry<T>(retryable: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof StatementPhaseError) {
        if (retryable && isStaleConnectionError(error.original)) {
          logger.warn('Stale database connection; retrying once on a new one', {
            error: describeDbError(error.original),
          });
          metrics.addMetric('DbStaleConnectionRetry', MetricUnit.Count, 1);
          try {
            return await fn();
          } catch (second) {
            throw second instanceof StatementPhaseError ? second.original : second;
          }
        }
        throw error.original;
      }
      throw error;
    }
  }

  function surface(error: unknown): never {
    const code = (error as { code?: unknown } | null)?.code;
    if ((code === '28P01' || code === '28000') && options.onAuthFailure) options.onAuthFailure();
    throw toDependencyError(error);
  }

  const db: Db = {
    async query<R extends QueryResultRow>(
      text: string,
      values?: readonly unknown[],
      opts: QueryOptions = {},
    ) {
      const retryable = opts.idempotent ?? READ_ONLY.test(text);
      try {
        return await breaker.execute(() =>
          withStaleRetry(retryable, () =>
            withClient(opts.signal, async (client) => {
              try {
                return await runCancellable<R>(client, text, values, opts.signal);
              } catch (error) {
                throw new StatementPhaseError(error);
              }
            }),
          ),
        );
      } catch (error) {
        return surface(error);
      }
    },

    async transaction<T>(fn: (tx: Db) => Promise<T>, opts: { readonly signal?: AbortSignal } = {}) {
      try {
        return await breaker.execute(() =>
          // Only BEGIN is retried: nothing has run yet when it meets a dead socket.
          withStaleRetry(true, () =>
            withClient(opts.signal, async (client) => {
              try {
                await runCancellable(client, 'BEGIN', undefined, opts.signal);
              } catch (error) {
                throw new StatementPhaseError(error);
              }
              const tx: Db = {
                query: (text, values, queryOpts) =>
                  runCancellable(client, text, values, queryOpts?.signal ?? opts.signal),
                transaction: (inner) => inner(tx),
              };
              try {
                const result = await fn(tx);
                await runCancellable(client, 'COMMIT', undefined, opts.signal);
                return result;
              } catch (error) {
                // A dead or cancelled connection is dropped; the server rolls back on disconnect.
                if (!(error instanceof DbAbortedError) && !isStaleConnectionError(error)) {
                  await client.query('ROLLBACK').catch(() => undefined);
                }
                throw error;
              }
            }),
          ),
        );
      } catch (error) {
        return surface(error);
      }
    },
  };
  return db;
}
