import { ArnFormat, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { SubnetGroup } from 'aws-cdk-lib/aws-rds';
import type { Grant } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { drRestoreTests } from '../config';
import { BackupAudit } from '../constructs/data/backup-audit';
import { DataKey } from '../constructs/data/data-key';
import { DatabaseBackup } from '../constructs/data/database-backup';
import { DatabaseLogExports } from '../constructs/data/database-log-exports';
import { DatabaseMigrations } from '../constructs/data/database-migrations';
import { APP_DB_USER, PostgresDatabase } from '../constructs/data/postgres-database';
import type { SecureVpc } from '../constructs/network/secure-vpc';
import { drKeyAlias, drVaultName } from './data-dr-stack';
import { RampartStack, type RampartStackProps } from './rampart-stack';

export interface DataStackProps extends RampartStackProps {
  /** The environment's VPC (Network stack). */
  readonly network: SecureVpc;
  /**
   * The DR region's key (DataDr stack), read across regions by KEY ARN: replicated automated
   * backups and, with a standby strategy, the admin secret's replica are encrypted with it.
   * @default - nothing is replicated to drRegion
   */
  readonly drKey?: IKey;
}

/**
 * The data tier of an environment: customer-managed key, PostgreSQL behind RDS Proxy, the
 * rotated admin secret, post-deploy migrations and AWS Backup. Stateful construct ids here are
 * frozen (test/lib/stacks/data-stack.test.ts pins their logical ids).
 */
export class DataStack extends RampartStack {
  public readonly key: DataKey;
  public readonly database: PostgresDatabase;
  public readonly migrations: DatabaseMigrations;
  public readonly backup: DatabaseBackup;
  /** Backup Audit Manager: the recovery targets as controls, and their evidence. */
  public readonly audit: BackupAudit;
  /** The KMS association of the instance's CloudWatch log exports (RDS creates those groups unencrypted). */
  public readonly logExports: DatabaseLogExports;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config, network } = props;
    const { database, backup } = config;
    const stateful = config.name === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const secretsManagerEndpoint = network.interfaceEndpoints.secretsmanager;
    if (!secretsManagerEndpoint) {
      throw new Error(
        'DataStack: the network needs a secretsmanager interface endpoint (rotation and migrations)',
      );
    }

    this.key = new DataKey(this, 'Key', {
      description: `Rampart ${config.name}: database, Performance Insights, secrets, logs and backups`,
      removalPolicy: stateful,
    });

    this.database = new PostgresDatabase(this, 'Database', {
      config: database,
      vpc: network.vpc,
      databaseSubnets: network.dataSubnets,
      rotationSubnets: network.functionSubnets,
      secretsManagerEndpoint,
      encryptionKey: this.key.key,
      backupReplication: database.replicateBackupsToDrRegion
        ? { region: config.drRegion, kmsKeyArn: this.requireDrKey(props).keyArn }
        : undefined,
      // In drRegion the standby's promoted replica and the restore tests of the DR vault's copies
      // open with the primary's admin password: the replica secret carries it there.
      secretReplica:
        config.recovery.strategy !== 'backup-restore' || drRestoreTests(config)
          ? { region: config.drRegion, encryptionKey: this.requireDrKey(props) }
          : undefined,
    });

    this.logExports = new DatabaseLogExports(this, 'DatabaseLogExports', {
      instance: this.database.instance,
      encryptionKey: this.key.key,
      providerLogRetentionDays: config.functions.logRetentionDays,
      providerLogRemovalPolicy: this.logRemovalPolicy,
    });

    this.migrations = new DatabaseMigrations(this, 'Migrations', {
      database: this.database,
      vpc: network.vpc,
      subnets: network.functionSubnets,
      secretsManagerEndpointSecurityGroup: network.endpointSecurityGroup,
      logRetentionDays: config.functions.logRetentionDays,
      logEncryptionKey: this.key.key,
      logRemovalPolicy: this.logRemovalPolicy,
      secretEncryptionKey: this.key.key,
    });

    this.backup = new DatabaseBackup(this, 'Backup', {
      config: backup,
      database: this.database.instance,
      continuousRetentionDays: database.backupRetentionDays,
      encryptionKey: this.key.key,
      removalPolicy: stateful,
      drVaultArn: backup.copyToDrRegion ? this.drVaultArn() : undefined,
      restoreTesting: backup.restoreTesting
        ? {
            planName: `rampart_${config.name}_weekly`,
            subnetGroup: this.database.instance.node.findChild('SubnetGroup') as SubnetGroup,
            securityGroup: this.database.databaseSecurityGroup,
            adminSecretRotationDays: database.secretRotationDays,
          }
        : undefined,
    });

    this.audit = new BackupAudit(this, 'BackupAudit', {
      environment: config.name,
      recovery: config.recovery,
      backup,
      drRegion: config.drRegion,
      database: this.database.instance,
      encryptionKey: this.key.key,
      removalPolicy: stateful,
    });
  }

  /** Lets a function connect to the proxy as `rampart_app` with IAM auth (and opens 5432 to it). */
  grantConnect(fn: IFunction, dbUser: string = APP_DB_USER): Grant {
    return this.database.grantConnect(fn, dbUser);
  }

  /** ARN of the `Rampart-<env>-DataDr` vault, built from its fixed name. */
  drVaultArn(): string {
    return this.formatArn({
      region: this.config.drRegion,
      service: 'backup',
      resource: 'backup-vault',
      resourceName: drVaultName(this.config),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private requireDrKey(props: DataStackProps): IKey {
    if (!props.drKey) {
      throw new Error('DataStack: replicating to drRegion needs drKey (the DataDr stack key)');
    }
    return props.drKey;
  }

  /** ARN of the DR key's alias, built from its fixed name. */
  drKeyAliasArn(): string {
    return this.formatArn({
      region: this.config.drRegion,
      service: 'kms',
      resource: drKeyAlias(this.config),
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
  }
}
