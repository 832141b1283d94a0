import {
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ROLE_SCOPES, ROLES, type Role, type Scope } from '../../shared/access';
import { knownScopes } from './access-token';

/** Current roles of a user; `undefined` when the user no longer exists. */
export type RoleDirectory = (sub: string) => Promise<readonly Role[] | undefined>;

/** Scopes a set of roles implies (ROLE_SCOPES union, in SCOPES order). */
export function scopesOfRoles(roles: readonly Role[]): Scope[] {
  return knownScopes(roles.flatMap((role) => ROLE_SCOPES[role] ?? []));
}

/**
 * A {@link RoleDirectory} on the Cognito user pool (AdminListGroupsForUser; the authorizer's role is
 * granted it on the pool). With email sign-in the Cognito username is the `sub`.
 */
export function cognitoRoleDirectory(
  cognito: Pick<CognitoIdentityProviderClient, 'send'>,
  userPoolId: string,
): RoleDirectory {
  return async (sub) => {
    const groups = new Set<string>();
    let nextToken: string | undefined;
    try {
      do {
        const page = await cognito.send(
          new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: sub, NextToken: nextToken }),
        );
        for (const group of page.Groups ?? []) if (group.GroupName) groups.add(group.GroupName);
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    } catch (error) {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    }
    return ROLES.filter((role) => groups.has(role));
  };
}

/**
 * {@link cognitoRoleDirectory} on a new client for the pool. `endpoint` is for local mode only
 * (cognito-local). The authorizer loads this module on its first API key; importing the client by
 * name here, instead of `import()`ing the package there, lets the bundler drop the rest of it.
 */
export function poolRoleDirectory(userPoolId: string, endpoint?: string): RoleDirectory {
  return cognitoRoleDirectory(new CognitoIdentityProviderClient(endpoint ? { endpoint } : {}), userPoolId);
}

export interface OwnerScopesCacheOptions {
  /**
   * How long an owner's scopes are reused. Demoting a user reaches their keys within this time
   * plus the API Gateway authorizer cache TTL.
   * @default 300000 (5 minutes)
   */
  readonly ttlMs?: number;
  /** @default 1000 */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Owner scopes for the api-keys lookup (`OwnerScopesResolver`), cached per owner for `ttlMs` so a busy
 * key costs one directory call per owner per TTL, not one per request. Concurrent misses for the same
 * owner share one call; failures are not cached.
 */
export function cachedOwnerScopes(
  directory: RoleDirectory,
  options: OwnerScopesCacheOptions = {},
): (ownerSub: string) => Promise<readonly string[] | undefined> {
  const ttlMs = options.ttlMs ?? 300_000;
  const maxEntries = options.maxEntries ?? 1_000;
  const now = options.now ?? Date.now;
  const cache = new Map<
    string,
    { readonly expiresAt: number; readonly scopes: Promise<Scope[] | undefined> }
  >();
  return (ownerSub) => {
    const time = now();
    const hit = cache.get(ownerSub);
    if (hit !== undefined && hit.expiresAt > time) return hit.scopes;
    if (cache.size >= maxEntries) cache.clear();
    const scopes = directory(ownerSub).then((roles) =>
      roles === undefined ? undefined : scopesOfRoles(roles),
    );
    cache.set(ownerSub, { expiresAt: time + ttlMs, scopes });
    scopes.catch(() => {
      if (cache.get(ownerSub)?.scopes === scopes) cache.delete(ownerSub);
    });
    return scopes;
  };
}
