import { z } from 'zod';

/**
 * How an environment survives the loss of its region: restored from backups (`backup-restore`),
 * from data kept warm in `drRegion` with the rest created during the incident (`pilot-light`), or
 * failed over to a copy of the whole environment deployed there ahead of time (`warm-standby`).
 */
export const RECOVERY_STRATEGIES = ['backup-restore', 'pilot-light', 'warm-standby'] as const;
export type RecoveryStrategy = (typeof RECOVERY_STRATEGIES)[number];

/**
 * RDS documents Multi-AZ failovers as typically taking 60-120 seconds: an AZ-loss RTO below the
 * upper figure is a promise the database cannot keep.
 */
export const MULTI_AZ_FAILOVER_SECONDS = 120;

/**
 * RDS uploads an instance's transaction logs every five minutes: without a synchronous standby
 * (Multi-AZ) or a replica, a failure can lose that much.
 */
export const TRANSACTION_LOG_UPLOAD_SECONDS = 300;

/** A recovery objective for one kind of failure. */
const objectiveSchema = z.strictObject({
  /** Recovery time objective: longest time from the failure to the API serving again, in seconds. */
  rtoSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400),
  /** Recovery point objective: most acknowledged writes (as time before the failure) that may be lost, in seconds. */
  rpoSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400),
});
export type RecoveryObjective = z.infer<typeof objectiveSchema>;

/**
 * The environment's recovery objectives (docs/dr.md). Alarm thresholds, Backup Audit Manager
 * controls and the drills' pass/fail derive from these figures; synth refuses figures the
 * configured data tier cannot meet.
 */
export const recoveryConfigSchema = z.strictObject({
  /** How a region loss is recovered. */
  strategy: z.enum(RECOVERY_STRATEGIES),
  /** The loss of one availability zone (the database fails over or is restored in another AZ). */
  azLoss: objectiveSchema,
  /** Data corruption or a destructive mistake: a restore to the point in time just before it. */
  pointInTimeRestore: objectiveSchema,
  /**
   * The loss of `region`: recovery in `drRegion`.
   * @default - a region loss is not recovered (no DR region resources)
   */
  regionLoss: objectiveSchema
    .extend({
      /**
       * Users, groups and API-key ownership are backed up into `drRegion` at this interval (Cognito
       * cannot replicate a user pool): the identities' RPO, alarmed when the last backup is older.
       */
      identityRpoSeconds: z
        .number()
        .int()
        .min(300)
        .max(7 * 86_400),
    })
    .optional(),
});
export type RecoveryConfig = z.infer<typeof recoveryConfigSchema>;

/** The parts of an environment the recovery objectives are checked against. */
interface RecoveryContext {
  readonly recovery: RecoveryConfig;
  readonly database: { readonly multiAz: boolean; readonly replicateBackupsToDrRegion: boolean };
  readonly backup: { readonly copyToDrRegion: boolean };
}

/** Objectives the configured data tier cannot meet, each naming the field to change. */
export function checkRecovery(env: RecoveryContext, ctx: z.RefinementCtx): void {
  const { recovery, database, backup } = env;
  const issue = (path: string[], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['recovery', ...path], message });

  if (database.multiAz) {
    if (recovery.azLoss.rtoSeconds < MULTI_AZ_FAILOVER_SECONDS) {
      issue(
        ['azLoss', 'rtoSeconds'],
        `RDS documents Multi-AZ failovers of typically 60-120 s: at least ${MULTI_AZ_FAILOVER_SECONDS} s`,
      );
    }
  } else {
    if (recovery.azLoss.rpoSeconds < TRANSACTION_LOG_UPLOAD_SECONDS) {
      issue(
        ['azLoss', 'rpoSeconds'],
        `a single-AZ instance can lose the last ${TRANSACTION_LOG_UPLOAD_SECONDS} s of transactions (RDS uploads ` +
          `transaction logs every 5 minutes): set database.multiAz or raise the RPO`,
      );
    }
    if (recovery.azLoss.rtoSeconds < recovery.pointInTimeRestore.rtoSeconds) {
      issue(
        ['azLoss', 'rtoSeconds'],
        `a single-AZ instance comes back from an AZ loss by a point-in-time restore: at least ` +
          `pointInTimeRestore.rtoSeconds (${recovery.pointInTimeRestore.rtoSeconds} s), or set database.multiAz`,
      );
    }
  }

  const replica = recovery.strategy !== 'backup-restore';
  const region = recovery.regionLoss;
  if (!region) {
    if (replica)
      issue(['regionLoss'], `strategy ${recovery.strategy} recovers a region loss: declare its objectives`);
    return;
  }
  if (!replica && !database.replicateBackupsToDrRegion && !backup.copyToDrRegion) {
    issue(
      ['regionLoss'],
      'nothing reaches drRegion: set database.replicateBackupsToDrRegion or backup.copyToDrRegion, ' +
        'choose a standby strategy, or remove regionLoss (a region loss is then not recovered)',
    );
    return;
  }
  if (!replica && region.rpoSeconds < TRANSACTION_LOG_UPLOAD_SECONDS) {
    issue(
      ['regionLoss', 'rpoSeconds'],
      `backups reach drRegion minutes behind the primary: an RPO under ${TRANSACTION_LOG_UPLOAD_SECONDS} s needs a ` +
        'cross-region replica (strategy pilot-light or warm-standby)',
    );
  }
  if (!replica && !database.replicateBackupsToDrRegion && region.rpoSeconds < 86_400) {
    issue(
      ['regionLoss', 'rpoSeconds'],
      'only the daily snapshot copies reach drRegion: at least 86400 s, or set database.replicateBackupsToDrRegion',
    );
  }
}
