import {
  latestRestorableTime,
  newestAvailable,
  pendingActionsOf,
  watchDatabase,
  type DatabaseWatchReaders,
} from '../../../../lambda/domain/ops/database-watch';

const now = new Date('2026-12-03T12:00:00Z');
const created = new Date('2026-11-01T00:00:00Z');

const readers = (overrides: Partial<DatabaseWatchReaders> = {}): DatabaseWatchReaders => ({
  instanceCreatedAt: () => Promise.resolve(created),
  latestBackupSnapshot: () => Promise.resolve(new Date('2026-12-03T03:06:00Z')),
  pendingMaintenance: () => Promise.resolve([]),
  ...overrides,
});

describe('watchDatabase', () => {
  test('hours since the last backup snapshot and the pending action count; no DR readings unless configured', async () => {
    const result = await watchDatabase(readers(), now);
    expect(result).toEqual({
      readings: [
        { metric: 'HoursSinceLastBackup', value: 8.9 },
        { metric: 'PendingMaintenanceActions', value: 0 },
      ],
      pending: [],
      failures: [],
    });
  });

  test('DR copy age in hours and replication lag in minutes when the readers are given', async () => {
    const result = await watchDatabase(
      readers({
        latestDrCopy: () => Promise.resolve(new Date('2026-12-02T04:00:00Z')),
        latestReplicatedRestorableTime: () => Promise.resolve(new Date('2026-12-03T11:53:31Z')),
        pendingMaintenance: () =>
          Promise.resolve([{ action: 'system-update', applyBy: new Date('2026-12-10T03:00:00Z') }]),
      }),
      now,
    );
    expect(result.readings).toEqual([
      { metric: 'HoursSinceLastBackup', value: 8.9 },
      { metric: 'HoursSinceLastDrCopy', value: 32 },
      { metric: 'ReplicatedBackupLagMinutes', value: 6 },
      { metric: 'PendingMaintenanceActions', value: 1 },
    ]);
    expect(result.pending).toEqual([{ action: 'system-update', applyBy: new Date('2026-12-10T03:00:00Z') }]);
  });

  test('before the first backup, copy or replicated backup, ages count from the instance creation', async () => {
    const result = await watchDatabase(
      readers({
        latestBackupSnapshot: () => Promise.resolve(undefined),
        latestDrCopy: () => Promise.resolve(undefined),
        latestReplicatedRestorableTime: () => Promise.resolve(undefined),
      }),
      now,
    );
    expect(result.readings.slice(0, 3)).toEqual([
      { metric: 'HoursSinceLastBackup', value: 780 },
      { metric: 'HoursSinceLastDrCopy', value: 780 },
      { metric: 'ReplicatedBackupLagMinutes', value: 46_800 },
    ]);
  });

  test('a reader that fails leaves only its metric out (the alarm treats the gap as breaching)', async () => {
    const result = await watchDatabase(
      readers({
        latestDrCopy: () => Promise.reject(new Error('AccessDenied: rds:DescribeDBSnapshots')),
        pendingMaintenance: () => Promise.reject(new Error('Throttling')),
      }),
      now,
    );
    expect(result.readings).toEqual([{ metric: 'HoursSinceLastBackup', value: 8.9 }]);
    expect(result.failures).toEqual([
      { metric: 'HoursSinceLastDrCopy', error: 'AccessDenied: rds:DescribeDBSnapshots' },
      { metric: 'PendingMaintenanceActions', error: 'Throttling' },
    ]);
  });

  test('a clock behind the snapshot time gives 0, never a negative age', async () => {
    const result = await watchDatabase(
      readers({ latestBackupSnapshot: () => Promise.resolve(new Date('2026-12-03T12:05:00Z')) }),
      now,
    );
    expect(result.readings[0]).toEqual({ metric: 'HoursSinceLastBackup', value: 0 });
  });
});

test('newestAvailable ignores snapshots still being created, failed or without a time', () => {
  expect(
    newestAvailable([
      { Status: 'available', SnapshotCreateTime: new Date('2026-12-01T03:00:00Z') },
      { Status: 'creating', SnapshotCreateTime: new Date('2026-12-03T03:00:00Z') },
      { Status: 'failed', SnapshotCreateTime: new Date('2026-12-02T03:00:00Z') },
      { Status: 'available' },
      { Status: 'available', SnapshotCreateTime: new Date('2026-11-30T03:00:00Z') },
    ]),
  ).toEqual(new Date('2026-12-01T03:00:00Z'));
  expect(newestAvailable([])).toBeUndefined();
});

test('latestRestorableTime takes the newest window end across replicated backups', () => {
  expect(
    latestRestorableTime([
      { RestoreWindow: { LatestTime: new Date('2026-12-03T11:40:00Z') } },
      { RestoreWindow: {} },
      {},
      { RestoreWindow: { LatestTime: new Date('2026-12-03T11:55:00Z') } },
    ]),
  ).toEqual(new Date('2026-12-03T11:55:00Z'));
});

test('pendingActionsOf flattens the details and keeps the earliest date RDS will apply each by', () => {
  expect(
    pendingActionsOf([
      {
        PendingMaintenanceActionDetails: [
          {
            Action: 'db-upgrade',
            Description: 'Upgrade to 18.4',
            AutoAppliedAfterDate: new Date('2026-12-20T00:00:00Z'),
            ForcedApplyDate: new Date('2027-01-10T00:00:00Z'),
          },
          { Action: 'system-update' },
        ],
      },
      {},
    ]),
  ).toEqual([
    { action: 'db-upgrade', description: 'Upgrade to 18.4', applyBy: new Date('2026-12-20T00:00:00Z') },
    { action: 'system-update' },
  ]);
});
