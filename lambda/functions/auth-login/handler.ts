import { login } from '../../domain/auth/sessions';
import { runtimeAuthDeps } from '../../runtime/auth';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

export const handler = api(routes.login, async (req) => ({
  status: 200,
  body: await login(runtimeAuthDeps(), req.body, { signal: req.signal, viewerIp: req.viewerIp }),
}));
