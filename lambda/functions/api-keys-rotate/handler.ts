import { rotateApiKey } from '../../domain/api-keys/api-keys';
import { apiKeyRuntimeDeps } from '../../runtime/api-keys';
import { apiKeyRoutes as routes } from '../../routes/api-keys';
import { api } from '../../shared/http/api';

export const handler = api(routes.rotateApiKey, async (req) => {
  const { key, previous } = await rotateApiKey(apiKeyRuntimeDeps(), {
    caller: req.principal,
    id: req.path.id,
    signal: req.signal,
  });
  return { status: 201, body: { ...key, previous }, headers: { location: `/api/v1/api-keys/${key.id}` } };
});
