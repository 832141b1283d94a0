import { healthRoutes as routes } from '../../routes/health';
import { api } from '../../shared/http/api';
import { runtimeReadiness } from '../../runtime/health';

/** Readiness with per-check details and latencies, for admins. */
export const handler = api(routes.healthDetails, async () => {
  const readiness = await runtimeReadiness();
  return { status: readiness.status === 'down' ? 503 : 200, body: readiness };
});
