import type { PolicyDocument, Statement } from 'aws-lambda';
import { ROLES, SCOPES } from '../../shared/access';
import { isAllowed } from '../../shared/http/authorize';
import { HTTP_METHODS } from '../../shared/route';
import { accessResource, globToRegExp, type RouteAccessEntry } from '../../shared/route-access';

export { globToRegExp } from '../../shared/route-access';

/** What a caller holds: roles (users) or scopes (machine tokens, API keys), known values only. */
export interface AccessGrant {
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

/** Allowed and explicitly denied resources of one grant, relative to the `arn:...:apiId/stage/` prefix. */
export interface GrantResources {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** False when the grant may call public routes only (its policy then explicitly denies the rest). */
  readonly allowsProtected: boolean;
}

const PATH_PARAMETER = /\{[^}]+\}/g;

/** `GET/api/v1/projects/*`: a route as the tail of an execute-api method ARN (`{param}` -> `*`, `ANY` -> `*`). */
export function routeResource(route: Pick<RouteAccessEntry, 'method' | 'path'>): string {
  return accessResource(route);
}

/** The ARN tails concrete calls of the entry have (each parameter one segment; `ANY`: every method). */
function sampleResources(route: RouteAccessEntry): readonly string[] {
  const path = route.path.replace(PATH_PARAMETER, 'x');
  return route.method === 'ANY'
    ? HTTP_METHODS.map((method) => `${method}${path}`)
    : [`${route.method}${path}`];
}

/**
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/` from the method ARN API Gateway sends
 * (`.../<stage>/<METHOD>/<path>`), or `undefined` for anything else.
 */
export function arnPrefixOf(methodArn: unknown): string | undefined {
  if (typeof methodArn !== 'string' || !methodArn.startsWith('arn:')) return undefined;
  const apiSlash = methodArn.indexOf('/');
  if (apiSlash < 0) return undefined;
  const stageSlash = methodArn.indexOf('/', apiSlash + 1);
  if (stageSlash < 0 || stageSlash === apiSlash + 1) return undefined;
  return methodArn.slice(0, stageSlash + 1);
}

/** Every subset of `values`, each in the order of `values`. */
function subsets<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 0; mask < 1 << values.length; mask += 1) {
    out.push(values.filter((_, index) => (mask & (1 << index)) !== 0));
  }
  return out;
}

/** Cache key of a grant; roles and scopes arrive filtered and in ROLES/SCOPES order. */
export function grantKey(grant: AccessGrant): string {
  return `${grant.roles.join(',')}|${grant.scopes.join(' ')}`;
}

const MAX_CACHED_DOCUMENTS = 256;

/**
 * The authorizer's policies, derived from the route manifest.
 *
 * API Gateway caches an authorizer's answer per credential and reuses it for every route, so a
 * policy must be right for ALL routes, not just the one being called: it allows exactly the routes
 * the grant may call. IAM's `*` spans `/`, so `GET/projects/*` would also match a deeper
 * `GET/projects/{id}/secret`; wherever an allowed pattern matches a denied route, that route gets
 * an explicit Deny (Deny wins). Each grant's resources are computed on first use, proven exact for
 * every route (or a throw), and kept. {@link RoutePolicies.proveExact} does that for every grant at
 * once: synth (the Api stack) and the tests call it, so a manifest without exact policies never
 * deploys, and the authorizer's cold start does not redo the proof (it was most of its init).
 * A grant allowed no protected route gets an explicit Deny for every protected route (API Gateway
 * answers 403).
 */
export class RoutePolicies {
  private readonly byGrant = new Map<string, GrantResources>();
  private readonly documents = new Map<string, PolicyDocument>();

  constructor(private readonly routes: readonly RouteAccessEntry[]) {}

  /**
   * Policies for `routes`, each grant's proven exact: every set of roles (users) and every set of
   * scopes (machine tokens, API keys). Throws, naming the grant and route, when one has none.
   */
  static proveExact(routes: readonly RouteAccessEntry[]): RoutePolicies {
    const policies = new RoutePolicies(routes);
    for (const roles of subsets(ROLES)) policies.resourcesFor({ roles, scopes: [] });
    for (const scopes of subsets(SCOPES)) policies.resourcesFor({ roles: [], scopes });
    return policies;
  }

  /** Allowed and denied resources of a grant (computed once per distinct grant). */
  resourcesFor(grant: AccessGrant): GrantResources {
    const key = grantKey(grant);
    let resources = this.byGrant.get(key);
    if (resources === undefined) {
      resources = this.compute(grant);
      this.byGrant.set(key, resources);
    }
    return resources;
  }

  /** True when the grant may call at least one route that needs credentials. */
  allowsAnyProtectedRoute(grant: AccessGrant): boolean {
    return this.resourcesFor(grant).allowsProtected;
  }

  /** The policy document for a grant under an API stage's ARN prefix (memoized: the warm path allocates nothing). */
  documentFor(arnPrefix: string, grant: AccessGrant): PolicyDocument {
    const memoKey = `${arnPrefix}\n${grantKey(grant)}`;
    const cached = this.documents.get(memoKey);
    if (cached !== undefined) return cached;
    const { allow, deny } = this.resourcesFor(grant);
    const statements: Statement[] = [];
    if (allow.length > 0) {
      statements.push({
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: allow.map((r) => arnPrefix + r),
      });
    }
    if (deny.length > 0) {
      statements.push({
        Effect: 'Deny',
        Action: 'execute-api:Invoke',
        Resource: deny.map((r) => arnPrefix + r),
      });
    }
    const document: PolicyDocument = Object.freeze({ Version: '2012-10-17', Statement: statements });
    if (this.documents.size >= MAX_CACHED_DOCUMENTS) this.documents.clear();
    this.documents.set(memoKey, document);
    return document;
  }

  private compute(grant: AccessGrant): GrantResources {
    const principal = { sub: '', authType: 'user' as const, ...grant };
    const allowedRoutes = this.routes.filter((route) => isAllowed(principal, route.access));
    const deniedRoutes = this.routes.filter((route) => !isAllowed(principal, route.access));
    const allow = unique(allowedRoutes.map(routeResource));
    const allowPatterns = allow.map(globToRegExp);
    const noProtectedAccess = !allowedRoutes.some((route) => route.access.public !== true);
    const deny = unique(
      deniedRoutes
        .filter(
          (route) =>
            noProtectedAccess ||
            sampleResources(route).some((sample) => allowPatterns.some((pattern) => pattern.test(sample))),
        )
        .map(routeResource),
    );
    this.assertExact(grant, allow, deny);
    return { allow, deny, allowsProtected: !noProtectedAccess };
  }

  private assertExact(grant: AccessGrant, allow: readonly string[], deny: readonly string[]): void {
    const principal = { sub: '', authType: 'user' as const, ...grant };
    const allowPatterns = allow.map(globToRegExp);
    const denyPatterns = deny.map(globToRegExp);
    for (const route of this.routes) {
      const expected = isAllowed(principal, route.access);
      const exact = sampleResources(route).every((sample) => {
        const allowed =
          allowPatterns.some((pattern) => pattern.test(sample)) &&
          !denyPatterns.some((pattern) => pattern.test(sample));
        return allowed === expected;
      });
      if (!exact) {
        throw new Error(
          `Route manifest: no exact authorizer policy for grant "${grantKey(grant)}" on ${route.method} ${route.path}; ` +
            'two routes with different access overlap under IAM wildcards. Rename a path segment.',
        );
      }
    }
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
