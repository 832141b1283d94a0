import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  CfnRestoreTestingPlan,
  CfnRestoreTestingSelection,
  type BackupPlanCopyActionProps,
  type LockConfiguration,
} from 'aws-cdk-lib/aws-backup';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { DatabaseInstance, ISubnetGroup } from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { BackupConfig, VaultLockConfig } from '../../config';

export interface DatabaseBackupProps {
  /** Retention, copies, vault lock and restore testing of the environment. */
  readonly config: BackupConfig;
  /** The instance to protect. */
  readonly database: DatabaseInstance;
  /** Days of continuous backup (PITR) kept by AWS Backup: the database's backup retention (1..35). */
  readonly continuousRetentionDays: number;
  /** Key that encrypts the vault. */
  readonly encryptionKey: IKey;
  /**
   * What happens to the vault when it leaves the stack (a vault holding recovery points cannot be deleted).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * ARN of the vault in the DR region that snapshots are copied to (required when `config.copyToDrRegion`).
   * @default - no copies
   */
  readonly drVaultArn?: string;
  /**
   * Restore testing: the plan name (letters, digits, underscores; unique in the account and region)
   * and where restored instances are placed (required when `config.restoreTesting`).
   * @default - no restore testing
   */
  readonly restoreTesting?: {
    readonly planName: string;
    readonly subnetGroup: ISubnetGroup;
    readonly securityGroup: ISecurityGroup;
    /** Days between rotations of the admin secret: restored instances open with its current or previous password. */
    readonly adminSecretRotationDays: number;
  };
}

/** Restore tests pick the latest recovery point of the last week. */
export const RESTORE_TEST_WINDOW_DAYS = 7;

/**
 * The vault lock of a `backup.vaultLock` config, for this vault and the DR vault alike. Compliance
 * mode sets `ChangeableForDays` (the lock becomes immutable after it); governance mode leaves it
 * out, which is what makes AWS Backup treat the lock as governance mode (removable with IAM
 * permission).
 */
export function vaultLockConfiguration(lock: VaultLockConfig): LockConfiguration {
  return {
    minRetention: Duration.days(lock.minRetentionDays),
    maxRetention: Duration.days(lock.maxRetentionDays),
    changeableFor: lock.mode === 'compliance' ? Duration.days(lock.changeableForDays) : undefined,
  };
}

/**
 * AWS Backup for one RDS instance: a KMS-encrypted vault (optionally locked, in governance or
 * compliance mode), a plan with continuous backup (point-in-time recovery inside the window), daily
 * and optional monthly snapshots copied to the DR region's vault, and weekly restore tests of the
 * latest snapshot and of the latest continuous (point-in-time) recovery point.
 */
export class DatabaseBackup extends Construct {
  public readonly vault: BackupVault;
  public readonly plan: BackupPlan;
  public readonly role: Role;
  /** The restore testing plans: latest snapshot (Mondays) and latest continuous point (Thursdays). */
  public readonly restoreTestingPlans: CfnRestoreTestingPlan[] = [];
  public readonly restoreTestingSelections: CfnRestoreTestingSelection[] = [];

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    const { config } = props;
    if (props.continuousRetentionDays < 1 || props.continuousRetentionDays > 35) {
      throw new Error(
        `DatabaseBackup ${id}: continuousRetentionDays must be 1..35 (AWS Backup's PITR limit)`,
      );
    }
    if (config.copyToDrRegion && !props.drVaultArn) {
      throw new Error(`DatabaseBackup ${id}: copyToDrRegion needs drVaultArn`);
    }
    if (config.restoreTesting && !props.restoreTesting) {
      throw new Error(`DatabaseBackup ${id}: restoreTesting needs the restoreTesting placement`);
    }

