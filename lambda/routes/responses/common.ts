import * as z from 'zod/mini';

/** Pieces the response schemas of several areas share. */

/** An RFC 3339 timestamp as the API writes it (`Date.prototype.toISOString`, UTC). */
export const timestamp = z.iso.datetime({ offset: true });

/** Opaque pagination cursor; send it back as `?cursor=`. */
export const cursor = z.string().check(z.maxLength(2048));

/** A page of a list: at most 100 items, `nextCursor` while more follow. */
export function pageOf<T extends z.ZodMiniType>(item: T) {
  return z.strictObject({ items: z.array(item).check(z.maxLength(100)), nextCursor: z.optional(cursor) });
}

export const EXAMPLE_TIME = '2026-11-02T09:30:00.000Z';
export const EXAMPLE_UUID = '4f6e2b8c-3d1a-4c5e-9b7f-0a2d6e8c1b34';
export const EXAMPLE_SUB = '8c1b3a2e-5d4f-4e6a-9b0c-7d2e1f3a4b5c';
