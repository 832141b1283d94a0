import { ArnFormat, Stack, Validations, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnDBInstance, DatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EncryptedLogGroup } from '../core/encrypted-log-group';

export interface DatabaseLogExportsProps {
  /** The instance whose CloudWatch log exports (`EnableCloudwatchLogsExports`) are encrypted. */
  readonly instance: DatabaseInstance;
  /** Key for the exported log groups; CloudWatch Logs of the region must be allowed to use it. */
  readonly encryptionKey: IKey;
  /** Retention of the custom resource provider's own log group (encrypted with the same key). */
  readonly providerLogRetentionDays: number;
  /**
   * What happens to the provider's log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly providerLogRemovalPolicy?: RemovalPolicy;
}

/** `/aws/rds/instance/<identifier>/<type>`: where RDS exports a log type. */
export function exportLogGroupName(instanceIdentifier: string, logType: string): string {
  return `/aws/rds/instance/${instanceIdentifier}/${logType}`;
}

/**
 * Encrypts the log groups RDS exports to (`postgresql`, `upgrade`) with a customer-managed key.
 * RDS creates those groups itself, unencrypted, named after the instance identifier, which
 * CloudFormation generates; a log group declared in the template would be created after the
 * instance and collide with RDS's. So, per export, a custom resource calls CloudWatch Logs'
 * `AssociateKmsKey` once the group exists (after CDK's retention setter, which creates it if RDS has
 * not yet): from then on, every event is encrypted with the key. What RDS wrote in the minutes
 * before is not (CloudWatch Logs encrypts only newly ingested data) and ages out with the
 * retention. An instance restored by point-in-time recovery is a new identifier with new groups:
 * runbooks/dr/restore-point-in-time.md encrypts them the same way.
 */
export class DatabaseLogExports extends Construct {
  public readonly associations: AwsCustomResource[] = [];

  constructor(scope: Construct, id: string, props: DatabaseLogExportsProps) {
    super(scope, id);
    const { instance, encryptionKey } = props;
    const stack = Stack.of(this);
    const cfnInstance = instance.node.defaultChild as CfnDBInstance;
    const exports = cfnInstance.enableCloudwatchLogsExports ?? [];
    // The provider function is one per stack; its logs go to an encrypted group with retention.
    const providerLogs = new EncryptedLogGroup(this, 'ProviderLogs', {
      retentionDays: props.providerLogRetentionDays,
      encryptionKey,
      removalPolicy: props.providerLogRemovalPolicy,
    });
    for (const logType of exports) {
      const logGroupName = exportLogGroupName(instance.instanceIdentifier, logType);
      const call = {
        service: 'CloudWatchLogs',
        action: 'associateKmsKey',
        parameters: { logGroupName, kmsKeyId: encryptionKey.keyArn },
        physicalResourceId: PhysicalResourceId.of(logGroupName),
      };
      const association = new AwsCustomResource(
        this,
        `${logType.charAt(0).toUpperCase()}${logType.slice(1)}Encryption`,
        {
          onCreate: call,
          onUpdate: call,
          // Nothing on delete: RDS's group outlives this resource and stays readable with the key.
          policy: AwsCustomResourcePolicy.fromStatements([
            new PolicyStatement({
              actions: ['logs:AssociateKmsKey'],
              resources: [logGroupName, `${logGroupName}:*`].map((resourceName) =>
                stack.formatArn({
                  service: 'logs',
                  resource: 'log-group',
                  resourceName,
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ),
            }),
          ]),
          installLatestAwsSdk: false,
          logGroup: providerLogs.logGroup,
        },
      );
      const policy = association.node.findChild('CustomResourcePolicy');
      Validations.of(policy).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason:
          "AwsCustomResource's own policy on the shared provider role, holding logs:AssociateKmsKey on this one log group; created and deleted with the custom resource.",
      });
      // The group's ARN with `:*` (log streams) is what IAM matches for log-group actions.
      const instanceId = stack.getLogicalId(cfnInstance as unknown as CfnElement);
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${exportLogGroupName(`<${instanceId}>`, logType)}:*]`,
        reason:
          'The wildcard is only the `:*` suffix CloudWatch Logs ARNs carry for a log group and its streams; the group itself is named exactly.',
      });
      // CDK's LogRetention custom resource creates the group when RDS has not yet.
      const retention = instance.node.tryFindChild(`LogRetention${logType}`);
      if (retention) association.node.addDependency(retention);
      this.associations.push(association);
    }
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    const provider = Stack.of(this).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    if (!provider) return;
    const acknowledgements: Record<string, string> = {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
        "CDK's AwsCustomResource provider (deploy time only) needs to write its own logs; the AWS-maintained basic execution policy is that minimum.",
      'NIST.800.53.R5-LambdaConcurrency':
        "CDK's AwsCustomResource provider runs only when CloudFormation creates or updates a log export association; it has no traffic to cap.",
      'NIST.800.53.R5-LambdaDLQ':
        'Invoked synchronously by CloudFormation as a custom resource; a failure fails the deployment, nothing to dead-letter.',
      'NIST.800.53.R5-LambdaInsideVPC':
        "CDK's AwsCustomResource provider calls only the CloudWatch Logs API at deploy time and touches no VPC resource.",
    };
    for (const [id, reason] of Object.entries(acknowledgements)) {
      Validations.of(provider).acknowledge({ id, reason });
    }
  }
}
