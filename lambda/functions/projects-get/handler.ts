import { getProject, projectEtag } from '../../domain/projects/projects';
import { projectRoutes as routes } from '../../routes/projects';
import { api } from '../../shared/http/api';
import { runtimeReadDeps } from '../../runtime/reads';

export const handler = api(routes.getProject, async (req) => {
  const project = await getProject(runtimeReadDeps(), req.path.id, { signal: req.signal });
  return { status: 200, body: project, headers: { etag: projectEtag(project) } };
});
