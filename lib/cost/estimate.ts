import type { DbInstanceClass, TrafficProfile } from '../config';
import { ASSUMPTIONS, DAYS_PER_MONTH } from './assumptions';
import {
  DB_INSTANCE_VCPUS,
  GLOBAL_PRICES,
  HOURS_PER_MONTH,
  PRICES_READ_ON,
  pricesOf,
  type Price,
  type RegionPrices,
} from './prices';

type Json = Record<string, unknown>;

/** One resource of a synthesized CloudFormation template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Json;
}

/** One synthesized stack: its name, its region and its resources by logical id. */
export interface StackTemplate {
  readonly stackName: string;
  readonly region: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
}

/** What the estimate needs besides the templates: the traffic and where traffic does not go. */
export interface CostContext {
  readonly environment: string;
  /** The DR region: its resources are a standby and carry no traffic. */
  readonly drRegion: string;
  readonly traffic: TrafficProfile;
  /** Mean duration of an authorizer call that misses its cache, ms (`capacity.authorizerDurationMs`). */
  readonly authorizerMs: number;
}

/** One priced part of one resource. */
export interface CostItem {
  readonly stack: string;
  readonly region: string;
  readonly logicalId: string;
  readonly type: string;
  readonly service: string;
  /** What is billed, with the quantities. */
  readonly what: string;
  /** Monthly USD while idle. */
  readonly fixedUsd: number;
  /** Monthly USD from the traffic profile. */
  readonly trafficUsd: number;
  /** A price used here is marked `unconfirmed` in the table. */
  readonly unconfirmedPrice: boolean;
}

/** A line of the breakdown: one service in one stack (or across the environment). */
export interface CostLine {
  readonly stack?: string;
  readonly service: string;
  readonly resources: number;
  readonly fixedUsd: number;
  readonly trafficUsd: number;
  readonly totalUsd: number;
}

export interface StackCost {
  readonly stack: string;
  readonly region: string;
  readonly fixedUsd: number;
  readonly trafficUsd: number;
  readonly totalUsd: number;
  readonly services: readonly CostLine[];
}

/** The estimate of one environment. */
export interface Estimate {
  readonly environment: string;
  readonly currency: 'USD';
  readonly pricesReadOn: string;
  readonly traffic: TrafficProfile;
  readonly fixedUsd: number;
  readonly trafficUsd: number;
  readonly totalUsd: number;
  readonly stacks: readonly StackCost[];
  /** Per service across the environment, biggest first. */
  readonly services: readonly CostLine[];
  readonly items: readonly CostItem[];
}

/** A template holds a resource type (or a setting) the model has no price for. */
export class UnpricedResourceError extends Error {
  constructor(readonly unpriced: readonly string[]) {
    super(
      `No price for ${unpriced.join('; ')}: add a rule to lib/cost/estimate.ts (PRICED) or a reason to FREE, so the estimate never silently misses a part`,
    );
    this.name = 'UnpricedResourceError';
  }
}

/**
 * Resource types that cost nothing by themselves, each with the reason. Their traffic, when they
 * carry any, is priced on the resource that bills it (the reason says which).
 */
