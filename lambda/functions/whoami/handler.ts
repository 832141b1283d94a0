import { describeMe } from '../../domain/auth/users';
import { runtimeAuthDeps } from '../../runtime/auth';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';

/**
 * `GET /whoami`, the deprecated old name of `GET /me`: the same domain call, wrapped with its own
 * route so that every answer carries `Deprecation`, `Sunset` and `Link` and its calls are counted
 * apart (docs/versioning.md). Deleted from the manifest with this file after the sunset.
 */
export const handler = api(routes.whoami, async (req) => ({
  status: 200,
  body: await describeMe(runtimeAuthDeps(), req.principal, { signal: req.signal }),
}));
