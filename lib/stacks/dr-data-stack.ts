import { CfnOutput } from 'aws-cdk-lib';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { standbyParameterName, standbyProxyName, type StandbyParameterKey } from '../config';
import { BACKUP_WINDOW } from '../constructs/data/postgres-database';
import { PROXY_TARGET_GROUP, StandbyDatabase } from '../constructs/data/standby-database';
import type { SecureVpc } from '../constructs/network/secure-vpc';
import type { DataDrStack } from './data-dr-stack';
import { RampartStack, type RampartStackProps } from './rampart-stack';

export interface DrDataStackProps extends Omit<RampartStackProps, 'regionOverride'> {
  /** The standby network (`Rampart-<env>-DrNetwork`). */
  readonly network: SecureVpc;
  /** The DR region's key and vault: the replica is encrypted with that key. */
  readonly dataDr: DataDrStack;
  /** ARN of the primary instance, read across regions from the Data stack. */
  readonly sourceInstanceArn: string;
}

/**
 * The standby's data tier in drRegion (`Rampart-<env>-DrData`): the encrypted cross-region read
 * replica and the RDS Proxy the standby functions use after promotion, plus SSM parameters naming
 * what the failover steps act on (`/rampart/<env>/standby/*`, docs/dr.md).
 */
export class DrDataStack extends RampartStack {
  public readonly database: StandbyDatabase;

  constructor(scope: Construct, id: string, props: DrDataStackProps) {
    super(scope, id, { ...props, regionOverride: props.config.drRegion });
    const { config, network } = props;
    this.database = new StandbyDatabase(this, 'Database', {
      config: config.database,
      sourceInstanceArn: props.sourceInstanceArn,
      vpc: network.vpc,
      databaseSubnets: network.dataSubnets,
      encryptionKey: props.dataDr.key.key,
      proxyName: standbyProxyName(config.name),
    });
    const publish = (key: StandbyParameterKey, value: string, description: string) =>
      publishStandbyValue(this, key, value, description);
    publish(
      'replica-instance-id',
      this.database.replica.instanceIdentifier,
      'The standby replica (promote it)',
    );
    publish('source-instance-arn', props.sourceInstanceArn, 'The primary instance the replica follows');
    publish(
      'proxy-name',
      standbyProxyName(config.name),
      'The standby RDS Proxy (register the promoted replica)',
    );
    publish('proxy-target-group', PROXY_TARGET_GROUP, 'The standby proxy target group');
    publish(
      'backup-retention-days',
      String(config.database.backupRetentionDays),
      'Automated backup retention set on the promoted replica (the primary value)',
    );
    publish('backup-window', BACKUP_WINDOW, 'Automated backup window set on the promoted replica (UTC)');
  }
}

/**
 * An SSM parameter (`/rampart/<env>/standby/<key>`) and a stack output with the same value: what a
 * failover step reads, and what a person sees in the console.
 */
export function publishStandbyValue(
  stack: RampartStack,
  key: StandbyParameterKey,
  value: string,
  description: string,
): void {
  const id = key
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  new StringParameter(stack, `${id}Parameter`, {
    parameterName: standbyParameterName(stack.config.name, key),
    stringValue: value,
    description,
  });
  new CfnOutput(stack, id, { value, description });
}
