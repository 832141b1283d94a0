import {
  DescribeDBInstancesCommand,
  PromoteReadReplicaCommand,
  RegisterDBProxyTargetsCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';

/** The standby replica and proxy (SSM `/rampart/<env>/standby/*`, published by Rampart-<env>-DrData). */
export interface StandbyDatabaseRef {
  /** `replica-instance-id` */
  readonly replicaInstanceId: string;
  /** `backup-retention-days`: the primary's, set on the promoted instance. */
  readonly backupRetentionDays: number;
  /** `backup-window` (UTC, `hh:mm-hh:mm`). */
  readonly backupWindow: string;
  /** `proxy-name` */
  readonly proxyName: string;
  /** `proxy-target-group` (`default`) */
  readonly proxyTargetGroup: string;
}

/**
 * Step 1 of a region failover: promote the cross-region replica to a standalone, writable
 * instance, with the primary's automated-backup retention and window (a PostgreSQL read replica
 * has no backups of its own, so PITR starts here). Replication stops for good: after this the
 * primary and the standby diverge (docs/dr.md, failback). RDS takes minutes; wait for
 * `standbyDatabaseState` to say `promoted`.
 */
export async function promoteStandby(rds: RDSClient, standby: StandbyDatabaseRef): Promise<void> {
  await rds.send(
    new PromoteReadReplicaCommand({
      DBInstanceIdentifier: standby.replicaInstanceId,
      BackupRetentionPeriod: standby.backupRetentionDays,
      PreferredBackupWindow: standby.backupWindow,
    }),
  );
}

/** Where the standby instance is: still a replica, being promoted, or a writable primary. */
export type StandbyDatabaseState = 'replica' | 'promoting' | 'promoted';

/** Reads the standby instance's state (for the drill's wait between promotion and registration). */
export async function standbyDatabaseState(
  rds: RDSClient,
  replicaInstanceId: string,
): Promise<StandbyDatabaseState> {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: replicaInstanceId }));
  const instance = out.DBInstances?.[0];
  if (!instance) throw new Error(`No DB instance ${replicaInstanceId}`);
  if (instance.ReadReplicaSourceDBInstanceIdentifier) {
    return instance.DBInstanceStatus === 'available' ? 'replica' : 'promoting';
  }
  return instance.DBInstanceStatus === 'available' ? 'promoted' : 'promoting';
}

/**
 * Step 2 of a region failover: register the promoted instance as the standby proxy's target (a
 * read replica cannot be one). The standby functions already point at the proxy endpoint, so this
 * is what makes them reach a database. Registering a target that is already registered succeeds.
 */
export async function registerStandbyProxyTarget(rds: RDSClient, standby: StandbyDatabaseRef): Promise<void> {
  try {
    await rds.send(
      new RegisterDBProxyTargetsCommand({
        DBProxyName: standby.proxyName,
        TargetGroupName: standby.proxyTargetGroup,
        DBInstanceIdentifiers: [standby.replicaInstanceId],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'DBProxyTargetAlreadyRegisteredFault') throw error;
  }
}
