import {
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  exportIdentities,
  identitySnapshotSchema,
  importIdentities,
  readApiKeyOwners,
  remapOwners,
  type IdentitySnapshot,
} from '../../../../lambda/domain/auth/identity-backup';
import { provisionLocalDirectory } from '../../../../lambda/domain/auth/local-directory';
import { backUpIdentities, snapshotKey } from '../../../../lambda/runtime/identity-backup';
import { startCognitoLocal, type CognitoLocal } from '../../../support/cognito-local';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

// Export and import run against cognito-local (a real Cognito API emulator); S3 has no local peer
// here, so its two writes are mocked and asserted exactly. Owner remapping runs on real PostgreSQL.
let cognito: CognitoLocal;
let database: TestDatabase;
const NOW = new Date('2026-12-04T17:00:00.000Z');
const owners = async () => [
  { id: 'key-1', ownerSub: cognito.users.get('editor@example.com')!, tier: 'standard', status: 'active' },
];

beforeAll(async () => {
  cognito = await startCognitoLocal({
    users: [
      { email: 'admin@example.com', password: 'Admin-Pass-1!', roles: ['admin'] },
      { email: 'editor@example.com', password: 'Editor-Pass-1!', roles: ['editor', 'viewer'] },
      { email: 'gone@example.com', password: 'Gone-Pass-1!', roles: ['viewer'] },
    ],
  });
  await cognito.client.send(
    new AdminDisableUserCommand({
      UserPoolId: cognito.userPoolId,
      Username: cognito.users.get('gone@example.com')!,
    }),
  );
  database = await startTestDatabase();
}, 60_000);
afterAll(async () => {
  await cognito.stop();
  await database.stop();
});

describe('exportIdentities', () => {
  it('captures every user with attributes, verification, state and groups, the groups, and the API-key owners', async () => {
    const snapshot = await exportIdentities(cognito.client, cognito.userPoolId, owners, NOW);

    expect(identitySnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot.takenAt).toBe('2026-12-04T17:00:00.000Z');
    expect(snapshot.groups.map((g) => g.name)).toEqual(['admin', 'editor', 'viewer']);
    const byEmail = Object.fromEntries(snapshot.users.map((u) => [u.attributes.email, u]));
    expect(byEmail['editor@example.com']).toEqual({
      username: cognito.users.get('editor@example.com'),
      sub: cognito.users.get('editor@example.com'),
      attributes: { email: 'editor@example.com' },
      emailVerified: true,
      enabled: true,
      status: 'CONFIRMED',
      groups: ['editor', 'viewer'],
    });
    expect(byEmail['gone@example.com']).toMatchObject({ enabled: false, groups: ['viewer'] });
    expect(snapshot.apiKeyOwners).toEqual(await owners());
    // Nothing secret travels: no password, no temporary password, no MFA secret.
    expect(JSON.stringify(snapshot)).not.toMatch(/Pass-1!|password|secret/i);
  });
});

