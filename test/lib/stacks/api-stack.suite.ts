import { Match, type Template } from 'aws-cdk-lib/assertions';
import { capacityPlan, ENVIRONMENT_NAMES } from '../../../lib/config';
import { GATEWAY_PROBLEMS } from '../../../lib/constructs/api/gateway-responses';
import { readDeployedApi, type CloudFormationTemplate } from '../../../lib/local/deployed-api';
import {
  GATEWAY_RESPONSE_DEFAULTS,
  renderGatewayResponse,
  type GatewayResponseType,
} from '../../../lib/local/gateway-response';
import { RoutePolicies, routeResource } from '../../../lambda/domain/authz/policy';
import { MOUNTS, ROUTES } from '../../../lambda/routes';
import { SCOPES } from '../../../lambda/shared/access';
import { AUTHORIZER_IDENTITY_HEADERS } from '../../../lambda/shared/credentials';
import { ERROR_CATALOGUE } from '../../../lambda/shared/errors';
import { securityHeaderValues } from '../../../lambda/shared/security-headers';
import { synthEnvironments } from '../../support/synth';

const environments = synthEnvironments();

/** Every set of scopes an API key can carry. */
const SCOPE_SUBSETS = SCOPES.flatMap((_, index) =>
  SCOPES.map((__, other) => SCOPES.filter((___, k) => k === index || k === other)),
).concat([[...SCOPES]]);

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The CFN Method of a route (resource ids are built from the path by CDK). */
function methodOf(template: Template, route: { method: string; id: string }) {
  const methods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).filter(
    (method) => method.Properties.OperationName === route.id && method.Properties.HttpMethod !== 'OPTIONS',
  );
  expect(methods).toHaveLength(1);
  return methods[0].Properties;
}

/** Every IAM statement attached to the role of the function with `logicalIdPrefix`. */
function statementsOf(template: Template, logicalIdPrefix: string): Record<string, unknown>[] {
  const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as { Ref: string }[]).some((role) =>
      role.Ref.startsWith(`${logicalIdPrefix}ServiceRole`),
    ),
  );
  return policies.flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
  );
}

function actionsOf(template: Template, logicalIdPrefix: string): string[] {
  return statementsOf(template, logicalIdPrefix).flatMap((statement) =>
    Array.isArray(statement.Action) ? (statement.Action as string[]) : [statement.Action as string],
  );
}

