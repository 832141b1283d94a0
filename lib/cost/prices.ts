import type { DbInstanceClass } from '../config';

/**
 * The price table `npm run cost` reads (docs/cost.md): AWS on-demand list prices in USD, per
 * region, for what Rampart's templates create. Free tiers are left out on purpose: the estimate is
 * for a steady state, in an account that has used them up.
 *
 * How the figures were read: every entry names the AWS pricing page it belongs to. Those pages
 * render their price tables with a script, and the copies reachable from the machine this table
 * was written on hold the text around the tables but no figures; so the figures are AWS's
 * published list prices as known on `PRICES_READ_ON`, and an entry says `seenIn` only where a page
 * read that day showed the figure itself. Entries marked `unconfirmed` are the ones whose figure
 * could not be found at all: a planning value, to be checked against the page before relying on
 * it. `test/lib/cost/prices.test.ts` fails once the table is a year old.
 */
export const PRICES_READ_ON = '2026-12-04';

/** Hours in a month, as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;

/** One price: what a unit costs and where it was read. */
export interface Price {
  readonly usd: number;
  /** The unit, as the pricing page bills it. */
  readonly per: string;
  /** The AWS pricing page the figure belongs to. */
  readonly source: string;
  /** A page read on `PRICES_READ_ON` that showed this figure. */
  readonly seenIn?: string;
  /** Set when the figure could not be found: why, and what the value used is based on. */
  readonly unconfirmed?: string;
}

const PAGE = {
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  privateLink: 'https://aws.amazon.com/privatelink/pricing/',
  rdsPostgres: 'https://aws.amazon.com/rds/postgresql/pricing/',
  rdsProxy: 'https://aws.amazon.com/rds/proxy/pricing/',
  performanceInsights: 'https://aws.amazon.com/rds/performance-insights/pricing/',
  backup: 'https://aws.amazon.com/backup/pricing/',
  ec2Transfer: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer',
  kms: 'https://aws.amazon.com/kms/pricing/',
  secretsManager: 'https://aws.amazon.com/secrets-manager/pricing/',
  cloudWatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  apiGateway: 'https://aws.amazon.com/api-gateway/pricing/',
  xray: 'https://aws.amazon.com/xray/pricing/',
  waf: 'https://aws.amazon.com/waf/pricing/',
  cognito: 'https://aws.amazon.com/cognito/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  cloudFront: 'https://aws.amazon.com/cloudfront/pricing/',
  config: 'https://aws.amazon.com/config/pricing/',
} as const;

const SEEN = {
  wafBlog:
    'https://aws.amazon.com/blogs/networking-and-content-delivery/cost-effective-ways-for-securing-your-web-applications-using-aws-waf/ (prices are the same in every region)',
  privateLinkCopy:
    'a copy of https://aws.amazon.com/privatelink/pricing/ (first 1 PB processed: $0.01 per GB)',
} as const;

