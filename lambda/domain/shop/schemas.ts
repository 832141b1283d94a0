import * as z from 'zod/mini';

/** Path of the carved-out `GET /api/v1/shop/customers/{id}`. */
export const shopCustomerIdSchema = z.strictObject({ id: z.uuid() });
