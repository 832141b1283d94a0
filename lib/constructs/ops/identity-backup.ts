import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { RampartFunction } from '../compute/rampart-function';
import type { AlarmFactory } from './alarm-factory';
import { addScheduledChecker, type ScheduledCheckerBaseProps } from './scheduled-checker';

/** Namespace and service dimension of what the backup publishes (EMF). */
export const IDENTITY_BACKUP = { namespace: 'Rampart/Operations', service: 'identity-backup' } as const;

/** CloudWatch alarms evaluate periods of at most a day. */
const MAX_ALARM_PERIOD_SECONDS = 86_400;

export interface IdentityBackupProps extends ScheduledCheckerBaseProps {
  /** The pool whose users, groups and memberships are backed up. */
  readonly userPool: IUserPool;
  /** `recovery.regionLoss.identityRpoSeconds`: the backup interval, and the age at which the alarm fires. */
  readonly rpoSeconds: number;
  /** The DR region and the bucket there (`Rampart-<env>-DataDr`), named, not referenced across regions. */
  readonly drRegion: string;
  readonly bucketName: string;
  /** Alias of the DR region's key that encrypts the bucket (IAM matches the key by it). */
  readonly drKeyAlias: string;
  /** What reaching the database takes: the proxy endpoint, and the group the proxy admits. */
  readonly database: {
    readonly host: string;
    readonly name: string;
    readonly user: string;
    readonly clientSecurityGroup: ISecurityGroup;
  };
  readonly alarms: AlarmFactory;
}

/**
 * Backs up the identities Cognito cannot replicate: every `rpoSeconds` a function
 * (`lambda/functions/identity-backup`) writes the pool's users, groups and memberships and the
 * API keys' owners into an encrypted bucket in `drRegion`; one alarm fires when no backup
 * succeeded within the identity RPO (or the function failed), which is when the newest backup is
 * older than the objective. The import into the DR pool: lambda/domain/auth/identity-backup.ts.
 */
export class IdentityBackup extends Construct {
  public readonly backup: RampartFunction;

  constructor(scope: Construct, id: string, props: IdentityBackupProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.rpoSeconds % 60 !== 0 || props.rpoSeconds > MAX_ALARM_PERIOD_SECONDS) {
      throw new Error(
        `IdentityBackup ${id}: identityRpoSeconds must be whole minutes up to a day (CloudWatch's longest alarm period), got ${props.rpoSeconds}`,
      );
    }
    this.backup = addScheduledChecker(this, {
      ...props,
      entry: 'identity-backup/handler.ts',
      description: `Backs up users, groups and API-key owners into ${props.drRegion} (identity RPO ${props.rpoSeconds} s)`,
      scheduleDescription: 'Back up identities into the DR region',
      networkDescription: 'Identity backup: HTTPS to Cognito and S3 in the DR region',
      metric: IDENTITY_BACKUP,
      every: Duration.seconds(props.rpoSeconds),
      timeout: Duration.minutes(5),
      securityGroups: [props.database.clientSecurityGroup],
      environment: {
        USER_POOL_ID: props.userPool.userPoolId,
        BACKUP_BUCKET: props.bucketName,
        DR_REGION: props.drRegion,
        DB_HOST: props.database.host,
        DB_PORT: '5432',
        DB_NAME: props.database.name,
        DB_USER: props.database.user,
        DB_IAM_AUTH: 'true',
      },
    });
    this.backup.addToRolePolicy(
      new PolicyStatement({
        actions: ['cognito-idp:ListUsers', 'cognito-idp:ListGroups', 'cognito-idp:ListUsersInGroup'],
        resources: [props.userPool.userPoolArn],
      }),
    );
    this.backup.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [`arn:${stack.partition}:s3:::${props.bucketName}/identities/*`],
      }),
    );
    // The key is in another region and known here only by its alias: allowed by that alias alone.
    this.backup.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [
          stack.formatArn({
            service: 'kms',
            region: props.drRegion,
            resource: 'key',
            resourceName: '*',
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': props.drKeyAlias } },
      }),
    );

    for (const [resource, reason] of [
      [
        `arn:${stack.partition}:s3:::${props.bucketName}/identities/*`,
        'Each snapshot is a new object named by its time under identities/ of the one DR bucket; PutObject only.',
      ],
      [
        `arn:${stack.partition}:kms:${props.drRegion}:${stack.account}:key/*`,
        'The DR key lives in another region and is known here by its alias only; the kms:ResourceAliases condition limits the grant to that one key, GenerateDataKey only.',
      ],
    ] as const) {
      Validations.of(this.backup.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason,
      });
    }

    const period = Duration.seconds(props.rpoSeconds);
    props.alarms.metricAlarm({
      runbook: 'identity-backup-missing',
      component: 'identity-backup',
      signal: 'missing',
      severity: 'warning',
      impact: `No identity backup reached ${props.drRegion} in ${props.rpoSeconds} s (the identity RPO): a region failover would lose the users and groups changed since.`,
      metric: new MathExpression({
        expression: 'IF(FILL(errors, 0) > 0, 0, FILL(backups, 0))',
        usingMetrics: {
          backups: new Metric({
            namespace: IDENTITY_BACKUP.namespace,
            metricName: 'IdentityBackups',
            dimensionsMap: { service: IDENTITY_BACKUP.service },
            statistic: 'Sum',
            period,
          }),
          errors: this.backup.metricErrors({ statistic: 'Sum', period }),
        },
        label: 'Identity backups written (0 when the function failed)',
        period,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data at all: the schedule or the function is gone, which loses the same identities.
      treatMissingData: TreatMissingData.BREACHING,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      watches: [this.backup],
    });
  }
}
