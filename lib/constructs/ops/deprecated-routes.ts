import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { RouteDefinition } from '../../../lambda/shared/route';
import { routeMetric } from './component-alarms';
import type { DashboardSection } from './ops-dashboard';

/**
 * The ops dashboard's "Deprecated routes" section: calls per day of each deprecated route (API
 * Gateway's per-method `Count`), its sunset in the title, so the team sees who still has to move
 * before a route can go (docs/versioning.md). No section while nothing is deprecated.
 */
export function deprecatedRoutesDashboardSection(
  api: { readonly stage: Stage; readonly apiName: string },
  routes: readonly RouteDefinition[],
): DashboardSection[] {
  const deprecated = routes.filter((route) => route.deprecation !== undefined);
  if (deprecated.length === 0) return [];
  return [
    {
      title: 'Deprecated routes (calls per day; callers by principal in the access logs)',
      graphs: deprecated.map((route) => ({
        title: `${route.method} ${route.path}: sunset ${route.deprecation?.sunset ?? ''}`,
        left: [routeMetric(api, route, 'Count', 'Sum', Duration.days(1))],
      })),
    },
  ];
}
