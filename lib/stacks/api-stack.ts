import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { Peer, Port, SecurityGroup, type ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, type Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { RoutePolicies } from '../../lambda/domain/authz/policy';
import { ACCESS_ENTRIES, MOUNTS, ROUTES } from '../../lambda/routes';
import { mountedMethod } from '../../lambda/shared/mount-access';
import { DEFAULT_TIMEOUT_MS, type RouteDefinition, type RouteNeed } from '../../lambda/shared/route';
import { capacityPlan, type CapacityPlan, type StandbyParameterKey } from '../config';
import { API_KEY_TIERS } from '../../lambda/shared/access';
import { AUTHORIZER_IDENTITY_HEADERS } from '../../lambda/shared/credentials';
import { routeAccessDefine } from '../../lambda/shared/route-access';
import { SecureRestApi, usagePlanName } from '../constructs/api/secure-rest-api';
import { LoginClientSecretRotation } from '../constructs/identity/login-client-secret-rotation';
import { UserPoolJwks } from '../constructs/api/user-pool-jwks';
import { RampartFunction, type RampartFunctionProps } from '../constructs/compute/rampart-function';
import { allowLogsToUse, EncryptedLogGroup } from '../constructs/core/encrypted-log-group';
import { WorkQueue } from '../constructs/messaging/work-queue';
import type { SecureVpc } from '../constructs/network/secure-vpc';
import { APP_DB_USER, DATABASE_NAME } from '../constructs/data/postgres-database';
import type { AuthStack } from './auth-stack';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import { EdgeDistribution } from '../constructs/edge/edge-distribution';
import { OriginVerifySecret, ORIGIN_VERIFY_HEADER } from '../constructs/edge/origin-verify-secret';
import { ProtectedWebAcl } from '../constructs/edge/protected-web-acl';
import { largestBodyLimit, type EdgeStack } from './edge-stack';
import { RampartStack, type RampartStackProps } from './rampart-stack';
import { publishStandbyValue } from './dr-data-stack';

/** What the API's functions need of the database: the primary's (Data stack) or the standby's (DrData). */
export interface ApiDatabase {
  /** The RDS Proxy endpoint (TLS, IAM token as password). */
  readonly proxyEndpoint: string;
  /** The group that may reach the proxy; every database function gets it. */
  readonly clientSecurityGroup: ISecurityGroup;
  /** Lets `grantee` connect through the proxy as `dbUser` with an IAM token (IAM only, no network rule). */
  grantProxyConnect(grantee: IGrantable, dbUser: string): Grant;
}

/** What makes an Api stack the idle copy in drRegion (docs/dr.md). */
export interface StandbyApiOptions {
  /**
   * ARN of the replica, in this region, of the primary's origin-verify secret: the standby's web
   * ACL is seeded with its value (the primary's rotation keeps the standby pattern set in step).
   */
  readonly originVerifySecretArn: string;
  /** The primary's CloudFront distribution, whose origin the failover moves here. */
  readonly distributionId: string;
  /** The primary REST API's regional host (the origin the failback restores). */
  readonly primaryOriginDomain: string;
}

export interface ApiStackProps extends RampartStackProps {
  readonly network: SecureVpc;
  readonly auth: AuthStack;
  /** The database the functions use, through its proxy. */
  readonly data: { readonly database: ApiDatabase };
  /**
   * The us-east-1 stack holding the CLOUDFRONT web ACL (and certificate): read across regions. The
   * primary API only: there is one distribution, whose origin a failover moves to the standby.
   * @default - no distribution (a standby)
   */
  readonly edge?: EdgeStack;
  /**
   * Builds the standby copy in drRegion: no distribution and no origin-verify rotation (the
   * primary's distribution and rotation serve it), scheduled functions disabled until failover.
   * @default - the primary API
   */
  readonly standby?: StandbyApiOptions;
  /**
   * Replicates the origin-verify secret to drRegion with this key there, for a standby API.
   * @default - not replicated
   */
  readonly originVerifyReplicaKey?: IKey;
}

/** Lambda timeout of a route: its wrapper timeout plus a second to answer 504 and flush metrics. */
function lambdaTimeout(route: Pick<RouteDefinition, 'timeoutMs'>): Duration {
  return Duration.seconds(Math.ceil((route.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000) + 1);
}

/** Name of the regional pattern set of accepted origin-verify values: the same in both regions. */
export function originVerifyPatternSetName(environment: string): string {
  return `rampart-${environment}-origin-verify`;
}

/** The regional endpoint host of a REST API: what CloudFront's origin points at. */
export function restApiDomain(stack: Stack, restApiId: string): string {
  return `${restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
}

function pascal(id: string): string {
  return id
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The API of an environment: one function per route of the manifest (with exactly the grants
 * its `needs` list), the REQUEST authorizer with a deploy-time JWKS, the REST API with usage
 * plans, and the event pipeline (work queue, worker, outbox relay) plus scheduled API key cleanup.
 */
export class ApiStack extends RampartStack {
  public readonly restApi: SecureRestApi;
  public readonly routeFunctions: Record<string, RampartFunction> = {};
  public readonly authorizerFunction: RampartFunction;
  public readonly worker: RampartFunction;
  public readonly outboxRelay: RampartFunction;
  public readonly apiKeyCleanup: RampartFunction;
  public readonly workQueue: WorkQueue;
  public readonly key: Key;
  public readonly regionalWebAcl: ProtectedWebAcl;
  public readonly originVerify: OriginVerifySecret;
  /** The one CloudFront distribution (primary only). */
  public readonly edgeDistribution?: EdgeDistribution;
  /** Rotates the origin-verify value in both regions' web ACLs and CloudFront (primary only). */
  public readonly originVerifyRotation?: RampartFunction;
  /**
   * Recreates this region's API Gateway keys from the database, invoked once by a region switch
   * (docs/dr.md): in the standby after the failover's promotion, in the primary after a failback
   * (the rows point at the standby gateway's keys then, and keys created meanwhile are missing).
   */
  public readonly apiKeyRecreation: RampartFunction;
  /** The schedules of the outbox relay and API key cleanup (disabled in a standby until failover). */
  public readonly scheduleRules: Rule[] = [];
  /** Rotates the login client's secret (Cognito's two-secret overlap) on `auth.clientSecretRotationDays`. */
  public readonly loginClientSecretRotation: LoginClientSecretRotation;
  public readonly loginClientSecretRotationFunction: RampartFunction;
  /** Every limit of this environment (lib/config/capacity.ts): throttles, usage plans, WAF rates, reservations. */
  public readonly capacity: CapacityPlan;
  private readonly props: ApiStackProps;
  private readonly functionSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    if (!props.standby === !props.edge) {
      throw new Error(
        `ApiStack ${id}: give edge (the primary API) or standby (the drRegion copy), exactly one`,
      );
    }
    this.props = props;
    const { config, network, auth } = props;
    this.capacity = capacityPlan(config);

    this.key = new Key(this, 'ApiKey', {
      enableKeyRotation: true,
      description: `Rampart ${config.name}: encrypts API logs and the work queue`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogsToUse(this.key, this);

    this.functionSecurityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: network.vpc,
      description: 'API functions: HTTPS out only (VPC endpoints, Cognito and API Gateway through NAT)',
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS APIs');

    this.workQueue = new WorkQueue(this, 'WorkQueue', {
      encryptionKey: this.key,
      maxReceiveCount: config.queue.maxReceiveCount,
      deadLetterRetentionDays: config.queue.deadLetterRetentionDays,
      consumerTimeout: Duration.seconds(30),
    });

    const accessLogs = new EncryptedLogGroup(this, 'AccessLogs', {
      retentionDays: config.api.accessLogRetentionDays,
      encryptionKey: this.key,
    });

    for (const route of ROUTES) {
      this.routeFunctions[route.id] = this.routeFunction(route);
    }
    // A mounted app in Lambda gets a route function like any route's (wrapper, grants, alarms).
    for (const mount of MOUNTS) {
      if ('handler' in mount.target) {
        this.routeFunctions[mount.id] = this.routeFunction({
          ...mountedMethod(mount),
          handler: mount.target.handler,
        });
      }
    }

    // The authorizer computes each grant's policy on first use (not at init): prove them all exact
    // here, so a manifest without exact policies fails synth instead of an authorizer call.
    RoutePolicies.proveExact(ACCESS_ENTRIES);
    this.authorizerFunction = this.function('Authorizer', {
      entry: 'authorizer/handler.ts',
      description: 'REQUEST authorizer: Cognito tokens (aws-jwt-verify) and API keys',
      // The manifest's access table compiled into the bundle: no request schemas (zod) on its cold start.
      bundlingDefine: routeAccessDefine(ACCESS_ENTRIES),
      serviceName: 'authorizer',
      // It runs for every authorized method: their summed rate at its expected duration.
      reservedConcurrentExecutions: this.capacity.authorizer.reservedConcurrency,
      timeout: Duration.seconds(5),
      memorySize: 512,
      invocation: 'synchronous',
      environment: {
        USER_POOL_ID: auth.directory.userPool.userPoolId,
        ALLOWED_CLIENT_IDS: [
          auth.directory.loginClient.userPoolClientId,
          auth.directory.machineClient.userPoolClientId,
        ].join(','),
        JWKS: this.jwks(),
      },
      needs: ['database'],
    });
    // API keys carry their owner's current scopes: the owner's groups are read (and cached).
    auth.directory.userPool.grant(this.authorizerFunction, 'cognito-idp:AdminListGroupsForUser');

    const authorizer = new RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: this.authorizerFunction,
      identitySources: AUTHORIZER_IDENTITY_HEADERS.map((name) => IdentitySource.header(name)),
      resultsCacheTtl: Duration.seconds(config.api.authorizerCacheSeconds),
    });

    this.restApi = new SecureRestApi(this, 'Api', {
      routes: ROUTES,
      mounts: MOUNTS,
      handlers: this.routeFunctions,
      authorizer,
      restApiName: `rampart-${config.name}`,
      stageName: config.name,
      stageThrottle: this.capacity.stage,
      methodThrottles: this.capacity.methods,
      accessLogGroup: accessLogs.logGroup,
      minimumCompressionBytes: config.api.minimumCompressionBytes,
      corsAllowedOrigins: config.cors.allowedOrigins,
      usagePlans: this.capacity.usagePlans,
      tokenUsagePlan: this.capacity.tokenUsagePlan,
    });
    this.authorizerFunction.addEnvironment('TOKEN_USAGE_KEYS', JSON.stringify(this.restApi.tokenUsageKeys));
    this.wireApiKeyManagement();

    const edgeParts = this.addEdge();
    this.originVerify = edgeParts.originVerify;
    this.regionalWebAcl = edgeParts.regionalWebAcl;
    this.edgeDistribution = edgeParts.edge;
    this.originVerifyRotation = edgeParts.rotation;

    this.worker = this.function('Worker', {
      entry: 'worker/handler.ts',
      description: 'Processes domain events from the work queue (partial batch failures, idempotent)',
      serviceName: 'worker',
      reservedConcurrentExecutions: config.functions.workerReservedConcurrency,
      timeout: Duration.seconds(30),
      invocation: 'eventSource',
      needs: ['database'],
    });
    this.worker.addEventSource(
      new SqsEventSource(this.workQueue.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: Math.max(2, config.functions.workerReservedConcurrency),
      }),
    );

    this.outboxRelay = this.function('OutboxRelay', {
      entry: 'outbox-relay/handler.ts',
      description: 'Sends committed events that were not published (every minute)',
      serviceName: 'outbox-relay',
      reservedConcurrentExecutions: 1,
      timeout: Duration.seconds(50),
      invocation: 'asynchronous',
      overrides: { deadLetterQueue: this.workQueue.deadLetterQueue },
      needs: ['database', 'queueSend'],
    });
    // A standby's scheduled functions wait, disabled, for the failover (its database is a replica).
    const schedulesEnabled = !props.standby;
    this.scheduleRules.push(
      new Rule(this, 'OutboxRelaySchedule', {
        description: 'Relay unpublished outbox events',
        schedule: Schedule.rate(Duration.minutes(1)),
        enabled: schedulesEnabled,
        targets: [new LambdaFunction(this.outboxRelay, { retryAttempts: 0 })],
      }),
    );

    this.apiKeyCleanup = this.function('ApiKeyCleanup', {
      entry: 'api-keys-cleanup/handler.ts',
      description: 'Removes expired and grace-ended API keys (hourly)',
      serviceName: 'api-key-cleanup',
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(2),
      invocation: 'asynchronous',
      overrides: { deadLetterQueue: this.workQueue.deadLetterQueue },
      needs: ['database', 'apiKeyGateway'],
    });
    this.scheduleRules.push(
      new Rule(this, 'ApiKeyCleanupSchedule', {
        description: 'Remove expired and grace-ended API keys',
        schedule: Schedule.rate(Duration.hours(1)),
        enabled: schedulesEnabled,
        targets: [new LambdaFunction(this.apiKeyCleanup, { retryAttempts: 2 })],
      }),
    );
    this.wireApiKeyGateway(this.apiKeyCleanup);

    // Here rather than in the Auth stack: the function needs the VPC, and the Auth stack must not
    // depend on this one (the schedule references the secret, not the reverse).
    this.loginClientSecretRotationFunction = this.function('LoginClientSecretRotation', {
      entry: 'login-client-secret-rotation/handler.ts',
      description: 'Rotates the login client secret (Cognito two-secret overlap, then Secrets Manager)',
      serviceName: 'login-client-secret-rotation',
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(1),
      invocation: 'synchronous',
      needs: [],
    });
    this.apiKeyRecreation = this.function('ApiKeyRecreation', {
      entry: 'api-keys-standby-restore/handler.ts',
      description: `${props.standby ? 'Failover' : 'Failback'} step: recreates the API Gateway keys of this region from the database`,
      serviceName: 'api-key-recreation',
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(5),
      invocation: 'synchronous',
      needs: ['database', 'apiKeyGateway'],
    });
    this.wireApiKeyGateway(this.apiKeyRecreation);
    if (props.standby) {
      this.publishStandbyValues(props.standby);
    } else {
      new CfnOutput(this, 'ApiKeyRecreationFunctionName', {
        value: this.apiKeyRecreation.functionName,
        description:
          'Failback step (runbooks/dr/region-failback.md): invoke once after the primary proxy targets the new primary',
      });
    }
    this.loginClientSecretRotation = new LoginClientSecretRotation(
      this,
      'LoginClientSecretRotationSchedule',
      {
        secret: auth.directory.loginClientSecret,
        userPool: auth.directory.userPool,
        rotationFunction: this.loginClientSecretRotationFunction,
        rotationDays: config.auth.clientSecretRotationDays,
      },
    );
  }

  /**
   * CloudFront in front of the stage (edge web ACL from the us-east-1 Edge stack), the regional web
   * ACL on the stage that refuses anything without the origin-verify header, and that header's
   * rotated secret (docs/edge.md).
   */
  private addEdge() {
    const { config, edge, standby } = this.props;
    const replicaKey = this.props.originVerifyReplicaKey;
    const originVerify = new OriginVerifySecret(this, 'OriginVerify', {
      encryptionKey: this.key,
      patternSetName: originVerifyPatternSetName(config.name),
      existingSecret:
        standby && Secret.fromSecretCompleteArn(this, 'OriginVerifyReplica', standby.originVerifySecretArn),
      replicaRegions: replicaKey ? [{ region: config.drRegion, encryptionKey: replicaKey }] : undefined,
    });
    const regionalWebAcl = new ProtectedWebAcl(this, 'ApiWebAcl', {
      scope: 'REGIONAL',
      name: `rampart-${config.name}-api`,
      ruleAction: config.edge.ruleAction,
      originVerify: { headerName: ORIGIN_VERIFY_HEADER, regexPatternSetArn: originVerify.patternSet.attrArn },
      rateRules: [
        { name: 'RateLimitPerCredential', ...this.capacity.waf.perCredential, perHeader: 'authorization' },
      ],
      maxBodyBytes: largestBodyLimit(ROUTES, MOUNTS),
      managedRuleGroups: ['common', 'knownBadInputs', 'sqlInjection'],
      logRetentionDays: config.edge.wafLogRetentionDays,
      logEncryptionKey: this.key,
      extraRedactedHeaders: [ORIGIN_VERIFY_HEADER],
    });
    new CfnWebACLAssociation(this, 'ApiWebAclAssociation', {
      resourceArn: this.restApi.api.deploymentStage.stageArn,
      webAclArn: regionalWebAcl.webAcl.attrArn,
    });
    if (!edge) return { originVerify, regionalWebAcl, edge: undefined, rotation: undefined };
    const distribution = new EdgeDistribution(this, 'Edge', {
      restApi: this.restApi.api,
      routes: ROUTES,
      webAclArn: edge.webAcl.webAcl.attrArn,
      originVerifyHeader: { name: ORIGIN_VERIFY_HEADER, value: originVerify.currentValue() },
      // The config's values are CloudFront's own price class names.
      priceClass: config.edge.priceClass as PriceClass,
      accessLogRetentionDays: config.edge.accessLogRetentionDays,
      ...(config.edge.domain && edge.certificate
        ? { domain: { name: config.edge.domain.name, certificate: edge.certificate } }
        : {}),
      varyByOrigin: config.cors.allowedOrigins.length > 0,
    });
    const rotation = this.function('OriginVerifyRotation', {
      entry: 'origin-verify-rotation/handler.ts',
      description: 'Rotates the origin-verify header value (regional WAF, then CloudFront, then the secret)',
      serviceName: 'origin-verify-rotation',
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(1),
      invocation: 'synchronous',
      needs: [],
    });
    originVerify.rotateWith({
      rotationFunction: rotation,
      rotationDays: config.edge.originVerifyRotationDays,
      distributionArn: distribution.distributionArn,
      distributionId: distribution.distribution.distributionId,
      standbyPatternSet: replicaKey
        ? { region: config.drRegion, name: originVerifyPatternSetName(config.name) }
        : undefined,
    });
    return { originVerify, regionalWebAcl, edge: distribution, rotation };
  }

  /** What the failover steps read in drRegion (`/rampart/<env>/standby/*`, docs/dr.md). */
  private publishStandbyValues(standby: StandbyApiOptions): void {
    const { config } = this.props;
    const publish = (key: StandbyParameterKey, value: string, description: string) =>
      publishStandbyValue(this, key, value, description);
    publish(
      'api-origin-domain',
      restApiDomain(this, this.restApi.api.restApiId),
      'The standby REST API host: the CloudFront origin after failover',
    );
    publish(
      'api-stage',
      this.restApi.api.deploymentStage.stageName,
      'The stage (the origin path is /<stage>)',
    );
    publish('distribution-id', standby.distributionId, 'The CloudFront distribution whose origin moves');
    publish('primary-origin-domain', standby.primaryOriginDomain, 'The primary REST API host (failback)');
    publish(
      'usage-plan-names',
      JSON.stringify(
        Object.fromEntries(
          API_KEY_TIERS.map((tier) => [tier, usagePlanName(`rampart-${config.name}`, tier)]),
        ),
      ),
      'Usage plan per API key tier: API keys are recreated in them from the database',
    );
    publish(
      'schedule-rule-names',
      Stack.of(this).toJsonString(this.scheduleRules.map((rule) => rule.ruleName)),
      'Scheduled functions disabled until failover (enable them after promotion)',
    );
    publish(
      'api-key-recreation-function',
      this.apiKeyRecreation.functionName,
      'Invoke once after promotion: recreates the API Gateway keys from the database',
    );
    publish(
      'origin-verify-pattern-set',
      Stack.of(this).toJsonString({
        name: originVerifyPatternSetName(config.name),
        id: this.originVerify.patternSet.attrId,
      }),
      'The standby web ACL accepted origin-verify values',
    );
  }

  /** The function serving one route, with the grants and settings its manifest entry asks for. */
  private routeFunction(
    route: Pick<RouteDefinition, 'id' | 'path' | 'handler' | 'timeoutMs' | 'needs'> & {
      readonly method: string;
    },
  ): RampartFunction {
    return this.function(`${pascal(route.id)}Function`, {
      entry: route.handler,
      description: `${route.method} ${route.path}`,
      serviceName: route.id,
      // Little's law on the route's method throttle (lib/config/capacity.ts).
      reservedConcurrentExecutions: this.capacity.methods[route.id].reservedConcurrency,
      timeout: lambdaTimeout(route),
      invocation: 'synchronous',
      needs: route.needs ?? [],
    });
  }

  private function(
    id: string,
    options: Omit<RampartFunctionProps, 'logRetentionDays' | 'logEncryptionKey' | 'vpc' | 'vpcSubnets'> & {
      readonly needs: readonly RouteNeed[];
    },
  ): RampartFunction {
    const { config, network, auth, data } = this.props;
    const { needs, ...functionProps } = options;
    const usesDatabase = needs.includes('database');
    const environment: Record<string, string> = {
      CORS_ALLOWED_ORIGINS: config.cors.allowedOrigins.join(','),
      ...(usesDatabase
        ? {
            DB_HOST: data.database.proxyEndpoint,
            DB_PORT: '5432',
            DB_NAME: DATABASE_NAME,
            DB_USER: APP_DB_USER,
            DB_IAM_AUTH: 'true',
            DB_POOL_MAX: String(config.functions.dbPoolMax),
          }
        : {}),
      ...(needs.includes('queueSend') || needs.includes('queueStatus')
        ? { QUEUE_URL: this.workQueue.queue.queueUrl }
        : {}),
      ...(needs.includes('loginClient')
        ? { LOGIN_CLIENT_SECRET_ARN: auth.directory.loginClientSecret.secretArn }
        : {}),
      ...(needs.includes('loginClient') || needs.includes('directoryRead') || needs.includes('directoryAdmin')
        ? { USER_POOL_ID: auth.directory.userPool.userPoolId }
        : {}),
      ...functionProps.environment,
    };
    const fn = new RampartFunction(this, id, {
      ...functionProps,
      environment,
      logRetentionDays: config.functions.logRetentionDays,
      logRemovalPolicy: this.logRemovalPolicy,
      logLevel: config.functions.logLevel,
      logEncryptionKey: this.key,
      vpc: network.vpc,
      vpcSubnets: network.functionSubnets,
      securityGroups: usesDatabase
        ? [this.functionSecurityGroup, data.database.clientSecurityGroup]
        : [this.functionSecurityGroup],
    });
    if (usesDatabase) data.database.grantProxyConnect(fn, APP_DB_USER);
    if (needs.includes('queueSend')) {
      this.workQueue.queue.grantSendMessages(fn);
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        Validations.of(fn.role!).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `Added by queue.grantSendMessages for the work queue's KMS key only (SQS encrypts each message with a data key).`,
        });
      }
    }
    if (needs.includes('queueStatus')) this.workQueue.queue.grant(fn, 'sqs:GetQueueAttributes');
    if (needs.includes('loginClient')) this.grantLoginClientSecret(fn);
    if (needs.includes('directoryRead')) auth.directory.userPool.grant(fn, 'cognito-idp:AdminGetUser');
    if (needs.includes('directoryAdmin')) {
      auth.directory.userPool.grant(
        fn,
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
      );
    }
    return fn;
  }

  /**
   * Read access to the login client secret, granted on the function's side only: the secret and
   * its key live in the Auth stack, and a grant that edits their policies would make the Auth
   * stack depend on this one (a cycle). The key policy trusts the account's IAM.
   */
  private grantLoginClientSecret(fn: RampartFunction): void {
    const secret = this.props.auth.directory.loginClientSecret;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [secret.encryptionKey!.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
      }),
    );
  }

  /** The JWKS of the user pool, fetched at deploy time by a custom resource. */
  private jwks(): string {
    const { auth, config } = this.props;
    // Not `JwksFetcher`, the hand-written custom resource's function: see UserPoolJwks.
    const fetcher = this.function('UserPoolJwksFetcher', {
      entry: 'jwks-fetcher/handler.ts',
      description: 'Deploy time: fetches the user pool JWKS for the authorizer',
      serviceName: 'jwks-fetcher',
      reservedConcurrentExecutions: 1,
      timeout: Duration.seconds(30),
      invocation: 'synchronous',
      needs: [],
    });
    return new UserPoolJwks(this, 'UserPoolJwks', {
      fetcher,
      userPool: auth.directory.userPool,
      // Bump auth.jwksRevision in config to fetch again (a new signing key).
      revision: config.auth.jwksRevision,
      logEncryptionKey: this.key,
      logRetentionDays: config.functions.logRetentionDays,
    }).jwks;
  }

  /** API key routes: usage plan ids and limits, rotation grace; every route gets the tier limits for RateLimit headers. */
  private wireApiKeyManagement(): void {
    const { config } = this.props;
    for (const mount of MOUNTS) {
      this.routeFunctions[mount.id]?.addEnvironment(
        'USAGE_PLAN_LIMITS',
        JSON.stringify(this.capacity.usagePlans),
      );
    }
    for (const route of ROUTES) {
      const fn = this.routeFunctions[route.id];
      fn.addEnvironment('USAGE_PLAN_LIMITS', JSON.stringify(this.capacity.usagePlans));
      if (route.needs?.includes('apiKeyGateway')) this.wireApiKeyGateway(fn);
      if (route.path.startsWith('/api/v1/api-keys')) {
        fn.addEnvironment('API_KEY_ROTATION_GRACE_HOURS', String(config.api.apiKeyRotationGraceHours));
      }
    }
  }

  /**
   * Lets `fn` manage API keys and the keys of usage plans. Plans are named (`USAGE_PLAN_NAMES`)
   * rather than referenced by id, which would be a dependency cycle through the deployment.
   */
  private wireApiKeyGateway(fn: RampartFunction): void {
    const stack = Stack.of(this);
    const usagePlanNames = Object.fromEntries(
      API_KEY_TIERS.map((tier) => [tier, usagePlanName(`rampart-${this.props.config.name}`, tier)]),
    );
    const arn = (resource: string) => stack.formatArn({ service: 'apigateway', account: '', resource });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['apigateway:POST', 'apigateway:PATCH', 'apigateway:DELETE', 'apigateway:GET'],
        resources: [
          arn('/apikeys'),
          arn('/apikeys/*'),
          arn('/usageplans/*/keys'),
          arn('/usageplans/*/keys/*'),
          arn('/usageplans/*/usage'),
        ],
      }),
    );
    fn.addToRolePolicy(new PolicyStatement({ actions: ['apigateway:GET'], resources: [arn('/usageplans')] }));
    fn.addEnvironment('USAGE_PLAN_NAMES', JSON.stringify(usagePlanNames));
    const reason =
      'API key ids and usage plan ids are generated by API Gateway, and plans cannot be referenced by id here (dependency cycle through the deployment); actions are limited to keys and plan keys/usage.';
    for (const resource of [
      '/apikeys/*',
      '/usageplans/*/keys',
      '/usageplans/*/keys/*',
      '/usageplans/*/usage',
    ]) {
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:aws:apigateway:${this.region}::${resource}]`,
        reason,
      });
    }
  }
}