describe.each(ENVIRONMENT_NAMES)('Api stack (%s)', (name) => {
  const { config, template: templateOf } = environments[name];
  const template = templateOf('api');
  // Exact figures per environment: test/lib/stacks/capacity.suite.ts.
  const capacity = capacityPlan(config);

  test('a regional REST API whose API keys come from the authorizer, with compression', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: `rampart-${name}`,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      ApiKeySourceType: 'AUTHORIZER',
      MinimumCompressionSize: config.api.minimumCompressionBytes,
    });
  });

  test("one method per manifest route; every non-public route has the authorizer, the public list is the manifest's", () => {
    template.resourcePropertiesCountIs(
      'AWS::ApiGateway::Method',
      { HttpMethod: Match.not('OPTIONS') },
      // Each mount is one ANY method (test/lib/stacks/mounts.suite.ts).
      ROUTES.length + MOUNTS.length,
    );
    for (const route of ROUTES) {
      const method = methodOf(template, route);
      expect(method.HttpMethod).toBe(route.method);
      if (route.access.public) {
        expect(method.AuthorizationType).toBe('NONE');
        expect(method.AuthorizerId).toBeUndefined();
      } else {
        expect(method.AuthorizationType).toBe('CUSTOM');
        expect(method.AuthorizerId).toEqual({ Ref: expect.stringMatching(/^RequestAuthorizer/) });
      }
    }
    const publicMethods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method'))
      .filter(
        (method) =>
          method.Properties.AuthorizationType === 'NONE' && method.Properties.HttpMethod !== 'OPTIONS',
      )
      .map((method) => method.Properties.OperationName)
      .sort();
    expect(publicMethods).toEqual(
      ROUTES.filter((route) => route.access.public)
        .map((route) => route.id)
        .sort(),
    );
  });

  test('CORS preflight only where origins are configured, for exactly those origins', () => {
    const preflights = template.findResources('AWS::ApiGateway::Method', {
      Properties: { HttpMethod: 'OPTIONS' },
    });
    if (config.cors.allowedOrigins.length === 0) {
      expect(Object.keys(preflights)).toHaveLength(0);
      return;
    }
    expect(Object.keys(preflights).length).toBeGreaterThan(0);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({
        Type: 'MOCK',
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': `'${config.cors.allowedOrigins[0]}'`,
              'method.response.header.Access-Control-Allow-Headers': Match.stringLikeRegexp(
                'Authorization,Content-Type,Idempotency-Key',
              ),
            }),
          }),
        ],
      }),
    });
  });

  test('request validation: body routes have a JSON Schema model, path parameters are required', () => {
    for (const route of ROUTES) {
      const method = methodOf(template, route);
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => `method.request.path.${match[1]}`);
      expect(Object.keys(method.RequestParameters as object).sort()).toEqual(params.sort());
      if (route.schemas?.body) {
        expect(method.RequestModels).toEqual({ 'application/json': { Ref: expect.stringMatching(/Model/) } });
        expect(method.RequestValidatorId).toEqual({ Ref: expect.stringMatching(/^ApiBodyValidator/) });
      } else {
        expect(method.RequestValidatorId).toEqual({ Ref: expect.stringMatching(/^ApiParameterValidator/) });
      }
    }
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Description: 'Request body of POST /api/v1/projects',
      Schema: Match.objectLike({
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['name'],
        additionalProperties: false,
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  test('REQUEST authorizer: its identity sources are exactly the inputs the authorizer reads, cached per config', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: config.api.authorizerCacheSeconds,
    });
    const [authorizer] = Object.values(resourcesOf(template, 'AWS::ApiGateway::Authorizer'));
    expect(String(authorizer.Properties.IdentitySource).split(',')).toEqual(
      AUTHORIZER_IDENTITY_HEADERS.map((name) => `method.request.header.${name}`),
    );
  });

  test('usage plans apply: every method an API key (or any authorized caller) can reach requires a key', () => {
    const policies = new RoutePolicies(ROUTES);
    for (const scopes of SCOPE_SUBSETS) {
      const { allow } = policies.resourcesFor({ roles: [], scopes });
      for (const route of ROUTES.filter((r) => r.access.public !== true)) {
        if (!allow.includes(routeResource(route))) continue;
        expect({ route: route.id, ApiKeyRequired: methodOf(template, route).ApiKeyRequired }).toEqual({
          route: route.id,
          ApiKeyRequired: true,
        });
      }
    }
    for (const route of ROUTES) {
      expect(methodOf(template, route).ApiKeyRequired).toBe(route.access.public !== true);
    }
  });

  test('token callers: a throttled plan without quota, one key per kind, the same values the authorizer returns', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: `rampart-${name}-tokens`,
      Throttle: {
        RateLimit: capacity.tokenUsagePlan.rateLimit,
        BurstLimit: capacity.tokenUsagePlan.burstLimit,
      },
      Quota: Match.absent(),
      ApiStages: [Match.objectLike({ ApiId: { Ref: Match.stringLikeRegexp('^ApiRestApi') } })],
    });
    const keys = Object.values(resourcesOf(template, 'AWS::ApiGateway::ApiKey')).map(
      (key) => key.Properties.Value,
    );
    expect(keys.sort()).toEqual([
      `rampart-${name}-client-token-callers`,
      `rampart-${name}-user-token-callers`,
    ]);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^REQUEST authorizer'),
      Environment: {
        Variables: Match.objectLike({
          TOKEN_USAGE_KEYS: JSON.stringify({
            user: `rampart-${name}-user-token-callers`,
            client: `rampart-${name}-client-token-callers`,
          }),
        }),
      },
    });
  });

  test('stage: throttling defaults and a throttle on every route, ERROR execution logs, no data trace, JSON access logs', () => {
    const perRoute = ROUTES.map((route) => ({
      HttpMethod: route.method,
      ResourcePath: route.path.replace(/\//g, '~1').replace(/^/, '/'),
      ThrottlingRateLimit: capacity.methods[route.id].rateLimit,
      ThrottlingBurstLimit: capacity.methods[route.id].burstLimit,
      DataTraceEnabled: false,
    }));
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: name,
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: capacity.stage.rateLimit,
          ThrottlingBurstLimit: capacity.stage.burstLimit,
        },
        ...perRoute.map((setting) => Match.objectLike(setting)),
      ]),
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId".*"status":"\\$context.status"'),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: config.api.accessLogRetentionDays,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiKey'), 'Arn'] },
    });
  });

  test('every gateway response type is problem+json with the security headers and its status; 429s carry Retry-After', () => {
    const headers = securityHeaderValues();
    expect(GATEWAY_PROBLEMS.map((problem) => problem.type.responseType).sort()).toEqual(
      Object.keys(GATEWAY_RESPONSE_DEFAULTS).sort(),
    );
    for (const problem of GATEWAY_PROBLEMS) {
      const parameters: Record<string, unknown> = {
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.strict-transport-security': `'${headers['strict-transport-security']}'`,
        'gatewayresponse.header.x-content-type-options': "'nosniff'",
        'gatewayresponse.header.x-frame-options': "'DENY'",
      };
      if (problem.retryAfterSeconds !== undefined) {
        parameters['gatewayresponse.header.Retry-After'] = `'${problem.retryAfterSeconds}'`;
      }
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: problem.type.responseType,
        StatusCode: problem.keepsGatewayStatus
          ? Match.absent()
          : String(ERROR_CATALOGUE[problem.code].status),
        ResponseParameters: Match.objectLike(parameters),
        ResponseTemplates: {
          'application/json': Match.stringLikeRegexp(`"code":"${problem.code}"`),
        },
      });
    }
    const statusOf = (type: string) =>
      Object.values(resourcesOf(template, 'AWS::ApiGateway::GatewayResponse')).find(
        (response) => response.Properties.ResponseType === type,
      )!.Properties.StatusCode;
    expect(statusOf('MISSING_AUTHENTICATION_TOKEN')).toBe('404');
    expect(statusOf('INVALID_SIGNATURE')).toBe('403');
    expect(statusOf('UNAUTHORIZED')).toBe('401');
    expect(statusOf('DEFAULT_4XX')).toBeUndefined();
    for (const type of ['THROTTLED', 'QUOTA_EXCEEDED']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: '429',
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': Match.anyValue() }),
      });
    }
  });

  test('no gateway response template can render invalid JSON, whatever the message; no $util (not VTL)', () => {
    const api = readDeployedApi(templateOf('api').toJSON() as CloudFormationTemplate);
    const messages = [
      "it's",
      'say "hi"',
      'back\\slash',
      'line\nbreak\r\t',
      '</script><b>',
      'naïve ☃ 𝄞',
      '\u0000',
    ];
    for (const [type, response] of api.gatewayResponses) {
      expect(response.responseTemplates['application/json']).not.toContain('$util');
      for (const message of messages) {
        const rendered = renderGatewayResponse(api, type as GatewayResponseType, {
          requestId: 'req-1',
          message,
          stage: name,
        });
        const body = JSON.parse(rendered.body) as Record<string, unknown>;
        expect(body.correlationId).toBe('req-1');
        if (type.startsWith('BAD_REQUEST') || type === 'DEFAULT_4XX') expect(body.detail).toBe(message);
      }
    }
  });

  test('gateway responses carry CORS headers for the configured origins only', () => {
    const origins = config.cors.allowedOrigins;
    for (const response of Object.values(resourcesOf(template, 'AWS::ApiGateway::GatewayResponse'))) {
      const parameters = response.Properties.ResponseParameters as Record<string, string>;
      const allowOrigin = parameters['gatewayresponse.header.Access-Control-Allow-Origin'];
      if (origins.length === 0) expect(allowOrigin).toBeUndefined();
      else if (origins.length === 1) expect(allowOrigin).toBe(`'${origins[0]}'`);
      else expect(allowOrigin).toBe('method.request.header.Origin');
      if (origins.length > 0) expect(parameters['gatewayresponse.header.Vary']).toBe("'Origin'");
    }
  });

  test('a usage plan per tier, each with throttle and quota from the capacity model', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 4);
    for (const [tier, limits] of Object.entries(capacity.usagePlans)) {
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Description: `API key tier "${tier}"`,
        Throttle: { RateLimit: limits.rateLimit, BurstLimit: limits.burstLimit },
        Quota: { Limit: limits.quotaLimit, Period: limits.quotaPeriod },
        ApiStages: [Match.objectLike({ ApiId: { Ref: Match.stringLikeRegexp('^ApiRestApi') } })],
      });
    }
  });

  test('functions: Node.js 24 on arm64, in the VPC, reserved concurrency, JSON logs to encrypted groups', () => {
    const all = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
    // CDK's provider framework function of the JWKS resource is CDK's, deploy time only (see the JWKS test).
    const framework = all.filter((fn) => fn.Properties.Handler === 'framework.onEvent');
    expect(framework).toHaveLength(1);
    const functions = all.filter((fn) => !framework.includes(fn));
    // Routes, the authorizer, worker, outbox relay, key cleanup, key recreation (failback), JWKS
    // fetcher, origin-verify rotation and login client secret rotation.
    expect(functions.length).toBe(ROUTES.length + MOUNTS.filter((m) => 'handler' in m.target).length + 8);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON' },
        VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
      });
      expect(fn.Properties.ReservedConcurrentExecutions).toBeGreaterThanOrEqual(1);
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'GET /api/v1/projects',
      ReservedConcurrentExecutions: capacity.methods.listProjects.reservedConcurrency,
      Timeout: 11,
      Environment: {
        Variables: Match.objectLike({
          DB_IAM_AUTH: 'true',
          DB_USER: 'rampart_app',
          DB_NAME: 'rampart',
          DB_POOL_MAX: String(config.functions.dbPoolMax),
          POWERTOOLS_SERVICE_NAME: 'listProjects',
          POWERTOOLS_LOG_LEVEL: config.functions.logLevel,
        }),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: config.functions.logRetentionDays,
      KmsKeyId: Match.anyValue(),
    });
  });

  test('least privilege from the manifest: only database routes may connect, only writers send to the queue', () => {
    const connects = (prefix: string) => actionsOf(template, prefix).includes('rds-db:connect');
    expect(connects('ListProjectsFunction')).toBe(true);
    expect(connects('Authorizer')).toBe(true);
    expect(connects('LoginFunction')).toBe(false);
    expect(connects('HealthFunction')).toBe(false);
    expect(actionsOf(template, 'CreateProjectFunction')).toContain('sqs:SendMessage');
    expect(actionsOf(template, 'GetProjectFunction')).not.toContain('sqs:SendMessage');
    expect(actionsOf(template, 'SetUserRolesFunction')).toEqual(
      expect.arrayContaining(['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminRemoveUserFromGroup']),
    );
    expect(actionsOf(template, 'MeFunction')).not.toContain('cognito-idp:AdminAddUserToGroup');
    expect(actionsOf(template, 'CreateApiKeyFunction')).toEqual(expect.arrayContaining(['apigateway:POST']));
    expect(actionsOf(template, 'ListProjectsFunction')).not.toContain('apigateway:POST');
    expect(actionsOf(template, 'LoginFunction')).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt']),
    );
  });

  test('database functions join the Data stack client group; HTTPS is the only other egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^API functions'),
      SecurityGroupEgress: [
        {
          CidrIp: '0.0.0.0/0',
          FromPort: 443,
          ToPort: 443,
          IpProtocol: 'tcp',
          Description: 'HTTPS to AWS APIs',
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'GET /api/v1/projects',
      VpcConfig: { SecurityGroupIds: [Match.anyValue(), Match.anyValue()] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'POST /api/v1/auth/login',
      VpcConfig: { SecurityGroupIds: [Match.anyValue()] },
    });
  });

  test("the authorizer gets the JWKS from a deploy-time custom resource on CDK's provider framework, never fetching it", () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const functionId = (predicate: (properties: Record<string, unknown>) => boolean) => {
      const ids = Object.keys(functions).filter((id) => predicate(functions[id].Properties));
      expect(ids).toHaveLength(1);
      return ids[0];
    };
    const fetcherId = functionId(
      (properties) => properties.Description === 'Deploy time: fetches the user pool JWKS for the authorizer',
    );
    const frameworkId = functionId((properties) => properties.Handler === 'framework.onEvent');
    const jwksResources = resourcesOf(template, 'Custom::Jwks');
    expect(Object.keys(jwksResources)).toHaveLength(1);
    const [jwksId] = Object.keys(jwksResources);

    // CloudFormation refuses a new ServiceToken on an existing custom resource: the resource and
    // its fetcher must not keep the logical IDs of the hand-written custom resource they replace.
    expect(jwksId).not.toBe('Jwks');
    expect(fetcherId).not.toMatch(/^JwksFetcher/);

    expect(jwksResources[jwksId].Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [frameworkId, 'Arn'] },
      // CloudFormation fails the resource after 5 minutes without an answer, not after an hour.
      ServiceTimeout: '300',
      JwksUrl: {
        'Fn::Join': [
          '',
          [
            `https://cognito-idp.${config.region}.amazonaws.com/`,
            expect.anything(),
            '/.well-known/jwks.json',
          ],
        ],
      },
      Revision: config.auth.jwksRevision,
    });

    // The framework invokes the fetcher, and only the fetcher; its logs are encrypted and kept per config.
    const framework = functions[frameworkId].Properties;
    expect(framework.Environment).toEqual({
      Variables: { USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [fetcherId, 'Arn'] } },
    });
    const frameworkLogGroup = (framework.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')[frameworkLogGroup].Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^ApiKey/), 'Arn'] },
      RetentionInDays: config.functions.logRetentionDays,
    });
    const frameworkRole = (framework.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(statementsOf(template, frameworkRole.replace(/ServiceRole[0-9A-F]{8}$/, ''))).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [fetcherId, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fetcherId, 'Arn'] }, ':*']] },
        ],
      },
      { Action: 'lambda:GetFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fetcherId, 'Arn'] } },
    ]);

    // The fetcher gives up on the JWKS endpoint after 5 s (lambda/domain/deploy/jwks.ts), inside its own timeout.
    expect(functions[fetcherId].Properties).toMatchObject({ Timeout: 30, ReservedConcurrentExecutions: 1 });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^REQUEST authorizer'),
      Environment: {
        Variables: Match.objectLike({
          JWKS: { 'Fn::GetAtt': [jwksId, 'Jwks'] },
          USER_POOL_ID: Match.anyValue(),
          ALLOWED_CLIENT_IDS: Match.anyValue(),
        }),
      },
    });
  });

  test('work queue and DLQ: KMS, TLS only, redrive per config; worker reports partial batch failures', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiKey'), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: config.queue.maxReceiveCount },
      VisibilityTimeout: 180,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: config.queue.deadLetterRetentionDays * 86_400,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  test('scheduled functions dead-letter their failed invocations', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    for (const description of [
      Match.stringLikeRegexp('^Sends committed events'),
      Match.stringLikeRegexp('^Removes expired'),
    ]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: description,
        DeadLetterConfig: { TargetArn: Match.anyValue() },
      });
    }
  });

  test('the login client secret rotates on schedule (never on deploy) with exactly the grants the two-secret overlap needs', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const [rotationId] = Object.entries(functions).find(([id]) =>
      id.startsWith('LoginClientSecretRotation'),
    )!;
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: {
        'Fn::GetStackOutput': Match.objectLike({
          StackName: `Rampart-${name}-Auth`,
          OutputName: Match.stringLikeRegexp('^PublishOutputRefDirectoryLoginClientSecret'),
        }),
      },
      RotationLambdaARN: { 'Fn::GetAtt': [rotationId, 'Arn'] },
      RotationRules: { ScheduleExpression: `rate(${config.auth.clientSecretRotationDays} days)` },
      RotateImmediatelyOnUpdate: false,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Rotates the login client secret (Cognito two-secret overlap, then Secrets Manager)',
      ReservedConcurrentExecutions: 1,
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'login-client-secret-rotation',
          USER_POOL_ID: {
            'Fn::GetStackOutput': Match.objectLike({
              OutputName: Match.stringLikeRegexp('^PublishOutputRefDirectoryUserPool'),
            }),
          },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [rotationId, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      Action: 'lambda:InvokeFunction',
    });
    const auth = (prefix: string) => ({
      'Fn::GetStackOutput': {
        StackName: `Rampart-${name}-Auth`,
        Region: config.region,
        OutputName: expect.stringMatching(new RegExp(`^${prefix}`)),
      },
    });
    const all = statementsOf(template, 'LoginClientSecretRotation');
    const statements = all.filter((statement) => statement.Resource !== '*');
    expect(statements).toEqual([
      {
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Effect: 'Allow',
        Resource: auth('PublishOutputRefDirectoryLoginClientSecret'),
      },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` } },
        Effect: 'Allow',
        Resource: auth('PublishOutputFnGetAttAuthKey'),
      },
      {
        Action: [
          'cognito-idp:AddUserPoolClientSecret',
          'cognito-idp:DeleteUserPoolClientSecret',
          'cognito-idp:ListUserPoolClientSecrets',
        ],
        Effect: 'Allow',
        Resource: auth('PublishOutputFnGetAttDirectoryUserPool'),
      },
    ]);
    // On *: only GetRandomPassword (added by RotationSchedule, unused) and, with active tracing, X-Ray's.
    const unscoped = all
      .filter((statement) => statement.Resource === '*')
      .flatMap((statement) => [statement.Action as string | string[]].flat());
    expect(unscoped).toContain('secretsmanager:GetRandomPassword');
    expect(
      unscoped.filter(
        (action) => action !== 'secretsmanager:GetRandomPassword' && !action.startsWith('xray:'),
      ),
    ).toEqual([]);
  });
});
