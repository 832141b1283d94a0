import { and, asc, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import * as z from 'zod/mini';
import { ORDER_STATUSES, orders } from './schema';

/**
 * The list endpoint's query, query-builder style: each filter is an allow-listed column and
 * operator, never a column name or SQL taken from the request.
 */
export const orderListQuery = z.object({
  status: z.optional(z.enum(ORDER_STATUSES)),
  customerId: z.optional(z.uuid()),
  minTotalCents: z.optional(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(2_147_483_647))),
  maxTotalCents: z.optional(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(2_147_483_647))),
  sort: z._default(z.enum(['createdAt', '-createdAt', 'totalCents', '-totalCents']), '-createdAt'),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
});
export type OrderListQuery = z.output<typeof orderListQuery>;

const SORT_COLUMNS = { createdAt: orders.createdAt, totalCents: orders.totalCents } as const;

/** The WHERE clause of a list query (undefined: no filter). */
export function orderFilter(query: OrderListQuery): SQL | undefined {
  const conditions: SQL[] = [];
  if (query.status !== undefined) conditions.push(eq(orders.status, query.status));
  if (query.customerId !== undefined) conditions.push(eq(orders.customerId, query.customerId));
  if (query.minTotalCents !== undefined) conditions.push(gte(orders.totalCents, query.minTotalCents));
  if (query.maxTotalCents !== undefined) conditions.push(lte(orders.totalCents, query.maxTotalCents));
  return conditions.length === 0 ? undefined : and(...conditions);
}

/** The ORDER BY of a list query, with the id as tie-breaker. */
export function orderSort(query: OrderListQuery): SQL[] {
  const descending = query.sort.startsWith('-');
  const column = SORT_COLUMNS[query.sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS];
  return [descending ? desc(column) : asc(column), asc(orders.id)];
}
