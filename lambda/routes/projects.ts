import {
  createProjectSchema,
  listProjectsQuerySchema,
  projectIdSchema,
  updateProjectSchema,
} from '../domain/projects/schemas';
import { PROJECT_EXAMPLE, projectBody, projectPageBody } from './responses/projects';
import { EXAMPLE_UUID } from './responses/common';
import { defineRoute, type DeclaredRoute } from '../shared/route';

/** The projects resource. Part of the route manifest (`lambda/routes/index.ts`). */
export const projectRoutes = {
  listProjects: defineRoute({
    id: 'listProjects',
    requestExample: { query: { status: 'active', sort: '-updatedAt', limit: '20' } },
    summary: 'List projects',
    description: 'Filtered, sorted and paginated with an opaque cursor.',
    responses: {
      success: {
        200: {
          description: 'A page of projects.',
          body: projectPageBody,
          optionalHeaders: ['ratelimit-policy'],
          example: { items: [PROJECT_EXAMPLE] },
        },
      },
    },
    needs: ['database'],
    method: 'GET',
    path: '/api/v1/projects',
    handler: 'projects-list/handler.ts',
    access: { roles: ['admin', 'editor', 'viewer'], scopes: ['rampart/read'] },
    schemas: { query: listProjectsQuerySchema },
    capacityClass: 'read',
  }),
  getProject: defineRoute({
    id: 'getProject',
    requestExample: { path: { id: EXAMPLE_UUID } },
    summary: 'Get a project',
    responses: {
      success: {
        200: {
          description: 'The project; `ETag` is its version.',
          body: projectBody,
          headers: ['etag'],
          optionalHeaders: ['ratelimit-policy'],
          example: PROJECT_EXAMPLE,
        },
      },
      errors: ['NOT_FOUND'],
    },
    needs: ['database'],
    method: 'GET',
    path: '/api/v1/projects/{id}',
    handler: 'projects-get/handler.ts',
    access: { roles: ['admin', 'editor', 'viewer'], scopes: ['rampart/read'] },
    schemas: { path: projectIdSchema },
    capacityClass: 'read',
  }),
  createProject: defineRoute({
    id: 'createProject',
    requestExample: {
      body: { name: 'Harbour crane telemetry', description: 'Sensor feeds of the east quay cranes' },
    },
    summary: 'Create a project',
    description: 'Send an `Idempotency-Key` to make retries safe: a repeat answers the stored response.',
    responses: {
      success: {
        201: {
          description: 'Created.',
          body: projectBody,
          headers: ['etag', 'location'],
          optionalHeaders: ['idempotent-replayed', 'ratelimit-policy'],
          example: PROJECT_EXAMPLE,
        },
      },
    },
    needs: ['database', 'queueSend'],
    method: 'POST',
    path: '/api/v1/projects',
    handler: 'projects-create/handler.ts',
    access: { roles: ['admin', 'editor'], scopes: ['rampart/write'] },
    schemas: { body: createProjectSchema },
    bodyLimitBytes: 16_384,
    idempotent: true,
    capacityClass: 'write',
  }),
  updateProject: defineRoute({
    id: 'updateProject',
    requestExample: { path: { id: EXAMPLE_UUID }, body: { status: 'archived' } },
    summary: 'Change a project',
    description: 'Conditional: send the `ETag` you read as `If-Match`.',
    responses: {
      success: {
        200: {
          description: 'Changed; the new `ETag`.',
          body: projectBody,
          headers: ['etag'],
          optionalHeaders: ['ratelimit-policy'],
          example: { ...PROJECT_EXAMPLE, version: 4 },
        },
      },
      errors: ['NOT_FOUND'],
    },
    needs: ['database', 'queueSend'],
    method: 'PATCH',
    path: '/api/v1/projects/{id}',
    handler: 'projects-update/handler.ts',
    access: { roles: ['admin', 'editor'], scopes: ['rampart/write'] },
    schemas: { path: projectIdSchema, body: updateProjectSchema },
    bodyLimitBytes: 16_384,
    conditionalUpdate: true,
    capacityClass: 'write',
  }),
  deleteProject: defineRoute({
    id: 'deleteProject',
    requestExample: { path: { id: EXAMPLE_UUID } },
    summary: 'Delete a project',
    description: 'With `If-Match` only if unchanged; without, unconditionally.',
    responses: {
      success: { 204: { description: 'Deleted.', optionalHeaders: ['ratelimit-policy'] } },
      errors: ['NOT_FOUND', 'PRECONDITION_FAILED'],
    },
    needs: ['database', 'queueSend'],
    method: 'DELETE',
    path: '/api/v1/projects/{id}',
    handler: 'projects-delete/handler.ts',
    access: { roles: ['admin'], scopes: ['rampart/admin'] },
    schemas: { path: projectIdSchema },
    capacityClass: 'write',
  }),
} as const satisfies Record<string, DeclaredRoute>;
