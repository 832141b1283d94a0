import { integer, pgTable, text, timestamp, uuid, bigserial } from 'drizzle-orm/pg-core';

/** Drizzle tables of the example app (migrations/9001_example_app.sql creates them). */
export const customers = pgTable('example_customers', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const ORDER_STATUSES = ['open', 'paid', 'cancelled'] as const;

export const orders = pgTable('example_orders', {
  id: uuid('id').primaryKey().defaultRandom(),
  customerId: uuid('customer_id')
    .notNull()
    .references(() => customers.id, { onDelete: 'cascade' }),
  status: text('status', { enum: ORDER_STATUSES }).notNull().default('open'),
  totalCents: integer('total_cents').notNull(),
  invoicedAt: timestamp('invoiced_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const jobs = pgTable('example_jobs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  kind: text('kind').notNull(),
  orderId: uuid('order_id')
    .notNull()
    .references(() => orders.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  doneAt: timestamp('done_at', { withTimezone: true }),
});
