import {
  DescribeDBInstancesCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RegisterDBProxyTargetsCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  promoteStandby,
  registerStandbyProxyTarget,
  standbyDatabaseState,
  type StandbyDatabaseRef,
} from '../../../lib/dr/standby-database';

/** RDS has no local peer for promotion and proxies: the exact requests are asserted. */

const rds = mockClient(RDSClient);
const STANDBY: StandbyDatabaseRef = {
  replicaInstanceId: 'rampart-prod-drdata-databasereplica-abc',
  backupRetentionDays: 35,
  backupWindow: '01:00-02:00',
  proxyName: 'rampart-prod-standby',
  proxyTargetGroup: 'default',
};
const client = () => new RDSClient({ region: 'eu-west-2' });

beforeEach(() => rds.reset());

test('promotion sets the primary backup retention and window on the promoted instance', async () => {
  rds.on(PromoteReadReplicaCommand).resolves({});
  await promoteStandby(client(), STANDBY);
  expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
  expect(rds).toHaveReceivedCommandWith(PromoteReadReplicaCommand, {
    DBInstanceIdentifier: 'rampart-prod-drdata-databasereplica-abc',
    BackupRetentionPeriod: 35,
    PreferredBackupWindow: '01:00-02:00',
  });
});

test('state: a replica, promoting, then a promoted standalone instance', async () => {
  const describe = rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: STANDBY.replicaInstanceId });
  describe.resolvesOnce({
    DBInstances: [
      {
        DBInstanceStatus: 'available',
        ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:eu-west-1:1:db:x',
      },
    ],
  });
  describe.resolvesOnce({ DBInstances: [{ DBInstanceStatus: 'modifying' }] });
  describe.resolvesOnce({ DBInstances: [{ DBInstanceStatus: 'available' }] });
  expect(await standbyDatabaseState(client(), STANDBY.replicaInstanceId)).toBe('replica');
  expect(await standbyDatabaseState(client(), STANDBY.replicaInstanceId)).toBe('promoting');
  expect(await standbyDatabaseState(client(), STANDBY.replicaInstanceId)).toBe('promoted');
});

test('the promoted instance becomes the standby proxy target; registering it twice succeeds', async () => {
  rds
    .on(RegisterDBProxyTargetsCommand)
    .resolvesOnce({})
    .rejectsOnce(
      Object.assign(new Error('already registered'), { name: 'DBProxyTargetAlreadyRegisteredFault' }),
    );
  await registerStandbyProxyTarget(client(), STANDBY);
  await registerStandbyProxyTarget(client(), STANDBY);
  expect(rds).toHaveReceivedCommandTimes(RegisterDBProxyTargetsCommand, 2);
  expect(rds).toHaveReceivedCommandWith(RegisterDBProxyTargetsCommand, {
    DBProxyName: 'rampart-prod-standby',
    TargetGroupName: 'default',
    DBInstanceIdentifiers: ['rampart-prod-drdata-databasereplica-abc'],
  });
});

test('any other registration failure is raised', async () => {
  rds
    .on(RegisterDBProxyTargetsCommand)
    .rejects(Object.assign(new Error('no'), { name: 'InvalidDBInstanceStateFault' }));
  await expect(registerStandbyProxyTarget(client(), STANDBY)).rejects.toThrow('no');
});
