import * as z from 'zod/mini';
import { EXAMPLE_TIME, EXAMPLE_UUID, timestamp } from './common';

/** A customer of the mounted shop app (`ShopCustomer` in lambda/domain/shop/customers.ts). */
export const shopCustomerBody = z.strictObject({
  id: z.uuid(),
  name: z.string().check(z.maxLength(200)),
  email: z.string().check(z.maxLength(320)),
  createdAt: timestamp,
});

export const SHOP_CUSTOMER_EXAMPLE = {
  id: EXAMPLE_UUID,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  createdAt: EXAMPLE_TIME,
};
