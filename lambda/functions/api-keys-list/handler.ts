import { listApiKeys } from '../../domain/api-keys/api-keys';
import { apiKeyRuntimeDeps } from '../../domain/api-keys/runtime';
import { apiKeyRoutes as routes } from '../../routes/api-keys';
import { api } from '../../shared/http/api';

export const handler = api(routes.listApiKeys, async (req) => ({
  status: 200,
  body: await listApiKeys(apiKeyRuntimeDeps(), req.principal, { signal: req.signal }),
}));
