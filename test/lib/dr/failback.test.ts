import {
  CreateDBInstanceReadReplicaCommand,
  DeregisterDBProxyTargetsCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RegisterDBProxyTargetsCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  createPrimaryReplica,
  fenceStandby,
  primaryReplicaRequest,
  promotePrimaryReplica,
  repointPrimaryProxy,
  type PrimaryReplicaPlan,
} from '../../../lib/dr/failback';
import type { StandbyDatabaseRef } from '../../../lib/dr/standby-database';

/** RDS has no local peer for replicas and proxies: the exact requests are asserted. */

const rds = mockClient(RDSClient);
const client = () => new RDSClient({ region: 'eu-west-1' });
const fault = (name: string) => Object.assign(new Error(name), { name });
const inputs = <T extends object>(command: new (input: T) => unknown) =>
  rds.commandCalls(command as never).map((call) => call.args[0].input as T);

const STANDBY_ARN = 'arn:aws:rds:eu-west-2:333333333333:db:rampart-prod-drdata-databasereplica-abc';
const OLD_PRIMARY: DBInstance = {
  DBInstanceIdentifier: 'rampart-prod-data-databaseinstance-xyz',
  DBInstanceClass: 'db.r7g.large',
  DBSubnetGroup: { DBSubnetGroupName: 'rampart-prod-data-databasesubnetgroup-q1' },
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db', Status: 'active' }],
  DBParameterGroups: [{ DBParameterGroupName: 'rampart-prod-data-parameters-p1' }],
  KmsKeyId: 'arn:aws:kms:eu-west-1:333333333333:key/1111-2222',
  StorageType: 'gp3',
  Endpoint: { Address: 'old.eu-west-1.rds.amazonaws.com', Port: 5432 },
  IAMDatabaseAuthenticationEnabled: true,
  MultiAZ: true,
};
const PLAN: PrimaryReplicaPlan = {
  oldPrimary: OLD_PRIMARY,
  standbyInstanceArn: STANDBY_ARN,
  newInstanceId: 'rampart-prod-failback-20261204',
};
const STANDBY: StandbyDatabaseRef = {
  replicaInstanceId: 'rampart-prod-drdata-databasereplica-abc',
  backupRetentionDays: 35,
  backupWindow: '01:00-02:00',
  proxyName: 'rampart-prod-standby',
  proxyTargetGroup: 'default',
};

beforeEach(() => rds.reset());

describe('the new primary: a cross-region replica of the promoted standby, placed like the old primary', () => {
  test('sends exactly the old placement, encrypted with the primary key, single-AZ, private, protected', async () => {
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});

    await expect(createPrimaryReplica(client(), PLAN)).resolves.toEqual({ created: true });

    expect(inputs(CreateDBInstanceReadReplicaCommand)).toEqual([
      {
        DBInstanceIdentifier: 'rampart-prod-failback-20261204',
        SourceDBInstanceIdentifier: STANDBY_ARN,
        DBInstanceClass: 'db.r7g.large',
        DBSubnetGroupName: 'rampart-prod-data-databasesubnetgroup-q1',
        VpcSecurityGroupIds: ['sg-0db'],
        DBParameterGroupName: 'rampart-prod-data-parameters-p1',
        KmsKeyId: 'arn:aws:kms:eu-west-1:333333333333:key/1111-2222',
        StorageType: 'gp3',
        Port: 5432,
        EnableIAMDatabaseAuthentication: true,
        MultiAZ: false,
        PubliclyAccessible: false,
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        Tags: [{ Key: 'rampart:failback-from', Value: STANDBY_ARN }],
      },
    ]);
  });

  test('run again: an instance of that name already there is done, any other error is not', async () => {
    rds
      .on(CreateDBInstanceReadReplicaCommand)
      .rejectsOnce(fault('DBInstanceAlreadyExistsFault'))
      .rejectsOnce(fault('InsufficientDBInstanceCapacityFault'));

    await expect(createPrimaryReplica(client(), PLAN)).resolves.toEqual({ created: false });
    await expect(createPrimaryReplica(client(), PLAN)).rejects.toThrow('InsufficientDBInstanceCapacityFault');
  });

  test.each([
    ['DBSubnetGroup', 'subnet group'],
    ['KmsKeyId', 'KMS key'],
    ['DBParameterGroups', 'parameter group'],
  ] as const)('refuses to guess a placement the old primary does not name (%s)', (field, what) => {
    expect(() =>
      primaryReplicaRequest({ ...PLAN, oldPrimary: { ...OLD_PRIMARY, [field]: undefined } }),
    ).toThrow(
      `The old primary rampart-prod-data-databaseinstance-xyz names no ${what}: place the replica by hand`,
    );
  });
});

