import type { Db } from '../../shared/db';
import { AppError } from '../../shared/errors';

/** A customer of the mounted shop app, as its own `GET /customers/{id}` answered it. */
export interface ShopCustomer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly createdAt: string;
}

interface ShopCustomerRow {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly created_at: Date;
}

/**
 * One customer, read from the mounted app's table: the first endpoint carved out of the app into a
 * Rampart handler (docs/adopting.md). Same response shape as the app's, so clients see no change.
 */
export async function getShopCustomer(
  deps: { readonly db: Db },
  id: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<ShopCustomer> {
  const { rows } = await deps.db.query<ShopCustomerRow>(
    'SELECT id, name, email, created_at FROM example_customers WHERE id = $1',
    [id],
    options,
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('NOT_FOUND', { detail: 'No customer with this id' });
  return { id: row.id, name: row.name, email: row.email, createdAt: row.created_at.toISOString() };
}
