import { healthRoutes as routes } from '../../routes/health';
import { api } from '../../shared/http/api';
import { runtimeReadiness } from '../../runtime/health';

/** Readiness for anyone: only the overall status (details are admin-only at /health/details). */
export const handler = api(routes.healthReady, async () => {
  const { status } = await runtimeReadiness();
  return { status: status === 'down' ? 503 : 200, body: { status } };
});
