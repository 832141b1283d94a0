import { Aws, Fn, Validations, type App } from 'aws-cdk-lib';
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { drRestoreTests, standbyParts, type EnvironmentConfig } from './config';
import { ApiStack, restApiDomain } from './stacks/api-stack';
import { AuthStack } from './stacks/auth-stack';
import { DataDrStack, drKeyAlias, identityBackupBucketName } from './stacks/data-dr-stack';
import { DataStack } from './stacks/data-stack';
import { DrDataStack } from './stacks/dr-data-stack';
import { DrOpsStack } from './stacks/dr-ops-stack';
import { DrRestoreStack } from './stacks/dr-restore-stack';
import { EdgeStack } from './stacks/edge-stack';
import { NetworkStack } from './stacks/network-stack';
import { OpsGlobalStack } from './stacks/ops-global-stack';
import { OpsStack } from './stacks/ops-stack';

/** The stacks of one environment. */
export interface RampartEnvironment {
  readonly network: NetworkStack;
  readonly auth: AuthStack;
  readonly data: DataStack;
  /** The DR region's vault and key; only when backups are copied or replicated there. */
  readonly dataDr?: DataDrStack;
  readonly api: ApiStack;
  /** us-east-1: the CLOUDFRONT-scope web ACL and the custom domain's certificate. */
  readonly edge: EdgeStack;
  /** Alarms, topics, Slack and paging, dashboard. */
  readonly ops: OpsStack;
  /** The us-east-1 part of Ops: topics and CloudFront / edge WAF alarms. */
  readonly opsGlobal: OpsGlobalStack;
  /** drRegion, strategies `pilot-light` and `warm-standby`: the standby's VPC. */
  readonly drNetwork?: NetworkStack;
  /** drRegion, strategies `pilot-light` and `warm-standby`: the read replica and its proxy. */
  readonly drData?: DrDataStack;
  /** drRegion, standby strategies: the standby's alarm topics and its replica-lag alarm. */
  readonly drOps?: DrOpsStack;
  /** drRegion, strategy `warm-standby`: the standby user pool. */
  readonly drAuth?: AuthStack;
  /** drRegion, strategy `warm-standby`: the idle standby API (no distribution). */
  readonly drApi?: ApiStack;
  /** drRegion, where backups are copied there and restores tested: the DR vault's restore tests. */
  readonly drRestore?: DrRestoreStack;
}

/** `Rampart-<env>-<Part>`: the name of every stack, used as both construct id and stack name. */
export function stackName(config: EnvironmentConfig, part: string): string {
  return `Rampart-${config.name}-${part}`;
}