/** Everything priced per region. */
export interface RegionPrices {
  readonly natGatewayHour: Price;
  readonly natGatewayGiB: Price;
  readonly publicIpv4Hour: Price;
  readonly interfaceEndpointAzHour: Price;
  readonly interfaceEndpointGiB: Price;
  /** PostgreSQL on-demand, Single-AZ; a Multi-AZ instance bills the hour twice (primary and standby). */
  readonly rdsInstanceHour: Readonly<Record<DbInstanceClass, Price>>;
  /** gp3, Single-AZ; Multi-AZ stores twice. */
  readonly rdsGp3GiBMonth: Price;
  readonly rdsProxyVcpuHour: Price;
  /** Performance Insights history beyond the 7 days included. */
  readonly performanceInsightsVcpuMonth: Price;
  /** Snapshot and continuous backup storage of an RDS database (AWS Backup or RDS automated backups). */
  readonly rdsBackupGiBMonth: Price;
  /** One Backup Audit Manager control evaluation. */
  readonly backupAuditEvaluation: Price;
  /** One AWS Config rule evaluation (each audit control runs on a Config rule). */
  readonly configRuleEvaluation: Price;
  /** Data sent to another region (backup copies, replicated automated backups). */
  readonly interRegionTransferGiB: Price;
  readonly kmsKeyMonth: Price;
  readonly secretMonth: Price;
  readonly alarmMetricMonth: Price;
  readonly highResolutionAlarmMetricMonth: Price;
  readonly compositeAlarmMonth: Price;
  readonly dashboardMonth: Price;
  readonly customMetricMonth: Price;
  readonly logsIngestedGiB: Price;
  readonly logsStoredGiBMonth: Price;
  readonly lambdaArmGbSecond: Price;
  readonly lambdaX86GbSecond: Price;
  readonly lambdaRequestMillion: Price;
  readonly restApiRequestMillion: Price;
  readonly xrayTraceMillion: Price;
  readonly wafWebAclMonth: Price;
  readonly wafRuleMonth: Price;
  readonly wafRequestMillion: Price;
  readonly botControlMonth: Price;
  readonly botControlRequestMillion: Price;
  readonly cognitoMau: Readonly<Record<'LITE' | 'ESSENTIALS' | 'PLUS', Price>>;
  /** An app client with the client-credentials grant (machine to machine). */
  readonly cognitoM2mClientMonth: Price;
  readonly s3StandardGiBMonth: Price;
  readonly sqsRequestMillion: Price;
}

/** CloudFront bills by where viewers are, not by region; Rampart's viewers are taken to be in the US and Europe. */
export interface GlobalPrices {
  readonly cloudFrontHttpsRequest10k: Price;
  readonly cloudFrontTransferOutGiB: Price;
}

const price = (usd: number, per: string, source: string, extra: Partial<Price> = {}): Price => ({
  usd,
  per,
  source,
  ...extra,
});

const UNCONFIRMED = {
  rdsClass: 'regional instance prices not shown in any page copy reachable here; AWS list price as known',
  proxy: 'not shown in any page copy reachable here; $0.015 per vCPU-hour is the US East list price',
  performanceInsights:
    'not found: Performance Insights long-term retention moved to CloudWatch Database Insights pricing and no figure could be read; a planning value of $3 per vCPU-month',
  m2m: 'not found in any page copy reachable here; $6 per client per month as known from the Cognito pricing page',
  restoreTest:
    'restore testing itself has no separate figure here; priced as the restored instance running an hour',
  audit:
    'not found in any page copy reachable here; $1.25 per 1,000 control evaluations as known from the AWS Backup pricing page',
  config:
    'not found in any page copy reachable here; $0.001 per rule evaluation as known from the AWS Config pricing page',
} as const;

/** Prices that are the same in every region Rampart uses. */
function common(
  logsIngestedGiB: number,
  restApiRequestMillion: number,
): Omit<
  RegionPrices,
  'natGatewayHour' | 'natGatewayGiB' | 'interfaceEndpointAzHour' | 'rdsInstanceHour' | 'rdsGp3GiBMonth'