export const FREE: Readonly<Record<string, string>> = {
  'AWS::CDK::Metadata': 'CDK bookkeeping, not an AWS resource',
  'AWS::FIS::ExperimentTemplate':
    'no charge for a template; FIS charges per action-minute only while an experiment runs (a drill), not monthly',
  'AWS::ApiGateway::Account': 'account setting',
  'AWS::ApiGateway::ApiKey': 'no charge for keys; calls are priced on the REST API',
  'AWS::ApiGateway::Authorizer': 'configuration; its function is priced on the function',
  'AWS::ApiGateway::Deployment': 'configuration',
  'AWS::ApiGateway::GatewayResponse': 'configuration',
  'AWS::ApiGateway::Method': 'configuration; calls are priced on the REST API',
  'AWS::ApiGateway::Model': 'configuration',
  'AWS::ApiGateway::RequestValidator': 'configuration',
  'AWS::ApiGateway::Resource': 'configuration',
  'AWS::ApiGateway::UsagePlan': 'no charge for usage plans',
  'AWS::ApiGateway::UsagePlanKey': 'no charge for usage plans',
  'AWS::Backup::BackupSelection': 'configuration; storage is priced on the plan',
  'AWS::Backup::ReportPlan':
    'report plans have no charge; the reports are objects in the evidence bucket (priced on the bucket)',
  'AWS::Backup::BackupVault':
    'no charge for a vault; what it stores is priced on the backup plan and the replicating instance',
  'AWS::Backup::RestoreTestingSelection':
    'configuration; the restores are priced on the restore testing plan',
  'AWS::Budgets::Budget': 'budgets that only alert (no actions) have no charge',
  'AWS::CE::AnomalyMonitor': 'Cost Anomaly Detection has no charge',
  'AWS::CE::AnomalySubscription': 'Cost Anomaly Detection has no charge',
  'AWS::CertificateManager::Certificate': 'public ACM certificates have no charge',
  'AWS::Chatbot::SlackChannelConfiguration': 'AWS Chatbot has no charge',
  'AWS::CloudFront::ResponseHeadersPolicy': 'no charge for policies',
  'AWS::Cognito::UserPoolDomain': 'no charge for the prefix domain',
  'AWS::Cognito::UserPoolGroup': 'no charge for groups',
  'AWS::Cognito::UserPoolResourceServer': 'no charge for resource servers',
  'AWS::Cognito::UserPoolRiskConfigurationAttachment':
    'threat protection is in the Plus tier priced on the pool',
  'AWS::EC2::FlowLog': 'its records are priced as logs on the log groups (share of logKiBPerRequest)',
  'AWS::EC2::InternetGateway': 'no charge',
  'AWS::EC2::Route': 'no charge',
  'AWS::EC2::RouteTable': 'no charge',
  'AWS::EC2::SecurityGroup': 'no charge',
  'AWS::EC2::SecurityGroupEgress': 'no charge',
  'AWS::EC2::SecurityGroupIngress': 'no charge',
  'AWS::EC2::Subnet': 'no charge',
  'AWS::EC2::SubnetRouteTableAssociation': 'no charge',
  'AWS::EC2::VPC': 'no charge for the VPC itself',
  'AWS::EC2::VPCGatewayAttachment': 'no charge',
  'AWS::Events::Rule':
    'scheduled rules and AWS service events have no charge; the functions they run are priced on the functions',
  'AWS::IAM::ManagedPolicy': 'IAM has no charge',
  'AWS::IAM::Policy': 'IAM has no charge',
  'AWS::IAM::Role': 'IAM has no charge',
  'AWS::KMS::Alias': 'no charge for aliases',
  'AWS::Lambda::EventInvokeConfig': 'configuration',
  'AWS::Lambda::LayerVersion': 'no charge for layers',
  'AWS::Lambda::Permission': 'configuration',
  'AWS::Lambda::Version': 'no charge for versions',
  'AWS::Logs::ResourcePolicy': 'configuration',
  'AWS::RDS::DBParameterGroup': 'no charge',
  'AWS::RDS::DBProxyTargetGroup': 'configuration; the proxy is priced on the proxy',
  'AWS::Config::ConfigRule':
    'the standby drift check evaluates each stack in drRegion every six hours (about 600 evaluations a month at $0.001, under $1); the configuration recorder is account setup outside these templates',
  'AWS::SSM::Parameter': 'standard-tier parameters (the standby names for the failover steps) cost nothing',
  'AWS::RDS::DBSubnetGroup': 'no charge',
  'AWS::RDS::EventSubscription':
    'RDS event notifications have no charge (SNS deliveries: see AWS::SNS::Topic)',
  'AWS::S3::BucketPolicy': 'no charge',
  'AWS::SES::ConfigurationSet':
    'no charge; mail volume is a few messages per user and month ($0.10 per 1,000)',
  'AWS::SES::ConfigurationSetEventDestination':
    'no charge; the events are CloudWatch metrics SES publishes free',
  'AWS::SNS::Subscription': 'no charge; deliveries: see AWS::SNS::Topic',
  'AWS::SNS::Topic':
    'alerts only: a few thousand publishes and deliveries a month stay far below a cent ($0.50 per million)',
  'AWS::SNS::TopicPolicy': 'no charge',
  'AWS::SQS::Queue':
    'events per request are not in the traffic profile ($0.40 per million messages); idle polling is priced on the event source mapping',
  'AWS::SQS::QueuePolicy': 'no charge',
  'AWS::SecretsManager::ResourcePolicy': 'no charge',
  'AWS::SecretsManager::RotationSchedule':
    'configuration; the rotation function is priced where it is defined',
  'AWS::SecretsManager::SecretTargetAttachment': 'no charge',
  'AWS::Serverless::Application':
    "the SAR rotation application's function runs once per rotation (monthly): well below a cent",
  'AWS::WAFv2::LoggingConfiguration': 'its records are priced as logs on the log groups',
  'AWS::WAFv2::RegexPatternSet': 'no charge; the rule using it is priced on the web ACL',
  'AWS::WAFv2::WebACLAssociation': 'no charge',
  'Custom::AWS': 'runs once per deploy (a Lambda invocation of a few seconds)',
  'Custom::CrossRegionExportReader': 'runs once per deploy',
  'Custom::CrossRegionExportWriter': 'runs once per deploy',
  'Custom::DescribeCognitoUserPoolClient': 'runs once per deploy',
  'Custom::Jwks': 'runs once per deploy',
  'Custom::LogRetention': 'runs once per deploy',
  'Custom::Trigger': 'runs once per deploy (the migrations)',
  'Custom::VpcRestrictDefaultSG': 'runs once per deploy',
};

/** Managed rule groups with their own subscription and request fees that the table does not hold. */
const UNPRICED_RULE_GROUPS = [
  'AWSManagedRulesATPRuleSet',
  'AWSManagedRulesACFPRuleSet',
  'AWSManagedRulesAntiDDoSRuleSet',
];

const key = (stack: string, logicalId: string) => `${stack}/${logicalId}`;
const million = (n: number) => n / 1_000_000;
const kibToGiB = (kib: number) => kib / (1024 * 1024);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Logical ids named by `Fn::GetAtt` or `Ref` anywhere inside `value`. */
function referencedIds(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencedIds(v, out));
  else if (value && typeof value === 'object') {
    const obj = value as Json;
    if (Array.isArray(obj['Fn::GetAtt'])) out.add(String((obj['Fn::GetAtt'] as unknown[])[0]));
    if (typeof obj.Ref === 'string') out.add(obj.Ref);
    Object.values(obj).forEach((v) => referencedIds(v, out));
  }
  return out;
}

