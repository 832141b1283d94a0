import * as z from 'zod/mini';
import { API_KEY_TIERS, SCOPES } from '../../shared/access';

/** Request schemas of the API key routes (zod/mini). */

export const createApiKeySchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  /** Must be a subset of the caller's own scopes. */
  scopes: z.array(z.enum(SCOPES)).check(z.minLength(1), z.maxLength(SCOPES.length)),
  tier: z.enum(API_KEY_TIERS),
  /** ISO 8601 timestamp in the future. */
  expiresAt: z.optional(z.iso.datetime({ offset: true })),
});

export const apiKeyIdSchema = z.strictObject({ id: z.uuid() });

export const usageQuerySchema = z.strictObject({
  /** First day (YYYY-MM-DD), default 7 days ago. */
  from: z.optional(z.iso.date()),
  /** Last day (YYYY-MM-DD), default today. */
  to: z.optional(z.iso.date()),
});

export type CreateApiKeyInput = z.output<typeof createApiKeySchema>;
export type UsageQuery = z.output<typeof usageQuerySchema>;
