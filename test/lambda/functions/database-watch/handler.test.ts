import {
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribePendingMaintenanceActionsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';

const INSTANCE = 'rampart-prod-databaseinstance-abc123';
const ARN = `arn:aws:rds:eu-west-1:333333333333:db:${INSTANCE}`;
const RESOURCE_ID = 'db-ABCDEFGHIJKLMNOPQRSTUVWXY';
const rds = mockClient(RDSClient);
let handler: () => Promise<void>;
let output: CapturedOutput;

beforeAll(async () => {
  process.env.DB_INSTANCE_ID = INSTANCE;
  process.env.DR_REGION = 'eu-west-2';
  process.env.WATCH_DR_COPIES = 'true';
  process.env.WATCH_REPLICATION = 'true';
  process.env.AWS_REGION = 'eu-west-1';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'Rampart/Operations';
  process.env.POWERTOOLS_SERVICE_NAME = 'database-watch';
  ({ handler } = await import('../../../../lambda/functions/database-watch/handler'));
});
beforeEach(() => {
  rds.reset();
  output = captureStdout();
});
afterEach(() => output.restore());

const emf = () =>
  output
    .lines()
    .filter((line) => line._aws !== undefined)
    .map((line) => {
      const { _aws: aws, service, ...values } = line as Record<string, unknown> & { _aws: unknown };
      return { service, values, aws };
    });

/** The region each call went to, in order (the DR reads use a second client). */
async function regionsOfCalls(): Promise<string[]> {
  return Promise.all(
    rds.calls().map((call) => (call.thisValue as RDSClient).config.region() as Promise<string>),
  );
}

function primaryInstance() {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: INSTANCE }).resolves({
    DBInstances: [
      {
        DBInstanceIdentifier: INSTANCE,
        DBInstanceArn: ARN,
        DbiResourceId: RESOURCE_ID,
        InstanceCreateTime: new Date('2026-11-01T00:00:00Z'),
      },
    ],
  });
}

test('publishes the four readings as EMF in Rampart/Operations, with the exact requests in each region', async () => {
  primaryInstance();
  rds
    .on(DescribeDBSnapshotsCommand, { SnapshotType: 'awsbackup', DbiResourceId: RESOURCE_ID })
    .resolvesOnce({
      DBSnapshots: [
        { Status: 'available', SnapshotCreateTime: new Date('2026-12-02T03:00:00Z') },
        { Status: 'available', SnapshotCreateTime: new Date('2026-12-03T03:00:00Z') },
      ],
      Marker: 'page-2',
    })
    .resolvesOnce({
      DBSnapshots: [{ Status: 'creating', SnapshotCreateTime: new Date('2026-12-03T11:00:00Z') }],
    })
    .resolvesOnce({
      DBSnapshots: [{ Status: 'available', SnapshotCreateTime: new Date('2026-12-02T04:30:00Z') }],
    })
    .on(DescribeDBInstanceAutomatedBackupsCommand, { DbiResourceId: RESOURCE_ID })
    .resolves({
      DBInstanceAutomatedBackups: [{ RestoreWindow: { LatestTime: new Date('2026-12-03T11:50:00Z') } }],
    })
    .on(DescribePendingMaintenanceActionsCommand, { ResourceIdentifier: ARN })
    .resolves({
      PendingMaintenanceActions: [
        {
          ResourceIdentifier: ARN,
          PendingMaintenanceActionDetails: [
            { Action: 'system-update', AutoAppliedAfterDate: new Date('2026-12-13T03:00:00Z') },
          ],
        },
      ],
    });
  jest.useFakeTimers({
    now: new Date('2026-12-03T12:00:00Z'),
    doNotFake: ['setTimeout', 'setImmediate', 'nextTick'],
  });
  try {
    await handler();
  } finally {
    jest.useRealTimers();
  }

  expect(rds).toHaveReceivedNthCommandWith(1, DescribeDBInstancesCommand, { DBInstanceIdentifier: INSTANCE });
  expect(rds).toHaveReceivedNthCommandWith(2, DescribeDBSnapshotsCommand, {
    SnapshotType: 'awsbackup',
    DbiResourceId: RESOURCE_ID,
  });
  expect(rds).toHaveReceivedNthCommandWith(3, DescribeDBSnapshotsCommand, {
    SnapshotType: 'awsbackup',
    DbiResourceId: RESOURCE_ID,
    Marker: 'page-2',
  });
  expect(rds).toHaveReceivedNthCommandWith(4, DescribeDBSnapshotsCommand, {
    SnapshotType: 'awsbackup',
    DbiResourceId: RESOURCE_ID,
  });
  expect(rds).toHaveReceivedNthCommandWith(5, DescribeDBInstanceAutomatedBackupsCommand, {
    DbiResourceId: RESOURCE_ID,
  });
  expect(rds).toHaveReceivedNthCommandWith(6, DescribePendingMaintenanceActionsCommand, {
    ResourceIdentifier: ARN,
  });
  expect(rds.calls()).toHaveLength(6);
  // Instance, backups and maintenance in the environment's region; the copy and the replicated
  // backups in the DR region.
  expect(await regionsOfCalls()).toEqual([
    'eu-west-1',
    'eu-west-1',
    'eu-west-1',
    'eu-west-2',
    'eu-west-2',
    'eu-west-1',
  ]);

  const lines = emf();
  expect(lines.map(({ service, values }) => ({ service, values }))).toEqual([
    { service: 'database-watch', values: { HoursSinceLastBackup: 9 } },
    { service: 'database-watch', values: { HoursSinceLastDrCopy: 31.5 } },
    { service: 'database-watch', values: { ReplicatedBackupLagMinutes: 10 } },
    { service: 'database-watch', values: { PendingMaintenanceActions: 1 } },
  ]);
  expect(lines[0].aws).toMatchObject({
    CloudWatchMetrics: [
      {
        Namespace: 'Rampart/Operations',
        Dimensions: [['service']],
        Metrics: [{ Name: 'HoursSinceLastBackup', Unit: 'Count' }],
      },
    ],
  });
  const warning = output.lines().find((line) => line.message === 'Maintenance pending');
  expect(warning).toMatchObject({
    level: 'WARN',
    instance: INSTANCE,
    pending: [{ action: 'system-update', applyBy: '2026-12-13T03:00:00.000Z' }],
  });
});

test('a failed read fails the run after the other readings are published', async () => {
  primaryInstance();
  rds
    .on(DescribeDBSnapshotsCommand)
    .resolves({ DBSnapshots: [{ Status: 'available', SnapshotCreateTime: new Date() }] })
    .on(DescribeDBInstanceAutomatedBackupsCommand)
    .rejects(new Error('AccessDeniedException'))
    .on(DescribePendingMaintenanceActionsCommand)
    .resolves({});
  await expect(handler()).rejects.toThrow('Could not read ReplicatedBackupLagMinutes');
  expect(emf().map(({ values }) => Object.keys(values)[0])).toEqual([
    'HoursSinceLastBackup',
    'HoursSinceLastDrCopy',
    'PendingMaintenanceActions',
  ]);
});

test('an instance RDS does not describe fully publishes nothing and fails', async () => {
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: INSTANCE }] });
  await expect(handler()).rejects.toThrow(`no resource id, ARN or creation time for ${INSTANCE}`);
  expect(emf()).toEqual([]);
  expect(rds.calls()).toHaveLength(1);
});