/** Runs per month of an EventBridge `rate(...)` or `cron(...)` schedule. */
export function runsPerMonth(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const minutes =
      Number(rate[1]) * (rate[2].startsWith('minute') ? 1 : rate[2].startsWith('hour') ? 60 : 1440);
    return (HOURS_PER_MONTH * 60) / minutes;
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  const count = (field: string) => (/^[0-9,]+$/.test(field) ? field.split(',').length : undefined);
  if (cron) {
    const [, minute, hour, dayOfMonth, month, dayOfWeek] = cron;
    const perDay = (count(minute) ?? NaN) * (count(hour) ?? NaN);
    const everyDay = ['*', '?'].includes(dayOfMonth) && ['*', '?'].includes(dayOfWeek) && month === '*';
    const weekdays = /^[A-Z,]+$/.test(dayOfWeek) ? dayOfWeek.split(',').length : undefined;
    let days: number | undefined;
    if (everyDay) days = DAYS_PER_MONTH;
    else if (weekdays && ['*', '?'].includes(dayOfMonth) && month === '*')
      days = (weekdays * DAYS_PER_MONTH) / 7;
    else if (count(dayOfMonth) && month === '*') days = count(dayOfMonth);
    if (days !== undefined && Number.isFinite(perDay)) return perDay * days;
  }
  throw new UnpricedResourceError([
    `the schedule ${expression} (runsPerMonth reads rate() and simple cron())`,
  ]);
}

interface Database {
  readonly instanceClass: DbInstanceClass;
  readonly allocatedGiB: number;
}

/** What pricing one resource needs to know about the others. */
interface Facts {
  readonly routeFunctions: Set<string>;
  readonly authorizers: Set<string>;
  readonly scheduledRuns: Map<string, number>;
  readonly trafficLogGroups: number;
  readonly trafficNatGateways: number;
  readonly accessLogBuckets: Set<string>;
  readonly databases: Map<string, Database>;
  readonly primaryDatabase?: Database;
  /** The alarm that first names each custom metric (the metric is priced once, there). */
  readonly customMetricOwner: Map<string, string>;
  /** Prices where backup copies and replicated backups go. */
  readonly drRegionPrices: RegionPrices;
}

interface Resource {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Json;
  /** Serves traffic (not a DR standby). */
  readonly carriesTraffic: boolean;
}

interface Charge {
  readonly service: string;
  readonly what: string;
  readonly fixedUsd?: number;
  readonly trafficUsd?: number;
  readonly prices: readonly Price[];
}

interface Pricing {
  readonly prices: RegionPrices;
  readonly facts: Facts;
  readonly context: CostContext;
}

type Rule = (resource: Resource, pricing: Pricing) => Charge[];

const alarmMetrics = (p: Json): { metrics: Json[]; count: number; highResolution: boolean } => {
  if (Array.isArray(p.Metrics)) {
    const queries = p.Metrics as Json[];
    const stats = queries.filter((q) => q.MetricStat).map((q) => q.MetricStat as Json);
    const bands = queries.filter((q) => /ANOMALY_DETECTION_BAND/.test(String(q.Expression ?? ''))).length;
    const periods = queries.map((q) => Number((q.MetricStat as Json | undefined)?.Period ?? q.Period ?? 60));
    return {
      metrics: stats.map((s) => s.Metric as Json),
      count: stats.length + 2 * bands,
      highResolution: periods.some((period) => period < 60),
    };
  }
  return {
    metrics: [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }],
    count: 1,
    highResolution: Number(p.Period ?? 60) < 60,
  };
};

const customMetricKey = (region: string, metric: Json): string | undefined =>
  String(metric.Namespace).startsWith('AWS/')
    ? undefined
    : `${region}|${String(metric.Namespace)}|${String(metric.MetricName)}|${JSON.stringify(metric.Dimensions ?? [])}`;

function lambdaGbSecondPrice(properties: Json, prices: RegionPrices): Price {
  return (properties.Architectures as string[] | undefined)?.includes('arm64')
    ? prices.lambdaArmGbSecond
    : prices.lambdaX86GbSecond;
}

const memoryGb = (properties: Json) => Number(properties.MemorySize ?? 128) / 1024;

/** Backup chain of `days` retention: one full copy, then each day's changed share. */
const chainGiB = (database: Database, days: number) =>
  database.allocatedGiB * (1 + ASSUMPTIONS.dailyChangeRatio * days);

