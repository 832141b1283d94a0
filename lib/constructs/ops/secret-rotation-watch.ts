import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Peer, Port, SecurityGroup, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RampartFunction } from '../compute/rampart-function';
import type { AlarmFactory } from './alarm-factory';

/** Namespace, metric and service dimension the checker publishes (EMF). */
export const ROTATION_AGE_METRIC = {
  namespace: 'Rampart/Operations',
  metricName: 'DaysSinceLastRotation',
  service: 'secret-rotation-age',
} as const;

export interface SecretRotationWatchProps {
  /** Secrets to watch: short name (metric dimension, alarm component), secret, rotation period. */
  readonly secrets: readonly {
    readonly name: string;
    readonly secret: ISecret;
    readonly rotationDays: number;
  }[];
  readonly alarms: AlarmFactory;
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
  /**
   * Days of grace after the rotation period before the alarm fires.
   * @default 2
   */
  readonly graceDays?: number;
}

/**
 * "Days since last rotation": Secrets Manager publishes no such metric, so a small function
 * (every 6 hours) publishes `DaysSinceLastRotation` per secret, and one alarm per secret fires
 * when it exceeds the rotation period plus grace, or when the metric stops arriving.
 */
export class SecretRotationWatch extends Construct {
  public readonly checker: RampartFunction;

  constructor(scope: Construct, id: string, props: SecretRotationWatchProps) {
    super(scope, id);
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Secret rotation age check: HTTPS to the Secrets Manager endpoint only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS APIs');
    this.checker = new RampartFunction(this, 'Checker', {
      entry: 'secret-rotation-age/handler.ts',
      description: 'Publishes days since the last rotation of each watched secret',
      serviceName: ROTATION_AGE_METRIC.service,
      metricsNamespace: ROTATION_AGE_METRIC.namespace,
      logRetentionDays: props.logRetentionDays,
      logEncryptionKey: props.logEncryptionKey,
      logRemovalPolicy: props.logRemovalPolicy,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      reservedConcurrentExecutions: 1,
      timeout: Duration.seconds(30),
      invocation: 'asynchronous',
      environment: {
        WATCHED_SECRETS: JSON.stringify(
          Object.fromEntries(props.secrets.map((s) => [s.name, s.secret.secretArn])),
        ),
      },
      overrides: { deadLetterQueue: props.deadLetterQueue },
    });
    new Rule(this, 'Schedule', {
      description: 'Measure days since the last rotation of the watched secrets',
      schedule: Schedule.rate(Duration.hours(6)),
      targets: [new LambdaFunction(this.checker, { retryAttempts: 2 })],
    });
    // Metadata only: DescribeSecret returns dates, never the value (no kms:Decrypt needed).
    this.checker.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:DescribeSecret'],
        resources: props.secrets.map((watched) => watched.secret.secretArn),
      }),
    );
    const grace = props.graceDays ?? 2;
    for (const watched of props.secrets) {
      props.alarms.metricAlarm({
        runbook: 'secret-rotation-overdue',
        component: `secret-${watched.name}`,
        signal: 'rotation-overdue',
        severity: 'warning',
        impact: `The ${watched.name} secret has not rotated for more than ${watched.rotationDays + grace} days (rotation every ${watched.rotationDays}).`,
        metric: new Metric({
          namespace: ROTATION_AGE_METRIC.namespace,
          metricName: ROTATION_AGE_METRIC.metricName,
          dimensionsMap: { service: ROTATION_AGE_METRIC.service, Secret: watched.name },
          statistic: 'Maximum',
          period: Duration.days(1),
        }),
        threshold: watched.rotationDays + grace,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        // No measurement for a day means the checker is broken: as bad as an overdue rotation.
        treatMissingData: TreatMissingData.BREACHING,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        watches: [watched.secret],
      });
    }
  }
}
