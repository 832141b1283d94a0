import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { AppError } from '../errors';
import { DEFAULT_BODY_LIMIT_BYTES } from '../route';
import { requestState, type StatefulEvent } from './request-state';

/** `application/json` and `application/<anything>+json`, with optional parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json[\t ]*(?:;|$)/i;

/** Decoded size of a base64 string, without decoding it. */
export function base64DecodedLength(value: string): number {
  let length = value.length;
  while (length > 0 && (value.charCodeAt(length - 1) === 61 /* = */ || value.charCodeAt(length - 1) <= 32)) {
    length--;
  }
  return Math.floor((length * 3) / 4);
}

/** Byte length of the body as sent, cheap for the common case. */
export function bodyByteLength(body: string, isBase64Encoded: boolean): number {
  if (isBase64Encoded) return base64DecodedLength(body);
  return Buffer.byteLength(body, 'utf8');
}

export interface JsonBodyOptions {
  /** Largest accepted body in bytes (decoded size for base64 bodies). */
  readonly limitBytes?: number;
  /** False for routes without a body schema: any body is then rejected instead of parsed. */
  readonly acceptsBody?: boolean;
}

const defaults = { limitBytes: DEFAULT_BODY_LIMIT_BYTES, acceptsBody: true };

/**
 * Step 4: body size guard (413) before any parsing, media type check (415), JSON parse (400
 * `MALFORMED_JSON`). The parsed value goes to the request state untouched, for sanitization.
 *
 * Not `@middy/http-json-body-parser`: it answers malformed JSON with 415 (not 400), requires a body
 * even when the schema makes it optional, has no size guard, and replaces `event.body`.
 */
export function jsonBodyMiddleware(
  opts: JsonBodyOptions = {},
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };
  const { limitBytes, acceptsBody } = options;
  // Below this many UTF-16 code units a body cannot exceed the limit (3 UTF-8 bytes per unit at most).
  const certainlySmall = Math.floor(limitBytes / 3);

  const jsonBodyBefore = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    const event = request.event;
    const raw = event.body;
    if (raw === null || raw === undefined || raw === '') return;
    const isBase64 = event.isBase64Encoded === true;
    if (raw.length > certainlySmall && bodyByteLength(raw, isBase64) > limitBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', {
        detail: `The request body must not exceed ${limitBytes} bytes`,
      });
    }
    if (!acceptsBody) {
      throw new AppError('VALIDATION_FAILED', {
        detail: 'This operation takes no request body',
        errors: [{ field: 'body', message: 'must be empty' }],
      });
    }
    const contentType = event.headers?.['content-type'];
    if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    }
    const text = isBase64 ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The parser's message quotes the input: never echo it.
      throw new AppError('MALFORMED_JSON');
    }
    const state = requestState(event);
    if (state !== undefined) state.body = parsed;
  };

  return { before: jsonBodyBefore };
}