describe('importIdentities into the DR pool', () => {
  let snapshot: IdentitySnapshot;
  let drPoolId: string;

  beforeAll(async () => {
    snapshot = await exportIdentities(cognito.client, cognito.userPoolId, owners, NOW);
    // The DR pool as the standby deploys it: the same groups, no users.
    drPoolId = (await provisionLocalDirectory(cognito.client, { poolName: 'rampart-dr' })).userPoolId;
  });

  it('creates each user with a temporary password, its verified address, its groups and its state; new subs are mapped', async () => {
    const result = await importIdentities(cognito.client, drPoolId, snapshot, { messageAction: 'SUPPRESS' });

    expect(result.groupsCreated).toEqual([]); // the DR pool had them
    expect(result.users.map((u) => u.outcome)).toEqual(['created', 'created', 'created']);
    expect(Object.keys(result.subs).sort()).toEqual(snapshot.users.map((u) => u.sub).sort());
    for (const user of snapshot.users) {
      const newSub = result.subs[user.sub];
      expect(newSub).not.toBe(user.sub); // Cognito assigns its own
      const got = await cognito.client.send(
        new AdminGetUserCommand({ UserPoolId: drPoolId, Username: newSub }),
      );
      expect({
        email: got.UserAttributes?.find((a) => a.Name === 'email')?.Value,
        verified: got.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value,
        enabled: got.Enabled,
        status: got.UserStatus,
      }).toEqual({
        email: user.attributes.email,
        verified: 'true',
        enabled: user.enabled,
        status: 'FORCE_CHANGE_PASSWORD',
      });
      const groups = await cognito.client.send(
        new AdminListGroupsForUserCommand({ UserPoolId: drPoolId, Username: newSub }),
      );
      expect((groups.Groups ?? []).map((g) => g.GroupName).sort()).toEqual(user.groups);
    }
  });

  it('can be run again after a partial import: existing users are reported, not changed', async () => {
    const again = await importIdentities(cognito.client, drPoolId, snapshot, { messageAction: 'SUPPRESS' });

    expect(again.users.map((u) => u.outcome)).toEqual(['exists', 'exists', 'exists']);
    expect(again.subs).toEqual({});
  });

  it('creates the groups a fresh pool lacks', async () => {
    const bare = await cognito.client.send(
      new (await import('@aws-sdk/client-cognito-identity-provider')).CreateUserPoolCommand({
        PoolName: 'bare',
        UsernameAttributes: ['email'],
      }),
    );
    const result = await importIdentities(cognito.client, bare.UserPool!.Id!, snapshot, {
      messageAction: 'SUPPRESS',
    });

    expect(result.groupsCreated).toEqual(['admin', 'editor', 'viewer']);
    expect(result.users.every((u) => u.outcome === 'created')).toBe(true);
  });
});

describe('remapOwners', () => {
  it('moves every project and API key from the old sub to the new one, and nothing else', async () => {
    await database.pool.query(
      `INSERT INTO projects (name, owner_sub) VALUES ('a', 'old-1'), ('b', 'old-1'), ('c', 'someone-else')`,
    );
    await database.pool.query(
      `INSERT INTO api_keys (id, owner_sub, name, prefix, key_hash, scopes, tier, api_gateway_key_id, usage_identifier, created_at)
       VALUES ('00000000-0000-4000-8000-000000000001', 'old-2', 'k', 'rk_abcd', repeat('a', 64), '{projects:read}',
               'standard', 'gw-1', repeat('u', 24), now())`,
    );

    const changed = await remapOwners(database.pool as never, { 'old-1': 'new-1', 'old-2': 'new-2' });

    expect(changed).toEqual({ projects: 2, api_keys: 1 });
    const { rows } = await database.pool.query<{ owner_sub: string }>(
      'SELECT owner_sub FROM projects ORDER BY name',
    );
    expect(rows.map((r) => r.owner_sub)).toEqual(['new-1', 'new-1', 'someone-else']);
    expect(await readApiKeyOwners(database.pool)).toEqual([
      { id: '00000000-0000-4000-8000-000000000001', ownerSub: 'new-2', tier: 'standard', status: 'active' },
    ]);
  });
});

describe('backUpIdentities', () => {
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());

  it('writes the snapshot under its time and as latest.json, into the DR bucket', async () => {
    s3.on(PutObjectCommand).resolves({});

    const snapshot = await backUpIdentities(
      {
        cognito: cognito.client,
        s3: new S3Client({ region: 'eu-west-2' }),
        userPoolId: cognito.userPoolId,
        bucketName: 'rampart-prod-identities-333333333333-eu-west-2',
        apiKeyOwners: owners,
      },
      NOW,
    );

    const body = JSON.stringify(snapshot);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: 'rampart-prod-identities-333333333333-eu-west-2',
        Key: 'identities/2026-12-04T17-00-00-000Z.json',
        Body: body,
        ContentType: 'application/json',
      },
      {
        Bucket: 'rampart-prod-identities-333333333333-eu-west-2',
        Key: 'identities/latest.json',
        Body: body,
        ContentType: 'application/json',
      },
    ]);
    expect(snapshotKey(snapshot.takenAt)).toBe('identities/2026-12-04T17-00-00-000Z.json');
  });
});
