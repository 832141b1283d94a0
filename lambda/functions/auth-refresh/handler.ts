import { refreshTokens } from '../../domain/auth/sessions';
import { runtimeAuthDeps } from '../../runtime/auth';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

export const handler = api(routes.refresh, async (req) => ({
  status: 200,
  body: await refreshTokens(runtimeAuthDeps(), req.body, { signal: req.signal, viewerIp: req.viewerIp }),
}));
