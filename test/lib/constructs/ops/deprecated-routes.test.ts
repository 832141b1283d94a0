import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { routes, ROUTES } from '../../../../lambda/routes';
import { deprecatedRoutesDashboardSection } from '../../../../lib/constructs/ops/deprecated-routes';

const api = { stage: { stageName: 'dev' } as Stage, apiName: 'rampart-dev' };

describe('the dashboard section on deprecated routes', () => {
  it('graphs the daily calls of every deprecated route, sunset in the title', () => {
    const deprecated = { ...routes.me, deprecation: { since: '2026-12-01', sunset: '2027-06-30' } };
    const sections = deprecatedRoutesDashboardSection(api, [
      ...ROUTES.filter((route) => route !== routes.me && route.deprecation === undefined),
      deprecated,
    ]);
    expect(sections).toHaveLength(1);
    expect(sections[0].graphs.map((graph) => graph.title)).toEqual(['GET /api/v1/me: sunset 2027-06-30']);
    const metric = sections[0].graphs[0].left[0] as Metric;
    expect({
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      statistic: metric.statistic,
      periodSeconds: metric.period.toSeconds(),
    }).toEqual({
      namespace: 'AWS/ApiGateway',
      metricName: 'Count',
      dimensions: { ApiName: 'rampart-dev', Stage: 'dev', Method: 'GET', Resource: '/api/v1/me' },
      statistic: 'Sum',
      periodSeconds: 86_400,
    });
  });

  it('graphs the deprecated example route of the manifest, GET /whoami', () => {
    const sections = deprecatedRoutesDashboardSection(api, ROUTES);
    expect(sections.flatMap((section) => section.graphs.map((graph) => graph.title))).toEqual([
      'GET /api/v1/whoami: sunset 2027-06-30',
    ]);
  });

  it('is left out while nothing is deprecated', () => {
    expect(
      deprecatedRoutesDashboardSection(
        api,
        ROUTES.filter((route) => route.deprecation === undefined),
      ),
    ).toEqual([]);
  });
});
