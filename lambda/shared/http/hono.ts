import type { APIGatewayProxyResult } from 'aws-lambda';
import { Hono, type MiddlewareHandler } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { MountDefinition } from '../route';
import type { ApiHandler, ApiOptions } from './api';
import { principalFromAuthorizer } from './authorize';
import { mountedApp } from './mount';
import type { Principal } from './types';

/** What `hono/aws-lambda`'s `handle()` passes as the app's `c.env`: the proxy event it was invoked with. */
export interface LambdaBindings {
  readonly event: {
    readonly requestContext?: { readonly authorizer?: unknown } | null;
    readonly headers?: Readonly<Record<string, string | undefined>> | null;
  };
}

/**
 * Context variables a mounted Hono app reads with `c.get(...)`, set by {@link rampartVariables}.
 * The principal comes from the authorizer context API Gateway put on the event (a client cannot
 * write it); the wrapper has already checked the mount's rules for this path and method.
 */
export interface RampartVariables {
  /** The authenticated caller; `undefined` only under a public mount. */
  readonly principal: Principal | undefined;
  /** The request's correlation id (also on every Rampart log line and in the response). */
  readonly correlationId: string;
}

/** The `Env` of a Hono app mounted behind Rampart: `new Hono<RampartEnv>()`. */
export interface RampartEnv {
  Bindings: LambdaBindings;
  Variables: RampartVariables;
}

/**
 * Hono middleware that exposes the principal and correlation id as typed context variables. Use it
 * on the app the handler wraps, before the app's own routes (`lambda/functions/<mount>/handler.ts`).
 */
export function rampartVariables(): MiddlewareHandler<RampartEnv> {
  return async (c, next) => {
    const event = c.env?.event;
    c.set('principal', principalFromAuthorizer(event?.requestContext?.authorizer));
    c.set('correlationId', c.req.header('x-correlation-id') ?? '');
    await next();
  };
}

/**
 * A Hono app mounted behind Rampart: the app's routes under the mount's prefix, the principal as
 * context variables ({@link rampartVariables}), Hono's own AWS Lambda adapter (`hono/aws-lambda`)
 * inside Rampart's wrapper (`mountedApp`). The handler file is `export const handler = mountHono(mount, app)`.
 */
export function mountHono(
  mount: MountDefinition,
  app: Hono<RampartEnv>,
  options: ApiOptions = {},
): ApiHandler {
  const root = new Hono<RampartEnv>().use(rampartVariables()).route(mount.prefix, app);
  const lambda = handle(root);
  // hono's event types and @types/aws-lambda's differ in nullability only; the event is API Gateway's v1.
  return mountedApp(
    mount,
    (event, context) => lambda(event as never, context as never) as Promise<APIGatewayProxyResult>,
    options,
  );
}
