import { apiKeyIdSchema, createApiKeySchema, usageQuerySchema } from '../domain/api-keys/schemas';
import {
  API_KEY_VIEW_EXAMPLE,
  apiKeyListBody,
  apiKeyUsageBody,
  CREATED_API_KEY_EXAMPLE,
  createdApiKeyBody,
  rotatedApiKeyBody,
} from './responses/api-keys';
import { EXAMPLE_TIME, EXAMPLE_UUID } from './responses/common';
import { defineRoute, type DeclaredRoute } from '../shared/route';

const ANY_ROLE = ['admin', 'editor', 'viewer'] as const;

/** API key management. Part of the route manifest (`lambda/routes/index.ts`). */
export const apiKeyRoutes = {
  createApiKey: defineRoute({
    id: 'createApiKey',
    requestExample: {
      body: {
        name: 'nightly export',
        scopes: ['rampart/read'],
        tier: 'standard',
        expiresAt: '2027-06-30T00:00:00Z',
      },
    },
    summary: 'Create an API key',
    description: 'The secret `key` is in this answer only; Rampart stores its hash.',
    responses: {
      success: {
        201: {
          description: 'Created.',
          body: createdApiKeyBody,
          headers: ['location'],
          optionalHeaders: ['idempotent-replayed'],
          example: CREATED_API_KEY_EXAMPLE,
        },
      },
      errors: ['FORBIDDEN', 'CONFLICT'],
    },
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
    summary: 'List the caller’s API keys',
    responses: {
      success: {
        200: {
          description: 'The keys, newest first.',
          body: apiKeyListBody,
          example: { items: [API_KEY_VIEW_EXAMPLE] },
        },
      },
    },
    needs: ['database'],
    method: 'GET',
    path: '/api/v1/api-keys',
    handler: 'api-keys-list/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    capacityClass: 'read',
  }),
  rotateApiKey: defineRoute({
    id: 'rotateApiKey',
    requestExample: { path: { id: EXAMPLE_UUID } },
    summary: 'Rotate an API key',
    description: 'A new key now; the old one keeps working until `previous.graceEndsAt`.',
    responses: {
      success: {
        201: {
          description: 'The new key (secret shown once) and the old key’s grace period.',
          body: rotatedApiKeyBody,
          headers: ['location'],
          example: { ...CREATED_API_KEY_EXAMPLE, previous: { id: EXAMPLE_UUID, graceEndsAt: EXAMPLE_TIME } },
        },
      },
      errors: ['NOT_FOUND', 'CONFLICT'],
    },
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
    requestExample: { path: { id: EXAMPLE_UUID } },
    summary: 'Revoke an API key',
    responses: { success: { 204: { description: 'Revoked.' } }, errors: ['NOT_FOUND'] },
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
    requestExample: { path: { id: EXAMPLE_UUID }, query: { from: '2026-11-01', to: '2026-11-02' } },
    summary: 'Daily usage of an API key',
    responses: {
      success: {
        200: {
          description: 'Requests counted per day, and the quota left.',
          body: apiKeyUsageBody,
          example: {
            id: EXAMPLE_UUID,
            tier: 'standard',
            from: '2026-11-01',
            to: '2026-11-02',
            days: [
              { date: '2026-11-01', used: 1200, remaining: 98800 },
              { date: '2026-11-02', used: 310, remaining: 98490 },
            ],
          },
        },
      },
      errors: ['NOT_FOUND'],
    },
    needs: ['database', 'apiKeyGateway'],
    method: 'GET',
    path: '/api/v1/api-keys/{id}/usage',
    handler: 'api-keys-usage/handler.ts',
    access: { roles: ANY_ROLE, scopes: [] },
    schemas: { path: apiKeyIdSchema, query: usageQuerySchema },
    capacityClass: 'keyManagement',
  }),
} as const satisfies Record<string, DeclaredRoute>;
