import {
  createProjectSchema,
  listProjectsQuerySchema,
  projectIdSchema,
  updateProjectSchema,
} from '../domain/projects/schemas';
import { defineRoute, type RouteDefinition } from '../shared/route';

/** The projects resource. Part of the route manifest (`lambda/routes/index.ts`). */
export const projectRoutes = {
  listProjects: defineRoute({
    id: 'listProjects',
    needs: ['database'],
    method: 'GET',
    path: '/api/v1/projects',
    handler: 'projects-list/handler.ts',
    access: { roles: ['admin', 'editor', 'viewer'], scopes: ['rampart/read'] },
    schemas: { query: listProjectsQuerySchema },
  }),
  getProject: defineRoute({
    id: 'getProject',
    needs: ['database'],
    method: 'GET',
    path: '/api/v1/projects/{id}',
    handler: 'projects-get/handler.ts',
    access: { roles: ['admin', 'editor', 'viewer'], scopes: ['rampart/read'] },
    schemas: { path: projectIdSchema },
  }),
  createProject: defineRoute({
    id: 'createProject',
    needs: ['database', 'queueSend'],
    method: 'POST',
    path: '/api/v1/projects',
    handler: 'projects-create/handler.ts',
    access: { roles: ['admin', 'editor'], scopes: ['rampart/write'] },
    schemas: { body: createProjectSchema },
    bodyLimitBytes: 16_384,
    idempotent: true,
    throttle: { rateLimit: 20, burstLimit: 40 },
  }),
  updateProject: defineRoute({
    id: 'updateProject',
    needs: ['database', 'queueSend'],
    method: 'PATCH',
    path: '/api/v1/projects/{id}',
    handler: 'projects-update/handler.ts',
    access: { roles: ['admin', 'editor'], scopes: ['rampart/write'] },
    schemas: { path: projectIdSchema, body: updateProjectSchema },
    bodyLimitBytes: 16_384,
    conditionalUpdate: true,
  }),
  deleteProject: defineRoute({
    id: 'deleteProject',
    needs: ['database', 'queueSend'],
    method: 'DELETE',
    path: '/api/v1/projects/{id}',
    handler: 'projects-delete/handler.ts',
    access: { roles: ['admin'], scopes: ['rampart/admin'] },
    schemas: { path: projectIdSchema },
  }),
} as const satisfies Record<string, RouteDefinition>;
