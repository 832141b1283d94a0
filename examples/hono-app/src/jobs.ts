import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AppDb } from './db';
import { jobs, orders } from './schema';

/** Queues the invoice job of an order (the app's background work). */
export async function enqueueInvoice(db: AppDb, orderId: string): Promise<number> {
  const [job] = await db.insert(jobs).values({ kind: 'invoice', orderId }).returning({ id: jobs.id });
  return job.id;
}

/**
 * Runs pending jobs, oldest first, each in its own transaction: claims one with `FOR UPDATE SKIP
 * LOCKED` (concurrent runners never take the same job), does it, marks it done. Returns how many ran.
 */
export async function runPendingJobs(db: AppDb, max = 25): Promise<number> {
  let ran = 0;
  while (ran < max) {
    const done = await db.transaction(async (tx) => {
      const [job] = await tx
        .select()
        .from(jobs)
        .where(isNull(jobs.doneAt))
        .orderBy(jobs.id)
        .limit(1)
        .for('update', { skipLocked: true });
      if (job === undefined) return false;
      if (job.kind === 'invoice') {
        await tx
          .update(orders)
          .set({ invoicedAt: sql`now()` })
          .where(and(eq(orders.id, job.orderId), isNull(orders.invoicedAt)));
      }
      await tx
        .update(jobs)
        .set({ doneAt: sql`now()` })
        .where(eq(jobs.id, job.id));
      return true;
    });
    if (!done) break;
    ran += 1;
  }
  return ran;
}
