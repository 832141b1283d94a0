import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CfnRestoreTestingPlan, CfnRestoreTestingSelection } from 'aws-cdk-lib/aws-backup';
import { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { SubnetGroup } from 'aws-cdk-lib/aws-rds';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EVENT_ALERTS } from '../../lambda/domain/notify/event-alerts';
import type { RecoveryObjective } from '../config';
import { allowLogsToUse } from '../constructs/core/encrypted-log-group';
import { RESTORE_TEST_WINDOW_DAYS } from '../constructs/data/database-backup';
import { SecureVpc } from '../constructs/network/secure-vpc';
import type { AlarmFactory } from '../constructs/ops/alarm-factory';
import { deadLetterAlarms } from '../constructs/ops/component-alarms';
import { DATABASE_WATCH_LIMITS } from '../constructs/ops/database-watch';
import { EventAlertRules } from '../constructs/ops/event-alert-rules';
import { RestoreValidation } from '../constructs/ops/restore-validation';
import { SeverityTopics } from '../constructs/ops/severity-topics';
import type { DataDrStack } from './data-dr-stack';
import type { DrDataStack } from './dr-data-stack';
import { SlackDelivery } from '../constructs/ops/slack-delivery';
import {
  alertTopics,
  alarmFunctions,
  environmentAlarmFactory,
  notifierDeadLetterAlarms,
  notifierFunction,
} from './environment-alarms';
import { RampartStack, type RampartStackProps } from './rampart-stack';

/** What the DR vault restore tests ask of the AWS APIs: the validator's calls, through interface endpoints. */
export const DR_RESTORE_TEST_ENDPOINTS = ['secretsmanager', 'rds', 'backup'] as const;

/** `rampart-<env>-dr-restore-notifier-*`: the alarms of the DR restore topics' own Slack notifier. */
const SLACK_COMPONENT = 'dr-restore-notifier';

/** `rampart-<env>-dr-restore-<severity>`: the topics of the DR restore tests' alarms in drRegion. */
export function drRestoreTopicPrefix(environment: string): string {
  return `rampart-${environment}-dr-restore`;
}

export interface DrRestoreStackProps extends Omit<RampartStackProps, 'regionOverride'> {
  /** The DR vault whose copies are restored, and the key of the admin secret's replica. */
  readonly dataDr: DataDrStack;
  /** ARN of the admin secret's replica in drRegion (the restored instances open with its password). */
  readonly adminSecretArn: string;
  /**
   * The standby (strategies `pilot-light`, `warm-standby`): restores go into its network and are
   * compared with its read replica, a live copy of the source in this region.
   * @default - an isolated network of its own (`backup.drRestoreTestNetwork`), no source to compare with
   */
  readonly standby?: { readonly network: SecureVpc; readonly data: DrDataStack };
  /**
   * Alarm topics of drRegion that already page and reach Slack (the standby's, `Rampart-<env>-DrOps`);
   * their key also encrypts the validator's logs and dead letters.
   * @default - topics of its own, `rampart-<env>-dr-restore-<severity>`, paging and posting to Slack
   * through a notifier of its own (outside any VPC)
   */
  readonly topics?: SeverityTopics;
}

/**
 * Restore tests of the DR vault's copies, in drRegion (`Rampart-<env>-DrRestore`): AWS Backup's
 * restore testing only sees the vaults of its own region, so the primary's plans never restore the
 * copies, the only region-loss path of a `backup-restore` environment and the standby's fallback.
 * Weekly, the latest copy is restored into this region's network, validated by the primary's
 * restore validator (the same function code) and deleted; the restore's duration and the copy's
 * age are alarmed against the region-loss objectives (docs/dr.md).
 */
