import * as z from 'zod/mini';
import { PROJECT_STATUSES } from '../../domain/projects/schemas';
import { EXAMPLE_SUB, EXAMPLE_TIME, EXAMPLE_UUID, pageOf, timestamp } from './common';

/** A project as the API returns it (`Project` in lambda/domain/projects/projects.ts). */
export const projectBody = z.strictObject({
  id: z.uuid(),
  name: z.string().check(z.maxLength(200)),
  description: z.nullable(z.string().check(z.maxLength(2000))),
  status: z.enum(PROJECT_STATUSES),
  owner: z.string().check(z.maxLength(256)),
  version: z.int().check(z.gte(1), z.lte(999_999_999)),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const projectPageBody = pageOf(projectBody);

export const PROJECT_EXAMPLE = {
  id: EXAMPLE_UUID,
  name: 'Harbour crane telemetry',
  description: 'Sensor feeds of the east quay cranes',
  status: 'active',
  owner: EXAMPLE_SUB,
  version: 3,
  createdAt: EXAMPLE_TIME,
  updatedAt: '2026-11-20T14:05:12.000Z',
};
