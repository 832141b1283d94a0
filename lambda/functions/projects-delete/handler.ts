import { deleteProject, versionFromIfMatch } from '../../domain/projects/projects';
import { projectRoutes as routes } from '../../routes/projects';
import { api } from '../../shared/http/api';
import { runtimeProjectDeps } from '../../runtime/projects';

export const handler = api(routes.deleteProject, async (req) => {
  await deleteProject(runtimeProjectDeps(), {
    id: req.path.id,
    // Without an If-Match (absent or blank) the delete is unconditional.
    ...(req.ifMatch?.trim() ? { expectedVersion: versionFromIfMatch(req.ifMatch) } : {}),
  });
  return { status: 204 };
});
