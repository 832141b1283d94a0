import { listProjects } from '../../domain/projects/projects';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';
import { runtimeProjectDeps } from '../../shared/runtime';

export const handler = api(routes.listProjects, async (req) => ({
  status: 200,
  body: await listProjects(runtimeProjectDeps(), req.query, { signal: req.signal }),
}));
