import { Duration, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { bundlingFor, FUNCTION_RUNTIME } from './bundling';

/** Root of the Lambda sources; `entry` is resolved against `lambda/functions/`. */
export const FUNCTIONS_ROOT = join(__dirname, '..', '..', '..', 'lambda', 'functions');

export interface RampartFunctionProps {
  /** Handler file relative to `lambda/functions/`, e.g. `projects/handler.ts`. */
  readonly entry: string;
  /** What the function does, shown in the console and alarms. */
  readonly description: string;
  /** Powertools service name: the `service` of every log line and metric. */
  readonly serviceName: string;
  /** Retention of the function's log group, in days. */
  readonly logRetentionDays: number;
  /** Key that encrypts the function's log group (CloudWatch Logs must be allowed to use it). */
  readonly logEncryptionKey: IKey;
  /**
   * What happens to the log group when the function or its stack is deleted. The stacks pass
   * `RampartStack.logRemovalPolicy`: kept everywhere but dev (prod keeps a year at least).
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * VPC the function runs in.
   * @default - outside any VPC: only for a function that reaches no resource in one; cdk-nag's
   * NIST.800.53.R5-LambdaInsideVPC then needs an acknowledgement saying why (e.g. the Slack
   * notifier of an isolated network, which posts alarm text to Slack and reads nothing else)
   */
  readonly vpc?: IVpc;
  /**
   * Subnets for the function's network interfaces (required with `vpc`).
   * @default - none: only without `vpc`
   */
  readonly vpcSubnets?: SubnetSelection;
  /**
   * Security groups of the function.
   * @default - a new group with no inbound rules and all outbound traffic allowed
   */
  readonly securityGroups?: ISecurityGroup[];
  /**
   * Reserved concurrency: caps what one function can take from the account and from the proxy.
   */
  readonly reservedConcurrentExecutions: number;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Lambda timeout.
   * @default Duration.seconds(15)
   */
  readonly timeout?: Duration;
  /**
   * Environment variables (Powertools service, namespace and log level are added).
   * @default - none beyond Powertools'
   */
  readonly environment?: Record<string, string>;
  /**
   * Powertools metrics namespace.
   * @default 'Rampart'
   */
  readonly metricsNamespace?: string;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * How the function is invoked. `synchronous` (API Gateway, CloudFormation) and `eventSource`
   * (SQS: the queue has the dead-letter queue) have no asynchronous failures to dead-letter;
   * `asynchronous` (EventBridge schedules) must set `overrides.deadLetterQueue`.
   */
  readonly invocation: 'synchronous' | 'eventSource' | 'asynchronous';
  /**
   * esbuild `define`s for this function's bundle: constants compiled in at bundling, e.g. the route
   * access table the authorizer's bundle asks for (`FUNCTION_BUNDLING_EXTRAS` in ./bundling.ts).
   * @default - none
   */
  readonly bundlingDefine?: Readonly<Record<string, string>>;
  /** Anything else NodejsFunction accepts (event sources, dead-letter queues...). */
  readonly overrides?: Omit<
    NodejsFunctionProps,
    | 'entry'
    | 'runtime'
    | 'architecture'
    | 'bundling'
    | 'logGroup'
    | 'environment'
    | 'vpc'
    | 'vpcSubnets'
    | 'tracing'
  >;
}

/**
 * The one sanctioned Lambda base: Node.js 24 on arm64, bundled with the project's esbuild
 * settings (CJS, minified, AWS SDK bundled), JSON logs to an explicit encrypted log group with
 * retention, in the VPC (unless it reaches none of it), with reserved concurrency, X-Ray active tracing (the function joins the
 * trace API Gateway starts; docs/performance.md says why there are no SDK or pg subsegments) and
 * Powertools configured by environment.
 */
export class RampartFunction extends NodejsFunction {
  public readonly logs: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: RampartFunctionProps) {
    if (props.invocation === 'asynchronous' && !props.overrides?.deadLetterQueue) {
      throw new Error(
        `RampartFunction ${id}: an asynchronously invoked function needs overrides.deadLetterQueue`,
      );
    }
    if ((props.vpc === undefined) !== (props.vpcSubnets === undefined)) {
      throw new Error(
        `RampartFunction ${id}: give vpc and vpcSubnets together, or neither (outside any VPC)`,
      );
    }
    if (props.reservedConcurrentExecutions < 1) {
      throw new Error(`RampartFunction ${id}: reservedConcurrentExecutions must be at least 1`);
    }
    const logs = new EncryptedLogGroup(scope, `${id}Logs`, {
      retentionDays: props.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      ...props.overrides,
      entry: join(FUNCTIONS_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(15),
      bundling: bundlingFor(props.entry, props.bundlingDefine),
      logGroup: logs.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'Rampart',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        ...props.environment,
      },
    });
    this.logs = logs;
    // Lambda writes failed asynchronous events to the dead-letter queue as this role (CDK grants
    // sqs:SendMessage); an SSE-KMS queue also needs its key, or the events are lost.
    props.overrides?.deadLetterQueue?.encryptionMasterKey?.grant(this, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.acknowledgeFindings(props.invocation, props.vpc !== undefined);
  }

  private acknowledgeFindings(invocation: RampartFunctionProps['invocation'], inVpc: boolean): void {
    if (invocation !== 'asynchronous') {
      Validations.of(this).acknowledge({
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason:
          invocation === 'synchronous'
            ? 'Invoked synchronously (API Gateway, CloudFormation, or a custom-resource provider framework during deployments): the caller gets the error; there is no asynchronous event to dead-letter.'
            : "Invoked by an SQS event source mapping: failed messages go to the queue's own dead-letter queue after maxReceiveCount.",
      });
    }
    Validations.of(this.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords, which X-Ray does not scope to resources (they accept no resource ARN); added by CDK for Tracing.ACTIVE and nothing else here is on *.',
    });
    Validations.of(this.role!).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        'CDK grants write one policy per function role, holding only the statements this function needs on its own resources; it is created and deleted with the role and never shared.',
    });
    const reason = inVpc
      ? 'AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole are the AWS-maintained minimum for a function in a VPC that writes its own logs (ENI management and log delivery).'
      : 'AWSLambdaBasicExecutionRole is the AWS-maintained minimum for a function that writes its own logs (log delivery only; outside a VPC it manages no ENI).';
    const policies = inVpc
      ? ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']
      : ['AWSLambdaBasicExecutionRole'];
    for (const policy of policies) {
      Validations.of(this.role!).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
        reason,
      });
    }
  }
}
