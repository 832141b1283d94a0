import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ZodMiniType } from 'zod/mini';
import { AppError, type FieldError } from '../errors';
import type { RouteSchemas } from '../route';
import { assertSafePathParameters, sanitizeBody, sanitizeQuery } from '../sanitize';
import { requestState, type StatefulEvent } from './request-state';
import { fieldErrors, PARSE_WITHOUT_LOCALE } from './validation-messages';

export interface ValidateRequestOptions {
  readonly schemas?: RouteSchemas;
  /** Body fields (dotted key paths) sanitized with the rich-text profile instead of plain text. */
  readonly richTextFields?: readonly string[];
}

/** Most field errors one answer lists (the detail still counts them all). */
export const MAX_FIELD_ERRORS = 100;

const defaults: ValidateRequestOptions = { schemas: {}, richTextFields: [] };

function check(schema: ZodMiniType | undefined, part: string, input: unknown, errors: FieldError[]): unknown {
  if (schema === undefined) return input;
  const result = schema.safeParse(input, PARSE_WITHOUT_LOCALE);
  if (result.success) return result.data;
  fieldErrors(part, result.error.issues, input, errors);
  return undefined;
}

/**
 * Step 5: sanitization on the raw input (forbidden keys, traversal, HTML; see `../sanitize`), then
 * zod/mini `safeParse` of path, query and body. All field errors of all parts come back in one 400
 * `VALIDATION_FAILED`, so a client can fix everything at once. Sanitizing first means schema
 * constraints (`minLength`, ...) hold for the value the handler stores, not the value before stripping.
 */
export function validateRequestMiddleware(
  opts: ValidateRequestOptions = {},
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...defaults, ...opts };
  const schemas = options.schemas ?? {};
  const richTextFields: ReadonlySet<string> = new Set(options.richTextFields);

  const validateRequestBefore = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    const state = requestState(request.event);
    if (state === undefined)
      throw new Error('validateRequestMiddleware needs correlationIdMiddleware before it');
    assertSafePathParameters(state.path);
    sanitizeQuery(state.query);
    if (state.body !== undefined) state.body = sanitizeBody(state.body, richTextFields);

    const errors: FieldError[] = [];
    const path = check(schemas.path, 'path', state.path, errors);
    const query = check(schemas.query, 'query', state.query, errors);
    const body = check(schemas.body, 'body', state.body, errors);
    if (errors.length > 0) {
      throw new AppError('VALIDATION_FAILED', {
        detail:
          errors.length === 1
            ? `${errors[0].field} ${errors[0].message}`
            : `${errors.length} fields are invalid`,
        // The first MAX_FIELD_ERRORS only: a body of many unknown keys must not make the answer larger.
        errors: errors.slice(0, MAX_FIELD_ERRORS),
      });
    }
    state.path = path as typeof state.path;
    state.query = query as typeof state.query;
    state.body = body;
  };

  return { before: validateRequestBefore };
}
