import { listApiKeys } from '../../domain/api-keys/api-keys';
import { systemClock } from '../../domain/events/types';
import { apiKeyRoutes as routes } from '../../routes/api-keys';
import { api } from '../../shared/http/api';
import { runtimeReadDeps } from '../../runtime/reads';

// Listing reads PostgreSQL only: no API Gateway client in this bundle.
export const handler = api(routes.listApiKeys, async (req) => ({
  status: 200,
  body: await listApiKeys({ ...runtimeReadDeps(), clock: systemClock }, req.principal, {
    signal: req.signal,
  }),
}));
