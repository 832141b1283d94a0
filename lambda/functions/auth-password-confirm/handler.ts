import { confirmForgotPassword } from '../../domain/auth/sessions';
import { runtimeAuthDeps } from '../../runtime/auth';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

export const handler = api(routes.confirmPassword, async (req) => {
  await confirmForgotPassword(runtimeAuthDeps(), req.body, { signal: req.signal, viewerIp: req.viewerIp });
  return { status: 204 };
});
