import { revokeApiKey } from '../../domain/api-keys/api-keys';
import { apiKeyRuntimeDeps } from '../../runtime/api-keys';
import { apiKeyRoutes as routes } from '../../routes/api-keys';
import { api } from '../../shared/http/api';

export const handler = api(routes.revokeApiKey, async (req) => {
  await revokeApiKey(apiKeyRuntimeDeps(), { caller: req.principal, id: req.path.id, signal: req.signal });
  return { status: 204 };
});
