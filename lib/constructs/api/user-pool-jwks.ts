import { type CfnElement, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EncryptedLogGroup } from '../core/encrypted-log-group';

export interface UserPoolJwksProps {
  /**
   * The function that fetches the JWKS (lambda/functions/jwks-fetcher): the provider's onEvent
   * handler. It returns the JWKS as data; the provider framework answers CloudFormation.
   */
  readonly fetcher: IFunction;
  /** The user pool whose signing keys the authorizer verifies. */
  readonly userPool: IUserPool;
  /** Changing it fetches again on the next deploy (a new signing key): `auth.jwksRevision`. */
  readonly revision: number;
  /** Key that encrypts the provider framework function's log group. */
  readonly logEncryptionKey: IKey;
  /** Retention of that log group, in days. */
  readonly logRetentionDays: number;
  /**
   * How long CloudFormation waits for an answer before it fails the resource (its
   * `ServiceTimeout`). The framework answers within the fetcher's own timeout; this bounds a
   * framework that never answers, which CloudFormation would otherwise wait an hour for.
   * @default Duration.minutes(5)
   */
  readonly serviceTimeout?: Duration;
}

/**
 * The user pool's JWKS, fetched at deploy time for the authorizer, which gets it in its
 * environment (`jwks`) and never fetches it itself. Built on CDK's custom-resource provider
 * framework: the fetcher only returns data, and the framework sends CloudFormation's answer
 * (with retries), including FAILED with the fetcher's error when it throws or times out, so a
 * deploy never waits on a response the fetcher forgot to send.
 *
 * CloudFormation refuses to change the ServiceToken of an existing custom resource, so this
 * resource and the fetcher have new logical IDs compared with the hand-written custom resource
 * they replace (`Jwks`, `JwksFetcher`): an update creates the new pair, and the old resource is
 * deleted afterwards through the old function, whose code answers CloudFormation itself.
 */
export class UserPoolJwks extends Construct {
  public readonly provider: Provider;
  public readonly resource: CustomResource;
  /** The provider framework function's log group. */
  public readonly providerLogs: EncryptedLogGroup;
  /** The JWKS document (JSON), resolved at deploy time. */
  public readonly jwks: string;

  constructor(scope: Construct, id: string, props: UserPoolJwksProps) {
    super(scope, id);
    if (!Number.isInteger(props.revision) || props.revision < 0) {
      throw new Error(`UserPoolJwks ${id}: revision must be a non-negative integer, got ${props.revision}`);
    }
    const serviceTimeout = props.serviceTimeout ?? Duration.minutes(5);
    if (serviceTimeout.toSeconds() < 60 || serviceTimeout.toSeconds() > 3600) {
      throw new Error(`UserPoolJwks ${id}: serviceTimeout must be between 1 minute and 1 hour`);
    }
    this.providerLogs = new EncryptedLogGroup(this, 'ProviderLogs', {
      retentionDays: props.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.provider = new Provider(this, 'Provider', {
      onEventHandler: props.fetcher,
      logGroup: this.providerLogs.logGroup,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::Jwks',
      serviceTimeout,
      properties: {
        JwksUrl: `https://cognito-idp.${props.userPool.env.region}.amazonaws.com/${props.userPool.userPoolId}/.well-known/jwks.json`,
        Revision: props.revision,
      },
    });
    this.jwks = this.resource.getAttString('Jwks');
    this.acknowledgeFindings(props.fetcher);
  }

  /** The framework function is CDK's: what it is allowed and why it is built as it is. */
  private acknowledgeFindings(fetcher: IFunction): void {
    const framework = this.provider.node.findChild('framework-onEvent');
    const role = framework.node.findChild('ServiceRole');
    const policy = role.node.findChild('DefaultPolicy');
    const purpose =
      "CDK's custom-resource provider framework function of the JWKS resource: it runs only during deployments, " +
      'invoked by CloudFormation, takes no traffic and holds no data; it invokes the fetcher and answers CloudFormation.';
    Validations.of(framework).acknowledge({
      id: 'NIST.800.53.R5-LambdaConcurrency',
      reason: `${purpose} CloudFormation calls it once per JWKS resource operation; there is no load to cap.`,
    });
    Validations.of(framework).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason: `${purpose} Invoked synchronously by CloudFormation, which gets the failure; there is no asynchronous event to dead-letter.`,
    });
    Validations.of(framework).acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason: `${purpose} It calls only the Lambda API and CloudFormation's pre-signed S3 response URL, never the VPC's resources; the fetcher it invokes runs in the VPC.`,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${purpose} AWSLambdaBasicExecutionRole is the AWS-maintained minimum for writing its own logs.`,
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fetcher.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: `${purpose} The wildcard is the fetcher's versions and aliases (lambda:InvokeFunction on this one function's qualified ARNs), as CDK grants it.`,
    });
    Validations.of(policy).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: `${purpose} CDK writes its one policy inline: lambda:InvokeFunction and lambda:GetFunction on the fetcher only; it lives and dies with the role.`,
    });
  }
}
