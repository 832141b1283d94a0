import { healthRoutes as routes } from '../../routes/health';
import { api } from '../../shared/http/api';

/** Liveness: answers without touching any dependency. */
export const handler = api(routes.health, () => ({ status: 200, body: { status: 'ok' } }));