> {
  return {
    publicIpv4Hour: price(0.005, 'public IPv4 address-hour', PAGE.vpc),
    interfaceEndpointGiB: price(0.01, 'GB processed', PAGE.privateLink, { seenIn: SEEN.privateLinkCopy }),
    rdsProxyVcpuHour: price(0.015, 'vCPU-hour of the target instance', PAGE.rdsProxy, {
      unconfirmed: UNCONFIRMED.proxy,
    }),
    performanceInsightsVcpuMonth: price(3, 'vCPU-month', PAGE.performanceInsights, {
      unconfirmed: UNCONFIRMED.performanceInsights,
    }),
    rdsBackupGiBMonth: price(0.095, 'GB-month', PAGE.backup),
    backupAuditEvaluation: price(0.00125, 'control evaluation', PAGE.backup, {
      unconfirmed: UNCONFIRMED.audit,
    }),
    configRuleEvaluation: price(0.001, 'rule evaluation (first 100,000)', PAGE.config, {
      unconfirmed: UNCONFIRMED.config,
    }),
    interRegionTransferGiB: price(0.02, 'GB to another region', PAGE.ec2Transfer),
    kmsKeyMonth: price(1, 'key-month', PAGE.kms),
    secretMonth: price(0.4, 'secret-month', PAGE.secretsManager),
    alarmMetricMonth: price(0.1, 'alarm metric-month (standard resolution)', PAGE.cloudWatch),
    highResolutionAlarmMetricMonth: price(0.3, 'alarm metric-month (high resolution)', PAGE.cloudWatch),
    compositeAlarmMonth: price(0.5, 'composite alarm-month', PAGE.cloudWatch),
    dashboardMonth: price(3, 'dashboard-month', PAGE.cloudWatch),
    customMetricMonth: price(0.3, 'metric-month (first 10,000)', PAGE.cloudWatch),
    logsIngestedGiB: price(logsIngestedGiB, 'GB ingested (standard class)', PAGE.cloudWatch),
    logsStoredGiBMonth: price(0.03, 'GB-month stored (compressed)', PAGE.cloudWatch),
    lambdaArmGbSecond: price(0.0000133334, 'GB-second (arm64, first 7.5 billion)', PAGE.lambda),
    lambdaX86GbSecond: price(0.0000166667, 'GB-second (x86_64, first 6 billion)', PAGE.lambda),
    lambdaRequestMillion: price(0.2, 'million requests', PAGE.lambda),
    restApiRequestMillion: price(
      restApiRequestMillion,
      'million REST API calls (first 333 million)',
      PAGE.apiGateway,
    ),
    xrayTraceMillion: price(5, 'million traces recorded', PAGE.xray),
    wafWebAclMonth: price(5, 'web ACL-month', PAGE.waf, { seenIn: SEEN.wafBlog }),
    wafRuleMonth: price(1, 'rule-month (a managed rule group counts as one)', PAGE.waf, {
      seenIn: SEEN.wafBlog,
    }),
    wafRequestMillion: price(0.6, 'million requests inspected', PAGE.waf, { seenIn: SEEN.wafBlog }),
    botControlMonth: price(10, 'Bot Control (common) subscription-month per web ACL', PAGE.waf),
    botControlRequestMillion: price(1, 'million requests inspected by Bot Control (common)', PAGE.waf),
    cognitoMau: {
      LITE: price(0.0055, 'MAU (first 100,000 above the free tier)', PAGE.cognito),
      ESSENTIALS: price(0.015, 'MAU', PAGE.cognito),
      PLUS: price(0.02, 'MAU', PAGE.cognito),
    },
    cognitoM2mClientMonth: price(6, 'app client-month with client credentials', PAGE.cognito, {
      unconfirmed: UNCONFIRMED.m2m,
    }),
    s3StandardGiBMonth: price(0.023, 'GB-month (S3 Standard, first 50 TB)', PAGE.s3),
    sqsRequestMillion: price(0.4, 'million requests (standard queue)', PAGE.sqs),
  };
}

const rdsClasses = (hourly: Record<DbInstanceClass, number>): Record<DbInstanceClass, Price> =>
  Object.fromEntries(
    Object.entries(hourly).map(([instanceClass, usd]) => [
      instanceClass,
      price(usd, `instance-hour (${instanceClass}, Single-AZ)`, PAGE.rdsPostgres, {
        unconfirmed: UNCONFIRMED.rdsClass,
      }),
    ]),
  ) as Record<DbInstanceClass, Price>;

