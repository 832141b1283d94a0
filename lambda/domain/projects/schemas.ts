import * as z from 'zod/mini';

/** Request schemas of the projects routes (zod/mini: small enough for Lambda bundles). */

export const PROJECT_STATUSES = ['draft', 'active', 'archived'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const description = z.nullable(z.string().check(z.maxLength(2000)));
const status = z.enum(PROJECT_STATUSES);

export const createProjectSchema = z.strictObject({
  name,
  description: z.optional(description),
  status: z.optional(status),
});
export type CreateProjectInput = z.infer<typeof createProjectSchema>;

export const updateProjectSchema = z
  .strictObject({
    name: z.optional(name),
    description: z.optional(description),
    status: z.optional(status),
  })
  .check(
    z.refine((body) => Object.values(body).some((v) => v !== undefined), {
      message: 'Give at least one of name, description, status',
    }),
  );
export type UpdateProjectInput = z.infer<typeof updateProjectSchema>;

/** Sort values accepted in `?sort=`: a field, `-` prefix for descending. */
export const PROJECT_SORTS = ['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'] as const;

/** Query string of `GET /projects` (API Gateway gives strings). */
export const listProjectsQuerySchema = z.strictObject({
  status: z.optional(status),
  owner: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  namePrefix: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  sort: z.optional(z.enum(PROJECT_SORTS)),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
  limit: z.optional(z.string().check(z.maxLength(6), z.regex(/^\d{1,6}$/))),
});
export type ListProjectsQuery = z.infer<typeof listProjectsQuerySchema>;

export const projectIdSchema = z.strictObject({ id: z.uuid() });
