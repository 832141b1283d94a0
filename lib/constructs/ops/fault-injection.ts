import { CfnOutput, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { CfnExperimentTemplate, type CfnExperimentTemplateProps } from 'aws-cdk-lib/aws-fis';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { DRILL_TEMPLATE_TAGS } from '../../config';
import type { RecoveryConfig } from '../../config/recovery';
import { EncryptedLogGroup } from '../core/encrypted-log-group';

export interface FaultInjectionProps {
  /** The environment's name: tags and output names. */
  readonly environment: string;
  /** The objectives the experiments rehearse (`azLoss`: how long an AZ stays cut off). */
  readonly recovery: RecoveryConfig;
  /** The database to fail over (only a Multi-AZ instance has a standby to fail over to). */
  readonly database: IDatabaseInstance;
  /** Whether the instance is Multi-AZ: without a standby there is no failover experiment. */
  readonly multiAz: boolean;
  readonly vpc: IVpc;
  /** The function subnets: an AZ's share of them is cut off by the AZ-loss experiments. */
  readonly functionSubnets: SubnetSelection;
  /** Alarms that stop every experiment when they go to ALARM (the SLO burn-rate composites). */
  readonly stopAlarms: readonly IAlarm[];
  /**
   * The loss of the whole region, for the region-failover drill (environments declaring
   * `recovery.regionLoss`): every function and data subnet in every AZ cut off at once.
   * @default - no region-loss experiment
   */
  readonly regionLoss?: RegionLossExperimentProps;
  readonly logEncryptionKey: IKey;
  readonly logRetentionDays: number;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The region-loss experiment: which subnets, for how long, and what stops it. */
export interface RegionLossExperimentProps {
  /** The data subnets (database, RDS Proxy): cut off with the function subnets. */
  readonly dataSubnets: SubnetSelection;
  /** The region-loss RTO: the experiment holds the fault for twice this (at most 12 h, FIS's limit). */
  readonly rtoSeconds: number;
  /**
   * Stops the region-loss experiment: the API failing for the whole RTO, i.e. traffic never moved to
   * the standby. The SLO burn-rate composites cannot: a region loss burns the budget by design, and
   * they would end the fault within minutes, before the failover it rehearses.
   */
  readonly stopAlarm: IAlarm;
}

/** FIS holds `aws:network:disrupt-connectivity` for one minute to 12 hours. */
export const MAX_DISRUPTION_SECONDS = 12 * 3600;

/** How long the region-loss experiment holds the fault: twice the RTO, within FIS's limit. */
export function regionFaultSeconds(rtoSeconds: number): number {
  return Math.max(60, Math.min(2 * rtoSeconds, MAX_DISRUPTION_SECONDS));
}

/** An experiment template and the stack output that publishes its id (the drill runner starts it by id). */
export interface Experiment {
  readonly template: CfnExperimentTemplate;
  readonly outputName: string;
}

/**
 * AWS Fault Injection Service experiments for the failures the DR drills rehearse: a forced
 * Multi-AZ failover of the database (`aws:rds:reboot-db-instances` with `forceFailover`) and, per
 * availability zone, the loss of that zone's function subnets (`aws:network:disrupt-connectivity`,
 * held for the AZ-loss RTO) and, where a region loss is recovered, the loss of the region for the
 * application (every function and data subnet, tagged for the region-failover drill). The AZ and
 * database experiments stop when an SLO burn-rate alarm fires, the region-loss one when the API has
 * failed for the whole RTO; each logs to an encrypted log group and runs as a role that may do
 * exactly these actions on these resources.
 */
export class FaultInjection extends Construct {
  public readonly role: Role;
  public readonly logs: EncryptedLogGroup;
  public readonly experiments: Experiment[] = [];

  constructor(scope: Construct, id: string, props: FaultInjectionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.stopAlarms.length === 0) {
      throw new Error(`FaultInjection ${id}: every experiment needs a stop condition (stopAlarms is empty)`);
    }

    this.logs = new EncryptedLogGroup(this, 'Logs', {
      retentionDays: props.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy,
    });

    const subnets = props.vpc.selectSubnets(props.functionSubnets).subnets;
    const dataSubnets = props.regionLoss ? props.vpc.selectSubnets(props.regionLoss.dataSubnets).subnets : [];
    const subnetArn = (subnetId: string) =>
      stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnetId });
    const anyAcl = stack.formatArn({ service: 'ec2', resource: 'network-acl', resourceName: '*' });
    const vpcArn = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: props.vpc.vpcId });

    const statements = [
      // FIS delivers the experiment log to CloudWatch Logs through a log delivery it sets up.
      new PolicyStatement({
        actions: [
          'logs:CreateLogDelivery',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      }),
      // disrupt-connectivity: a deny-all network ACL in the VPC, tagged by FIS, swapped onto the
      // target subnets and swapped back at the end.
      new PolicyStatement({
        actions: ['ec2:CreateNetworkAcl'],
        resources: [anyAcl, vpcArn],
        conditions: { StringEquals: { 'aws:RequestTag/managedByFIS': 'true' } },
      }),
      new PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [anyAcl],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' } },
      }),
      new PolicyStatement({
        actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
        resources: [anyAcl],
        conditions: { StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } },
      }),
      new PolicyStatement({
        actions: ['ec2:ReplaceNetworkAclAssociation'],
        resources: [anyAcl, ...[...subnets, ...dataSubnets].map((subnet) => subnetArn(subnet.subnetId))],
      }),
      new PolicyStatement({
        actions: [
          'ec2:DescribeNetworkAcls',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:DescribeManagedPrefixLists',
          'ec2:GetManagedPrefixListEntries',
        ],
        resources: ['*'],
      }),
      ...(props.multiAz
        ? [
            new PolicyStatement({
              actions: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'],
              resources: [props.database.instanceArn],
            }),
          ]
        : []),
    ];
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('fis.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: props.regionLoss
        ? 'AWS FIS: fail the database over, cut off one AZ of the function subnets or every function and data subnet, nothing else'
        : 'AWS FIS: fail the database over and cut off one AZ of the function subnets, nothing else',
      inlinePolicies: { Experiments: new PolicyDocument({ statements }) },
    });
    const acknowledgements: [string, string][] = [
      [
        'AwsSolutions-IAM5[Resource::*]',
        'FIS log delivery (logs:CreateLogDelivery and friends) and EC2 Describe* calls have no resource-level permissions; they read or configure delivery only.',
      ],
      [
        `AwsSolutions-IAM5[Resource::arn:${stack.partition}:ec2:${stack.region}:${stack.account}:network-acl/*]`,
        'FIS creates the deny-all network ACL during the experiment, so its id is unknown at synth; creation requires the managedByFIS tag and changes are allowed only on ACLs carrying it.',
      ],
    ];
    for (const [ackId, reason] of acknowledgements)
      Validations.of(this.role).acknowledge({ id: ackId, reason });
    Validations.of(this.role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        'The experiment role has one inline policy scoped to its own experiments; a managed policy would be attachable elsewhere.',
    });

    const stopConditions = (alarms: readonly IAlarm[]) =>
      alarms.map((alarm) => ({ source: 'aws:cloudwatch:alarm', value: alarm.alarmArn }));
    const common = {
      roleArn: this.role.roleArn,
      stopConditions: stopConditions(props.stopAlarms),
      logConfiguration: {
        cloudWatchLogsConfiguration: { LogGroupArn: this.logs.logGroup.logGroupArn },
        logSchemaVersion: 2,
      },
    };
    const add = (
      experimentId: string,
      outputName: string,
      experiment: Omit<CfnExperimentTemplateProps, keyof typeof common | 'tags'>,
      options: { stopAlarms?: readonly IAlarm[]; tags?: Record<string, string> } = {},
    ) => {
      const template = new CfnExperimentTemplate(this, experimentId, {
        ...common,
        ...(options.stopAlarms ? { stopConditions: stopConditions(options.stopAlarms) } : {}),
        ...experiment,
        tags: { Name: `rampart-${props.environment}-${outputName}`, ...options.tags },
      });
      new CfnOutput(this, `${experimentId}Id`, {
        value: template.attrId,
        description: experiment.description,
        exportName: `rampart-${props.environment}-fis-${outputName}`,
      });
      this.experiments.push({ template, outputName });
    };

    if (props.multiAz) {
      add('DatabaseFailover', 'database-failover', {
        description: `Rampart ${props.environment}: forced Multi-AZ failover of the database (AZ-loss RTO ${props.recovery.azLoss.rtoSeconds} s)`,
        targets: {
          Database: {
            resourceType: 'aws:rds:db',
            resourceArns: [props.database.instanceArn],
            selectionMode: 'ALL',
          },
        },
        actions: {
          Failover: {
            actionId: 'aws:rds:reboot-db-instances',
            description: 'Reboot the instance with failover to its standby',
            parameters: { forceFailover: 'true' },
            targets: { DBInstances: 'Database' },
          },
        },
      });
    }

    // One experiment per zone: the zone's function subnets lose all traffic for the AZ-loss RTO.
    const zones = [...new Set(subnets.map((subnet) => subnet.availabilityZone))].sort();
    for (const zone of zones) {
      const suffix = zone.slice(-1).toUpperCase();
      add(`AzNetworkLoss${suffix}`, `az-network-loss-${zone}`, {
        description: `Rampart ${props.environment}: ${zone} function subnets cut off for ${props.recovery.azLoss.rtoSeconds} s (the AZ-loss RTO)`,
        targets: {
          Subnets: {
            resourceType: 'aws:ec2:subnet',
            resourceArns: subnets
              .filter((s) => s.availabilityZone === zone)
              .map((s) => subnetArn(s.subnetId)),
            selectionMode: 'ALL',
          },
        },
        actions: {
          DisruptNetwork: {
            actionId: 'aws:network:disrupt-connectivity',
            description: `Deny all traffic in and out of the ${zone} function subnets`,
            parameters: { scope: 'all', duration: `PT${props.recovery.azLoss.rtoSeconds}S` },
            targets: { Subnets: 'Subnets' },
          },
        },
      });
    }

    // The region-failover drill's fault: the application loses its whole region (functions, proxy
    // and database cut off in every AZ) while nothing is deleted; FIS swaps the ACLs back at the end.
    if (props.regionLoss) {
      const { rtoSeconds, stopAlarm } = props.regionLoss;
      const seconds = regionFaultSeconds(rtoSeconds);
      add(
        'RegionLoss',
        'region-loss',
        {
          description: `Rampart ${props.environment}: every function and data subnet cut off for ${seconds} s (twice the region-loss RTO of ${rtoSeconds} s); stops when the API has failed for the whole RTO`,
          targets: {
            Subnets: {
              resourceType: 'aws:ec2:subnet',
              resourceArns: [...subnets, ...dataSubnets].map((s) => subnetArn(s.subnetId)),
              selectionMode: 'ALL',
            },
          },
          actions: {
            DisruptNetwork: {
              actionId: 'aws:network:disrupt-connectivity',
              description: 'Deny all traffic in and out of every function and data subnet, in every AZ',
              parameters: { scope: 'all', duration: `PT${seconds}S` },
              targets: { Subnets: 'Subnets' },
            },
          },
        },
        {
          stopAlarms: [stopAlarm],
          tags: {
            [DRILL_TEMPLATE_TAGS.scenario]: 'region-failover',
            [DRILL_TEMPLATE_TAGS.environment]: props.environment,
          },
        },
      );
    }
  }
}
