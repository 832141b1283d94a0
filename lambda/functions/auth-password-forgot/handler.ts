import { forgotPassword } from '../../domain/auth/sessions';
import { runtimeAuthDeps } from '../../runtime/auth';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

export const handler = api(routes.forgotPassword, async (req) => ({
  status: 202,
  body: await forgotPassword(runtimeAuthDeps(), req.body, { signal: req.signal, viewerIp: req.viewerIp }),
}));
