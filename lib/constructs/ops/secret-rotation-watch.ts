import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RampartFunction } from '../compute/rampart-function';
import { addScheduledChecker, type ScheduledCheckerBaseProps } from './scheduled-checker';
import type { AlarmFactory } from './alarm-factory';

/** Namespace, metric and service dimension the checker publishes (EMF). */
export const ROTATION_AGE_METRIC = {
  namespace: 'Rampart/Operations',
  metricName: 'DaysSinceLastRotation',
  service: 'secret-rotation-age',
} as const;

export interface SecretRotationWatchProps extends ScheduledCheckerBaseProps {
  /** Secrets to watch: short name (metric dimension, alarm component), secret, rotation period. */
  readonly secrets: readonly {
    readonly name: string;
    readonly secret: ISecret;
    readonly rotationDays: number;
  }[];
  readonly alarms: AlarmFactory;
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
    this.checker = addScheduledChecker(this, {
      ...props,
      entry: 'secret-rotation-age/handler.ts',
      description: 'Publishes days since the last rotation of each watched secret',
      scheduleDescription: 'Measure days since the last rotation of the watched secrets',
      networkDescription: 'Secret rotation age check: HTTPS to the Secrets Manager endpoint only',
      metric: ROTATION_AGE_METRIC,
      every: Duration.hours(6),
      timeout: Duration.seconds(30),
      environment: {
        WATCHED_SECRETS: JSON.stringify(
          Object.fromEntries(props.secrets.map((s) => [s.name, s.secret.secretArn])),
        ),
      },
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
