import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { AppError } from '../errors';
import { DEFAULT_TIMEOUT_MS } from '../route';
import { requestState, type StatefulEvent } from './request-state';

/**
 * Step 7. The timer itself is Middy core's (`timeoutEarlyInMillis` + `timeoutEarlyResponse`): after
 * the `before` stack it races the handler against `context.getRemainingTimeInMillis() -
 * timeoutEarlyInMillis`, aborts the `signal` it passed to the handler, and answers with
 * {@link timeoutEarlyResponse}. This middleware only makes the route's `timeoutMs` bound that race:
 * it hands Middy (and the handler) a context whose remaining time is the smaller of the Lambda's and
 * the route's. It must be the last `before`, so the route budget starts when the handler does.
 */
export interface TimeoutGuardOptions {
  /** The route's handler budget in milliseconds. */
  readonly timeoutMs?: number;
  /** Must equal the `timeoutEarlyInMillis` given to Middy core. */
  readonly timeoutEarlyMs: number;
}

const defaults = { timeoutMs: DEFAULT_TIMEOUT_MS };

/** Middy core's `timeoutEarlyResponse`: throws, so the error handler renders the 504 problem. */
export function timeoutEarlyResponse(): never {
  throw new AppError('TIMEOUT', { detail: 'The request did not complete in time; it was cancelled' });
}

export function timeoutGuardMiddleware(
  opts: TimeoutGuardOptions,
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };
  const { timeoutMs, timeoutEarlyMs } = options;

  const timeoutGuardBefore = (
    request: Request<StatefulEvent, APIGatewayProxyResult, Error, Context>,
  ): void => {
    const lambdaContext = request.context;
    const deadline = Date.now() + timeoutMs + timeoutEarlyMs;
    const lambdaRemaining =
      typeof lambdaContext.getRemainingTimeInMillis === 'function'
        ? lambdaContext.getRemainingTimeInMillis.bind(lambdaContext)
        : () => Number.POSITIVE_INFINITY;
    // The prototype chain keeps every other context field readable without copying them.
    const bounded: Context = Object.create(lambdaContext);
    bounded.getRemainingTimeInMillis = () => Math.min(lambdaRemaining(), deadline - Date.now());
    request.context = bounded;
    const state = requestState(request.event);
    if (state !== undefined) {
      state.context = bounded;
      state.timeoutEarlyMs = timeoutEarlyMs;
    }
  };

  return { before: timeoutGuardBefore };
}