/** Pricing rules per resource type. */
export const PRICED: Readonly<Record<string, Rule>> = {
  'AWS::EC2::NatGateway': (r, { prices, facts, context }) => [
    {
      service: 'NAT gateways',
      what:
        `${HOURS_PER_MONTH} gateway-hours` +
        (r.carriesTraffic ? `; ${context.traffic.natGiBPerMonth} GiB shared` : ''),
      fixedUsd: HOURS_PER_MONTH * prices.natGatewayHour.usd,
      trafficUsd: r.carriesTraffic
        ? (context.traffic.natGiBPerMonth / Math.max(facts.trafficNatGateways, 1)) * prices.natGatewayGiB.usd
        : 0,
      prices: [prices.natGatewayHour, prices.natGatewayGiB],
    },
  ],
  'AWS::EC2::EIP': (_r, { prices }) => [
    {
      service: 'Public IPv4',
      what: `${HOURS_PER_MONTH} address-hours`,
      fixedUsd: HOURS_PER_MONTH * prices.publicIpv4Hour.usd,
      prices: [prices.publicIpv4Hour],
    },
  ],
  'AWS::EC2::VPCEndpoint': (r, { prices }) => {
    if (r.properties.VpcEndpointType !== 'Interface') {
      return [{ service: 'VPC endpoints', what: 'gateway endpoint (no charge)', fixedUsd: 0, prices: [] }];
    }
    const zones = (r.properties.SubnetIds as unknown[] | undefined)?.length ?? 0;
    if (zones === 0)
      throw new UnpricedResourceError([
        `${key(r.stack.stackName, r.logicalId)} (interface endpoint without literal SubnetIds)`,
      ]);
    return [
      {
        service: 'VPC endpoints',
        what: `interface endpoint in ${zones} AZs: ${zones * HOURS_PER_MONTH} endpoint-hours`,
        fixedUsd: zones * HOURS_PER_MONTH * prices.interfaceEndpointAzHour.usd,
        prices: [prices.interfaceEndpointAzHour],
      },
    ];
  },
  'AWS::RDS::DBInstance': (r, { prices }) => {
    const p = r.properties;
    const instanceClass = p.DBInstanceClass as DbInstanceClass;
    const hourly = prices.rdsInstanceHour[instanceClass];
    if (!hourly)
      throw new UnpricedResourceError([
        `RDS instance class ${String(p.DBInstanceClass)} in ${r.stack.region}`,
      ]);
    if ((p.StorageType ?? 'gp2') !== 'gp3')
      throw new UnpricedResourceError([`RDS storage type ${String(p.StorageType)}`]);
    const copies = p.MultiAZ === true ? 2 : 1;
    const allocatedGiB = Number(p.AllocatedStorage);
    const database: Database = { instanceClass, allocatedGiB };
    const charges: Charge[] = [
      {
        service: 'RDS',
        what: `${instanceClass} ${copies === 2 ? 'Multi-AZ' : 'Single-AZ'}: ${copies * HOURS_PER_MONTH} instance-hours`,
        fixedUsd: copies * HOURS_PER_MONTH * hourly.usd,
        prices: [hourly],
      },
      {
        service: 'RDS',
        what: `${copies} x ${allocatedGiB} GiB gp3`,
        fixedUsd: copies * allocatedGiB * prices.rdsGp3GiBMonth.usd,
        prices: [prices.rdsGp3GiBMonth],
      },
    ];
    // A read replica of RDS for PostgreSQL keeps no automated backups (the standby's replica).
    const retention = p.SourceDBInstanceIdentifier !== undefined ? 0 : Number(p.BackupRetentionPeriod ?? 1);
    if (retention > 0) {
      charges.push({
        service: 'Backups',
        what: `automated backups (PITR) kept ${retention} days: ${round2(chainGiB(database, retention))} GiB`,
        fixedUsd: chainGiB(database, retention) * prices.rdsBackupGiBMonth.usd,
        prices: [prices.rdsBackupGiBMonth],
      });
    }
    const piDays = Number(p.PerformanceInsightsRetentionPeriod ?? 7);
    if (p.EnablePerformanceInsights === true && piDays > 7) {
      const vcpus = DB_INSTANCE_VCPUS[instanceClass];
      charges.push({
        service: 'Performance Insights',
        what: `${piDays} days of history for ${vcpus} vCPUs`,
        fixedUsd: vcpus * prices.performanceInsightsVcpuMonth.usd,
        prices: [prices.performanceInsightsVcpuMonth],
      });
    }
    const interval = Number(p.MonitoringInterval ?? 0);
    if (interval > 0) {
      const gib = kibToGiB(((HOURS_PER_MONTH * 3600) / interval) * ASSUMPTIONS.enhancedMonitoringSampleKiB);
      charges.push({
        service: 'CloudWatch Logs',
        what: `enhanced monitoring every ${interval} s: ${round2(gib)} GiB ingested`,
        fixedUsd: gib * prices.logsIngestedGiB.usd,
        prices: [prices.logsIngestedGiB],
      });
    }
    const replicaRegion = p.AutomaticBackupReplicationRegion;
    if (typeof replicaRegion === 'string') {
      const remote = pricesOf(replicaRegion);
      const transferred = allocatedGiB * ASSUMPTIONS.dailyChangeRatio * DAYS_PER_MONTH;
      charges.push({
        service: 'Backups',
        what: `automated backups replicated to ${replicaRegion}: ${round2(chainGiB(database, retention))} GiB stored, ${round2(transferred)} GiB sent`,
        fixedUsd:
          chainGiB(database, retention) * remote.rdsBackupGiBMonth.usd +
          transferred * prices.interRegionTransferGiB.usd,
        prices: [remote.rdsBackupGiBMonth, prices.interRegionTransferGiB],
      });
    }
    return charges;
  },
  'AWS::RDS::DBProxy': (r, { prices, facts }) => {
    const database = facts.databases.get(r.stack.stackName) ?? facts.primaryDatabase;
    if (!database)
      throw new UnpricedResourceError([
        `${key(r.stack.stackName, r.logicalId)} (a proxy without a database in its stack)`,
      ]);
    const vcpus = Math.max(DB_INSTANCE_VCPUS[database.instanceClass], 2);
    return [
      {
        service: 'RDS Proxy',
        what: `${vcpus} vCPUs of ${database.instanceClass}: ${vcpus * HOURS_PER_MONTH} vCPU-hours`,
        fixedUsd: vcpus * HOURS_PER_MONTH * prices.rdsProxyVcpuHour.usd,
        prices: [prices.rdsProxyVcpuHour],
      },
    ];
  },
  'AWS::Backup::BackupPlan': (r, { prices, facts }) => {
    const database = facts.databases.get(r.stack.stackName) ?? facts.primaryDatabase;
    if (!database) return [{ service: 'Backups', what: 'no database to back up', fixedUsd: 0, prices: [] }];
    const rules = ((r.properties.BackupPlan as Json).BackupPlanRule as Json[]) ?? [];
    return rules.flatMap((rule): Charge[] => {
      const days = Number((rule.Lifecycle as Json | undefined)?.DeleteAfterDays ?? 0);
      const charges: Charge[] = [];
      if (rule.EnableContinuousBackup === true) {
        charges.push({
          service: 'Backups',
          what: `${String(rule.RuleName)}: continuous backup = the instance's automated backups (priced there)`,
          fixedUsd: 0,
          prices: [],
        });
      } else {
        charges.push({
          service: 'Backups',
          what: `${String(rule.RuleName)} snapshots kept ${days} days: ${round2(chainGiB(database, days))} GiB`,
          fixedUsd: chainGiB(database, days) * prices.rdsBackupGiBMonth.usd,
          prices: [prices.rdsBackupGiBMonth],
        });
      }
      for (const copy of (rule.CopyActions as Json[] | undefined) ?? []) {
        const copyDays = Number((copy.Lifecycle as Json | undefined)?.DeleteAfterDays ?? days);
        const sent = database.allocatedGiB * ASSUMPTIONS.dailyChangeRatio * DAYS_PER_MONTH;
        const destination = facts.drRegionPrices;
        charges.push({
          service: 'Backups',
          what: `${String(rule.RuleName)} copies to the DR vault kept ${copyDays} days: ${round2(chainGiB(database, copyDays))} GiB stored, ${round2(sent)} GiB sent`,
          fixedUsd:
            chainGiB(database, copyDays) * destination.rdsBackupGiBMonth.usd +
            sent * prices.interRegionTransferGiB.usd,
          prices: [destination.rdsBackupGiBMonth, prices.interRegionTransferGiB],
        });
      }
      return charges;
    });
  },
  'AWS::Backup::RestoreTestingPlan': (r, { prices, facts }) => {
    const database = facts.primaryDatabase;
    if (!database) return [{ service: 'Backups', what: 'nothing to restore', fixedUsd: 0, prices: [] }];
    const runs = runsPerMonth(String(r.properties.ScheduleExpression));
    const hourly = prices.rdsInstanceHour[database.instanceClass];
    return [
      {
        service: 'Backups',
        what: `${round2(runs)} restore tests a month, each a ${database.instanceClass} for ${ASSUMPTIONS.restoreTestHours} h`,
        fixedUsd: runs * ASSUMPTIONS.restoreTestHours * hourly.usd,
        prices: [hourly, { ...hourly, unconfirmed: 'restore testing has no separate figure here' }],
      },
    ];
  },
  'AWS::Backup::Framework': (r, { prices }) => {
    const controls = ((r.properties.FrameworkControls as unknown[] | undefined) ?? []).length;
    const evaluations = controls * ASSUMPTIONS.auditEvaluationsPerControlPerDay * DAYS_PER_MONTH;
    return [
      {
        service: 'Backups',
        what: `Backup Audit Manager: ${controls} controls, ${Math.round(evaluations)} evaluations (and as many AWS Config rule evaluations)`,
        fixedUsd: evaluations * (prices.backupAuditEvaluation.usd + prices.configRuleEvaluation.usd),
        prices: [prices.backupAuditEvaluation, prices.configRuleEvaluation],
      },
    ];
  },
  'AWS::KMS::Key': (_r, { prices }) => [
    {
      service: 'KMS',
      what: '1 customer-managed key',
      fixedUsd: prices.kmsKeyMonth.usd,
      prices: [prices.kmsKeyMonth],
    },
  ],
  'AWS::SecretsManager::Secret': (_r, { prices }) => [
    {
      service: 'Secrets Manager',
      what: '1 secret',
      fixedUsd: prices.secretMonth.usd,
      prices: [prices.secretMonth],
    },
  ],
  'AWS::CloudWatch::Alarm': (r, { prices, facts }) => {
    const { metrics, count, highResolution } = alarmMetrics(r.properties);
    const unit = highResolution ? prices.highResolutionAlarmMetricMonth : prices.alarmMetricMonth;
    const charges: Charge[] = [
      {
        service: 'CloudWatch alarms',
        what: `${count} alarm metric${count === 1 ? '' : 's'}${highResolution ? ' (high resolution)' : ''}`,
        fixedUsd: count * unit.usd,
        prices: [unit],
      },
    ];
    const owned = metrics
      .map((m) => customMetricKey(r.stack.region, m))
      .filter(
        (k): k is string =>
          k !== undefined && facts.customMetricOwner.get(k) === key(r.stack.stackName, r.logicalId),
      );
    if (owned.length > 0) {
      charges.push({
        service: 'CloudWatch metrics',
        what: `${owned.length} custom metric${owned.length === 1 ? '' : 's'} it watches`,
        fixedUsd: owned.length * prices.customMetricMonth.usd,
        prices: [prices.customMetricMonth],
      });
    }
    return charges;
  },
  'AWS::CloudWatch::CompositeAlarm': (_r, { prices }) => [
    {
      service: 'CloudWatch alarms',
      what: '1 composite alarm',
      fixedUsd: prices.compositeAlarmMonth.usd,
      prices: [prices.compositeAlarmMonth],
    },
  ],
  'AWS::CloudWatch::Dashboard': (_r, { prices }) => [
    {
      service: 'CloudWatch dashboards',
      what: '1 dashboard',
      fixedUsd: prices.dashboardMonth.usd,
      prices: [prices.dashboardMonth],
    },
  ],
  'AWS::Logs::LogGroup': (r, { prices, facts, context }) => {
    if (!r.carriesTraffic)
      return [{ service: 'CloudWatch Logs', what: 'standby: no traffic', fixedUsd: 0, prices: [] }];
    const gib =
      kibToGiB(context.traffic.requestsPerMonth * context.traffic.logKiBPerRequest) / facts.trafficLogGroups;
    const days = r.properties.RetentionInDays;
    const months = typeof days === 'number' ? days / DAYS_PER_MONTH : ASSUMPTIONS.unlimitedRetentionMonths;
    const stored = gib * months * ASSUMPTIONS.logCompressionRatio;
    return [
      {
        service: 'CloudWatch Logs',
        what: `1/${facts.trafficLogGroups} of the request logs: ${round2(gib)} GiB ingested, ${round2(stored)} GiB stored (${typeof days === 'number' ? `${days} days` : 'never expires'})`,
        trafficUsd: gib * prices.logsIngestedGiB.usd + stored * prices.logsStoredGiBMonth.usd,
        prices: [prices.logsIngestedGiB, prices.logsStoredGiBMonth],
      },
    ];
  },
  'AWS::Lambda::Function': (r, { prices, facts, context }) => {
    const id = key(r.stack.stackName, r.logicalId);
    const gbSecond = lambdaGbSecondPrice(r.properties, prices);
    const gb = memoryGb(r.properties);
    const invocation = (ms: number) =>
      million(1) * prices.lambdaRequestMillion.usd + gb * (ms / 1000) * gbSecond.usd;
    const charges: Charge[] = [];
    const runs = facts.scheduledRuns.get(id) ?? 0;
    const traced = (r.properties.TracingConfig as Json | undefined)?.Mode === 'Active';
    if (runs > 0) {
      charges.push({
        service: 'Lambda',
        what: `${round2(runs)} scheduled runs of ${ASSUMPTIONS.scheduledRunMs} ms at ${gb * 1024} MB`,
        fixedUsd: runs * invocation(ASSUMPTIONS.scheduledRunMs),
        prices: [prices.lambdaRequestMillion, gbSecond],
      });
      if (traced) {
        charges.push({
          service: 'X-Ray',
          what: `${round2(runs)} traces of scheduled runs`,
          fixedUsd: million(runs) * prices.xrayTraceMillion.usd,
          prices: [prices.xrayTraceMillion],
        });
      }
    }
    const variables = ((r.properties.Environment as Json | undefined)?.Variables as Json | undefined) ?? {};
    // Metrics exist once published: a standby's functions publish only those that run on a schedule.
    if (variables.POWERTOOLS_METRICS_NAMESPACE !== undefined && (r.carriesTraffic || runs > 0)) {
      const metrics = ASSUMPTIONS.powertoolsMetricsPerFunction;
      charges.push({
        service: 'CloudWatch metrics',
        what: `${metrics} Powertools custom metrics`,
        fixedUsd: metrics * prices.customMetricMonth.usd,
        prices: [prices.customMetricMonth],
      });
    }
    if (r.carriesTraffic && facts.routeFunctions.has(id)) {
      const calls = context.traffic.requestsPerMonth / facts.routeFunctions.size;
      charges.push({
        service: 'Lambda',
        what: `1/${facts.routeFunctions.size} of the requests: ${Math.round(calls)} calls of ${context.traffic.functionMsPerRequest} ms at ${gb * 1024} MB`,
        trafficUsd: calls * invocation(context.traffic.functionMsPerRequest),
        prices: [prices.lambdaRequestMillion, gbSecond],
      });
    }
    if (r.carriesTraffic && facts.authorizers.has(id)) {
      const calls = context.traffic.requestsPerMonth * (1 - context.traffic.authorizerCacheHitPercent / 100);
      charges.push({
        service: 'Lambda',
        what: `authorizer: ${Math.round(calls)} cache misses of ${context.authorizerMs} ms at ${gb * 1024} MB`,
        trafficUsd: calls * invocation(context.authorizerMs),
        prices: [prices.lambdaRequestMillion, gbSecond],
      });
    }
    return charges;
  },
  'AWS::Lambda::EventSourceMapping': (_r, { prices }) => {
    const receives = ASSUMPTIONS.idleSqsPollers * 3 * 60 * HOURS_PER_MONTH;
    return [
      {
        service: 'SQS',
        what: `idle long polling: ${receives} receives`,
        fixedUsd: million(receives) * prices.sqsRequestMillion.usd,
        prices: [prices.sqsRequestMillion],
      },
    ];
  },
  'AWS::ApiGateway::RestApi': (r, { prices, context }) => [
    {
      service: 'API Gateway',
      what: r.carriesTraffic ? `${context.traffic.requestsPerMonth} REST API calls` : 'standby: no traffic',
      trafficUsd: r.carriesTraffic
        ? million(context.traffic.requestsPerMonth) * prices.restApiRequestMillion.usd
        : 0,
      prices: [prices.restApiRequestMillion],
    },
  ],
  'AWS::ApiGateway::Stage': (r, { prices, context }) => {
    if (r.properties.CacheClusterEnabled === true) {
      throw new UnpricedResourceError([`${key(r.stack.stackName, r.logicalId)} (API Gateway cache)`]);
    }
    if (r.properties.TracingEnabled !== true || !r.carriesTraffic) return [];
    const requests = context.traffic.requestsPerMonth;
    const reservoir = ASSUMPTIONS.xrayReservoirPerSecond * HOURS_PER_MONTH * 3600;
    const traces =
      Math.min(requests, reservoir) + ASSUMPTIONS.xraySampledRatio * Math.max(0, requests - reservoir);
    return [
      {
        service: 'X-Ray',
        what: `${Math.round(traces)} sampled request traces`,
        trafficUsd: million(traces) * prices.xrayTraceMillion.usd,
        prices: [prices.xrayTraceMillion],
      },
    ];
  },
  'AWS::CloudFront::Distribution': (r, { context }) => {
    if (!r.carriesTraffic) return [];
    const { requestsPerMonth, averageResponseKiB } = context.traffic;
    const gib = kibToGiB(requestsPerMonth * averageResponseKiB);
    return [
      {
        service: 'CloudFront',
        what: `${requestsPerMonth} HTTPS requests, ${round2(gib)} GiB out`,
        trafficUsd:
          (requestsPerMonth / 10_000) * GLOBAL_PRICES.cloudFrontHttpsRequest10k.usd +
          gib * GLOBAL_PRICES.cloudFrontTransferOutGiB.usd,
        prices: [GLOBAL_PRICES.cloudFrontHttpsRequest10k, GLOBAL_PRICES.cloudFrontTransferOutGiB],
      },
    ];
  },
  'AWS::WAFv2::WebACL': (r, { prices, context }) => {
    const rules = (r.properties.Rules as Json[] | undefined) ?? [];
    const groups = rules.map(
      (rule) => ((rule.Statement as Json).ManagedRuleGroupStatement as Json | undefined)?.Name,
    );
    const unpriced = groups.filter((name): name is string => UNPRICED_RULE_GROUPS.includes(String(name)));
    if (unpriced.length > 0)
      throw new UnpricedResourceError(unpriced.map((name) => `WAF managed rule group ${name}`));
    const requests = r.carriesTraffic ? context.traffic.requestsPerMonth : 0;
    const charges: Charge[] = [
      {
        service: 'WAF',
        what: `web ACL with ${rules.length} rules; ${requests} requests inspected`,
        fixedUsd: prices.wafWebAclMonth.usd + rules.length * prices.wafRuleMonth.usd,
        trafficUsd: million(requests) * prices.wafRequestMillion.usd,
        prices: [prices.wafWebAclMonth, prices.wafRuleMonth, prices.wafRequestMillion],
      },
    ];
    if (groups.includes('AWSManagedRulesBotControlRuleSet')) {
      charges.push({
        service: 'WAF Bot Control',
        what: `Bot Control (common) on every request: ${requests} inspected`,
        fixedUsd: prices.botControlMonth.usd,
        trafficUsd: million(requests) * prices.botControlRequestMillion.usd,
        prices: [prices.botControlMonth, prices.botControlRequestMillion],
      });
    }
    return charges;
  },
  'AWS::Cognito::UserPool': (r, { prices, context }) => {
    const tier = String(r.properties.UserPoolTier ?? 'ESSENTIALS') as keyof RegionPrices['cognitoMau'];
    const perUser = prices.cognitoMau[tier];
    if (!perUser) throw new UnpricedResourceError([`Cognito tier ${tier}`]);
    const users = r.carriesTraffic ? context.traffic.monthlyActiveUsers : 0;
    return [
      {
        service: 'Cognito',
        what: `${tier}: ${users} monthly active users`,
        trafficUsd: users * perUser.usd,
        prices: [perUser],
      },
    ];
  },
  'AWS::Cognito::UserPoolClient': (r, { prices }) => {
    const flows = (r.properties.AllowedOAuthFlows as string[] | undefined) ?? [];
    if (!flows.includes('client_credentials')) return [];
    return [
      {
        service: 'Cognito',
        what: 'machine-to-machine app client (client credentials)',
        fixedUsd: prices.cognitoM2mClientMonth.usd,
        prices: [prices.cognitoM2mClientMonth],
      },
    ];
  },
  'AWS::S3::Bucket': (r, { prices, facts, context }) => {
    if (!r.carriesTraffic || !facts.accessLogBuckets.has(key(r.stack.stackName, r.logicalId))) {
      return [
        { service: 'S3', what: 'no traffic model (not an access log bucket)', fixedUsd: 0, prices: [] },
      ];
    }
    const rules =
      ((r.properties.LifecycleConfiguration as Json | undefined)?.Rules as Json[] | undefined) ?? [];
    const days = Math.max(...rules.map((rule) => Number(rule.ExpirationInDays ?? 0)), 0);
    const months = days > 0 ? days / DAYS_PER_MONTH : ASSUMPTIONS.unlimitedRetentionMonths;
    const gib = kibToGiB(context.traffic.requestsPerMonth * ASSUMPTIONS.accessLogKiBPerRequest) * months;
    return [
      {
        service: 'S3',
        what: `CloudFront access logs: ${round2(gib)} GiB kept`,
        trafficUsd: gib * prices.s3StandardGiBMonth.usd,
        prices: [prices.s3StandardGiBMonth],
      },
    ];
  },
};

