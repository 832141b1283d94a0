import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BackupVault } from 'aws-cdk-lib/aws-backup';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { DataKey } from '../constructs/data/data-key';
import { vaultLockConfiguration } from '../constructs/data/database-backup';
import { RampartStack, type RampartStackProps } from './rampart-stack';

/** Name of the DR vault: fixed, so the Data stack can build its ARN without a cross-region reference. */
export function drVaultName(config: EnvironmentConfig): string {
  return `rampart-${config.name}-dr`;
}

/** Alias of the DR region's key, for replicated automated backups (referenced by name, same reason). */
export function drKeyAlias(config: EnvironmentConfig): string {
  return `alias/rampart-${config.name}-dr`;
}

/**
 * Bucket of the identity backups (users, groups, API-key owners): a fixed name, written by the
 * primary region's Ops stack without a cross-region reference.
 */
export function identityBackupBucketName(config: EnvironmentConfig): string {
  return `rampart-${config.name}-identities-${config.account}-${config.drRegion}`;
}

/**
 * The DR region's half of the data tier: a vault receiving AWS Backup copies and a key (by
 * alias) for RDS's replicated automated backups. Deployed before the Data stack; nothing
 * here references the primary region.
 */
export class DataDrStack extends RampartStack {
  public readonly key: DataKey;
  public readonly vault: BackupVault;
  /** Identity backups, where a region loss is recovered (`recovery.regionLoss`). */
  public readonly identityBackups?: Bucket;

  constructor(scope: Construct, id: string, props: RampartStackProps) {
    super(scope, id, { ...props, regionOverride: props.config.drRegion });
    const { config } = props;
    this.key = new DataKey(this, 'Key', {
      description: `Rampart ${config.name}: backup copies and replicated automated backups in the DR region`,
      alias: drKeyAlias(config),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const lock = config.backup.vaultLock;
    this.vault = new BackupVault(this, 'Vault', {
      backupVaultName: drVaultName(config),
      encryptionKey: this.key.key,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: lock && vaultLockConfiguration(lock),
    });

    if (config.recovery.regionLoss) {
      this.identityBackups = new Bucket(this, 'IdentityBackups', {
        bucketName: identityBackupBucketName(config),
        encryption: BucketEncryption.KMS,
        encryptionKey: this.key.key,
        bucketKeyEnabled: true,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        versioned: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removalPolicy: RemovalPolicy.RETAIN,
        // As long as the snapshot copies: a restore and the identities of its time stay together.
        lifecycleRules: [
          {
            expiration: Duration.days(config.backup.drCopyRetentionDays),
            noncurrentVersionExpiration: Duration.days(7),
          },
        ],
      });
      for (const [id, reason] of Object.entries({
        'AwsSolutions-S1':
          'Written only by the identity backup function and read only in a failover; S3 access logs would need a log bucket of their own in this region, and CloudTrail data events cover access where required.',
        'NIST.800.53.R5-S3BucketLoggingEnabled':
          'Written only by the identity backup function and read only in a failover; CloudTrail data events cover access where required.',
        'NIST.800.53.R5-S3BucketReplicationEnabled':
          'This bucket is itself the out-of-region copy of the identities; the next backup rewrites it.',
      })) {
        Validations.of(this.identityBackups).acknowledge({ id, reason });
      }
    }
  }
}
