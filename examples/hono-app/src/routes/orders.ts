import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { RampartEnv } from '../../../../lambda/shared/http/hono';
import type { AppDb } from '../db';
import { orderFilter, orderListQuery, orderSort } from '../filters';
import { enqueueInvoice } from '../jobs';
import { ORDER_STATUSES, orders } from '../schema';
import { readJson } from './input';

const createOrder = z.object({
  customerId: z.uuid(),
  totalCents: z.number().check(z.int(), z.minimum(0), z.maximum(2_147_483_647)),
});
const updateOrder = z.object({ status: z.enum(ORDER_STATUSES) });

/** `/orders`: filtered list, create, read, update status, delete, queue the invoice job. */
export function orderRoutes(db: () => AppDb): Hono<RampartEnv> {
  const orderId = (value: string) => z.uuid().safeParse(value);
  return new Hono<RampartEnv>()
    .get('/', async (c) => {
      const query = orderListQuery.safeParse(c.req.query());
      if (!query.success) return c.json({ error: 'unsupported filter' }, 400);
      const rows = await db()
        .select()
        .from(orders)
        .where(orderFilter(query.data))
        .orderBy(...orderSort(query.data))
        .limit(query.data.limit);
      return c.json({ items: rows });
    })
    .post('/', async (c) => {
      const input = await readJson(c, createOrder);
      if (input instanceof Response) return input;
      try {
        const [row] = await db().insert(orders).values(input).returning();
        return c.json(row, 201);
      } catch (error) {
        if ((error as { cause?: { code?: string } }).cause?.code === '23503') {
          return c.json({ error: 'no such customer' }, 422);
        }
        throw error;
      }
    })
    .get('/:id', async (c) => {
      const id = orderId(c.req.param('id'));
      if (!id.success) return c.json({ error: 'no such order' }, 404);
      const [row] = await db().select().from(orders).where(eq(orders.id, id.data));
      return row === undefined ? c.json({ error: 'no such order' }, 404) : c.json(row);
    })
    .patch('/:id', async (c) => {
      const id = orderId(c.req.param('id'));
      if (!id.success) return c.json({ error: 'no such order' }, 404);
      const input = await readJson(c, updateOrder);
      if (input instanceof Response) return input;
      const [row] = await db().update(orders).set(input).where(eq(orders.id, id.data)).returning();
      return row === undefined ? c.json({ error: 'no such order' }, 404) : c.json(row);
    })
    .delete('/:id', async (c) => {
      const id = orderId(c.req.param('id'));
      if (!id.success) return c.json({ error: 'no such order' }, 404);
      const deleted = await db().delete(orders).where(eq(orders.id, id.data)).returning({ id: orders.id });
      return deleted.length === 0 ? c.json({ error: 'no such order' }, 404) : c.body(null, 204);
    })
    .post('/:id/invoice', async (c) => {
      const id = orderId(c.req.param('id'));
      if (!id.success) return c.json({ error: 'no such order' }, 404);
      const [row] = await db().select({ id: orders.id }).from(orders).where(eq(orders.id, id.data));
      if (row === undefined) return c.json({ error: 'no such order' }, 404);
      const jobId = await enqueueInvoice(db(), row.id);
      return c.json({ jobId }, 202);
    });
}
