import * as z from 'zod/mini';
import { EXAMPLE_TIME, timestamp } from './common';

const readinessStatus = z.enum(['ok', 'degraded', 'down']);
const check = z.strictObject({
  status: readinessStatus,
  latencyMs: z.number().check(z.gte(0), z.lte(600_000)),
  detail: z.optional(z.string().check(z.maxLength(500))),
});

export const livenessBody = z.strictObject({ status: z.literal('ok') });
export const readinessBody = z.strictObject({ status: readinessStatus });
export const readinessDetailsBody = z.strictObject({
  status: readinessStatus,
  checkedAt: timestamp,
  checks: z.strictObject({
    database: check,
    queue: z.strictObject({
      ...check.shape,
      deadLetters: z.optional(z.int().check(z.gte(0), z.lte(1_000_000_000))),
    }),
    worker: z.strictObject({ ...check.shape, lastSeen: z.optional(timestamp) }),
  }),
  breakers: z
    .array(
      z.strictObject({
        name: z.string().check(z.maxLength(100)),
        state: z.enum(['closed', 'open', 'halfOpen', 'isolated']),
        retryAfterSeconds: z.int().check(z.gte(0), z.lte(86_400)),
      }),
    )
    .check(z.maxLength(20)),
});

export const READINESS_DETAILS_EXAMPLE = {
  status: 'ok',
  checkedAt: EXAMPLE_TIME,
  checks: {
    database: { status: 'ok', latencyMs: 3 },
    queue: { status: 'ok', latencyMs: 12, deadLetters: 0 },
    worker: { status: 'ok', latencyMs: 0, lastSeen: EXAMPLE_TIME },
  },
  breakers: [{ name: 'database', state: 'closed', retryAfterSeconds: 0 }],
};
