/**
 * Ages and counts CloudWatch cannot alarm on by itself for the database: when AWS Backup last
 * produced a snapshot (in the primary vault, and as a copy in the DR region), how far the
 * replicated automated backups in the DR region lag, and whether RDS has maintenance pending.
 * The Ops stack runs this on a schedule and alarms on the published values; an absent value (the
 * reader failed, or the watch stopped) is treated as breaching by the alarms.
 */

/** Metric names the watch publishes (namespace and service dimension: the construct's). */
export const DATABASE_WATCH_METRICS = {
  backupAge: 'HoursSinceLastBackup',
  drCopyAge: 'HoursSinceLastDrCopy',
  replicationLag: 'ReplicatedBackupLagMinutes',
  pendingMaintenance: 'PendingMaintenanceActions',
} as const;
export type DatabaseWatchMetric = (typeof DATABASE_WATCH_METRICS)[keyof typeof DATABASE_WATCH_METRICS];

/** What the watch needs from RDS; each reader is one question (and may be absent when not configured). */
export interface DatabaseWatchReaders {
  /** When the instance was created: ages are counted from it until a first backup exists. */
  readonly instanceCreatedAt: () => Promise<Date>;
  /** Creation time of the newest available AWS Backup snapshot in the primary region. */
  readonly latestBackupSnapshot: () => Promise<Date | undefined>;
  /** Creation time of the newest available AWS Backup snapshot copied to the DR region. */
  readonly latestDrCopy?: () => Promise<Date | undefined>;
  /** Latest restorable time of the automated backups replicated to the DR region. */
  readonly latestReplicatedRestorableTime?: () => Promise<Date | undefined>;
  /** Pending maintenance actions of the instance (`db-upgrade`, `system-update`, ...). */
  readonly pendingMaintenance: () => Promise<readonly PendingMaintenanceAction[]>;
}

export interface PendingMaintenanceAction {
  readonly action: string;
  readonly description?: string;
  /** When RDS applies it regardless (auto-applied or forced), if it says. */
  readonly applyBy?: Date;
}

export interface DatabaseWatchReading {
  readonly metric: DatabaseWatchMetric;
  readonly value: number;
}

export interface DatabaseWatchResult {
  readonly readings: DatabaseWatchReading[];
  readonly pending: readonly PendingMaintenanceAction[];
  readonly failures: { readonly metric: DatabaseWatchMetric; readonly error: string }[];
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Whole-or-fractional hours between two instants, never negative, to one decimal. */
function hoursBetween(since: Date, now: Date): number {
  return Math.max(0, Math.round(((now.getTime() - since.getTime()) / HOUR_MS) * 10) / 10);
}

function minutesBetween(since: Date, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - since.getTime()) / MINUTE_MS));
}

/** The newest time among snapshots RDS reports as `available` (others are still being made or failed). */
export function newestAvailable(
  snapshots: readonly { readonly Status?: string; readonly SnapshotCreateTime?: Date }[],
): Date | undefined {
  let newest: Date | undefined;
  for (const snapshot of snapshots) {
    if (snapshot.Status !== 'available' || !snapshot.SnapshotCreateTime) continue;
    if (!newest || snapshot.SnapshotCreateTime > newest) newest = snapshot.SnapshotCreateTime;
  }
  return newest;
}

/** The newest `LatestTime` of the replicated automated backups' restore windows. */
export function latestRestorableTime(
  backups: readonly { readonly RestoreWindow?: { readonly LatestTime?: Date } }[],
): Date | undefined {
  let latest: Date | undefined;
  for (const backup of backups) {
    const time = backup.RestoreWindow?.LatestTime;
    if (time && (!latest || time > latest)) latest = time;
  }
  return latest;
}

/**
 * Reads everything the readers offer and turns it into readings. A reader that throws leaves its
 * metric out (listed in `failures`); the others are still read. Until a first backup (or copy, or
 * replicated backup) exists, its age counts from the instance's creation, so a new environment
 * alarms only when its first backup is late too.
 */
export async function watchDatabase(readers: DatabaseWatchReaders, now: Date): Promise<DatabaseWatchResult> {
  const readings: DatabaseWatchReading[] = [];
  const failures: { metric: DatabaseWatchMetric; error: string }[] = [];
  let pending: readonly PendingMaintenanceAction[] = [];
  let created: Date | undefined;
  const instanceCreatedAt = async () => (created ??= await readers.instanceCreatedAt());

  const read = async (metric: DatabaseWatchMetric, value: () => Promise<number>) => {
    try {
      readings.push({ metric, value: await value() });
    } catch (error) {
      failures.push({ metric, error: error instanceof Error ? error.message : String(error) });
    }
  };

  await read(DATABASE_WATCH_METRICS.backupAge, async () =>
    hoursBetween((await readers.latestBackupSnapshot()) ?? (await instanceCreatedAt()), now),
  );
  if (readers.latestDrCopy) {
    const latestDrCopy = readers.latestDrCopy;
    await read(DATABASE_WATCH_METRICS.drCopyAge, async () =>
      hoursBetween((await latestDrCopy()) ?? (await instanceCreatedAt()), now),
    );
  }
  if (readers.latestReplicatedRestorableTime) {
    const latestReplicated = readers.latestReplicatedRestorableTime;
    await read(DATABASE_WATCH_METRICS.replicationLag, async () =>
      minutesBetween((await latestReplicated()) ?? (await instanceCreatedAt()), now),
    );
  }
  await read(DATABASE_WATCH_METRICS.pendingMaintenance, async () => {
    pending = await readers.pendingMaintenance();
    return pending.length;
  });
  return { readings, pending, failures };
}

/** The pending actions of one resource, flattened from `DescribePendingMaintenanceActions`. */
export function pendingActionsOf(
  resources: readonly {
    readonly PendingMaintenanceActionDetails?: readonly {
      readonly Action?: string;
      readonly Description?: string;
      readonly AutoAppliedAfterDate?: Date;
      readonly ForcedApplyDate?: Date;
      readonly CurrentApplyDate?: Date;
    }[];
  }[],
): PendingMaintenanceAction[] {
  return resources.flatMap((resource) =>
    (resource.PendingMaintenanceActionDetails ?? []).map((detail) => {
      const dates = [detail.CurrentApplyDate, detail.AutoAppliedAfterDate, detail.ForcedApplyDate].filter(
        (date): date is Date => date instanceof Date,
      );
      const applyBy = dates.length > 0 ? new Date(Math.min(...dates.map((d) => d.getTime()))) : undefined;
      return {
        action: detail.Action ?? 'unknown',
        ...(detail.Description ? { description: detail.Description } : {}),
        ...(applyBy ? { applyBy } : {}),
      };
    }),
  );
}