function collectFacts(templates: readonly StackTemplate[], context: CostContext): Facts {
  const routeCandidates = new Set<string>();
  const authorizers = new Set<string>();
  const scheduledRuns = new Map<string, number>();
  const accessLogBuckets = new Set<string>();
  const databases = new Map<string, Database>();
  const customMetricOwner = new Map<string, string>();
  let trafficLogGroups = 0;
  let trafficNatGateways = 0;
  let primaryDatabase: Database | undefined;
  for (const stack of templates) {
    const carriesTraffic = stack.region !== context.drRegion;
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const p = resource.Properties ?? {};
      switch (resource.Type) {
        case 'AWS::Lambda::Permission':
          if (p.Principal === 'apigateway.amazonaws.com') {
            referencedIds(p.FunctionName).forEach((id) => routeCandidates.add(key(stack.stackName, id)));
          }
          break;
        case 'AWS::ApiGateway::Authorizer':
          referencedIds(p.AuthorizerUri).forEach((id) => authorizers.add(key(stack.stackName, id)));
          break;
        case 'AWS::Events::Rule':
          if (typeof p.ScheduleExpression === 'string') {
            for (const target of (p.Targets as Json[] | undefined) ?? []) {
              for (const id of referencedIds(target.Arn)) {
                if (stack.resources[id]?.Type !== 'AWS::Lambda::Function') continue;
                const fn = key(stack.stackName, id);
                scheduledRuns.set(fn, (scheduledRuns.get(fn) ?? 0) + runsPerMonth(p.ScheduleExpression));
              }
            }
          }
          break;
        case 'AWS::CloudFront::Distribution':
          referencedIds(
            ((p.DistributionConfig as Json | undefined)?.Logging as Json | undefined)?.Bucket,
          ).forEach((id) => accessLogBuckets.add(key(stack.stackName, id)));
          break;
        case 'AWS::RDS::DBInstance': {
          const database = {
            instanceClass: p.DBInstanceClass as DbInstanceClass,
            allocatedGiB: Number(p.AllocatedStorage),
          };
          databases.set(stack.stackName, database);
          if (carriesTraffic) primaryDatabase ??= database;
          break;
        }
        case 'AWS::Logs::LogGroup':
          if (carriesTraffic) trafficLogGroups += 1;
          break;
        case 'AWS::EC2::NatGateway':
          if (carriesTraffic) trafficNatGateways += 1;
          break;
        case 'AWS::CloudWatch::Alarm':
          for (const metric of alarmMetrics(p).metrics) {
            const metricKey = customMetricKey(stack.region, metric);
            if (metricKey && !customMetricOwner.has(metricKey)) {
              customMetricOwner.set(metricKey, key(stack.stackName, logicalId));
            }
          }
          break;
      }
    }
  }
  const routeFunctions = new Set([...routeCandidates].filter((fn) => !authorizers.has(fn)));
  return {
    routeFunctions,
    authorizers,
    scheduledRuns,
    trafficLogGroups,
    trafficNatGateways,
    accessLogBuckets,
    databases,
    primaryDatabase,
    customMetricOwner,
    drRegionPrices: pricesOf(context.drRegion),
  };
}