/** Composes one environment's stacks in `app`. */
export function addEnvironment(app: App, config: EnvironmentConfig): RampartEnvironment {
  const network = new NetworkStack(app, stackName(config, 'Network'), {
    config,
    stackName: stackName(config, 'Network'),
    description: `Rampart ${config.name}: VPC, subnets, flow logs and VPC endpoints`,
  });
  const auth = new AuthStack(app, stackName(config, 'Auth'), {
    config,
    stackName: stackName(config, 'Auth'),
    description: `Rampart ${config.name}: Cognito user pool, role groups, scopes and app clients`,
  });
  const needsDr = config.backup.copyToDrRegion || config.database.replicateBackupsToDrRegion;
  const dataDr = needsDr
    ? new DataDrStack(app, stackName(config, 'DataDr'), {
        config,
        stackName: stackName(config, 'DataDr'),
        description: `Rampart ${config.name}: DR-region backup vault and key (${config.drRegion})`,
      })
    : undefined;
  const data = new DataStack(app, stackName(config, 'Data'), {
    config,
    network: network.network,
    drKey: dataDr?.key.key,
    // The DR key is read by KEY ARN from drRegion (RDS and Secrets Manager want a key ARN there).
    crossRegionReferences: dataDr !== undefined,
    stackName: stackName(config, 'Data'),
    description: `Rampart ${config.name}: KMS key, PostgreSQL, RDS Proxy, rotated secrets, migrations, AWS Backup`,
  });
  data.addStackDependency(network);
  if (dataDr) data.addStackDependency(dataDr, 'backup copies and replicated backups go to its vault and key');
  const edge = new EdgeStack(app, stackName(config, 'Edge'), {
    config,
    stackName: stackName(config, 'Edge'),
    description: `Rampart ${config.name}: CLOUDFRONT-scope web ACL and certificate (us-east-1)`,
  });
  const api = new ApiStack(app, stackName(config, 'Api'), {
    config,
    edge,
    // A standby API seeds its web ACL from a replica of the origin-verify secret.
    originVerifyReplicaKey: standbyParts(config).api ? dataDr?.key.key : undefined,
    crossRegionReferences: true,
    network: network.network,
    auth,
    data,
    stackName: stackName(config, 'Api'),
    description: `Rampart ${config.name}: REST API, authorizer, route functions, usage plans, work queue and worker`,
  });
  api.addStackDependency(data);
  api.addStackDependency(auth);
  api.addStackDependency(edge);
  const distribution = api.edgeDistribution?.distribution;
  if (!distribution) throw new Error(`${config.name}: the primary Api stack has no distribution`);
  const opsGlobal = new OpsGlobalStack(app, stackName(config, 'OpsGlobal'), {
    config,
    crossRegionReferences: true,
    distribution: { distribution, distributionId: distribution.distributionId },
    webAcl: { webAcl: edge.webAcl.webAcl, metricName: webAclMetricName(edge.webAcl.webAcl) },
    certificate:
      edge.certificate && config.edge.domain
        ? { certificate: edge.certificate, domainName: config.edge.domain.name }
        : undefined,
    stackName: stackName(config, 'OpsGlobal'),
    description: `Rampart ${config.name}: alarm topics, pager and CloudFront / edge WAF alarms (us-east-1)`,
  });
  opsGlobal.addStackDependency(api);
  opsGlobal.addStackDependency(edge);
  const ops = new OpsStack(app, stackName(config, 'Ops'), {
    config,
    network: network.network,
    api,
    data,
    auth,
    global: opsGlobal,
    regionalWebAcl: {
      webAcl: api.regionalWebAcl.webAcl,
      metricName: webAclMetricName(api.regionalWebAcl.webAcl),
    },
    identityBackup: dataDr?.identityBackups
      ? { bucketName: identityBackupBucketName(config), drKeyAlias: drKeyAlias(config) }
      : undefined,
    stackName: stackName(config, 'Ops'),
    description: `Rampart ${config.name}: alarm topics, Slack and pager delivery, alarms, SLOs, event alerts and dashboard`,
  });
  ops.addStackDependency(api);
  ops.addStackDependency(data);
  ops.addStackDependency(auth);
  ops.addStackDependency(opsGlobal, 'the notifier subscribes to the us-east-1 topics by ARN');
  if (dataDr?.identityBackups) ops.addStackDependency(dataDr, 'identity backups go to its bucket, by name');
  const standby = addStandby(app, config, { data, dataDr, api });
  const drRestore = addDrRestore(app, config, { data, dataDr }, standby);
  return { network, auth, data, dataDr, api, edge, ops, opsGlobal, ...standby, drRestore };
}

/**
 * The restore tests of the DR vault's copies in drRegion (the primary's restore testing never sees
 * them): in the standby's network, compared with its replica, or in an isolated network of their own.
 */
function addDrRestore(
  app: App,
  config: EnvironmentConfig,
  primary: { readonly data: DataStack; readonly dataDr?: DataDrStack },
  standby: Pick<RampartEnvironment, 'drNetwork' | 'drData' | 'drOps'>,
): DrRestoreStack | undefined {
  const { dataDr } = primary;
  if (!drRestoreTests(config) || !dataDr) return undefined;
  const drRestore = new DrRestoreStack(app, stackName(config, 'DrRestore'), {
    config,
    dataDr,
    adminSecretArn: replicaSecretArn(primary.data.database.adminSecret.secretArn, config),
    standby:
      standby.drNetwork && standby.drData
        ? { network: standby.drNetwork.network, data: standby.drData }
        : undefined,
    // The standby's topics page and reach Slack in drRegion; without a standby, topics of its own.
    topics: standby.drOps?.topics,
    crossRegionReferences: true,
    stackName: stackName(config, 'DrRestore'),
    description: `Rampart ${config.name}: weekly restore tests of the DR vault's copies, their validator and alarms (${config.drRegion})`,
  });
  drRestore.addStackDependency(dataDr);
  drRestore.addStackDependency(primary.data, "the admin secret's replica belongs to the Data stack");
  if (standby.drData) drRestore.addStackDependency(standby.drData);
  if (standby.drOps) drRestore.addStackDependency(standby.drOps, "its alarms use the standby's topics");
  return drRestore;
}

/** A Secrets Manager replica keeps the primary's name and suffix: its ARN differs by its region only. */
function replicaSecretArn(primarySecretArn: string, config: EnvironmentConfig): string {
  return Fn.join(':', [
    'arn',
    Aws.PARTITION,
    'secretsmanager',
    config.drRegion,
    config.account,
    'secret',
    Fn.select(6, Fn.split(':', primarySecretArn)),
  ]);
}

/**
 * The standby in drRegion, deployed ahead of time (docs/dr.md): `pilot-light` keeps the network and
 * the data tier there; `warm-standby` adds the user pool and the idle API. Nothing for `backup-restore`.
 */
