import { createExampleApp } from '../../../examples/hono-app/src/app';
import { appDb, type AppDb } from '../../../examples/hono-app/src/db';
import { shopMounts } from '../../routes/shop';
import { getPool } from '../../shared/db';
import { mountHono } from '../../shared/http/hono';

let db: AppDb | undefined;
/** Drizzle over Rampart's pooled client (RDS Proxy, IAM auth), created on the first query. */
const database = (): AppDb => (db ??= appDb(getPool()));

export const handler = mountHono(shopMounts.shopApp, createExampleApp({ db: database }));
