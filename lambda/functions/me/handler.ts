import { describeMe } from '../../domain/auth/users';
import { runtimeAuthDeps } from '../../runtime/auth';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

export const handler = api(routes.me, async (req) => ({
  status: 200,
  body: await describeMe(runtimeAuthDeps(), req.principal, { signal: req.signal }),
}));
