import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { logger as sharedLogger } from '../powertools';
import { classifyError, problemDetails } from './problem';
import { requestState, type StatefulEvent } from './request-state';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemErrorsOptions {
  readonly logger?: Pick<typeof sharedLogger, 'error' | 'warn'>;
}

const defaults = { logger: sharedLogger };

/** Used only if building the problem response itself fails: a fixed body that cannot throw. */
const LAST_RESORT_BODY = JSON.stringify({
  type: 'https://docs.rampart.dev/errors#INTERNAL',
  title: 'Internal error',
  status: 500,
  detail: 'Internal error',
  code: 'INTERNAL',
});

/**
 * Step 9, `use()`d LAST so its onError runs FIRST: every error becomes an RFC 9457
 * `application/problem+json` response with a stable `code`. Unexpected errors are logged (with the
 * correlation id the logger already carries) and answered with a generic 500: no stack, no message.
 * Expected errors that still deserve attention (a value PostgreSQL refused) are logged as warnings.
 *
 * Custom rather than `@middy/http-error-handler`: that one answers with the error's own message as
 * text/plain and knows nothing of our catalogue or of aws-jwt-verify's errors.
 */
export function problemErrorsMiddleware(
  opts: ProblemErrorsOptions = {},
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };
  const { logger } = options;

  const problemErrorsOnError = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    try {
      const error = request.error;
      const classified = classifyError(error);
      if (classified.unexpected) {
        logger.error('Request failed', { code: classified.code, error: error as Error });
      } else if (classified.warning !== undefined) {
        logger.warn('Request refused', { code: classified.code, ...classified.warning });
      }
      const state = requestState(request.event);
      const correlationId = state?.correlationId ?? randomUUID();
      const instance = typeof request.event?.path === 'string' ? request.event.path : undefined;
      const problem = problemDetails(classified, correlationId, instance);
      const headers: Record<string, string> = {};
      if (classified.headers !== undefined) {
        for (const name of Object.keys(classified.headers))
          headers[name.toLowerCase()] = classified.headers[name];
      }
      headers['content-type'] = PROBLEM_CONTENT_TYPE;
      if (classified.retryAfterSeconds !== undefined) {
        headers['retry-after'] = String(Math.max(0, Math.ceil(classified.retryAfterSeconds)));
      }
      if (state === undefined) headers['x-correlation-id'] = correlationId;
      request.response = { statusCode: problem.status, headers, body: JSON.stringify(problem) };
    } catch {
      request.response = {
        statusCode: 500,
        headers: { 'content-type': PROBLEM_CONTENT_TYPE },
        body: LAST_RESORT_BODY,
      };
    }
  };

  return { onError: problemErrorsOnError };
}
