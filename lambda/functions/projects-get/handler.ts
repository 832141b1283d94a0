import { getProject, projectEtag } from '../../domain/projects/projects';
import { routes } from '../../routes';
import { api } from '../../shared/http/api';
import { runtimeProjectDeps } from '../../shared/runtime';

export const handler = api(routes.getProject, async (req) => {
  const project = await getProject(runtimeProjectDeps(), req.path.id, { signal: req.signal });
  return { status: 200, body: project, headers: { etag: projectEtag(project) } };
});