function addStandby(
  app: App,
  config: EnvironmentConfig,
  primary: { readonly data: DataStack; readonly dataDr?: DataDrStack; readonly api: ApiStack },
): Pick<RampartEnvironment, 'drNetwork' | 'drData' | 'drOps' | 'drAuth' | 'drApi'> {
  const parts = standbyParts(config);
  if (!parts.data) return {};
  const { dataDr } = primary;
  if (!config.drNetwork || !dataDr) {
    throw new Error(
      `${config.name}: a standby needs drNetwork and the DataDr stack (config validation lets neither pass)`,
    );
  }
  const drNetwork = new NetworkStack(app, stackName(config, 'DrNetwork'), {
    config,
    regionOverride: config.drRegion,
    networkConfig: config.drNetwork,
    stackName: stackName(config, 'DrNetwork'),
    description: `Rampart ${config.name}: the standby's VPC, subnets, flow logs and VPC endpoints (${config.drRegion})`,
  });
  const drData = new DrDataStack(app, stackName(config, 'DrData'), {
    config,
    network: drNetwork.network,
    dataDr,
    sourceInstanceArn: primary.data.database.instance.instanceArn,
    crossRegionReferences: true,
    stackName: stackName(config, 'DrData'),
    description: `Rampart ${config.name}: the standby's cross-region read replica and RDS Proxy (${config.drRegion})`,
  });
  drData.addStackDependency(drNetwork);
  drData.addStackDependency(primary.data, 'the replica follows the primary instance');
  drData.addStackDependency(dataDr, 'the replica is encrypted with the DR key');
  const drApi = parts.api
    ? addStandbyApi(app, config, { drNetwork, drData, primaryApi: primary.api })
    : undefined;
  const drOps = new DrOpsStack(app, stackName(config, 'DrOps'), {
    config,
    data: drData,
    network: drNetwork.network,
    api: drApi && {
      stack: drApi.api,
      regionalWebAcl: {
        webAcl: drApi.api.regionalWebAcl.webAcl,
        metricName: webAclMetricName(drApi.api.regionalWebAcl.webAcl),
      },
    },
    crossRegionReferences: true,
    stackName: stackName(config, 'DrOps'),
    description: `Rampart ${config.name}: the standby's alarm topics, pager, replica-lag and component alarms (${config.drRegion})`,
  });
  drOps.addStackDependency(drData);
  drOps.addStackDependency(drNetwork, 'the Slack notifier runs in its subnets');
  if (drApi) drOps.addStackDependency(drApi.api, 'the standby API component alarms name its resources');
  return { drNetwork, drData, drOps, drAuth: drApi?.auth, drApi: drApi?.api };
}

/** `warm-standby`: the standby user pool and the idle API in drRegion. */
function addStandbyApi(
  app: App,
  config: EnvironmentConfig,
  standby: { readonly drNetwork: NetworkStack; readonly drData: DrDataStack; readonly primaryApi: ApiStack },
): { readonly auth: AuthStack; readonly api: ApiStack } {
  const { drNetwork, drData, primaryApi } = standby;
  const drAuth = new AuthStack(app, stackName(config, 'DrAuth'), {
    config,
    regionOverride: config.drRegion,
    standby: true,
    stackName: stackName(config, 'DrAuth'),
    description: `Rampart ${config.name}: the standby's Cognito user pool, role groups, scopes and app clients (${config.drRegion})`,
  });
  const drApi = new ApiStack(app, stackName(config, 'DrApi'), {
    config,
    regionOverride: config.drRegion,
    crossRegionReferences: true,
    network: drNetwork.network,
    auth: drAuth,
    data: drData,
    standby: standbyApiOptions(primaryApi, config),
    stackName: stackName(config, 'DrApi'),
    description: `Rampart ${config.name}: the idle standby REST API, authorizer, functions, usage plans and queue (${config.drRegion})`,
  });
  drApi.addStackDependency(drData);
  drApi.addStackDependency(drAuth);
  drApi.addStackDependency(
    primaryApi,
    'the origin-verify replica and the distribution belong to the primary Api stack',
  );
  return { auth: drAuth, api: drApi };
}

/** The standby API's links to the primary: the origin-verify secret's replica here, the distribution. */
function standbyApiOptions(api: ApiStack, config: EnvironmentConfig) {
  return {
    originVerifySecretArn: replicaSecretArn(api.originVerify.secret.secretArn, config),
    distributionId: api.edgeDistribution!.distribution.distributionId,
    primaryOriginDomain: restApiDomain(api, api.restApi.api.restApiId),
  };
}

/** The `WebACL` dimension of a web ACL's CloudWatch metrics: its visibility metric name. */
function webAclMetricName(webAcl: CfnWebACL): string {
  return (webAcl.visibilityConfig as CfnWebACL.VisibilityConfigProperty).metricName;
}

/** Registers the compliance rule packs that every synth must pass. */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
}

/** Builds the whole Rampart app: compliance checks plus every given environment. */
export function buildRampart(app: App, configs: readonly EnvironmentConfig[]): RampartEnvironment[] {
  addComplianceChecks(app);
  return configs.map((config) => addEnvironment(app, config));
}
