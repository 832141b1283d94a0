import { apiKeyIdSchema, createApiKeySchema, usageQuerySchema } from '../domain/api-keys/schemas';
import { defineRoute, type ManifestRoute } from '../shared/route';

const ANY_ROLE = ['admin', 'editor', 'viewer'] as const;

/** API key management. Part of the route manifest (`lambda/routes/index.ts`). */
export const apiKeyRoutes = {
  createApiKey: defineRoute({
    id: 'createApiKey',
    needs: ['database', 'apiKeyGateway'],
    method: 'POST',
    path: '/api/v1/api-keys',
    handler: 'api-keys-create/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { body: createApiKeySchema },
    bodyLimitBytes: 2_048,
    idempotent: true,
    capacityClass: 'keyManagement',
  }),
  listApiKeys: defineRoute({
    id: 'listApiKeys',
    needs: ['database'],
    method: 'GET',
    path: '/api/v1/api-keys',
    handler: 'api-keys-list/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    capacityClass: 'read',
  }),
  rotateApiKey: defineRoute({
    id: 'rotateApiKey',
    needs: ['database', 'apiKeyGateway'],
    method: 'POST',
    path: '/api/v1/api-keys/{id}/rotate',
    handler: 'api-keys-rotate/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { path: apiKeyIdSchema },
    capacityClass: 'keyManagement',
  }),
  revokeApiKey: defineRoute({
    id: 'revokeApiKey',
    needs: ['database', 'apiKeyGateway'],
    method: 'DELETE',
    path: '/api/v1/api-keys/{id}',
    handler: 'api-keys-revoke/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { path: apiKeyIdSchema },
    capacityClass: 'keyManagement',
  }),
  apiKeyUsage: defineRoute({
    id: 'apiKeyUsage',
    needs: ['database', 'apiKeyGateway'],
    method: 'GET',
    path: '/api/v1/api-keys/{id}/usage',
    handler: 'api-keys-usage/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { path: apiKeyIdSchema, query: usageQuerySchema },
    capacityClass: 'keyManagement',
  }),
} as const satisfies Record<string, ManifestRoute>;
