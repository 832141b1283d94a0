import { createProject } from '../../domain/projects/projects';
import { projectRoutes as routes } from '../../routes/projects';
import { api } from '../../shared/http/api';
import { runtimeProjectDeps } from '../../runtime/projects';

export const handler = api(routes.createProject, async (req) => {
  const { project, etag, replayed } = await createProject(runtimeProjectDeps(), {
    principal: req.principal.sub,
    input: req.body,
    idempotencyKey: req.idempotencyKey,
    route: routes.createProject.id,
  });
  return {
    status: 201,
    body: project,
    headers: {
      etag,
      location: `/api/v1/projects/${project.id}`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  };
});
