import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { CfnRestoreTestingPlan } from 'aws-cdk-lib/aws-backup';
import { ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnSecurityGroupIngress, Peer, Port, SecurityGroup, type ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RecoveryObjective } from '../../config/recovery';
import { RampartFunction } from '../compute/rampart-function';
import type { AlarmFactory } from './alarm-factory';
import type { ScheduledCheckerBaseProps } from './scheduled-checker';

/** Namespace and service dimension of what the validation publishes (EMF). */
export const RESTORE_VALIDATION = { namespace: 'Rampart/Operations', service: 'restore-validation' } as const;

/** Network, logs and dead-letter queue are those of the scheduled checkers. */
export interface RestoreValidationProps extends ScheduledCheckerBaseProps {
  /** The restore testing plans whose restored databases are validated. */
  readonly plans: readonly CfnRestoreTestingPlan[];
  /** The database's admin secret (attached: host, port, user, password). */
  readonly adminSecret: ISecret;
  /** The key that encrypts the admin secret. */
  readonly secretEncryptionKey: IKey;
  /** The security group of the database and of the instances restore tests create. */
  readonly databaseSecurityGroup: ISecurityGroup;
  /** The objectives the restores are alarmed against: restore duration vs RTO, restored point's age vs RPO. */
  readonly objective: RecoveryObjective;
  /**
   * The objective's name in the alarms' impact text.
   * @default 'point-in-time restore'
   */
  readonly objectiveName?: string;
  /**
   * The kind of recovery point whose age is alarmed against the RPO.
   * @default 'CONTINUOUS'
   */
  readonly pointAgeRecoveryPointType?: 'CONTINUOUS' | 'SNAPSHOT';
  /**
   * The alarms' component (their names are `rampart-<env>-<component>-<signal>`).
   * @default 'restore-test'
   */
  readonly component?: string;
  /**
   * What restored databases are compared with: the instance the admin secret names (behind
   * `databaseSecurityGroup`), another instance of this region (`instanceIdentifier`, behind its own
   * security group: the DR region's read replica), or `'none'` (no source reachable in this
   * region: the restored database is checked alone, lambda/domain/ops/restore-validation.ts).
   * @default - the admin secret's instance
   */
  readonly source?: { readonly instanceIdentifier: string; readonly securityGroup: ISecurityGroup } | 'none';
  readonly alarms: AlarmFactory;
}

/**
 * Proves each restore test: when AWS Backup finishes restoring a test instance, a function
 * (`lambda/functions/restore-validation`) connects to it and to the source, checks migrations,
 * schema version, row counts and the newest row (lambda/domain/ops/restore-validation.ts), and
 * reports with PutRestoreValidationResult. It publishes the restore's duration and the restored
 * point's age, alarmed against the point-in-time restore objective.
 */
