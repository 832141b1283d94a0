import type { Context } from 'aws-lambda';
import type { ApiEvent, Principal, RawParameters } from './types';

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
  public signal!: AbortSignal;
  public readonly ifMatch: string | undefined;
  public readonly idempotencyKey: string | undefined;
  /** Context with `getRemainingTimeInMillis` bounded by the route timeout (set by the timeout guard). */
  public context: Context;
  /** Milliseconds Middy reserves before the Lambda deadline to send the 504. */
  public timeoutEarlyMs = 0;

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
  }

  remainingMs(): number {
    return Math.max(0, this.context.getRemainingTimeInMillis() - this.timeoutEarlyMs);
  }
}

export const REQUEST_STATE: unique symbol = Symbol('rampart.http.request');

export type StatefulEvent = ApiEvent & { [REQUEST_STATE]?: RequestState };

/** The request state, or undefined when the request failed before the state was created. */
export function requestState(event: unknown): RequestState | undefined {
  return (event as StatefulEvent | undefined)?.[REQUEST_STATE];
}
