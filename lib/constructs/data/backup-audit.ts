import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnFramework, CfnReportPlan } from 'aws-cdk-lib/aws-backup';
import { ArnPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BackupConfig } from '../../config';
import type { RecoveryConfig } from '../../config/recovery';

export interface BackupAuditProps {
  /** The environment's name: part of the framework and report plan names. */
  readonly environment: string;
  /** The targets the controls encode (`recovery.pointInTimeRestore`). */
  readonly recovery: RecoveryConfig;
  /** Retention, copies and vault lock, which the plan must keep. */
  readonly backup: BackupConfig;
  /** The region copies go to (when `backup.copyToDrRegion`). */
  readonly drRegion: string;
  /** The instance the controls evaluate. */
  readonly database: IDatabaseInstance;
  /** Key that encrypts the evidence bucket. */
  readonly encryptionKey: IKey;
  /**
   * What happens to the evidence bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Days reports are kept.
   * @default 400 (a year of weekly evidence, plus a month)
   */
  readonly reportRetentionDays?: number;
}

/** A framework control: its name, parameters and scope, as AWS Backup Audit Manager takes them. */
export interface AuditControl {
  readonly name: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** Scoped to the database instance (resource controls); vault and recovery-point controls are unscoped. */
  readonly scopedToDatabase: boolean;
}

/**
 * AWS Backup Audit Manager's `BACKUP_LAST_RECOVERY_POINT_CREATED` counts age in whole hours (at
 * most 744) or days: the finest it can state is an hour. An RPO below that is held by the restore
 * test and replication alarms instead, and this control checks the hour.
 */
export const LAST_RECOVERY_POINT_MIN_HOURS = 1;

/** The controls that encode an environment's recovery targets (docs/data.md). */
export function auditControls(
  props: Pick<BackupAuditProps, 'recovery' | 'backup' | 'drRegion'>,
): AuditControl[] {
  const { pointInTimeRestore } = props.recovery;
  const { backup } = props;
  return [
    // Restores finish within the point-in-time RTO (AWS Backup measures its restore jobs).
    {
      name: 'RESTORE_TIME_FOR_RESOURCES_MEET_TARGET',
      parameters: { maxRestoreTime: String(Math.floor(pointInTimeRestore.rtoSeconds / 60)) },
      scopedToDatabase: true,
    },
    // The newest recovery point is younger than the RPO (to the hour, the control's unit).
    {
      name: 'BACKUP_LAST_RECOVERY_POINT_CREATED',
      parameters: {
        recoveryPointAgeUnit: 'hours',
        recoveryPointAgeValue: String(
          Math.max(LAST_RECOVERY_POINT_MIN_HOURS, Math.ceil(pointInTimeRestore.rpoSeconds / 3600)),
        ),
      },
      scopedToDatabase: true,
    },
    { name: 'BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN', scopedToDatabase: true },
    // The plan takes a recovery point at least daily and keeps it as long as config says.
    {
      name: 'BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK',
      parameters: {
        requiredFrequencyUnit: 'days',
        requiredFrequencyValue: '1',
        requiredRetentionDays: String(backup.dailyRetentionDays),
      },
      scopedToDatabase: false,
    },
    { name: 'BACKUP_RECOVERY_POINT_ENCRYPTED', scopedToDatabase: false },
    { name: 'BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED', scopedToDatabase: false },
    ...(backup.copyToDrRegion
      ? [
          {
            name: 'BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION',
            parameters: { crossRegionList: props.drRegion },
            scopedToDatabase: true,
          },
        ]
      : []),
    ...(backup.vaultLock
      ? [
          {
            name: 'BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK',
            parameters: {
              minRetentionDays: String(backup.vaultLock.minRetentionDays),
              maxRetentionDays: String(backup.vaultLock.maxRetentionDays),
            },
            scopedToDatabase: true,
          },
        ]
      : []),
  ];
}

