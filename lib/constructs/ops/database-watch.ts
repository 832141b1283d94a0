import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { RampartFunction } from '../compute/rampart-function';
import { addScheduledChecker, type ScheduledCheckerBaseProps } from './scheduled-checker';
import type { AlarmFactory } from './alarm-factory';

/** Namespace and service dimension of what the watch publishes (EMF); metric names: the handler's. */
export const DATABASE_WATCH = { namespace: 'Rampart/Operations', service: 'database-watch' } as const;

/**
 * Limits of the watch's alarms. AWS Backup takes the daily snapshot within the first hour of its
 * 03:00 UTC window, so a day plus that hour plus an hour of slack is late; a DR copy starts when
 * the snapshot is done and may take hours, so it gets 6 more; replicated automated backups trail
 * the instance by minutes (runbooks/dr/region-failover.md), an hour means replication stopped.
 */
export const DATABASE_WATCH_LIMITS = {
  backupHours: 26,
  drCopyHours: 30,
  replicationLagMinutes: 60,
} as const;

export interface DatabaseWatchProps extends ScheduledCheckerBaseProps {
  /** The instance whose backups and maintenance are watched. */
  readonly instance: IDatabaseInstance;
  readonly alarms: AlarmFactory;
  /**
   * The DR region and what to watch there: AWS Backup copies of the snapshots, RDS's replicated
   * automated backups.
   * @default - nothing in another region
   */
  readonly dr?: { readonly region: string; readonly copies: boolean; readonly replication: boolean };
}

/**
 * "No backup for 26 hours", "no DR copy", "replication stopped" and "maintenance pending" are
 * absences and states that neither AWS Backup nor RDS publishes as metrics. A small function (every
 * 30 minutes, `lambda/functions/database-watch`) reads them from the RDS API and publishes ages and
 * a count; one alarm each fires when a limit is passed or when the value stops arriving (the watch
 * itself broke, which hides the same risk).
 */
export class DatabaseWatch extends Construct {
  public readonly checker: RampartFunction;

  constructor(scope: Construct, id: string, props: DatabaseWatchProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { instance, dr } = props;
    this.checker = addScheduledChecker(this, {
      ...props,
      entry: 'database-watch/handler.ts',
      description: 'Publishes backup, DR copy and replication ages and pending maintenance of the database',
      scheduleDescription: 'Measure backup and replication ages and pending maintenance of the database',
      networkDescription: 'Database watch: HTTPS to the RDS API only',
      metric: DATABASE_WATCH,
      every: Duration.minutes(30),
      timeout: Duration.seconds(60),
      environment: {
        DB_INSTANCE_ID: instance.instanceIdentifier,
        ...(dr
          ? {
              DR_REGION: dr.region,
              WATCH_DR_COPIES: String(dr.copies),
              WATCH_REPLICATION: String(dr.replication),
            }
          : {}),
      },
    });

    // Read-only metadata. The instance by ARN; snapshots (named by AWS Backup per job), automated
    // backups (named by RDS) and pending actions are not known in advance, in either region.
    this.checker.addToRolePolicy(
      new PolicyStatement({ actions: ['rds:DescribeDBInstances'], resources: [instance.instanceArn] }),
    );
    const regions = [stack.region, ...(dr && (dr.copies || dr.replication) ? [dr.region] : [])];
    const arns = (resource: string) =>
      regions.map((region) =>
        stack.formatArn({
          service: 'rds',
          region,
          resource,
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      );
    this.checker.addToRolePolicy(
      new PolicyStatement({
        actions: ['rds:DescribeDBSnapshots'],
        resources: [...arns('snapshot'), ...arns('db')],
      }),
    );
    if (dr?.replication) {
      this.checker.addToRolePolicy(
        new PolicyStatement({
          actions: ['rds:DescribeDBInstanceAutomatedBackups'],
          resources: arns('auto-backup'),
        }),
      );
    }
    this.checker.addToRolePolicy(
      new PolicyStatement({ actions: ['rds:DescribePendingMaintenanceActions'], resources: ['*'] }),
    );
    const arnOf = (region: string, resource: string) =>
      `arn:${stack.partition}:rds:${region}:${stack.account}:${resource}:*`;
    const acknowledgements: [string, string][] = [
      [
        '*',
        'DescribePendingMaintenanceActions lists actions by resource and has no resource-level permission to scope to; it returns metadata only.',
      ],
    ];
    for (const region of regions) {
      acknowledgements.push(
        [
          arnOf(region, 'snapshot'),
          'AWS Backup names each snapshot after its job (awsbackup:job-...), so no name is known at synth; DescribeDBSnapshots returns metadata only, never data.',
        ],
        [
          arnOf(region, 'db'),
          'DescribeDBSnapshots is also authorized against db resources (the source instance, in the DR region gone when it matters); read-only metadata.',
        ],
      );
      if (dr?.replication) {
        acknowledgements.push([
          arnOf(region, 'auto-backup'),
          'Replicated automated backups are named by RDS; DescribeDBInstanceAutomatedBackups returns metadata only.',
        ]);
      }
    }
    for (const [resource, reason] of acknowledgements) {
      Validations.of(this.checker.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason,
      });
    }

    const metric = (metricName: string) =>
      new Metric({
        namespace: DATABASE_WATCH.namespace,
        metricName,
        dimensionsMap: { service: DATABASE_WATCH.service },
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    const common = {
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // The watch runs every 30 minutes: an hour without a value means it is broken or cannot read,
      // which hides exactly what it watches.
      treatMissingData: TreatMissingData.BREACHING,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      watches: [instance],
    };
    props.alarms.metricAlarm({
      ...common,
      runbook: 'backup-missing',
      component: 'backup',
      signal: 'missing',
      severity: 'critical',
      impact: `No AWS Backup snapshot of the database in ${DATABASE_WATCH_LIMITS.backupHours} h: the recovery point objective is not met.`,
      metric: metric('HoursSinceLastBackup'),
      threshold: DATABASE_WATCH_LIMITS.backupHours,
    });
    if (dr?.copies) {
      props.alarms.metricAlarm({
        ...common,
        runbook: 'dr-copy-missing',
        component: 'dr-copy',
        signal: 'missing',
        severity: 'critical',
        impact: `No snapshot copy arrived in ${dr.region} for ${DATABASE_WATCH_LIMITS.drCopyHours} h: losing the region would lose more than a day.`,
        metric: metric('HoursSinceLastDrCopy'),
        threshold: DATABASE_WATCH_LIMITS.drCopyHours,
      });
    }
    if (dr?.replication) {
      props.alarms.metricAlarm({
        ...common,
        runbook: 'backup-replication-lag',
        component: 'backup-replication',
        signal: 'lag',
        severity: 'critical',
        impact: `Automated backups in ${dr.region} trail the database by more than ${DATABASE_WATCH_LIMITS.replicationLagMinutes} min: a region failover would lose that much.`,
        metric: metric('ReplicatedBackupLagMinutes'),
        threshold: DATABASE_WATCH_LIMITS.replicationLagMinutes,
      });
    }
    props.alarms.metricAlarm({
      ...common,
      runbook: 'db-pending-maintenance',
      component: 'db',
      signal: 'pending-maintenance',
      severity: 'warning',
      impact:
        'RDS has maintenance pending for the database (engine patch or system update): apply it in a window before RDS forces it.',
      metric: metric('PendingMaintenanceActions'),
      threshold: 0,
    });
  }
}
