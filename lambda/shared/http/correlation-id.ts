import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { logger as sharedLogger } from '../powertools';
import { REQUEST_STATE, RequestState, requestState, type StatefulEvent } from './request-state';

/** Accepted inbound ids: short and header-safe, so echoing one can never inject a header or a log field. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CorrelationIdOptions {
  /** Request headers searched in order (lower-case: the header normalizer runs first). */
  readonly headerNames?: readonly string[];
  /** Response header that echoes the id. */
  readonly responseHeader?: string;
  readonly logger?: { appendKeys(attributes: Record<string, unknown>): void };
  readonly generate?: () => string;
}

const defaults: Required<CorrelationIdOptions> = {
  headerNames: ['x-correlation-id', 'x-request-id'],
  responseHeader: 'x-correlation-id',
  logger: sharedLogger,
  generate: randomUUID,
};

/**
 * Step 1 of the wrapper: picks the correlation id (inbound header, else generated), appends it to
 * every log line, creates the per-request state, and echoes the id on every response.
 * Custom because it also owns the request state the later middlewares share.
 */
export function correlationIdMiddleware(
  opts: CorrelationIdOptions = {},
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };

  const correlationIdBefore = (
    request: Request<StatefulEvent, APIGatewayProxyResult, Error, Context>,
  ): void => {
    const event = request.event;
    const headers = (event.headers ??= {});
    let id: string | undefined;
    for (const name of options.headerNames) {
      const candidate = headers[name];
      if (candidate !== undefined && SAFE_ID.test(candidate)) {
        id = candidate;
        break;
      }
    }
    id ??= options.generate();
    options.logger.appendKeys({ correlation_id: id });
    event[REQUEST_STATE] = new RequestState(headers, id, Date.now(), event, request.context);
  };

  const correlationIdAfter = (
    request: Request<StatefulEvent, APIGatewayProxyResult, Error, Context>,
  ): void => {
    const state = requestState(request.event);
    const response = request.response;
    if (state === undefined || response === null || response === undefined) return;
    response.headers ??= {};
    response.headers[options.responseHeader] = state.correlationId;
  };

  return { before: correlationIdBefore, after: correlationIdAfter, onError: correlationIdAfter };
}
