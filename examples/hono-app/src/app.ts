import { Hono } from 'hono';
import type { RampartEnv } from '../../../lambda/shared/http/hono';
import type { AppDb } from './db';
import { customerRoutes } from './routes/customers';
import { orderRoutes } from './routes/orders';

export interface ExampleAppDeps {
  /** The database, resolved per request (the pool is created on first use, not at import). */
  readonly db: () => AppDb;
}

/**
 * The example app: a small Hono + Drizzle API shaped like the codebase Rampart was built for
 * (resources, a filtered list, a background job), with no authentication, CORS or security headers
 * of its own: Rampart adds them. It reads the caller from `c.get('principal')`.
 */
export function createExampleApp(deps: ExampleAppDeps): Hono<RampartEnv> {
  return new Hono<RampartEnv>()
    .route('/customers', customerRoutes(deps.db))
    .route('/orders', orderRoutes(deps.db))
    .get('/whoami', (c) => {
      const principal = c.get('principal');
      return c.json({
        sub: principal?.sub ?? null,
        roles: principal?.roles ?? [],
        scopes: principal?.scopes ?? [],
        authType: principal?.authType ?? null,
        correlationId: c.get('correlationId'),
        // What a client sent in Rampart's header namespace: the wrapper removes it, so always null.
        clientPrincipalHeader: c.req.header('x-rampart-sub') ?? null,
      });
    });
}
