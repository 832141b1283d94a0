import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ROLES, type Role } from '../../shared/access';
import { AppError } from '../../shared/errors';
import type { Principal } from '../../shared/http/types';
import { callCognito, requireUserPoolId, type AuthDependencies } from './dependencies';

type Signal = { readonly signal?: AbortSignal };

/** `GET /me`. */
export interface Me {
  readonly sub: string;
  readonly authType: Principal['authType'];
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly apiKeyId?: string;
  /** Users only, from the directory (access tokens do not carry it). */
  readonly email?: string;
  readonly emailVerified?: boolean;
}

/**
 * `GET /me`: who the gateway says the caller is, plus the email of a user from AdminGetUser (access
 * tokens carry no email; the function's role is granted cognito-idp:AdminGetUser on the pool).
 * Roles and scopes come from the verified token, not the directory, so they describe exactly what
 * this token may do, even if an admin changed the groups since it was issued.
 */
export async function describeMe(
  deps: AuthDependencies,
  principal: Principal,
  { signal }: Signal = {},
): Promise<Me> {
  const me: Me = {
    sub: principal.sub,
    authType: principal.authType,
    roles: principal.roles,
    scopes: principal.scopes,
    ...(principal.apiKeyId === undefined ? {} : { apiKeyId: principal.apiKeyId }),
  };
  if (principal.authType !== 'user') return me;
  const userPoolId = requireUserPoolId(deps);
  let user;
  try {
    user = await callCognito('directory', () =>
      deps.cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: principal.sub }), {
        abortSignal: signal,
      }),
    );
  } catch (error) {
    // A valid token for a user deleted since: the token no longer names anyone.
    if (error instanceof AppError && error.code === 'NOT_FOUND')
      throw new AppError('AUTH_TOKEN_INVALID', { cause: error });
    throw error;
  }
  const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
  const email = attribute('email');
  const verified = attribute('email_verified');
  return {
    ...me,
    ...(email === undefined ? {} : { email }),
    ...(verified === undefined ? {} : { emailVerified: verified === 'true' }),
  };
}

async function currentRoles(
  deps: AuthDependencies,
  userPoolId: string,
  sub: string,
  signal: AbortSignal | undefined,
): Promise<Set<Role>> {
  const roles = new Set<Role>();
  let nextToken: string | undefined;
  do {
    const page = await callCognito('directory', () =>
      deps.cognito.send(
        new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: sub, NextToken: nextToken }),
        { abortSignal: signal },
      ),
    );
    for (const group of page.Groups ?? []) {
      if ((ROLES as readonly string[]).includes(group.GroupName ?? '')) roles.add(group.GroupName as Role);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return roles;
}

/**
 * `PUT /users/{sub}/roles` (admin only): makes the user's role groups exactly `roles` (groups that
 * are not Rampart roles are left alone) and returns the new roles in ROLES order. Refuses (409) an
 * admin removing their own admin role, so an admin cannot lock everyone out by accident. Tokens
 * already issued keep their old `cognito:groups` until they are refreshed.
 */
export async function setUserRoles(
  deps: AuthDependencies,
  actor: Principal,
  sub: string,
  roles: readonly Role[],
  { signal }: Signal = {},
): Promise<{ sub: string; roles: Role[] }> {
  const wanted = new Set(roles);
  if (actor.sub === sub && actor.roles.includes('admin') && !wanted.has('admin')) {
    throw new AppError('CONFLICT', { detail: 'Administrators cannot remove their own admin role' });
  }
  const userPoolId = requireUserPoolId(deps);
  const current = await currentRoles(deps, userPoolId, sub, signal);
  for (const role of ROLES) {
    if (wanted.has(role) && !current.has(role)) {
      await callCognito('directory', () =>
        deps.cognito.send(
          new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: role }),
          {
            abortSignal: signal,
          },
        ),
      );
    } else if (!wanted.has(role) && current.has(role)) {
      await callCognito('directory', () =>
        deps.cognito.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: role }),
          { abortSignal: signal },
        ),
      );
    }
  }
  return { sub, roles: ROLES.filter((role) => wanted.has(role)) };
}
