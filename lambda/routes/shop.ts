import { shopCustomerIdSchema } from '../domain/shop/schemas';
import { defineMount, defineRoute, type DeclaredRoute, type MountDefinition } from '../shared/route';
import { EXAMPLE_UUID } from './responses/common';
import { SHOP_CUSTOMER_EXAMPLE, shopCustomerBody } from './responses/shop';

const READERS = { roles: ['admin', 'editor', 'viewer'], scopes: ['rampart/read'] } as const;
const WRITERS = { roles: ['admin', 'editor'], scopes: ['rampart/write'] } as const;
const ADMINS = { roles: ['admin'], scopes: ['rampart/admin'] } as const;

/**
 * The shop: an existing Hono + Drizzle app (examples/hono-app) mounted under `/api/v1/shop`, with
 * access rules per sub-path and method. Part of the route manifest (`lambda/routes/index.ts`).
 */
export const shopMounts = {
  shopApp: defineMount({
    id: 'shopApp',
    prefix: '/api/v1/shop',
    target: { handler: 'shop-app/handler.ts' },
    rules: [
      { methods: ['GET'], path: '/{rest+}', access: READERS },
      { methods: ['POST', 'PATCH'], path: '/{rest+}', access: WRITERS },
      // Narrower than the writers' rule: both match a DELETE, and both must allow it.
      { methods: ['DELETE'], path: '/{rest+}', access: WRITERS },
      { methods: ['DELETE'], path: '/orders/{rest+}', access: ADMINS },
    ],
    needs: ['database'],
    timeoutMs: 8_000,
    bodyLimitBytes: 16_384,
    capacityClass: 'write',
    declaredRoutes: [
      { method: 'GET', path: '/customers', summary: 'List customers' },
      { method: 'POST', path: '/customers', summary: 'Create a customer' },
      {
        method: 'GET',
        path: '/orders',
        summary: 'List orders (filters: status, customerId, min/maxTotalCents, sort, limit)',
      },
      { method: 'POST', path: '/orders', summary: 'Create an order' },
      { method: 'GET', path: '/orders/{id}', summary: 'Read an order' },
      { method: 'PATCH', path: '/orders/{id}', summary: 'Change an order status' },
      { method: 'DELETE', path: '/orders/{id}', summary: 'Delete an order (admins)' },
      { method: 'POST', path: '/orders/{id}/invoice', summary: 'Queue the invoice job of an order' },
      { method: 'GET', path: '/whoami', summary: 'The caller as the app sees it' },
    ],
  }),
} as const satisfies Record<string, MountDefinition>;

/** Endpoints carved out of the shop app into Rampart handlers: they take precedence over the mount. */
export const shopRoutes = {
  getShopCustomer: defineRoute({
    id: 'getShopCustomer',
    requestExample: { path: { id: EXAMPLE_UUID } },
    summary: 'Get a shop customer (carved out of the shop app)',
    responses: {
      success: {
        200: {
          description: 'The customer, as the shop app answered it.',
          body: shopCustomerBody,
          optionalHeaders: ['ratelimit-policy'],
          example: SHOP_CUSTOMER_EXAMPLE,
        },
      },
      errors: ['NOT_FOUND'],
    },
    needs: ['database'],
    method: 'GET',
    path: '/api/v1/shop/customers/{id}',
    handler: 'shop-customers-get/handler.ts',
    access: READERS,
    schemas: { path: shopCustomerIdSchema },
    capacityClass: 'read',
  }),
} as const satisfies Record<string, DeclaredRoute>;