/** The service-linked role Backup Audit Manager writes reports as. */
const REPORTS_ROLE = 'aws-service-role/reports.backup.amazonaws.com/AWSServiceRoleForBackupReports';

/**
 * A Backup Audit Manager framework whose controls are the environment's declared recovery targets
 * (restore time within the RTO, last recovery point within the RPO, the instance protected by the
 * plan, copies in `drRegion`, vault lock), and report plans that deliver its compliance and the
 * restore jobs daily to an encrypted evidence bucket. The controls are evaluated by AWS Config:
 * the account must record the AWS Backup and RDS resource types (docs/data.md).
 */
export class BackupAudit extends Construct {
  public readonly framework: CfnFramework;
  public readonly evidence: Bucket;
  public readonly reportPlans: CfnReportPlan[];

  constructor(scope: Construct, id: string, props: BackupAuditProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = props.environment.replace(/[^A-Za-z0-9]/g, '_');

    this.framework = new CfnFramework(this, 'Framework', {
      frameworkName: `rampart_${name}_recovery_targets`,
      frameworkDescription: `Rampart ${props.environment}: the declared recovery objectives of the database`,
      frameworkControls: auditControls(props).map((control) => ({
        controlName: control.name,
        controlInputParameters: Object.entries(control.parameters ?? {}).map(
          ([parameterName, parameterValue]) => ({
            parameterName,
            parameterValue,
          }),
        ),
        // ControlScope, ReportDeliveryChannel and ReportSetting are untyped JSON in CDK: the keys
        // are CloudFormation's own (PascalCase), passed through as written.
        controlScope: control.scopedToDatabase
          ? {
              ComplianceResourceIds: [props.database.instanceIdentifier],
              ComplianceResourceTypes: ['RDS'],
            }
          : undefined,
      })),
    });

    this.evidence = new Bucket(this, 'Evidence', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          expiration: Duration.days(props.reportRetentionDays ?? 400),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
    const reports = new ArnPrincipal(
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: REPORTS_ROLE }),
    );
    this.evidence.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [reports],
        actions: ['s3:PutObject'],
        resources: [this.evidence.arnForObjects('reports/*')],
      }),
    );
    props.encryptionKey.grant(reports, 'kms:GenerateDataKey');

    this.reportPlans = [
      { id: 'ComplianceReport', template: 'CONTROL_COMPLIANCE_REPORT', suffix: 'compliance' },
      { id: 'RestoreJobReport', template: 'RESTORE_JOB_REPORT', suffix: 'restores' },
    ].map(
      ({ id: planId, template, suffix }) =>
        new CfnReportPlan(this, planId, {
          reportPlanName: `rampart_${name}_${suffix}`,
          reportPlanDescription: `Rampart ${props.environment}: ${template} evidence for the recovery targets`,
          reportDeliveryChannel: {
            S3BucketName: this.evidence.bucketName,
            S3KeyPrefix: `reports/${suffix}`,
            Formats: ['CSV', 'JSON'],
          },
          reportSetting:
            template === 'CONTROL_COMPLIANCE_REPORT'
              ? { ReportTemplate: template, FrameworkArns: [this.framework.attrFrameworkArn] }
              : { ReportTemplate: template },
        }),
    );

    const acknowledgements: Record<string, string> = {
      'AwsSolutions-S1':
        'The evidence bucket holds Backup Audit Manager reports written by one service-linked role; S3 server access logs of it would need a log bucket of their own, and CloudTrail data events cover reads where required.',
      'NIST.800.53.R5-S3BucketLoggingEnabled':
        'The evidence bucket holds Backup Audit Manager reports written by one service-linked role; CloudTrail data events cover access where required.',
      'NIST.800.53.R5-S3BucketReplicationEnabled':
        'Reports are regenerated by Backup Audit Manager from AWS Config and the backup jobs on demand; replicating the evidence would add a second region for no recovery value.',
    };
    for (const [ruleId, reason] of Object.entries(acknowledgements)) {
      Validations.of(this.evidence).acknowledge({ id: ruleId, reason });
    }
  }
}
