import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  CreateGroupCommand,
  paginateListGroups,
  paginateListUsers,
  paginateListUsersInGroup,
  type AttributeType,
  type CognitoIdentityProviderClient,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod/mini';

/**
 * Identities that survive a region: Cognito user pools are regional and cannot be replicated or
 * exported with passwords, so users, groups and API-key ownership are copied on a schedule into
 * `drRegion` (lambda/functions/identity-backup) and imported into the DR pool by the drill
 * runner or the region-failover runbook (`importIdentities`).
 *
 * Import path: AdminCreateUser with the user's attributes and `email_verified`, then group
 * membership, and Cognito's invitation mail with a temporary password (the user sets a new one at
 * the first sign-in: the NEW_PASSWORD_REQUIRED challenge the login route already answers). Not a
 * user import job: its CSV must match the pool's schema, it is uploaded to a pre-signed URL
 * outside the SDK, it sets no group memberships, and its users must go through "forgot password"
 * (RESET_REQUIRED) with a verified address; AdminCreateUser does all of it in one pass per user,
 * with a per-user result, and runs against the local emulator. Its cost: Cognito's AdminCreateUser
 * rate (about 50 per second per pool by default): minutes for tens of thousands of users.
 * Either way, Cognito assigns new `sub`s: the import returns the old-to-new mapping, and
 * `remapOwners` rewrites the database's owner columns with it.
 */

/** Attributes carried over (standard ones the pool defines; `sub` and `email_verified` are handled apart). */
export const CARRIED_ATTRIBUTES = [
  'email',
  'name',
  'given_name',
  'family_name',
  'locale',
  'zoneinfo',
] as const;

const userSchema = z.strictObject({
  username: z.string().check(z.minLength(1)),
  sub: z.string().check(z.minLength(1)),
  attributes: z.record(z.string(), z.string()),
  emailVerified: z.boolean(),
  enabled: z.boolean(),
  status: z.string(),
  groups: z.array(z.string()),
});
const groupSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  precedence: z.optional(z.int()),
});
const apiKeyOwnerSchema = z.strictObject({
  id: z.string(),
  ownerSub: z.string(),
  tier: z.string(),
  status: z.string(),
});

/** One backup: what the import needs, and nothing secret (no password, MFA secret or token exists in it). */
export const identitySnapshotSchema = z.strictObject({
  version: z.literal(1),
  takenAt: z.iso.datetime(),
  userPoolId: z.string(),
  users: z.array(userSchema),
  groups: z.array(groupSchema),
  apiKeyOwners: z.array(apiKeyOwnerSchema),
});
export type IdentitySnapshot = z.infer<typeof identitySnapshotSchema>;
export type BackedUpUser = z.infer<typeof userSchema>;
export type ApiKeyOwner = z.infer<typeof apiKeyOwnerSchema>;

function attributesOf(attributes: readonly AttributeType[] = []): Record<string, string> {
  return Object.fromEntries(
    attributes.filter((a) => a.Name && a.Value !== undefined).map((a) => [a.Name!, a.Value!]),
  );
}

/** Reads the pool's users, groups and memberships, and the database's API-key owners, into one snapshot. */
export async function exportIdentities(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  apiKeyOwners: () => Promise<ApiKeyOwner[]>,
  now: Date,
): Promise<IdentitySnapshot> {
  const groups: IdentitySnapshot['groups'] = [];
  for await (const page of paginateListGroups({ client }, { UserPoolId: userPoolId })) {
    for (const group of page.Groups ?? []) {
      groups.push({
        name: group.GroupName!,
        ...(group.Description ? { description: group.Description } : {}),
        ...(group.Precedence !== undefined ? { precedence: group.Precedence } : {}),
      });
    }
  }
  const membership = new Map<string, string[]>();
  for (const group of groups) {
    for await (const page of paginateListUsersInGroup(
      { client },
      { UserPoolId: userPoolId, GroupName: group.name },
    )) {
      for (const user of page.Users ?? []) {
        membership.set(user.Username!, [...(membership.get(user.Username!) ?? []), group.name]);
      }
    }
  }
  const users: BackedUpUser[] = [];
  for await (const page of paginateListUsers({ client }, { UserPoolId: userPoolId })) {
    for (const user of page.Users ?? ([] as UserType[])) {
      const all = attributesOf(user.Attributes);
      users.push({
        username: user.Username!,
        sub: all.sub ?? user.Username!,
        attributes: Object.fromEntries(
          CARRIED_ATTRIBUTES.filter((name) => all[name] !== undefined).map((name) => [name, all[name]]),
        ),
        emailVerified: all.email_verified === 'true',
        enabled: user.Enabled !== false,
        status: user.UserStatus ?? 'UNKNOWN',
        groups: (membership.get(user.Username!) ?? []).sort(),
      });
    }
  }
  return identitySnapshotSchema.parse({
    version: 1,
    takenAt: now.toISOString(),
    userPoolId,
    users: users.sort((a, b) => a.username.localeCompare(b.username)),
    groups: groups.sort((a, b) => a.name.localeCompare(b.name)),
    apiKeyOwners: await apiKeyOwners(),
  });
}