/** The regions Rampart's environments and their edge and DR parts use. */
export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  'eu-west-1': {
    ...common(0.57, 3.5),
    natGatewayHour: price(0.048, 'NAT gateway-hour', PAGE.vpc),
    natGatewayGiB: price(0.048, 'GB processed', PAGE.vpc),
    interfaceEndpointAzHour: price(0.011, 'endpoint-hour per AZ', PAGE.privateLink),
    rdsInstanceHour: rdsClasses({
      'db.t4g.micro': 0.018,
      'db.t4g.small': 0.036,
      'db.t4g.medium': 0.072,
      'db.t4g.large': 0.144,
      'db.m7g.large': 0.187,
      'db.m7g.xlarge': 0.374,
      'db.m7g.2xlarge': 0.748,
      'db.r7g.large': 0.266,
      'db.r7g.xlarge': 0.532,
      'db.r7g.2xlarge': 1.064,
    }),
    rdsGp3GiBMonth: price(0.127, 'GB-month (gp3, Single-AZ)', PAGE.rdsPostgres),
  },
  'eu-west-2': {
    ...common(0.5985, 3.7),
    natGatewayHour: price(0.05, 'NAT gateway-hour', PAGE.vpc),
    natGatewayGiB: price(0.05, 'GB processed', PAGE.vpc),
    interfaceEndpointAzHour: price(0.011, 'endpoint-hour per AZ', PAGE.privateLink),
    rdsInstanceHour: rdsClasses({
      'db.t4g.micro': 0.019,
      'db.t4g.small': 0.038,
      'db.t4g.medium': 0.075,
      'db.t4g.large': 0.151,
      'db.m7g.large': 0.196,
      'db.m7g.xlarge': 0.392,
      'db.m7g.2xlarge': 0.784,
      'db.r7g.large': 0.279,
      'db.r7g.xlarge': 0.558,
      'db.r7g.2xlarge': 1.116,
    }),
    rdsGp3GiBMonth: price(0.133, 'GB-month (gp3, Single-AZ)', PAGE.rdsPostgres),
  },
  'us-east-1': {
    ...common(0.5, 3.5),
    natGatewayHour: price(0.045, 'NAT gateway-hour', PAGE.vpc, {
      seenIn: 'https://cloudburn.io/blog/aws-nat-gateway-pricing (US East: $0.045 per hour and per GB)',
    }),
    natGatewayGiB: price(0.045, 'GB processed', PAGE.vpc),
    interfaceEndpointAzHour: price(0.01, 'endpoint-hour per AZ', PAGE.privateLink),
    rdsInstanceHour: rdsClasses({
      'db.t4g.micro': 0.016,
      'db.t4g.small': 0.032,
      'db.t4g.medium': 0.065,
      'db.t4g.large': 0.129,
      'db.m7g.large': 0.168,
      'db.m7g.xlarge': 0.337,
      'db.m7g.2xlarge': 0.674,
      'db.r7g.large': 0.239,
      'db.r7g.xlarge': 0.478,
      'db.r7g.2xlarge': 0.956,
    }),
    rdsGp3GiBMonth: price(0.115, 'GB-month (gp3, Single-AZ)', PAGE.rdsPostgres),
  },
};

export const GLOBAL_PRICES: GlobalPrices = {
  cloudFrontHttpsRequest10k: price(0.01, '10,000 HTTPS requests (United States, Europe)', PAGE.cloudFront),
  cloudFrontTransferOutGiB: price(
    0.085,
    'GB to the internet (United States, Europe; first 10 TB)',
    PAGE.cloudFront,
  ),
};

/** vCPUs of each instance class (RDS Proxy and Performance Insights bill per vCPU). */
export const DB_INSTANCE_VCPUS: Readonly<Record<DbInstanceClass, number>> = {
  'db.t4g.micro': 2,
  'db.t4g.small': 2,
  'db.t4g.medium': 2,
  'db.t4g.large': 2,
  'db.m7g.large': 2,
  'db.m7g.xlarge': 4,
  'db.m7g.2xlarge': 8,
  'db.r7g.large': 2,
  'db.r7g.xlarge': 4,
  'db.r7g.2xlarge': 8,
};

/** The prices of a region; throws for a region the table does not cover (the estimate never guesses). */
export function pricesOf(region: string): RegionPrices {
  const prices = REGION_PRICES[region];
  if (!prices) {
    throw new Error(
      `No prices for region ${region} in lib/cost/prices.ts (it covers ${Object.keys(REGION_PRICES).join(', ')}): add them from the pages each entry cites`,
    );
  }
  return prices;
}

/** Is `on` (YYYY-MM-DD) more than a year after the table was read? */
export function pricesOutdated(on: Date): boolean {
  const read = new Date(`${PRICES_READ_ON}T00:00:00Z`);
  const expires = new Date(read);
  expires.setUTCFullYear(read.getUTCFullYear() + 1);
  return on.getTime() > expires.getTime();
}
