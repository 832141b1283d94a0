import type { Context } from 'aws-lambda';
import type { ApiEvent, Principal, RawParameters } from './types';
import { viewerAddress } from './viewer-address';

/**
 * Per-request state shared by the wrapper's middlewares and handed to the handler function as its
 * `req`. One object per request; methods live on the prototype, so nothing else is allocated.
 *
 * It travels on the event under a symbol key: the Lambda handler Middy calls only receives
 * `(event, context, { signal })`, and a symbol keeps it out of any JSON rendering of the event.
 */
export class RequestState {
  public body: unknown = undefined;
  public query: RawParameters;
  public path: RawParameters;
  public principal: Principal | undefined = undefined;
  public readonly ifMatch: string | undefined;
  public readonly idempotencyKey: string | undefined;
  /** The Lambda context of the invocation. */
  public context: Context;
  /**
   * Epoch milliseconds at which the wrapper gives up and answers 504: the route's budget or the
   * Lambda deadline minus the margin to answer, whichever comes first (set by `deadline.ts`).
   */
  public deadline = Number.POSITIVE_INFINITY;
  /** Created on first use of `signal`: handlers that never do I/O never pay for one. */
  #abort: AbortController | undefined = undefined;
  /** Kept for `viewerIp` (every log line and Cognito's user context data). */
  readonly #event: ApiEvent;
  #viewerIp: string | undefined | null = null;

  constructor(
    public readonly headers: Readonly<Record<string, string | undefined>>,
    public readonly correlationId: string,
    public readonly startedAt: number,
    event: ApiEvent,
    context: Context,
  ) {
    this.query = event.queryStringParameters ?? {};
    this.path = event.pathParameters ?? {};
    this.ifMatch = headers['if-match'];
    this.idempotencyKey = headers['idempotency-key'];
    this.context = context;
    this.#event = event;
  }

  /**
   * The client's IP address as CloudFront saw it (`viewer-address.ts` says which hop and why), or
   * undefined. Computed on first use.
   */
  get viewerIp(): string | undefined {
    if (this.#viewerIp === null) {
      const multi = this.#event.multiValueHeaders?.['x-forwarded-for'];
      const forwardedFor = multi !== undefined ? multi.join(',') : this.headers['x-forwarded-for'];
      this.#viewerIp = viewerAddress(forwardedFor, this.#event.requestContext?.identity?.sourceIp);
    }
    return this.#viewerIp;
  }

  /** Aborted when the request runs out of time: pass it to queries and calls so they are cancelled. */
  get signal(): AbortSignal {
    return (this.#abort ??= new AbortController()).signal;
  }

  /** Cancels whatever listens on `signal` (this request's only: every request has its own). */
  abort(reason: unknown): void {
    this.#abort?.abort(reason);
  }

  /** Milliseconds left before the wrapper answers 504. */
  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }
}

export const REQUEST_STATE: unique symbol = Symbol('rampart.http.request');

export type StatefulEvent = ApiEvent & { [REQUEST_STATE]?: RequestState };

/** The request state, or undefined when the request failed before the state was created. */
export function requestState(event: unknown): RequestState | undefined {
  return (event as StatefulEvent | undefined)?.[REQUEST_STATE];
}
