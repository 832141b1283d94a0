import { setUserRoles } from '../../domain/auth/users';
import { runtimeAuthDeps } from '../../runtime/auth';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

export const handler = api(routes.setUserRoles, async (req) => ({
  status: 200,
  body: await setUserRoles(runtimeAuthDeps(), req.principal, req.path.sub, req.body.roles, {
    signal: req.signal,
  }),
}));
