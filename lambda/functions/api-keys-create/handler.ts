import { createApiKey } from '../../domain/api-keys/api-keys';
import { apiKeyRuntimeDeps } from '../../runtime/api-keys';
import { apiKeyRoutes as routes } from '../../routes/api-keys';
import { api } from '../../shared/http/api';

export const handler = api(routes.createApiKey, async (req) => {
  const { body, replayed } = await createApiKey(apiKeyRuntimeDeps(), {
    caller: req.principal,
    input: req.body,
    idempotencyKey: req.idempotencyKey,
    route: routes.createApiKey.id,
    signal: req.signal,
  });
  return {
    status: 201,
    body,
    headers: {
      location: `/api/v1/api-keys/${body.id}`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  };
});
