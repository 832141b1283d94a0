import { listApiKeys } from '../../domain/api-keys/api-keys';
import { apiKeyRuntimeDeps } from '../../domain/api-keys/runtime';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

export const handler = api(routes.listApiKeys, async (req) => ({
  status: 200,
  body: await listApiKeys(apiKeyRuntimeDeps(), req.principal, { signal: req.signal }),
}));
