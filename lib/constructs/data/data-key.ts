import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { allowLogsToUse } from '../core/encrypted-log-group';

export interface DataKeyProps {
  /** What the key protects, shown in the KMS console. */
  readonly description: string;
  /**
   * Alias of the key, e.g. `alias/rampart-prod-dr`; lets another region refer to it by name.
   * @default - no alias
   */
  readonly alias?: string;
  /**
   * What happens to the key when it leaves the stack. Destroying a key makes every snapshot and
   * backup encrypted with it unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The customer-managed key of an environment's data tier, rotated yearly. RDS, Performance
 * Insights, Secrets Manager and AWS Backup use it through grants they create as the calling
 * principal (the default key policy delegates to IAM in this account); CloudWatch Logs of this
 * region is allowed in the key policy for this account's log groups (function logs, RDS log
 * exports), since it has no IAM principal of its own.
 */
export class DataKey extends Construct {
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    this.key = new Key(this, 'Resource', {
      description: props.description,
      enableKeyRotation: true,
      alias: props.alias,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    allowLogsToUse(this.key, this);
  }
}
