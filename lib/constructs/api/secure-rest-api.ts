import { Duration, Size, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKey,
  ApiKeySourceType,
  AuthorizationType,
  CfnClientCertificate,
  ConnectionType,
  EndpointType,
  HttpIntegration,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Model,
  Period,
  RequestValidator,
  RestApi,
  UsagePlan,
  VpcLink,
  type IAuthorizer,
  type Integration,
  type JsonSchema,
  type MethodDeploymentOptions,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { toJSONSchema } from 'zod/v4/core';
import type { ZodMiniType } from 'zod/mini';
import { API_KEY_TIERS, type ApiKeyTier } from '../../../lambda/shared/access';
import { isPublicMount } from '../../../lambda/shared/mount-access';
import { PRINCIPAL_HEADER_MAPPINGS } from '../../../lambda/shared/principal-headers';
import {
  DEFAULT_TIMEOUT_MS,
  mountResourcePath,
  type MountDefinition,
  type RouteDefinition,
} from '../../../lambda/shared/route';
import { CORS_EXPOSED_HEADERS, CORS_REQUEST_HEADERS } from './cors';
import { addProblemGatewayResponses } from './gateway-responses';

export interface UsagePlanLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly quotaLimit: number;
  readonly quotaPeriod: 'DAY' | 'WEEK' | 'MONTH';
}

export interface SecureRestApiProps {
  /** The route manifest: one method per route. */
  readonly routes: readonly RouteDefinition[];
  /** The function that serves each route, by route id (and each mount with a handler, by mount id). */
  readonly handlers: Readonly<Record<string, IFunction>>;
  /**
   * Mounted apps: `ANY {prefix}/{proxy+}` each, to its function (Lambda proxy) or its HTTP backend
   * (HTTP proxy). Explicit routes under a mount's prefix take precedence (API Gateway's matching).
   * @default - none
   */
  readonly mounts?: readonly MountDefinition[];
  /** The REQUEST authorizer on every route that is not public. */
  readonly authorizer: IAuthorizer;
  /** Name of the REST API in the console, e.g. `rampart-prod`. */
  readonly restApiName: string;
  /** Stage name (one stage per environment). */
  readonly stageName: string;
  /** The stage's default method throttle: applies to methods without their own (CORS preflights). */
  readonly stageThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Each route's (and mount's) method throttle, by id; every one must have one (the capacity model's). */
  readonly methodThrottles: Readonly<
    Record<string, { readonly rateLimit: number; readonly burstLimit: number }>
  >;
  /** Destination of the JSON access logs (encrypted, with retention). */
  readonly accessLogGroup: ILogGroup;
  /** Responses of at least this many bytes are compressed when the client accepts it. */
  readonly minimumCompressionBytes: number;
  /**
   * Browser origins allowed to call the API; preflight (OPTIONS) is answered by API Gateway for
   * them, the handlers add the CORS headers to real responses. Never `*`.
   * @default - no CORS: no OPTIONS methods
   */
  readonly corsAllowedOrigins?: readonly string[];
  /** Usage plan limits per API key tier; every plan has throttle and quota. */
  readonly usagePlans: Readonly<Record<ApiKeyTier, UsagePlanLimits>>;
  /**
   * Throttle of the token callers' usage plan: each kind of token caller (`user`, `client`) has one
   * key in it, which the authorizer returns as `usageIdentifierKey`.
   */
  readonly tokenUsagePlan: { readonly rateLimit: number; readonly burstLimit: number };
}

/** Kinds of token callers; each has one usage identifier key in the token plan. */
export const TOKEN_CALLER_KINDS = ['user', 'client'] as const;
export type TokenCallerKind = (typeof TOKEN_CALLER_KINDS)[number];

/**
 * The value of a token caller kind's API key. It identifies a usage plan bucket, not a caller: with
 * `apiKeySource = AUTHORIZER` API Gateway never reads a key from the request, so only the authorizer
 * can present it (after verifying a token). Unique per API name, as key values are per region.
 */
export function tokenUsageKeyValue(restApiName: string, kind: TokenCallerKind): string {
  return `${restApiName}-${kind}-token-callers`;
}

