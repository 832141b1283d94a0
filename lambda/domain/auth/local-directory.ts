import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ROLES, type Role } from '../../shared/access';

/** A user to create in a local directory. */
export interface LocalUserSpec {
  readonly email: string;
  readonly password: string;
  readonly roles?: readonly Role[];
  /**
   * `true` creates the user with a temporary password (status FORCE_CHANGE_PASSWORD), so the
   * first login answers with the NEW_PASSWORD_REQUIRED challenge.
   * @default false
   */
  readonly temporaryPassword?: boolean;
}

/** What {@link provisionLocalDirectory} created. */
export interface LocalDirectory {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** email -> sub (the user name Cognito gives email-sign-in users). */
  readonly users: ReadonlyMap<string, string>;
}

/**
 * Builds the same shape of directory the Auth stack deploys (email sign-in, one group per role,
 * a login client WITH a secret and USER_PASSWORD_AUTH, token revocation on) against an emulator
 * such as cognito-local. Used by the tests, the local server and the end-to-end suite; never by a
 * deployed function.
 */
export async function provisionLocalDirectory(
  client: CognitoIdentityProviderClient,
  options: { readonly poolName?: string; readonly users?: readonly LocalUserSpec[] } = {},
): Promise<LocalDirectory> {
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: options.poolName ?? 'rampart-local',
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
    }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (userPoolId === undefined) throw new Error('CreateUserPool returned no pool id');
  for (const [precedence, role] of ROLES.entries()) {
    await client.send(
      new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: role, Precedence: precedence }),
    );
  }
  const created = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'rampart-login',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      EnablePropagateAdditionalUserContextData: true,
    }),
  );
  const clientId = created.UserPoolClient?.ClientId;
  const clientSecret = created.UserPoolClient?.ClientSecret;
  if (clientId === undefined || clientSecret === undefined)
    throw new Error('CreateUserPoolClient returned no secret');
  const users = new Map<string, string>();
  for (const user of options.users ?? []) {
    users.set(user.email, await createLocalUser(client, userPoolId, user));
  }
  return { userPoolId, clientId, clientSecret, users };
}

/** Creates one user (confirmed unless `temporaryPassword`) in its groups; returns its `sub`. */
export async function createLocalUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  user: LocalUserSpec,
): Promise<string> {
  const created = await client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: user.email,
      TemporaryPassword: user.password,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? created.User?.Username;
  if (sub === undefined) throw new Error(`AdminCreateUser returned no sub for ${user.email}`);
  if (user.temporaryPassword !== true) {
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: sub,
        Password: user.password,
        Permanent: true,
      }),
    );
  }
  for (const role of user.roles ?? []) {
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: role }),
    );
  }
  return sub;
}
