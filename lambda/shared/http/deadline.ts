import type { Context } from 'aws-lambda';
import { AppError } from '../errors';
import type { RequestState } from './request-state';

/**
 * Step 9, the timeout guard. The handler races a timer set for the request's deadline: the
 * route's `timeoutMs` from when the handler starts, or the Lambda deadline minus `timeoutEarlyMs`
 * (time to send the answer), whichever comes first. When the timer wins, the request's signal is
 * aborted (cancelling the in-flight query) and the wrapper answers 504 `TIMEOUT`, whether or not
 * the handler honours the signal.
 *
 * Custom instead of Middy core's `timeoutEarlyInMillis`: that race, with the context wrapper it
 * needed for the route budget, cost ~14 µs of the wrapper's per-request overhead (`npm run bench`,
 * docs/performance.md), and it shares one AbortController across the process, so one request's
 * timeout would cancel a concurrent request's query (local server, Lambda's multi-concurrency
 * mode). Here every request has its own, created only when the handler asks for the signal.
 */
export function startDeadline(
  state: RequestState,
  context: Context,
  timeoutMs: number,
  timeoutEarlyMs: number,
): void {
  const now = Date.now();
  const routeDeadline = now + timeoutMs;
  state.deadline =
    typeof context.getRemainingTimeInMillis === 'function'
      ? Math.min(routeDeadline, now + context.getRemainingTimeInMillis() - timeoutEarlyMs)
      : routeDeadline;
}

/** The error the wrapper answers with when the deadline passes (504 problem). */
export function timeoutError(): AppError {
  return new AppError('TIMEOUT', { detail: 'The request did not complete in time; it was cancelled' });
}

/**
 * Settles as `work` does, or rejects with {@link timeoutError} at `state.deadline`, aborting the
 * request's signal first. The timer is cleared as soon as `work` settles.
 */
export function raceDeadline<T>(work: Promise<T>, state: RequestState): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = timeoutError();
      state.abort(error);
      reject(error);
    }, state.remainingMs());
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
