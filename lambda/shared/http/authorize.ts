import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { AppError } from '../errors';
import type { RouteAccess } from '../route';
import { requestState, type StatefulEvent } from './request-state';
import type { AuthType, Principal } from './types';

const AUTH_TYPES: ReadonlySet<string> = new Set<AuthType>(['user', 'client', 'apiKey']);
const LIST_SEPARATOR = /[\s,]+/;
const EMPTY: readonly string[] = Object.freeze([]);

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseList(value: unknown): readonly string[] {
  const text = asString(value);
  if (text === undefined) return EMPTY;
  return text.split(LIST_SEPARATOR).filter((item) => item !== '');
}

/**
 * Rebuilds the caller from the Lambda authorizer context. API Gateway passes context values as
 * strings, so `roles`/`scopes` arrive as comma- or space-separated lists. Anything incomplete (no
 * `sub`, unknown `authType`) is no principal at all: the wrapper then treats the call as anonymous.
 */
export function principalFromAuthorizer(authorizer: unknown): Principal | undefined {
  if (authorizer === null || typeof authorizer !== 'object') return undefined;
  const context = authorizer as Record<string, unknown>;
  const authType = asString(context.authType);
  const apiKeyId = asString(context.apiKeyId);
  const sub = asString(context.sub) ?? (authType === 'apiKey' ? apiKeyId : undefined);
  if (sub === undefined || authType === undefined || !AUTH_TYPES.has(authType)) return undefined;
  if (authType === 'apiKey' && apiKeyId === undefined) return undefined;
  return {
    sub,
    roles: parseList(context.roles),
    scopes: parseList(context.scopes),
    authType: authType as AuthType,
    apiKeyId,
  };
}

/** True when the principal holds any role or any scope the route accepts. */
export function isAllowed(principal: Principal, access: RouteAccess): boolean {
  if (access.public === true) return true;
  for (const role of principal.roles) {
    if ((access.roles as readonly string[]).includes(role)) return true;
  }
  for (const scope of principal.scopes) {
    if ((access.scopes as readonly string[]).includes(scope)) return true;
  }
  return false;
}

export interface AuthorizeOptions {
  readonly access: RouteAccess;
}

/**
 * Step 6 (defense in depth behind the gateway authorizer): 401 `AUTH_REQUIRED` without a principal on
 * a non-public route, 403 `FORBIDDEN` when no role or scope matches.
 *
 * It runs before the body is read: an unauthenticated or unauthorized caller learns nothing about the
 * route's schema from validation errors, and costs no JSON parsing.
 */
export function authorizeMiddleware(
  opts: AuthorizeOptions,
): MiddlewareObj<StatefulEvent, APIGatewayProxyResult> {
  const options = { ...opts };
  const { access } = options;

  const authorizeBefore = (request: Request<StatefulEvent, APIGatewayProxyResult>): void => {
    const principal = principalFromAuthorizer(request.event.requestContext?.authorizer);
    const state = requestState(request.event);
    if (state !== undefined) state.principal = principal;
    if (access.public === true) return;
    if (principal === undefined) {
      throw new AppError('AUTH_REQUIRED', { headers: { 'www-authenticate': 'Bearer' } });
    }
    if (!isAllowed(principal, access)) throw new AppError('FORBIDDEN');
  };

  return { before: authorizeBefore };
}