export class RestoreValidation extends Construct {
  public readonly validator: RampartFunction;
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: RestoreValidationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.plans.length === 0)
      throw new Error(`RestoreValidation ${id}: no restore testing plan to validate`);

    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Restore validation: HTTPS to AWS APIs, PostgreSQL to the database and restored instances',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS APIs');
    this.validator = new RampartFunction(this, 'Validator', {
      entry: 'restore-validation/handler.ts',
      description: 'Validates databases restored by AWS Backup restore tests and reports the result',
      serviceName: RESTORE_VALIDATION.service,
      metricsNamespace: RESTORE_VALIDATION.namespace,
      logRetentionDays: props.logRetentionDays,
      logEncryptionKey: props.logEncryptionKey,
      logRemovalPolicy: props.logRemovalPolicy,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(5),
      invocation: 'asynchronous',
      environment: {
        ADMIN_SECRET_ARN: props.adminSecret.secretArn,
        RESTORE_TESTING_PLAN_ARNS: props.plans.map((plan) => plan.attrRestoreTestingPlanArn).join(','),
        ...(props.source === undefined
          ? {}
          : {
              SOURCE_DATABASE: props.source === 'none' ? 'none' : props.source.instanceIdentifier,
            }),
        // The Lambda runtime's CA bundle includes the RDS certificate authorities.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
      overrides: { deadLetterQueue: props.deadLetterQueue },
    });
    // Both rules live here (the Data stack is deployed first and must not reference this one).
    securityGroup.addEgressRule(
      props.databaseSecurityGroup,
      Port.tcp(5432),
      'PostgreSQL to the database and restored instances',
    );
    new CfnSecurityGroupIngress(this, 'DatabaseIngress', {
      groupId: props.databaseSecurityGroup.securityGroupId,
      sourceSecurityGroupId: securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      description: 'Restore validation to the database and restored instances',
    });
    if (props.source !== undefined && props.source !== 'none') {
      securityGroup.addEgressRule(
        props.source.securityGroup,
        Port.tcp(5432),
        'PostgreSQL to the source instance',
      );
      new CfnSecurityGroupIngress(this, 'SourceIngress', {
        groupId: props.source.securityGroup.securityGroupId,
        sourceSecurityGroupId: securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        description: 'Restore validation to the source instance (reads only)',
      });
    }
    // Read the admin secret (and decrypt it, only through Secrets Manager), granted on this role
    // alone: a grant on the secret or key would make the Data stack reference this one.
    this.validator.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [props.adminSecret.secretArn],
      }),
    );
    this.validator.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.secretEncryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }),
    );

    this.rule = new Rule(this, 'RestoreCompleted', {
      description: 'AWS Backup restore jobs that completed: restore tests are validated',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Restore Job State Change'],
        detail: { status: ['COMPLETED'] },
      },
      targets: [new LambdaFunction(this.validator, { retryAttempts: 2 })],
    });

    this.validator.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'backup:DescribeRestoreJob',
          'backup:GetRestoreJobMetadata',
          'backup:PutRestoreValidationResult',
        ],
        resources: ['*'],
      }),
    );
    const restoredInstances = stack.formatArn({
      service: 'rds',
      resource: 'db',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.validator.addToRolePolicy(
      new PolicyStatement({ actions: ['rds:DescribeDBInstances'], resources: [restoredInstances] }),
    );
    for (const [resource, reason] of [
      [
        '*',
        'AWS Backup authorizes DescribeRestoreJob, GetRestoreJobMetadata and PutRestoreValidationResult on no resource type (restore jobs have no ARN); the function acts only on restore jobs of its own restore testing plans.',
      ],
      [
        `arn:${stack.partition}:rds:${stack.region}:${stack.account}:db:*`,
        'Restore tests create instances with names AWS Backup generates, unknown at synth; DescribeDBInstances returns metadata only (the endpoint to connect to).',
      ],
    ] as const) {
      Validations.of(this.validator.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason,
      });
    }

    const metric = (metricName: string, recoveryPointType: string) =>
      new Metric({
        namespace: RESTORE_VALIDATION.namespace,
        metricName,
        dimensionsMap: { service: RESTORE_VALIDATION.service, RecoveryPointType: recoveryPointType },
        statistic: 'Maximum',
        period: Duration.days(1),
      });
    // Restore tests run weekly: a day without one is normal, so missing data is not breaching.
    const common = {
      treatMissingData: TreatMissingData.NOT_BREACHING,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      watches: [this.validator],
      severity: 'warning' as const,
      component: props.component ?? 'restore-test',
    };
    const { rtoSeconds, rpoSeconds } = props.objective;
    const objective = props.objectiveName ?? 'point-in-time restore';
    const pointType = props.pointAgeRecoveryPointType ?? 'CONTINUOUS';
    props.alarms.metricAlarm({
      ...common,
      runbook: 'restore-test-duration',
      signal: 'duration',
      impact: `A restore test took longer than the ${objective} RTO (${rtoSeconds} s): a real restore would miss it.`,
      metric: new MathExpression({
        expression: 'MAX([continuous, snapshot])',
        usingMetrics: {
          continuous: metric('RestoreDurationSeconds', 'CONTINUOUS'),
          snapshot: metric('RestoreDurationSeconds', 'SNAPSHOT'),
        },
        label: 'Restore duration (s)',
        period: Duration.days(1),
      }),
      threshold: rtoSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    props.alarms.metricAlarm({
      ...common,
      runbook: 'restore-test-point-age',
      signal: 'point-age',
      impact: `The latest ${pointType === 'CONTINUOUS' ? 'continuous recovery point' : 'snapshot'} was older than the ${objective} RPO (${rpoSeconds} s) when a restore test started: a restore now would lose more.`,
      metric: metric('RecoveryPointAgeSeconds', pointType),
      threshold: rpoSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    props.alarms.metricAlarm({
      ...common,
      runbook: 'restore-validation-failed',
      signal: 'validation-failed',
      impact:
        'A restored database failed validation (migrations, schema version, row counts or newest row), or the validation itself failed: the backups are not proven to bring back what they should.',
      // The validator's own errors count: a validation that could not run proves nothing either.
      metric: new MathExpression({
        expression: 'MAX([failed, errors])',
        usingMetrics: {
          failed: new Metric({
            namespace: RESTORE_VALIDATION.namespace,
            metricName: 'RestoreValidationFailed',
            dimensionsMap: { service: RESTORE_VALIDATION.service },
            statistic: 'Maximum',
            period: Duration.days(1),
          }),
          errors: this.validator.metricErrors({ statistic: 'Sum', period: Duration.days(1) }),
        },
        label: 'Failed validations and validator errors',
        period: Duration.days(1),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
}
