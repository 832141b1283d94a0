import { projectEtag, updateProject, versionFromIfMatch } from '../../domain/projects/projects';
import { projectRoutes as routes } from '../../routes/projects';
import { api } from '../../shared/http/api';
import { runtimeProjectDeps } from '../../runtime/projects';

export const handler = api(routes.updateProject, async (req) => {
  const project = await updateProject(runtimeProjectDeps(), {
    id: req.path.id,
    expectedVersion: versionFromIfMatch(req.ifMatch),
    changes: req.body,
  });
  return { status: 200, body: project, headers: { etag: projectEtag(project) } };
});
