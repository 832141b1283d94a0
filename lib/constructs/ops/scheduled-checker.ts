import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  Peer,
  Port,
  SecurityGroup,
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { RampartFunction } from '../compute/rampart-function';

/** What every scheduled checker of the ops watches shares: network, logs, failed invocations. */
export interface ScheduledCheckerBaseProps {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly logEncryptionKey: IKey;
  readonly logRetentionDays: number;
  /**
   * What happens to the checker's log group when it is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Where failed scheduled invocations go. */
  readonly deadLetterQueue: IQueue;
}

export interface ScheduledCheckerProps extends ScheduledCheckerBaseProps {
  /** Handler path under lambda/functions/. */
  readonly entry: string;
  /** The function's description. */
  readonly description: string;
  /** The schedule rule's description. */
  readonly scheduleDescription: string;
  /** The security group's description (the only egress is HTTPS, to AWS APIs). */
  readonly networkDescription: string;
  /** Powertools service name and metrics namespace. */
  readonly metric: { readonly service: string; readonly namespace: string };
  readonly every: Duration;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  /**
   * More security groups for the function (the database client group, to reach the proxy).
   * @default - only its own (HTTPS out)
   */
  readonly securityGroups?: readonly ISecurityGroup[];
}

/**
 * A function that measures what CloudWatch cannot (ages, counts from AWS APIs) on a schedule:
 * in the VPC with HTTPS as its only egress, one execution at a time, two retries, and failed
 * invocations in the dead-letter queue. Creates `SecurityGroup`, `Checker` and `Schedule` on
 * `scope`, so a watch's logical ids stay those of its own children.
 */
export function addScheduledChecker(scope: Construct, props: ScheduledCheckerProps): RampartFunction {
  const securityGroup = new SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: props.networkDescription,
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS APIs');
  const checker = new RampartFunction(scope, 'Checker', {
    entry: props.entry,
    description: props.description,
    serviceName: props.metric.service,
    metricsNamespace: props.metric.namespace,
    logRetentionDays: props.logRetentionDays,
    logEncryptionKey: props.logEncryptionKey,
    logRemovalPolicy: props.logRemovalPolicy,
    vpc: props.vpc,
    vpcSubnets: props.subnets,
    securityGroups: [securityGroup, ...(props.securityGroups ?? [])],
    reservedConcurrentExecutions: 1,
    timeout: props.timeout,
    invocation: 'asynchronous',
    environment: props.environment,
    overrides: { deadLetterQueue: props.deadLetterQueue },
  });
  new Rule(scope, 'Schedule', {
    description: props.scheduleDescription,
    schedule: Schedule.rate(props.every),
    targets: [new LambdaFunction(checker, { retryAttempts: 2 })],
  });
  return checker;
}
