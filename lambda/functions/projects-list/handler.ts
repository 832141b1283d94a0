import { listProjects } from '../../domain/projects/projects';
import { projectRoutes as routes } from '../../routes/projects';
import { api } from '../../shared/http/api';
import { runtimeReadDeps } from '../../runtime/reads';

export const handler = api(routes.listProjects, async (req) => ({
  status: 200,
  body: await listProjects(runtimeReadDeps(), req.query, { signal: req.signal }),
}));
