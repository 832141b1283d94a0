import { RemovalPolicy } from 'aws-cdk-lib';
import { BackupVault } from 'aws-cdk-lib/aws-backup';
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
 * The DR region's half of the data tier: a vault receiving AWS Backup copies and a key (by
 * alias) for RDS's replicated automated backups. Deployed before the Data stack; nothing
 * here references the primary region.
 */
export class DataDrStack extends RampartStack {
  public readonly key: DataKey;
  public readonly vault: BackupVault;

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
  }
}