/**
 * Access log fields: enough to follow one request end to end, to see who was throttled and why a
 * request failed before or inside the integration. Access logs can read only `$context` variables,
 * never a request header, so the viewer's address (in `X-Forwarded-For`, which CloudFront appends
 * to) cannot be logged here: `edgeIp` is the CloudFront edge API Gateway saw, `xrayTraceId` and
 * `integrationRequestId` (the Lambda request id) join this line to the trace and to the function's
 * log line, and the web ACL logs carry every request's headers (docs/edge.md, docs/alerting.md).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  xrayTraceId: '$context.xrayTraceId',
  edgeIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  integrationRequestId: '$context.integration.requestId',
  integrationError: '$context.integration.error',
  integrationErrorMessage: '$context.integrationErrorMessage',
  principalId: '$context.authorizer.principalId',
  authType: '$context.authorizer.authType',
  authorizerLatency: '$context.authorizer.latency',
  authorizerStatus: '$context.authorizer.integrationStatus',
  authorizerError: '$context.authorizer.error',
  authorizeStatus: '$context.authorize.status',
  authorizeError: '$context.authorize.error',
  apiKeyId: '$context.identity.apiKeyId',
  errorResponseType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  wafStatus: '$context.waf.status',
  wafError: '$context.waf.error',
};

/** The JSON Schema (draft 4, as API Gateway models want it) of a zod/mini request schema. */
export function jsonSchemaOf(schema: ZodMiniType): JsonSchema {
  const { $schema: _ignored, ...rest } = toJSONSchema(schema, {
    target: 'draft-4',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return { schema: JsonSchemaVersion.DRAFT4, ...rest } as JsonSchema;
}

/**
 * Name of a tier's usage plan. Functions find plans by name at run time: a reference to the plan
 * id would be a cycle (plan -> stage -> deployment -> methods -> functions -> plan).
 */
export function usagePlanName(restApiName: string, tier: ApiKeyTier): string {
  return `${restApiName}-${tier}`;
}

function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/**
 * A regional REST API built from the route manifest: one method per route with the Lambda
 * proxy integration, the REQUEST authorizer on every non-public route, request validation of
 * bodies (JSON Schema from the route's zod schema) and path parameters, stage and per-method
 * throttling, JSON access logs, execution logging at ERROR, compression, problem+json gateway
 * responses, API keys from the authorizer, and one usage plan per key tier.
 */
export class SecureRestApi extends Construct {
  public readonly api: RestApi;
  public readonly usagePlans: Record<ApiKeyTier, UsagePlan>;
  /** The token callers' plan: throttle per kind of caller, no quota. */
  public readonly tokenUsagePlan: UsagePlan;
  /** Usage identifier key value per kind of token caller (for the authorizer). */
  public readonly tokenUsageKeys: Readonly<Record<TokenCallerKind, string>>;
  /** True when a mount proxies to an HTTP backend (the stage then presents a client certificate). */
  private readonly hasHttpBackend: boolean;

  constructor(scope: Construct, id: string, props: SecureRestApiProps) {
    super(scope, id);
    const seen = new Set<string>();
    for (const route of props.routes) {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) throw new Error(`SecureRestApi ${id}: ${key} is declared twice`);
      seen.add(key);
      if (!props.handlers[route.id])
        throw new Error(`SecureRestApi ${id}: no function for route "${route.id}"`);
      if (!props.methodThrottles[route.id])
        throw new Error(`SecureRestApi ${id}: no method throttle for route "${route.id}" (methodThrottles)`);
    }

    const mounts = props.mounts ?? [];
    for (const mount of mounts) {
      if (!/^\/api\/v1(\/[a-z0-9-]+)+$/.test(mount.prefix)) {
        throw new Error(
          `SecureRestApi ${id}: mount ${mount.id} prefix ${mount.prefix} must be /api/v1/<literal segments>`,
        );
      }
      if ('handler' in mount.target && !props.handlers[mount.id])
        throw new Error(`SecureRestApi ${id}: no function for mount "${mount.id}"`);
      if (!props.methodThrottles[mount.id])
        throw new Error(`SecureRestApi ${id}: no method throttle for mount "${mount.id}" (methodThrottles)`);
    }

    this.hasHttpBackend = mounts.some((mount) => 'backend' in mount.target);
    // An HTTP backend can tell API Gateway's calls from anyone else's by this certificate (mTLS).
    const backendCertificate = this.hasHttpBackend
      ? new CfnClientCertificate(this, 'BackendClientCertificate', {
          description: `Presented by ${props.restApiName} to its HTTP backends`,
        })
      : undefined;

    const methodOptions: Record<string, MethodDeploymentOptions> = {};
    for (const { id: throttleId, path, method } of [
      ...props.routes.map((route) => ({ id: route.id, path: route.path, method: route.method as string })),
      ...mounts.map((mount) => ({ id: mount.id, path: mountResourcePath(mount), method: 'ANY' })),
    ]) {
      const throttle = props.methodThrottles[throttleId];
      methodOptions[`${path}/${method}`] = {
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      };
    }

    this.api = new RestApi(this, 'RestApi', {
      restApiName: props.restApiName,
      description: `Rampart API (${props.stageName})`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      minCompressionSize: Size.bytes(props.minimumCompressionBytes),
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        ...(backendCertificate ? { clientCertificateId: backendCertificate.ref } : {}),
        throttlingRateLimit: props.stageThrottle.rateLimit,
        throttlingBurstLimit: props.stageThrottle.burstLimit,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(props.accessLogGroup),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        methodOptions,
      },
      disableExecuteApiEndpoint: false,
      ...(props.corsAllowedOrigins && props.corsAllowedOrigins.length > 0
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.corsAllowedOrigins],
              allowMethods: [
                ...new Set<string>([
                  ...props.routes.map((route) => route.method),
                  ...mounts.flatMap((mount) =>
                    mount.rules.flatMap((rule): readonly string[] =>
                      rule.methods === 'ANY' ? ['ANY'] : rule.methods,
                    ),
                  ),
                ]),
              ],
              allowHeaders: CORS_REQUEST_HEADERS,
              exposeHeaders: CORS_EXPOSED_HEADERS,
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    if (props.corsAllowedOrigins?.includes('*')) {
      throw new Error(`SecureRestApi ${id}: corsAllowedOrigins must list origins, never *`);
    }

    const validateBody = new RequestValidator(this, 'BodyValidator', {
      restApi: this.api,
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const validateParameters = new RequestValidator(this, 'ParameterValidator', {
      restApi: this.api,
      requestValidatorName: 'parameters',
      validateRequestBody: false,
      validateRequestParameters: true,
    });

    for (const route of props.routes) {
      const resource = this.api.root.resourceForPath(route.path);
      const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const bodySchema = route.schemas?.body;
      const model = bodySchema
        ? new Model(this, `${pascal(route.id)}Model`, {
            restApi: this.api,
            contentType: 'application/json',
            description: `Request body of ${route.method} ${route.path}`,
            schema: jsonSchemaOf(bodySchema),
          })
        : undefined;
      const method = resource.addMethod(
        route.method,
        new LambdaIntegration(props.handlers[route.id], { proxy: true }),
        {
          operationName: route.id,
          // Usage plans meter and throttle only methods that require a key; every caller the
          // authorizer allows gets one (API keys their tier's, token callers their kind's).
          ...(route.access.public
            ? { authorizationType: AuthorizationType.NONE, apiKeyRequired: false }
            : {
                authorizer: props.authorizer,
                authorizationType: AuthorizationType.CUSTOM,
                apiKeyRequired: true,
              }),
          requestParameters: Object.fromEntries(
            pathParameters.map((name) => [`method.request.path.${name}`, true]),
          ),
          requestValidator: model ? validateBody : validateParameters,
          ...(model ? { requestModels: { 'application/json': model } } : {}),
        },
      );
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Deliberately a Lambda REQUEST authorizer (aws-jwt-verify) instead of the Cognito authorizer: it verifies the same Cognito tokens and also maps groups to roles, machine scopes and API keys (DESIGN.md).',
      });
      if (route.access.public) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `Public by the route manifest (${route.id}): callers authenticate here or only read liveness; throttled per method and by WAF.`,
        });
      }
    }

    for (const mount of mounts) this.addMount(mount, props);

    for (const method of this.api.methods) {
      if (method.httpMethod !== 'OPTIONS') continue;
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'CORS preflight: browsers send OPTIONS without credentials; API Gateway answers it itself (mock integration), no handler runs.',
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'CORS preflight carries no credentials to authorize; API Gateway answers it with the allowed origins and headers only.',
      });
    }

    addProblemGatewayResponses(this.api, props.corsAllowedOrigins);

    this.usagePlans = {} as Record<ApiKeyTier, UsagePlan>;
    for (const tier of API_KEY_TIERS) {
      const limits = props.usagePlans[tier];
      this.usagePlans[tier] = this.api.addUsagePlan(`${pascal(tier)}UsagePlan`, {
        name: usagePlanName(props.restApiName, tier),
        description: `API key tier "${tier}"`,
        throttle: { rateLimit: limits.rateLimit, burstLimit: limits.burstLimit },
        quota: { limit: limits.quotaLimit, period: Period[limits.quotaPeriod] },
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
    }
    this.tokenUsagePlan = this.api.addUsagePlan('TokenUsagePlan', {
      name: `${props.restApiName}-tokens`,
      description: 'Token callers (Cognito users, machine clients): one key and bucket per kind',
      throttle: { rateLimit: props.tokenUsagePlan.rateLimit, burstLimit: props.tokenUsagePlan.burstLimit },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    const tokenUsageKeys = {} as Record<TokenCallerKind, string>;
    for (const kind of TOKEN_CALLER_KINDS) {
      const value = tokenUsageKeyValue(props.restApiName, kind);
      const key = new ApiKey(this, `${pascal(kind)}TokenCallersKey`, {
        description: `Usage identifier of ${kind} token callers (returned by the authorizer, never sent by clients)`,
        value,
        enabled: true,
      });
      this.tokenUsagePlan.addApiKey(key);
      tokenUsageKeys[kind] = value;
    }
    this.tokenUsageKeys = tokenUsageKeys;
    this.acknowledgeFindings();
  }

  /**
   * `ANY {prefix}/{proxy+}` for a mounted app. Behind the authorizer (and a usage plan key) unless
   * every rule of the mount is public. An HTTP backend gets the principal in headers the gateway
   * sets from the authorizer context ({@link PRINCIPAL_HEADER_MAPPINGS}): a request parameter
   * mapping replaces a client's header of the same name, so a caller cannot choose them.
   */
  private addMount(mount: MountDefinition, props: SecureRestApiProps): void {
    const resource = this.api.root.resourceForPath(mountResourcePath(mount));
    const open = isPublicMount(mount);
    const timeout = Duration.millis(Math.min(mount.timeoutMs ?? DEFAULT_TIMEOUT_MS, 29_000));
    let integration: Integration;
    if ('handler' in mount.target) {
      integration = new LambdaIntegration(props.handlers[mount.id], { proxy: true });
    } else {
      const { backend } = mount.target;
      if (open) {
        throw new Error(
          `SecureRestApi: mount ${mount.id} is public; HTTP backends are mounted behind the authorizer only (the principal headers come from its context)`,
        );
      }
      if (!backend.url.startsWith('https://') && backend.vpcLinkId === undefined) {
        throw new Error(
          `SecureRestApi: mount ${mount.id} backend must be https:// (or private through a VPC link)`,
        );
      }
      const vpcLink =
        backend.vpcLinkId === undefined
          ? undefined
          : VpcLink.fromVpcLinkId(this, `${pascal(mount.id)}VpcLink`, backend.vpcLinkId);
      integration = new HttpIntegration(`${backend.url.replace(/\/$/, '')}/{proxy}`, {
        httpMethod: 'ANY',
        proxy: true,
        options: {
          timeout,
          ...(vpcLink ? { connectionType: ConnectionType.VPC_LINK, vpcLink } : {}),
          requestParameters: {
            'integration.request.path.proxy': 'method.request.path.proxy',
            ...PRINCIPAL_HEADER_MAPPINGS,
          },
        },
      });
    }
    const method = resource.addMethod('ANY', integration, {
      operationName: mount.id,
      ...(open
        ? { authorizationType: AuthorizationType.NONE, apiKeyRequired: false }
        : {
            authorizer: props.authorizer,
            authorizationType: AuthorizationType.CUSTOM,
            apiKeyRequired: true,
          }),
      requestParameters: { 'method.request.path.proxy': true },
    });
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Deliberately a Lambda REQUEST authorizer (aws-jwt-verify) instead of the Cognito authorizer: it verifies the same Cognito tokens and also maps groups to roles, machine scopes and API keys (DESIGN.md).',
    });
    if (open) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `Public by the route manifest (mount ${mount.id}: every rule is public); throttled per method and by WAF.`,
      });
    }
  }

  private acknowledgeFindings(): void {
    const stage = this.api.deploymentStage;
    Validations.of(stage).acknowledge({
      id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      reason:
        'No API Gateway cache cluster: cacheable GETs are cached by CloudFront per route (manifest TTLs); authenticated responses must not be cached at the gateway.',
    });
    if (!this.hasHttpBackend) {
      Validations.of(stage).acknowledge({
        id: 'NIST.800.53.R5-APIGWSSLEnabled',
        reason:
          'Backend client certificates authenticate API Gateway to HTTP backends; every integration here is a Lambda proxy integration, reached over AWS APIs, not HTTP.',
      });
    }
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The AWS-maintained policy API Gateway needs to write execution and access logs for the account.',
      });
    }
  }
}
