import type { ThrottleLimits } from './token-bucket';

/**
 * What the local gateway reproduces of a REST API, read from the synthesized CloudFormation
 * template of the Api stack: the deployed configuration, not a second reading of the manifest.
 */
export interface DeployedApi {
  /** `Name` of the REST API (usage plan names derive from it). */
  readonly restApiName: string;
  /** `HEADER` or `AUTHORIZER` (where API Gateway takes a usage plan key from). */
  readonly apiKeySource: string;
  /** `MinimumCompressionSize`, when compression is on. */
  readonly minimumCompressionSize?: number;
  readonly stageName: string;
  readonly methods: readonly DeployedMethod[];
  readonly usagePlans: readonly DeployedUsagePlan[];
  /** Gateway responses by response type (`UNAUTHORIZED`, `DEFAULT_4XX`...). */
  readonly gatewayResponses: ReadonlyMap<string, DeployedGatewayResponse>;
  /**
   * Rules of the stage's regional web ACL that the local gateway evaluates: blocking regex rules
   * on the request's header order (the ambiguous-credentials rule). Others are listed in docs/local.md.
   */
  readonly headerOrderRules: readonly DeployedHeaderOrderRule[];
}

/** A blocking WAF rule matching a regex against the `HeaderOrder` or the `UriPath` field. */
export interface DeployedHeaderOrderRule {
  readonly name: string;
  /** `headerOrder`: the header names joined by `:`; `uriPath`: the path as sent, before `?`. */
  readonly field: 'headerOrder' | 'uriPath';
  readonly regex: string;
  readonly lowercase: boolean;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const WAF_CONTENT_TYPES: Readonly<Record<string, string>> = {
  APPLICATION_JSON: 'application/json',
  TEXT_PLAIN: 'text/plain',
  TEXT_HTML: 'text/html',
};

function headerOrderRulesOf(webAcl: Record<string, unknown>): DeployedHeaderOrderRule[] {
  const bodies = (webAcl.CustomResponseBodies ?? {}) as Record<
    string,
    { ContentType?: string; Content?: string }
  >;
  const rules = (webAcl.Rules ?? []) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  return [...rules]
    .sort((a, b) => Number(a.Priority) - Number(b.Priority))
    .flatMap((rule) => {
      const regex = rule.Statement?.RegexMatchStatement;
      const response = rule.Action?.Block?.CustomResponse;
      const field =
        regex?.FieldToMatch?.HeaderOrder !== undefined
          ? 'headerOrder'
          : regex?.FieldToMatch?.UriPath !== undefined
            ? 'uriPath'
            : undefined;
      if (field === undefined || rule.Action?.Block === undefined) return [];
      const body = bodies[String(response?.CustomResponseBodyKey)];
      return [
        {
          name: String(rule.Name),
          field,
          regex: String(regex.RegexString),
          lowercase: ((regex.TextTransformations ?? []) as { Type?: string }[]).some(
            (t) => t.Type === 'LOWERCASE',
          ),
          status: Number(response?.ResponseCode ?? 403),
          contentType: WAF_CONTENT_TYPES[String(body?.ContentType)] ?? 'text/plain',
          body: body?.Content ?? 'Forbidden',
        },
      ];
    });
}

export interface DeployedAuthorizer {
  readonly logicalId: string;
  readonly type: string;
  /** e.g. `method.request.header.Authorization` */
  readonly identitySources: readonly string[];
  readonly resultTtlSeconds: number;
  /** Environment of the authorizer function (literal values only). */
  readonly environment: Readonly<Record<string, string>>;
}

export interface DeployedMethod {
  readonly httpMethod: string;
  /** Resource path with `{param}` segments, e.g. `/api/v1/projects/{id}`. */
  readonly resourcePath: string;
  readonly operationName?: string;
  readonly authorizationType: string;
  readonly authorizer?: DeployedAuthorizer;
  readonly apiKeyRequired: boolean;
  readonly validateBody: boolean;
  readonly validateParameters: boolean;
  /** JSON Schema (draft 4) per content type. */
  readonly requestModels: Readonly<Record<string, object>>;
  /** `method.request.path.id` and the like, required ones only. */
  readonly requiredParameters: readonly string[];
  readonly integrationType: string;
  /** `Uri` of an HTTP integration (`https://host/base/{proxy}`); absent for Lambda and mock ones. */
  readonly integrationUri?: string;
  /** The integration's request parameter mappings (`integration.request.header.X` -> `context.authorizer.y`). */
  readonly integrationRequestParameters: Readonly<Record<string, string>>;
  /** Timeout of the integration's Lambda function, when it is one of the template's functions. */
  readonly functionTimeoutMs?: number;
  /** `TimeoutInMillis`, API Gateway's default 29 s when unset. */
  readonly integrationTimeoutMs: number;
  /** Method throttle: the stage's setting for this method, else the stage default. */
  readonly throttle?: ThrottleLimits;
}

export interface DeployedUsagePlan {
  readonly name: string;
  readonly throttle?: ThrottleLimits;
  readonly quota?: { readonly limit: number; readonly period: 'DAY' | 'WEEK' | 'MONTH' };
  /** Values of the API keys the template attaches to the plan. */
  readonly keyValues: readonly string[];
}

export interface DeployedGatewayResponse {
  readonly statusCode?: string;
  readonly responseParameters: Readonly<Record<string, string>>;
  readonly responseTemplates: Readonly<Record<string, string>>;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A CloudFormation template as `cdk synth` writes it. */
export interface CloudFormationTemplate {
  readonly Resources: Readonly<Record<string, Resource>>;
}

/** API Gateway's default integration timeout. */
const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | null | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

function getAttOf(value: unknown): [string, string] | undefined {
  const att = (value as { 'Fn::GetAtt'?: unknown } | null | undefined)?.['Fn::GetAtt'];
  return Array.isArray(att) && att.length === 2 ? [String(att[0]), String(att[1])] : undefined;
}

/** The logical id of the Lambda function an integration or authorizer URI invokes. */
function functionInUri(uri: unknown): string | undefined {
  const join = (uri as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const parts = join?.[1] ?? [];
  for (const part of parts) {
    const att = getAttOf(part);
    if (att !== undefined && att[1] === 'Arn') return att[0];
  }
  return undefined;
}

function throttleOf(value: unknown): ThrottleLimits | undefined {
  const throttle = value as { RateLimit?: number; BurstLimit?: number } | undefined;
  if (throttle?.RateLimit === undefined || throttle.BurstLimit === undefined) return undefined;
  return { rateLimit: throttle.RateLimit, burstLimit: throttle.BurstLimit };
}

/**
 * Reads the REST API of a synthesized template. Throws when the template holds no REST API or
 * more than one (the Api stack has exactly one), naming what is missing.
 */
export function readDeployedApi(template: CloudFormationTemplate): DeployedApi {
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const props = (logicalId: string) => resources[logicalId]?.Properties ?? {};

  const apis = ofType('AWS::ApiGateway::RestApi');
  if (apis.length !== 1) throw new Error(`Expected one AWS::ApiGateway::RestApi, found ${apis.length}`);
  const [, api] = apis[0];
  const stages = ofType('AWS::ApiGateway::Stage');
  if (stages.length !== 1) throw new Error(`Expected one AWS::ApiGateway::Stage, found ${stages.length}`);
  const stage = stages[0][1].Properties ?? {};

  const pathOf = (resourceId: string | undefined): string => {
    if (resourceId === undefined) return '/';
    const resource = props(resourceId);
    const parentRef = refOf(resource.ParentId);
    const parent = parentRef === undefined ? '' : pathOf(parentRef);
    return `${parent === '/' ? '' : parent}/${String(resource.PathPart)}`;
  };
  const resourcePathOf = (value: unknown): string => {
    const ref = refOf(value);
    if (ref !== undefined) return pathOf(ref);
    if (getAttOf(value)?.[1] === 'RootResourceId') return '/';
    throw new Error(`Unreadable ResourceId ${JSON.stringify(value)}`);
  };

  const methodSettings = (stage.MethodSettings as Record<string, unknown>[] | undefined) ?? [];
  const settingFor = (httpMethod: string, resourcePath: string) => {
    // Stage method settings name a resource `/` + its path with every `/` escaped as `~1`.
    const escaped = `/${resourcePath.replace(/\//g, '~1')}`;
    return (
      methodSettings.find((s) => s.HttpMethod === httpMethod && s.ResourcePath === escaped) ??
      methodSettings.find((s) => s.HttpMethod === '*' && s.ResourcePath === '/*')
    );
  };

  const authorizers = new Map<string, DeployedAuthorizer>();
  for (const [logicalId, resource] of ofType('AWS::ApiGateway::Authorizer')) {
    const p = resource.Properties ?? {};
    const fn = functionInUri(p.AuthorizerUri);
    const variables = (props(fn ?? '').Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    authorizers.set(logicalId, {
      logicalId,
      type: String(p.Type),
      identitySources: String(p.IdentitySource ?? '')
        .split(',')
        .map((source) => source.trim())
        .filter((source) => source !== ''),
      // API Gateway's default when the property is absent.
      resultTtlSeconds:
        typeof p.AuthorizerResultTtlInSeconds === 'number' ? p.AuthorizerResultTtlInSeconds : 300,
      environment: Object.fromEntries(
        Object.entries(variables ?? {}).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      ),
    });
  }

  const validators = new Map(
    ofType('AWS::ApiGateway::RequestValidator').map(([id, resource]) => [id, resource.Properties ?? {}]),
  );
  const methods: DeployedMethod[] = ofType('AWS::ApiGateway::Method').map(([, resource]) => {
    const p = resource.Properties ?? {};
    const httpMethod = String(p.HttpMethod);
    const resourcePath = resourcePathOf(p.ResourceId);
    const integration = (p.Integration ?? {}) as Record<string, unknown>;
    const fn = functionInUri(integration.Uri);
    const fnTimeout = fn === undefined ? undefined : props(fn).Timeout;
    const validator = validators.get(refOf(p.RequestValidatorId) ?? '');
    const setting = settingFor(httpMethod, resourcePath);
    const authorizerId = refOf(p.AuthorizerId);
    const models: Record<string, object> = {};
    for (const [contentType, model] of Object.entries((p.RequestModels ?? {}) as Record<string, unknown>)) {
      const schema = props(refOf(model) ?? '').Schema;
      if (schema !== undefined) models[contentType] = schema as object;
    }
    return {
      httpMethod,
      resourcePath,
      operationName: typeof p.OperationName === 'string' ? p.OperationName : undefined,
      authorizationType: String(p.AuthorizationType ?? 'NONE'),
      authorizer: authorizerId === undefined ? undefined : authorizers.get(authorizerId),
      apiKeyRequired: p.ApiKeyRequired === true,
      validateBody: validator?.ValidateRequestBody === true,
      validateParameters: validator?.ValidateRequestParameters === true,
      requestModels: models,
      requiredParameters: Object.entries((p.RequestParameters ?? {}) as Record<string, unknown>)
        .filter(([, required]) => required === true)
        .map(([name]) => name),
      integrationType: String(integration.Type ?? 'MOCK'),
      integrationUri: typeof integration.Uri === 'string' ? integration.Uri : undefined,
      integrationRequestParameters: Object.fromEntries(
        Object.entries((integration.RequestParameters ?? {}) as Record<string, unknown>).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      ),
      functionTimeoutMs: typeof fnTimeout === 'number' ? fnTimeout * 1000 : undefined,
      integrationTimeoutMs:
        typeof integration.TimeoutInMillis === 'number'
          ? integration.TimeoutInMillis
          : DEFAULT_INTEGRATION_TIMEOUT_MS,
      throttle:
        setting?.ThrottlingRateLimit === undefined || setting.ThrottlingBurstLimit === undefined
          ? undefined
          : {
              rateLimit: setting.ThrottlingRateLimit as number,
              burstLimit: setting.ThrottlingBurstLimit as number,
            },
    };
  });

  const keyValues = new Map<string, string>();
  for (const [logicalId, resource] of ofType('AWS::ApiGateway::ApiKey')) {
    const value = resource.Properties?.Value;
    if (typeof value === 'string') keyValues.set(logicalId, value);
  }
  const planKeys = ofType('AWS::ApiGateway::UsagePlanKey').map(([, resource]) => ({
    plan: refOf(resource.Properties?.UsagePlanId),
    key: refOf(resource.Properties?.KeyId),
  }));
  const usagePlans: DeployedUsagePlan[] = ofType('AWS::ApiGateway::UsagePlan').map(
    ([logicalId, resource]) => {
      const p = resource.Properties ?? {};
      const quota = p.Quota as { Limit?: number; Period?: 'DAY' | 'WEEK' | 'MONTH' } | undefined;
      return {
        name: String(p.UsagePlanName ?? logicalId),
        throttle: throttleOf(p.Throttle),
        quota:
          quota?.Limit === undefined || quota.Period === undefined
            ? undefined
            : { limit: quota.Limit, period: quota.Period },
        keyValues: planKeys
          .filter((planKey) => planKey.plan === logicalId && planKey.key !== undefined)
          .flatMap((planKey) => keyValues.get(planKey.key!) ?? []),
      };
    },
  );

  const gatewayResponses = new Map<string, DeployedGatewayResponse>();
  for (const [, resource] of ofType('AWS::ApiGateway::GatewayResponse')) {
    const p = resource.Properties ?? {};
    gatewayResponses.set(String(p.ResponseType), {
      statusCode: typeof p.StatusCode === 'string' ? p.StatusCode : undefined,
      responseParameters: (p.ResponseParameters ?? {}) as Record<string, string>,
      responseTemplates: (p.ResponseTemplates ?? {}) as Record<string, string>,
    });
  }

  const regionalAcls = ofType('AWS::WAFv2::WebACL').filter(([, acl]) => acl.Properties?.Scope === 'REGIONAL');
  const apiProps = api.Properties ?? {};
  return {
    headerOrderRules: regionalAcls.flatMap(([, acl]) => headerOrderRulesOf(acl.Properties ?? {})),
    restApiName: String(apiProps.Name),
    apiKeySource: String(apiProps.ApiKeySourceType ?? 'HEADER'),
    minimumCompressionSize:
      typeof apiProps.MinimumCompressionSize === 'number' ? apiProps.MinimumCompressionSize : undefined,
    stageName: String(stage.StageName),
    methods,
    usagePlans,
    gatewayResponses,
  };
}
