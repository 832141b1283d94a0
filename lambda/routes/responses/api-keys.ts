import * as z from 'zod/mini';
import { API_KEY_TIERS, SCOPES } from '../../shared/access';
import { EXAMPLE_SUB, EXAMPLE_TIME, EXAMPLE_UUID, timestamp } from './common';

const tier = z.enum(API_KEY_TIERS);
const scopes = z.array(z.enum(SCOPES)).check(z.maxLength(SCOPES.length));
const name = z.string().check(z.maxLength(100));
const prefix = z.string().check(z.maxLength(16));

/** A key as listings return it: never the secret, never the hash (`ApiKeyView`). */
export const apiKeyViewBody = z.strictObject({
  id: z.uuid(),
  name,
  prefix,
  owner: z.string().check(z.maxLength(256)),
  scopes,
  tier,
  status: z.enum(['active', 'grace', 'revoked', 'expired']),
  createdAt: timestamp,
  expiresAt: z.nullable(timestamp),
  graceEndsAt: z.nullable(timestamp),
  revokedAt: z.nullable(timestamp),
  replacedBy: z.nullable(z.uuid()),
  replaces: z.nullable(z.uuid()),
  lastRotatedAt: z.nullable(timestamp),
});

export const apiKeyListBody = z.strictObject({ items: z.array(apiKeyViewBody).check(z.maxLength(100)) });

const createdKeyShape = {
  id: z.uuid(),
  name,
  prefix,
  /** The secret: shown in this answer only (a replay for a repeated Idempotency-Key omits it). */
  key: z.optional(z.string().check(z.maxLength(64))),
  scopes,
  tier,
  expiresAt: z.nullable(timestamp),
};

export const createdApiKeyBody = z.strictObject(createdKeyShape);
export const rotatedApiKeyBody = z.strictObject({
  ...createdKeyShape,
  previous: z.strictObject({ id: z.uuid(), graceEndsAt: timestamp }),
});

export const apiKeyUsageBody = z.strictObject({
  id: z.uuid(),
  tier,
  from: z.iso.date(),
  to: z.iso.date(),
  days: z
    .array(
      z.strictObject({
        date: z.iso.date(),
        used: z.int().check(z.gte(0), z.lte(1_000_000_000)),
        remaining: z.nullable(z.int().check(z.gte(0), z.lte(1_000_000_000))),
      }),
    )
    .check(z.maxLength(366)),
});

export const CREATED_API_KEY_EXAMPLE = {
  id: EXAMPLE_UUID,
  name: 'nightly export',
  prefix: 'rmp_live_7Qx',
  key: 'rmp_live_7QxR2mB9kLwP4sT6vY8zA1cD3eF5gH0j2n4Kq',
  scopes: ['rampart/read'],
  tier: 'standard',
  expiresAt: '2027-06-30T00:00:00.000Z',
};

export const API_KEY_VIEW_EXAMPLE = {
  id: EXAMPLE_UUID,
  name: 'nightly export',
  prefix: 'rmp_live_7Qx',
  owner: EXAMPLE_SUB,
  scopes: ['rampart/read'],
  tier: 'standard',
  status: 'active',
  createdAt: EXAMPLE_TIME,
  expiresAt: '2027-06-30T00:00:00.000Z',
  graceEndsAt: null,
  revokedAt: null,
  replacedBy: null,
  replaces: null,
  lastRotatedAt: null,
};
