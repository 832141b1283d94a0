import { isAllowed } from './http/authorize';
import type { Principal } from './http/types';
import { mountResourcePath, type MountDefinition, type MountRule, type RouteAccess } from './route';
import { accessResource, globToRegExp, type RouteAccessEntry } from './route-access';

/** A mounted app's rules as the authorizer reads them: one entry per rule and method (`ANY` stays one). */
export function mountAccessEntries(mount: Pick<MountDefinition, 'prefix' | 'rules'>): RouteAccessEntry[] {
  return mount.rules.flatMap((rule) =>
    (rule.methods === 'ANY' ? (['ANY'] as const) : rule.methods).map((method) => ({
      method,
      path: `${mount.prefix}${rule.path}`,
      access: rule.access,
    })),
  );
}

/** True when every rule of the mount is public (its gateway method then has no authorizer). */
export function isPublicMount(mount: Pick<MountDefinition, 'rules'>): boolean {
  return mount.rules.every((rule) => rule.access.public === true);
}

/**
 * The access a mount's gateway method carries: public when every rule is, else the union of its
 * rules' roles and scopes (who may call at least something under the prefix; capacity and API key
 * reach are computed from it).
 */
export function mountAccess(mount: Pick<MountDefinition, 'rules'>): RouteAccess {
  if (isPublicMount(mount)) return { public: true };
  const roles = new Set<string>();
  const scopes = new Set<string>();
  for (const rule of mount.rules) {
    if (rule.access.public === true) continue;
    for (const role of rule.access.roles) roles.add(role);
    for (const scope of rule.access.scopes) scopes.add(scope);
  }
  return { roles: [...roles], scopes: [...scopes] } as RouteAccess;
}

/** What the wrapper decides for one request to a mounted app. */
export type MountDecision = 'allowed' | 'unauthenticated' | 'forbidden';

interface CompiledRule {
  readonly rule: MountRule;
  readonly pattern: RegExp;
}

/**
 * A mount's rules compiled for the wrapper: the same patterns the authorizer's policy is built from
 * (each placeholder spans `/` as IAM's `*` does), so the two never disagree on which rules match.
 */
export class MountAccessRules {
  private readonly compiled: readonly CompiledRule[];

  constructor(mount: Pick<MountDefinition, 'id' | 'prefix' | 'rules'>) {
    if (mount.rules.length === 0) throw new Error(`Mount ${mount.id}: at least one access rule is needed`);
    if (!isPublicMount(mount) && mount.rules.some((rule) => rule.access.public === true)) {
      throw new Error(
        `Mount ${mount.id}: mixes public and protected rules; mount the public part as a mount of its own (its own prefix)`,
      );
    }
    this.compiled = mount.rules.map((rule) => {
      if (!rule.path.startsWith('/'))
        throw new Error(`Mount ${mount.id}: rule path ${rule.path} must start with /`);
      // The method part is matched separately: only the path of the resource pattern is used.
      const resource = accessResource({ method: 'ANY', path: `${mount.prefix}${rule.path}` });
      return { rule, pattern: globToRegExp(resource.slice(1)) };
    });
  }

  /**
   * Allowed when at least one rule matches the method and path and every matching rule allows the
   * caller; `unauthenticated` when a protected rule matches and there is no caller.
   */
  decide(principal: Principal | undefined, method: string, path: string): MountDecision {
    const matching = this.compiled.filter(
      ({ rule, pattern }) =>
        (rule.methods === 'ANY' || (rule.methods as readonly string[]).includes(method)) &&
        pattern.test(path),
    );
    if (matching.length === 0) return 'forbidden';
    if (matching.every(({ rule }) => rule.access.public === true)) return 'allowed';
    if (principal === undefined) return 'unauthenticated';
    return matching.every(({ rule }) => isAllowed(principal, rule.access)) ? 'allowed' : 'forbidden';
  }
}

/**
 * A mount as one gateway method (`ANY {prefix}/{proxy+}`): what capacity, per-route alarms and the
 * dashboard read of a route (id, method, path, access, class, needs, timeout).
 */
export interface MountedMethod {
  readonly id: string;
  readonly method: 'ANY';
  readonly path: string;
  readonly access: RouteAccess;
  readonly capacityClass: MountDefinition['capacityClass'];
  readonly needs?: MountDefinition['needs'];
  readonly timeoutMs?: number;
  readonly bodyLimitBytes?: number;
}

export function mountedMethod(mount: MountDefinition): MountedMethod {
  return {
    id: mount.id,
    method: 'ANY',
    path: mountResourcePath(mount),
    access: mountAccess(mount),
    capacityClass: mount.capacityClass,
    needs: mount.needs,
    timeoutMs: mount.timeoutMs,
    bodyLimitBytes: mount.bodyLimitBytes,
  };
}