    this.vault = new BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lockConfiguration: config.vaultLock && vaultLockConfiguration(config.vaultLock),
    });

    const copyActions: BackupPlanCopyActionProps[] =
      config.copyToDrRegion && props.drVaultArn
        ? [
            {
              destinationBackupVault: BackupVault.fromBackupVaultArn(this, 'DrVault', props.drVaultArn),
              deleteAfter: Duration.days(config.drCopyRetentionDays),
            },
          ]
        : [];

    const rules = [
      new BackupPlanRule({
        ruleName: 'Continuous',
        enableContinuousBackup: true,
        deleteAfter: Duration.days(props.continuousRetentionDays),
        scheduleExpression: Schedule.cron({ minute: '0', hour: '2' }),
      }),
      new BackupPlanRule({
        ruleName: 'Daily',
        deleteAfter: Duration.days(config.dailyRetentionDays),
        scheduleExpression: Schedule.cron({ minute: '0', hour: '3' }),
        // The job starts within the hour (AWS Backup's minimum; CDK's default is 8 h), so two
        // snapshots are at most 25 h apart and the 26 h backup-missing alarm holds (DatabaseWatch).
        startWindow: Duration.hours(1),
        copyActions: copyActions.length > 0 ? copyActions : undefined,
      }),
      ...(config.monthlyRetentionDays !== undefined
        ? [
            new BackupPlanRule({
              ruleName: 'Monthly',
              deleteAfter: Duration.days(config.monthlyRetentionDays),
              scheduleExpression: Schedule.cron({ minute: '0', hour: '4', day: '1' }),
              copyActions: copyActions.map((action) => ({
                ...action,
                deleteAfter: Duration.days(config.monthlyRetentionDays!),
              })),
            }),
          ]
        : []),
    ];
    this.plan = new BackupPlan(this, 'Plan', { backupVault: this.vault, backupPlanRules: rules });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: back up, copy and restore-test the database',
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup'),
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores']) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
        reason:
          'The AWS-maintained AWS Backup service-role policies are what AWS Backup needs to snapshot, copy cross-region and restore-test RDS (including KMS grants on the vault keys); the role is assumable by backup.amazonaws.com only.',
      });
    }
    this.plan.addSelection('Database', {
      resources: [BackupResource.fromRdsDatabaseInstance(props.database)],
      role: this.role,
      allowRestores: false,
    });

    if (config.restoreTesting && props.restoreTesting) {
      const placement = props.restoreTesting;
      if (RESTORE_TEST_WINDOW_DAYS >= placement.adminSecretRotationDays) {
        throw new Error(
          `DatabaseBackup ${id}: restore tests pick recovery points up to ${RESTORE_TEST_WINDOW_DAYS} days old; ` +
            `the admin secret must rotate less often (every ${placement.adminSecretRotationDays} days given) so ` +
            'that its current or previous password opens the restored instance',
        );
      }
      // Two plans, one per kind of recovery point: with both kinds in one plan the latest point
      // is always the continuous one and snapshots would never be restored.
      const kinds = [
        { kind: 'SNAPSHOT', id: '', name: placement.planName, day: 'MON' },
        { kind: 'CONTINUOUS', id: 'Continuous', name: `${placement.planName}_pitr`, day: 'THU' },
      ] as const;
      for (const { kind, id: suffix, name, day } of kinds) {
        const plan = new CfnRestoreTestingPlan(this, `RestoreTestingPlan${suffix}`, {
          restoreTestingPlanName: name,
          scheduleExpression: `cron(0 6 ? * ${day} *)`,
          scheduleExpressionTimezone: 'Etc/UTC',
          startWindowHours: 8,
          recoveryPointSelection: {
            algorithm: 'LATEST_WITHIN_WINDOW',
            includeVaults: [this.vault.backupVaultArn],
            recoveryPointTypes: [kind],
            selectionWindowDays: RESTORE_TEST_WINDOW_DAYS,
          },
        });
        const selection = new CfnRestoreTestingSelection(this, `RestoreTestingSelection${suffix}`, {
          restoreTestingPlanName: name,
          restoreTestingSelectionName: 'database',
          protectedResourceType: 'RDS',
          protectedResourceArns: [props.database.instanceArn],
          iamRoleArn: this.role.roleArn,
          // Restored copies land in the isolated subnets behind the database's security group.
          restoreMetadataOverrides: {
            dbSubnetGroupName: placement.subnetGroup.subnetGroupName,
            vpcSecurityGroupIds: `["${placement.securityGroup.securityGroupId}"]`,
            multiAZ: 'false',
          },
          // The validation function reports within this window, or the job's validation times out.
          validationWindowHours: 2,
        });
        selection.addResourceDependency(plan);
        this.restoreTestingPlans.push(plan);
        this.restoreTestingSelections.push(selection);
      }
    }
  }
}
