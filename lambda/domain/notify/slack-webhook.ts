import type { SlackMessage } from './render';

/** Why a post was given up; `retryable` failures are worth a later Lambda retry. */
export class SlackDeliveryError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly attempts: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SlackDeliveryError';
  }
}

export interface PostOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Waits between attempts (tests record instead of waiting). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts in this invocation, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter in [50 %, 100 %]. @default 250 */
  readonly baseDelayMs?: number;
  /** A `Retry-After` (or backoff) longer than this is not waited for: the post fails as retryable. @default 10000 */
  readonly maxDelayMs?: number;
  /** Timeout of one HTTP request. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Random number in [0, 1) for jitter. @default Math.random */
  readonly random?: () => number;
  /** Called before each wait, e.g. to log it. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; status?: number; cause: string }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds (or an HTTP date) in a `Retry-After` header, as milliseconds. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Posts a message to a Slack incoming webhook. 429 waits for `Retry-After`; 5xx, timeouts and
 * network errors back off exponentially; other 4xx (bad payload, revoked webhook) fail at once.
 * Throws {@link SlackDeliveryError} when it gives up.
 */
export async function postToSlack(
  url: string,
  message: SlackMessage,
  options: PostOptions = {},
): Promise<number> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const random = options.random ?? Math.random;
  const body = JSON.stringify(message);
  for (let attempt = 1; ; attempt += 1) {
    let status: number | undefined;
    let cause: string;
    let delayMs: number | undefined;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5_000),
      });
      status = response.status;
      const text = await response.text().catch(() => '');
      if (response.ok) return attempt;
      cause = `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      if (status === 429) {
        delayMs = retryAfterMs(response.headers.get('retry-after'));
      } else if (status < 500) {
        throw new SlackDeliveryError(`Slack refused the message (${cause})`, status, attempt, false);
      }
    } catch (error) {
      if (error instanceof SlackDeliveryError) throw error;
      cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    delayMs ??= Math.round(baseDelayMs * 2 ** (attempt - 1) * (0.5 + random() / 2));
    if (attempt >= maxAttempts) {
      throw new SlackDeliveryError(
        `Slack post failed after ${attempt} attempts (${cause})`,
        status,
        attempt,
        true,
      );
    }
    if (delayMs > maxDelayMs) {
      throw new SlackDeliveryError(
        `Slack asked to wait ${delayMs} ms, more than ${maxDelayMs} ms (${cause})`,
        status,
        attempt,
        true,
      );
    }
    options.onRetry?.({ attempt, delayMs, status, cause });
    await sleep(delayMs);
  }
}