export class DrRestoreStack extends RampartStack {
  public readonly network: SecureVpc;
  public readonly plan: CfnRestoreTestingPlan;
  public readonly selection: CfnRestoreTestingSelection;
  public readonly restoredSecurityGroup: SecurityGroup;
  public readonly topics: SeverityTopics;
  public readonly alarms: AlarmFactory;
  public readonly validation: RestoreValidation;
  /**
   * The webhook notifier on this stack's own topics (outside any VPC), when it has them.
   * @default - none: the given topics (the standby's) have DrOps' notifier
   */
  public readonly slack?: SlackDelivery;
  /** Restore jobs of this region that failed or were aborted: a warning, as in the primary region. */
  public readonly failedRestores: EventAlertRules;

  constructor(scope: Construct, id: string, props: DrRestoreStackProps) {
    super(scope, id, { ...props, regionOverride: props.config.drRegion });
    const { config, dataDr, standby } = props;
    const isolated = config.backup.drRestoreTestNetwork;
    if (!standby && !isolated) {
      throw new Error(`DrRestoreStack ${id}: no standby network and no backup.drRestoreTestNetwork`);
    }
    this.network =
      standby?.network ??
      new SecureVpc(this, 'Network', {
        cidr: isolated!.cidr,
        availabilityZones: [...isolated!.availabilityZones],
        natGateways: 0,
        interfaceEndpoints: DR_RESTORE_TEST_ENDPOINTS,
        // One zone: each endpoint is billed per zone, and a weekly test needs no zone redundancy.
        endpointAvailabilityZones: [isolated!.availabilityZones[0]],
        flowLogRetentionDays: isolated!.flowLogRetentionDays,
      });
    const vpc = this.network.vpc;

    this.restoredSecurityGroup = new SecurityGroup(this, 'RestoredSecurityGroup', {
      vpc,
      description: 'Instances restored by the DR restore tests: PostgreSQL from the restore validator only',
      allowAllOutbound: false,
    });
    const subnetGroup = new SubnetGroup(this, 'RestoredSubnetGroup', {
      vpc,
      vpcSubnets: this.network.dataSubnets,
      description: 'Instances restored by the DR restore tests (isolated subnets)',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const role = new Role(this, 'RestoreRole', {
      assumedBy: new ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: restore-test the DR vault copies of the database',
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason:
        'The AWS-maintained restore policy is what AWS Backup needs to restore RDS snapshots (with KMS grants on the DR key) and delete the instances a restore test created; the role is assumable by backup.amazonaws.com only.',
    });

    const planName = `rampart_${config.name}_dr_weekly`;
    // Tuesdays at 10:00 UTC, the day after the primary's snapshot test: the daily snapshot (03:00)
    // and its copy are done by then.
    this.plan = new CfnRestoreTestingPlan(this, 'RestoreTestingPlan', {
      restoreTestingPlanName: planName,
      scheduleExpression: 'cron(0 10 ? * TUE *)',
      scheduleExpressionTimezone: 'Etc/UTC',
      startWindowHours: 8,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [dataDr.vault.backupVaultArn],
        // Copies into another region are snapshots, never continuous points.
        recoveryPointTypes: ['SNAPSHOT'],
        selectionWindowDays: RESTORE_TEST_WINDOW_DAYS,
      },
    });
    this.selection = new CfnRestoreTestingSelection(this, 'RestoreTestingSelection', {
      restoreTestingPlanName: planName,
      restoreTestingSelectionName: 'database',
      protectedResourceType: 'RDS',
      // Every RDS resource with copies in the included vault: the DR vault holds this environment's
      // database only, and its copies name the primary-region instance, not one of this region.
      protectedResourceArns: ['*'],
      iamRoleArn: role.roleArn,
      restoreMetadataOverrides: {
        dbSubnetGroupName: subnetGroup.subnetGroupName,
        vpcSecurityGroupIds: `["${this.restoredSecurityGroup.securityGroupId}"]`,
        multiAZ: 'false',
      },
      validationWindowHours: 2,
    });
    this.selection.addResourceDependency(this.plan);

    // The validator's logs and dead letters: the topics' key when the topics are this stack's, else
    // a key of its own (log groups are encrypted with a key of their stack).
    let key: IKey;
    if (props.topics) {
      this.topics = props.topics;
      key = new Key(this, 'Key', {
        description: `Rampart ${config.name}: logs and dead letters of the DR vault restore tests`,
        enableKeyRotation: true,
        removalPolicy: this.logRemovalPolicy,
      });
      allowLogsToUse(key, this);
    } else {
      // Slack as the primary does it, with the webhook secret's replica in this region. The
      // isolated network has no route to the internet (a NAT gateway would cost more than the
      // weekly test): the notifier runs outside any VPC.
      ({ topics: this.topics, slack: this.slack } = alertTopics(this, config, {
        topicNamePrefix: drRestoreTopicPrefix(config.name),
        slack: { chatbot: false },
      }));
      key = this.topics.key;
    }
    this.alarms = environmentAlarmFactory(this, config, this.topics);
    if (this.slack) {
      alarmFunctions(this.alarms, [notifierFunction(this.slack, SLACK_COMPONENT)], config.alarms.thresholds);
      notifierDeadLetterAlarms(this.alarms, this.slack, SLACK_COMPONENT);
    }

    const deadLetterRetention = Duration.days(14);
    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: deadLetterRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    deadLetterAlarms(this.alarms, {
      queue: deadLetterQueue,
      component: 'dr-restore-validator-dlq',
      impact: 'A completed DR restore test was never validated (its restored instance is deleted unproven)',
      retention: deadLetterRetention,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the restore validator's dead-letter queue (Lambda async on-failure); it has no DLQ of its own.",
    });

    // A restore that fails outright never reaches the validator (it runs on COMPLETED jobs only):
    // the primary's event alert for failed restore jobs, in this region.
    this.failedRestores = new EventAlertRules(this, 'EventAlerts', {
      topics: this.topics.topics,
      deadLetterQueue,
      alerts: EVENT_ALERTS.filter((alert) => alert.id === 'backup-restore-test-failed'),
    });

    this.validation = new RestoreValidation(this, 'RestoreValidation', {
      plans: [this.plan],
      adminSecret: Secret.fromSecretCompleteArn(this, 'AdminSecret', props.adminSecretArn),
      secretEncryptionKey: dataDr.key.key,
      databaseSecurityGroup: this.restoredSecurityGroup,
      objective: drCopyObjective(config),
      objectiveName: config.recovery.regionLoss ? 'region-loss' : 'point-in-time restore',
      pointAgeRecoveryPointType: 'SNAPSHOT',
      component: 'dr-restore-test',
      source: standby
        ? {
            instanceIdentifier: standby.data.database.replica.instanceIdentifier,
            securityGroup: standby.data.database.databaseSecurityGroup,
          }
        : 'none',
      alarms: this.alarms,
      vpc,
      subnets: this.network.functionSubnets,
      logEncryptionKey: key,
      logRetentionDays: config.functions.logRetentionDays,
      logRemovalPolicy: this.logRemovalPolicy,
      deadLetterQueue,
    });
  }
}

/**
 * What a restore from the DR vault's copies is alarmed against: the region-loss RTO, and the
 * region-loss RPO but never less than a copy's age can be (daily copies: DATABASE_WATCH_LIMITS'
 * `drCopyHours`). Where copies are the region-loss path (`backup-restore` without replicated
 * backups) config validation already holds that RPO at a day or more; where a replica or replicated
 * backups carry the tighter RPO, the copies are the fallback and are held to their own cadence.
 * Without a region-loss objective the point-in-time restore RTO applies.
 */
export function drCopyObjective(config: {
  readonly recovery: {
    readonly pointInTimeRestore: RecoveryObjective;
    readonly regionLoss?: RecoveryObjective;
  };
}): RecoveryObjective {
  const objective = config.recovery.regionLoss ?? config.recovery.pointInTimeRestore;
  return {
    rtoSeconds: objective.rtoSeconds,
    rpoSeconds: Math.max(objective.rpoSeconds, DATABASE_WATCH_LIMITS.drCopyHours * 3600),
  };
}