/** What the import did for one user. */
export type ImportedUser =
  | {
      readonly username: string;
      readonly oldSub: string;
      readonly newSub: string;
      readonly outcome: 'created';
    }
  | {
      readonly username: string;
      readonly oldSub: string;
      readonly outcome: 'exists' | 'failed';
      readonly error: string;
    };

export interface ImportResult {
  readonly users: readonly ImportedUser[];
  /** Old `sub` to new `sub` of every user created: the input of `remapOwners`. */
  readonly subs: Readonly<Record<string, string>>;
  readonly groupsCreated: readonly string[];
}

/**
 * Creates the snapshot's groups and users in the DR pool: each user with its attributes, its
 * verified address and its groups, disabled where it was disabled; Cognito mails each an
 * invitation with a temporary password (`messageAction: 'SUPPRESS'` only for a drill against a
 * pool whose users must not be mailed). A user that already exists is reported, not changed, so
 * the import can be run again after a partial failure.
 */
export async function importIdentities(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  snapshot: IdentitySnapshot,
  options: { readonly messageAction?: 'SUPPRESS' } = {},
): Promise<ImportResult> {
  const groupsCreated: string[] = [];
  // A group the DR pool already has (the standby deploys them) is left as it is.
  const existing = new Set<string>();
  for await (const page of paginateListGroups({ client }, { UserPoolId: userPoolId })) {
    for (const group of page.Groups ?? []) existing.add(group.GroupName!);
  }
  for (const group of snapshot.groups) {
    if (existing.has(group.name)) continue;
    try {
      await client.send(
        new CreateGroupCommand({
          UserPoolId: userPoolId,
          GroupName: group.name,
          Description: group.description,
          Precedence: group.precedence,
        }),
      );
      groupsCreated.push(group.name);
    } catch (error) {
      if ((error as { name?: string }).name !== 'GroupExistsException') throw error;
    }
  }
  const users: ImportedUser[] = [];
  const subs: Record<string, string> = {};
  for (const user of snapshot.users) {
    try {
      // Pools that sign in by email name users by their sub: the new user is created by address.
      const created = await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: user.attributes.email ?? user.username,
          UserAttributes: [
            ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
            ...(user.attributes.email ? [{ Name: 'email_verified', Value: String(user.emailVerified) }] : []),
          ],
          DesiredDeliveryMediums: ['EMAIL'],
          ...(options.messageAction ? { MessageAction: options.messageAction } : {}),
        }),
      );
      const newSub = attributesOf(created.User?.Attributes).sub;
      const username = created.User?.Username;
      if (!newSub || !username) throw new Error('AdminCreateUser returned no sub or user name');
      for (const group of user.groups) {
        await client.send(
          new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
        );
      }
      if (!user.enabled) {
        await client.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: username }));
      }
      subs[user.sub] = newSub;
      users.push({ username: user.username, oldSub: user.sub, newSub, outcome: 'created' });
    } catch (error) {
      const name = (error as { name?: string }).name;
      users.push({
        username: user.username,
        oldSub: user.sub,
        outcome: name === 'UsernameExistsException' ? 'exists' : 'failed',
        error: (error as Error).message,
      });
    }
  }
  return { users, subs, groupsCreated };
}

/** Something that runs SQL (a `pg` client or pool). */
export interface SqlRunner {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null }>;
}

/** The database's columns holding a Cognito `sub`. */
export const OWNER_COLUMNS = [
  { table: 'projects', column: 'owner_sub' },
  { table: 'api_keys', column: 'owner_sub' },
] as const;

/**
 * Rewrites every owner column from old to new `sub` in one statement per column (one transaction
 * when `db` is a client inside one): after it, each user owns in the DR region what they owned
 * before. Returns the rows changed per table.
 */
export async function remapOwners(
  db: SqlRunner,
  subs: Readonly<Record<string, string>>,
): Promise<Record<string, number>> {
  const entries = Object.entries(subs);
  const changed: Record<string, number> = {};
  for (const { table, column } of OWNER_COLUMNS) {
    if (entries.length === 0) {
      changed[table] = 0;
      continue;
    }
    const result = await db.query(
      `UPDATE ${table} t SET ${column} = m.new_sub
         FROM unnest($1::text[], $2::text[]) AS m(old_sub, new_sub)
        WHERE t.${column} = m.old_sub`,
      [entries.map(([old]) => old), entries.map(([, next]) => next)],
    );
    changed[table] = result.rowCount ?? 0;
  }
  return changed;
}

/** API-key owners from the database (the backup function's query; ids and subs only, never hashes). */
export async function readApiKeyOwners(db: {
  query<R extends Record<string, unknown>>(text: string): Promise<{ rows: R[] }>;
}): Promise<ApiKeyOwner[]> {
  const { rows } = await db.query<{ id: string; owner_sub: string; tier: string; status: string }>(
    'SELECT id, owner_sub, tier, status FROM api_keys ORDER BY created_at, id',
  );
  return rows.map((row) => ({
    id: String(row.id),
    ownerSub: row.owner_sub,
    tier: row.tier,
    status: row.status,
  }));
}
