import { asc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { RampartEnv } from '../../../../lambda/shared/http/hono';
import type { AppDb } from '../db';
import { customers } from '../schema';
import { readJson, isUniqueViolation } from './input';

const createCustomer = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  email: z.email().check(z.maxLength(320)),
});

/** `/customers`: list, create, read one. */
export function customerRoutes(db: () => AppDb): Hono<RampartEnv> {
  return new Hono<RampartEnv>()
    .get('/', async (c) => {
      const rows = await db().select().from(customers).orderBy(asc(customers.createdAt)).limit(100);
      return c.json({ items: rows });
    })
    .post('/', async (c) => {
      const input = await readJson(c, createCustomer);
      if (input instanceof Response) return input;
      try {
        const [row] = await db().insert(customers).values(input).returning();
        return c.json(row, 201);
      } catch (error) {
        if (isUniqueViolation(error)) return c.json({ error: 'a customer with this email exists' }, 409);
        throw error;
      }
    })
    .get('/:id', async (c) => {
      const id = z.uuid().safeParse(c.req.param('id'));
      if (!id.success) return c.json({ error: 'no such customer' }, 404);
      const [row] = await db().select().from(customers).where(eq(customers.id, id.data));
      return row === undefined ? c.json({ error: 'no such customer' }, 404) : c.json(row);
    });
}