test('fencing removes the promoted standby from its proxy; a target already gone is fine', async () => {
  rds
    .on(DeregisterDBProxyTargetsCommand)
    .resolvesOnce({})
    .rejectsOnce(fault('DBProxyTargetNotFoundFault'))
    .rejectsOnce(fault('DBProxyNotFoundFault'));

  await fenceStandby(client(), STANDBY);
  await fenceStandby(client(), STANDBY);
  await expect(fenceStandby(client(), STANDBY)).rejects.toThrow('DBProxyNotFoundFault');

  expect(inputs(DeregisterDBProxyTargetsCommand)).toEqual(
    Array(3).fill({
      DBProxyName: 'rampart-prod-standby',
      TargetGroupName: 'default',
      DBInstanceIdentifiers: ['rampart-prod-drdata-databasereplica-abc'],
    }),
  );
});

test("promotion of the new primary sets the primary's backup retention and window", async () => {
  rds.on(PromoteReadReplicaCommand).resolves({});
  await promotePrimaryReplica(client(), {
    instanceId: 'rampart-prod-failback-20261204',
    backupRetentionDays: 35,
    backupWindow: '01:00-02:00',
  });
  expect(inputs(PromoteReadReplicaCommand)).toEqual([
    {
      DBInstanceIdentifier: 'rampart-prod-failback-20261204',
      BackupRetentionPeriod: 35,
      PreferredBackupWindow: '01:00-02:00',
    },
  ]);
});

describe('the primary proxy moves from the old primary to the new one', () => {
  const PROXY = {
    proxyName: 'rampart-prod-data-proxy',
    targetGroup: 'default',
    from: 'rampart-prod-data-databaseinstance-xyz',
    to: 'rampart-prod-failback-20261204',
  };

  test('deregisters the old, then registers the new, in that order', async () => {
    rds.on(DeregisterDBProxyTargetsCommand).resolves({});
    rds.on(RegisterDBProxyTargetsCommand).resolves({});

    await repointPrimaryProxy(client(), PROXY);

    expect(
      rds.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name),
    ).toEqual(['DeregisterDBProxyTargetsCommand', 'RegisterDBProxyTargetsCommand']);
    expect(inputs(DeregisterDBProxyTargetsCommand)).toEqual([
      {
        DBProxyName: 'rampart-prod-data-proxy',
        TargetGroupName: 'default',
        DBInstanceIdentifiers: ['rampart-prod-data-databaseinstance-xyz'],
      },
    ]);
    expect(inputs(RegisterDBProxyTargetsCommand)).toEqual([
      {
        DBProxyName: 'rampart-prod-data-proxy',
        TargetGroupName: 'default',
        DBInstanceIdentifiers: ['rampart-prod-failback-20261204'],
      },
    ]);
  });

  test('run again: an old target already gone and a new one already registered are fine', async () => {
    rds.on(DeregisterDBProxyTargetsCommand).rejects(fault('DBProxyTargetNotFoundFault'));
    rds.on(RegisterDBProxyTargetsCommand).rejects(fault('DBProxyTargetAlreadyRegisteredFault'));
    await expect(repointPrimaryProxy(client(), PROXY)).resolves.toBeUndefined();

    rds.on(RegisterDBProxyTargetsCommand).rejects(fault('InvalidDBInstanceStateFault'));
    await expect(repointPrimaryProxy(client(), PROXY)).rejects.toThrow('InvalidDBInstanceStateFault');
  });
});
