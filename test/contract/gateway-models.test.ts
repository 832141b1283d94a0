import Ajv2020 from 'ajv/dist/2020';
import AjvDraft4 from 'ajv-draft-04';
import { ROUTES } from '../../lambda/routes';
import { jsonSchemaOf } from '../../lib/constructs/api/secure-rest-api';
import { openApiSchemaOf } from '../../scripts/openapi/document';
import { apiTemplate } from '../support/api-template';

/**
 * The edge (API Gateway request models) and the handler (zod) validate from one source: each
 * route's body schema. The deployed model must be exactly the draft-4 rendering of the route's zod
 * schema, and the edge model and the OpenAPI document must agree on every sample body.
 */
const bodyRoutes = ROUTES.filter((route) => route.schemas?.body !== undefined);
const models = Object.values(apiTemplate('dev').Resources).filter(
  (resource) => resource.Type === 'AWS::ApiGateway::Model',
);

function modelOf(method: string, routePath: string): Record<string, unknown> {
  const found = models.find(
    (model) => model.Properties?.Description === `Request body of ${method} ${routePath}`,
  );
  if (found === undefined) throw new Error(`no API Gateway model for ${method} ${routePath}`);
  return found.Properties?.Schema as Record<string, unknown>;
}

/** Bodies every route is tried with: the example, its fields dropped, retyped, extended or oversized. */
function sampleBodies(example: Record<string, unknown>): unknown[] {
  const samples: unknown[] = [example, {}, null, [], 'text', 42, { ...example, unexpected: true }];
  for (const key of Object.keys(example)) {
    const { [key]: _dropped, ...rest } = example;
    samples.push(
      rest,
      { ...example, [key]: 7 },
      { ...example, [key]: 'x'.repeat(20_000) },
      { ...example, [key]: null },
    );
  }
  return samples;
}

describe('API Gateway request models come from the manifest’s schemas', () => {
  it('every route with a body has exactly one model, and no other model exists', () => {
    expect(models).toHaveLength(bodyRoutes.length);
  });

  it.each(bodyRoutes.map((route) => [route.id, route] as const))(
    '%s: the deployed model is the route schema, and edge and OpenAPI accept the same bodies',
    (_id, route) => {
      const model = modelOf(route.method, route.path);
      // CDK writes JsonSchema's `schema` as `$schema`.
      const { schema, ...rest } = jsonSchemaOf(route.schemas!.body!);
      expect(model).toEqual({ $schema: schema, ...rest });
      const edge = new AjvDraft4({ strict: false }).compile(model);
      const documented = new Ajv2020({ strict: false }).compile(
        openApiSchemaOf(route.schemas!.body!, 'input'),
      );
      for (const body of sampleBodies(route.requestExample?.body as Record<string, unknown>)) {
        expect({ body, documented: documented(body) }).toEqual({ body, documented: edge(body) });
      }
    },
  );
});