function line(items: readonly CostItem[], service: string, stack?: string): CostLine {
  const fixedUsd = items.reduce((sum, item) => sum + item.fixedUsd, 0);
  const trafficUsd = items.reduce((sum, item) => sum + item.trafficUsd, 0);
  return {
    ...(stack ? { stack } : {}),
    service,
    resources: new Set(items.map((item) => key(item.stack, item.logicalId))).size,
    fixedUsd,
    trafficUsd,
    totalUsd: fixedUsd + trafficUsd,
  };
}

function byService(items: readonly CostItem[], stack?: string): CostLine[] {
  const groups = new Map<string, CostItem[]>();
  for (const item of items) groups.set(item.service, [...(groups.get(item.service) ?? []), item]);
  return [...groups.entries()]
    .map(([service, group]) => line(group, service, stack))
    .sort((a, b) => b.totalUsd - a.totalUsd || a.service.localeCompare(b.service));
}

/**
 * Prices every resource of an environment's templates: the fixed part (idle) and the traffic part
 * (from the profile). Throws {@link UnpricedResourceError} naming every resource type the model
 * neither prices nor lists as free, so that no part is ever silently left out.
 */
export function estimate(templates: readonly StackTemplate[], context: CostContext): Estimate {
  const unknown = new Set<string>();
  for (const stack of templates) {
    for (const resource of Object.values(stack.resources)) {
      if (!(resource.Type in PRICED) && !(resource.Type in FREE))
        unknown.add(`${resource.Type} (${stack.stackName})`);
    }
  }
  if (unknown.size > 0) throw new UnpricedResourceError([...unknown].sort());

  const facts = collectFacts(templates, context);
  const items: CostItem[] = [];
  for (const stack of templates) {
    const prices = pricesOf(stack.region);
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const rule = PRICED[resource.Type];
      if (!rule) continue;
      const charges = rule(
        {
          stack,
          logicalId,
          type: resource.Type,
          properties: resource.Properties ?? {},
          carriesTraffic: stack.region !== context.drRegion,
        },
        { prices, facts, context },
      );
      for (const charge of charges) {
        items.push({
          stack: stack.stackName,
          region: stack.region,
          logicalId,
          type: resource.Type,
          service: charge.service,
          what: charge.what,
          fixedUsd: charge.fixedUsd ?? 0,
          trafficUsd: charge.trafficUsd ?? 0,
          unconfirmedPrice: charge.prices.some((p) => p.unconfirmed !== undefined),
        });
      }
    }
  }
  const stacks = templates.map((stack): StackCost => {
    const own = items.filter((item) => item.stack === stack.stackName);
    const total = line(own, '');
    return {
      stack: stack.stackName,
      region: stack.region,
      fixedUsd: total.fixedUsd,
      trafficUsd: total.trafficUsd,
      totalUsd: total.totalUsd,
      services: byService(own, stack.stackName),
    };
  });
  const total = line(items, '');
  return {
    environment: context.environment,
    currency: 'USD',
    pricesReadOn: PRICES_READ_ON,
    traffic: context.traffic,
    fixedUsd: total.fixedUsd,
    trafficUsd: total.trafficUsd,
    totalUsd: total.totalUsd,
    stacks,
    services: byService(items),
    items,
  };
}

/** The biggest lines of the estimate: one service in one stack each, biggest first. */
export function biggestItems(result: Estimate, count: number): CostLine[] {
  return result.stacks
    .flatMap((stack) => stack.services)
    .sort((a, b) => b.totalUsd - a.totalUsd)
    .slice(0, count);
}

/** `$1,234.56` */
export function usd(amount: number): string {
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Why the estimate exceeds the budget, naming the biggest items; undefined when it does not. */
export function budgetExcess(result: Estimate, monthlyBudgetUsd: number): string | undefined {
  if (result.totalUsd <= monthlyBudgetUsd) return undefined;
  const biggest = biggestItems(result, 3)
    .map((item) => `${item.stack} ${item.service} ${usd(item.totalUsd)}`)
    .join(', ');
  return `${result.environment}: the estimate ${usd(result.totalUsd)} a month exceeds the budget ${usd(monthlyBudgetUsd)} (cost.monthlyBudgetUsd); biggest items: ${biggest}`;
}
