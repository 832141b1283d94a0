import { getApiKeyUsage } from '../../domain/api-keys/api-keys';
import { apiKeyRuntimeDeps } from '../../runtime/api-keys';
import { apiKeyRoutes as routes } from '../../routes/api-keys';
import { api } from '../../shared/http/api';

export const handler = api(routes.apiKeyUsage, async (req) => ({
  status: 200,
  body: await getApiKeyUsage(apiKeyRuntimeDeps(), {
    caller: req.principal,
    id: req.path.id,
    query: req.query,
    signal: req.signal,
  }),
}));
