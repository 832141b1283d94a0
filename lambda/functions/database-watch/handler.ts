import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  DescribeDBInstancesCommand,
  DescribePendingMaintenanceActionsCommand,
  paginateDescribeDBInstanceAutomatedBackups,
  paginateDescribeDBSnapshots,
  RDSClient,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import {
  latestRestorableTime,
  newestAvailable,
  pendingActionsOf,
  watchDatabase,
  type DatabaseWatchReaders,
} from '../../domain/ops/database-watch';
import { logger, metrics } from '../../shared/powertools';

/** `DB_INSTANCE_ID`; `DR_REGION` with `WATCH_DR_COPIES` / `WATCH_REPLICATION` = `true` for the DR checks. */
const instanceId = process.env.DB_INSTANCE_ID ?? '';
const drRegion = process.env.DR_REGION;
const watchDrCopies = process.env.WATCH_DR_COPIES === 'true' && drRegion !== undefined;
const watchReplication = process.env.WATCH_REPLICATION === 'true' && drRegion !== undefined;

let primary: RDSClient | undefined;
let dr: RDSClient | undefined;

async function awsBackupSnapshots(client: RDSClient, dbiResourceId: string): Promise<DBSnapshot[]> {
  const snapshots: DBSnapshot[] = [];
  for await (const page of paginateDescribeDBSnapshots(
    { client },
    { SnapshotType: 'awsbackup', DbiResourceId: dbiResourceId },
  )) {
    snapshots.push(...(page.DBSnapshots ?? []));
  }
  return snapshots;
}

/**
 * Scheduled: publishes `Rampart/Operations` `HoursSinceLastBackup`, `PendingMaintenanceActions`
 * and, where configured, `HoursSinceLastDrCopy` and `ReplicatedBackupLagMinutes` (EMF). Throws
 * when a value could not be read, after publishing the others.
 */
export const handler = async (): Promise<void> => {
  if (instanceId === '') throw new Error('DB_INSTANCE_ID is not set');
  primary ??= new RDSClient({});
  const described = await primary.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }));
  const instance = described.DBInstances?.[0];
  const { DbiResourceId: dbiResourceId, DBInstanceArn: arn, InstanceCreateTime: created } = instance ?? {};
  if (!dbiResourceId || !arn || !created) {
    throw new Error(`DescribeDBInstances returned no resource id, ARN or creation time for ${instanceId}`);
  }
  const primaryClient = primary;
  const drClient = () => (dr ??= new RDSClient({ region: drRegion }));

  const readers: DatabaseWatchReaders = {
    instanceCreatedAt: () => Promise.resolve(created),
    latestBackupSnapshot: async () => newestAvailable(await awsBackupSnapshots(primaryClient, dbiResourceId)),
    pendingMaintenance: async () =>
      pendingActionsOf(
        (await primaryClient.send(new DescribePendingMaintenanceActionsCommand({ ResourceIdentifier: arn })))
          .PendingMaintenanceActions ?? [],
      ),
    ...(watchDrCopies
      ? { latestDrCopy: async () => newestAvailable(await awsBackupSnapshots(drClient(), dbiResourceId)) }
      : {}),
    ...(watchReplication
      ? {
          latestReplicatedRestorableTime: async () => {
            const backups = [];
            for await (const page of paginateDescribeDBInstanceAutomatedBackups(
              { client: drClient() },
              { DbiResourceId: dbiResourceId },
            )) {
              backups.push(...(page.DBInstanceAutomatedBackups ?? []));
            }
            return latestRestorableTime(backups);
          },
        }
      : {}),
  };

  const { readings, pending, failures } = await watchDatabase(readers, new Date());
  for (const reading of readings) {
    const metric = metrics.singleMetric();
    metric.addMetric(reading.metric, MetricUnit.Count, reading.value);
  }
  if (pending.length > 0) logger.warn('Maintenance pending', { instance: instanceId, pending });
  if (failures.length > 0) {
    logger.error('Database watch readings failed', { failures });
    throw new Error(`Could not read ${failures.map((f) => f.metric).join(', ')}`);
  }
};
