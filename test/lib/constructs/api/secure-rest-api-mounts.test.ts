import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RequestAuthorizer, IdentitySource } from 'aws-cdk-lib/aws-apigateway';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { PRINCIPAL_HEADERS } from '../../../../lambda/shared/principal-headers';
import type { MountDefinition } from '../../../../lambda/shared/route';
import { SecureRestApi } from '../../../../lib/constructs/api/secure-rest-api';

const READERS = { roles: ['viewer'], scopes: ['rampart/read'] } as const;

/** One small stack with a SecureRestApi and the given mounts (no routes): no app synth. */
function apiWith(mounts: readonly MountDefinition[]): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'MountTest', { env: { account: '111111111111', region: 'eu-west-1' } });
  const fn = (id: string) =>
    new LambdaFunction(stack, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
    });
  const authorizer = new RequestAuthorizer(stack, 'Authorizer', {
    handler: fn('AuthorizerFn'),
    identitySources: [IdentitySource.header('Authorization')],
  });
  const throttle = { rateLimit: 10, burstLimit: 20 };
  new SecureRestApi(stack, 'Api', {
    routes: [],
    mounts,
    handlers: Object.fromEntries(
      mounts.filter((m) => 'handler' in m.target).map((m) => [m.id, fn(`${m.id}Fn`)]),
    ),
    authorizer,
    restApiName: 'mount-test',
    stageName: 'test',
    stageThrottle: throttle,
    methodThrottles: Object.fromEntries(mounts.map((m) => [m.id, throttle])),
    accessLogGroup: new LogGroup(stack, 'Logs'),
    minimumCompressionBytes: 1024,
    usagePlans: {
      free: { rateLimit: 1, burstLimit: 2, quotaLimit: 10, quotaPeriod: 'DAY' },
      standard: { rateLimit: 1, burstLimit: 2, quotaLimit: 10, quotaPeriod: 'DAY' },
      premium: { rateLimit: 1, burstLimit: 2, quotaLimit: 10, quotaPeriod: 'DAY' },
    },
    tokenUsagePlan: throttle,
  });
  return Template.fromStack(stack);
}

const backendMount: MountDefinition = {
  id: 'legacyBackend',
  prefix: '/api/v1/legacy',
  target: { backend: { url: 'https://legacy.internal.example.com/base' } },
  rules: [{ methods: 'ANY', path: '/{rest+}', access: READERS }],
  capacityClass: 'read',
  timeoutMs: 5_000,
};

describe('SecureRestApi mounts', () => {
  test('an HTTP backend: ANY {prefix}/{proxy+} behind the authorizer, HTTP proxy with the principal headers from the authorizer context and a timeout', () => {
    const template = apiWith([backendMount]);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      OperationName: 'legacyBackend',
      AuthorizationType: 'CUSTOM',
      ApiKeyRequired: true,
      RequestParameters: { 'method.request.path.proxy': true },
      Integration: {
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'ANY',
        Uri: 'https://legacy.internal.example.com/base/{proxy}',
        TimeoutInMillis: 5_000,
        RequestParameters: {
          'integration.request.path.proxy': 'method.request.path.proxy',
          'integration.request.header.x-rampart-sub': 'context.authorizer.sub',
          'integration.request.header.x-rampart-roles': 'context.authorizer.roles',
          'integration.request.header.x-rampart-scopes': 'context.authorizer.scopes',
          'integration.request.header.x-rampart-auth-type': 'context.authorizer.authType',
          'integration.request.header.x-rampart-api-key-id': 'context.authorizer.apiKeyId',
        },
      },
    });
    expect(Object.keys(PRINCIPAL_HEADERS)).toHaveLength(5);
    // API Gateway presents a client certificate to its backends, so they can refuse anyone else.
    template.resourceCountIs('AWS::ApiGateway::ClientCertificate', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { ClientCertificateId: Match.anyValue() });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: 'ANY',
          ResourcePath: '/~1api~1v1~1legacy~1{proxy+}',
          ThrottlingRateLimit: 10,
        }),
      ]),
    });
  });

  test('a private backend goes through its VPC link', () => {
    const template = apiWith([
      { ...backendMount, target: { backend: { url: 'http://nlb.internal:8080', vpcLinkId: 'abc123' } } },
    ]);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: { Type: 'HTTP_PROXY', ConnectionType: 'VPC_LINK', ConnectionId: 'abc123' },
    });
  });

  test('refuses a public HTTP backend, a plain-HTTP public URL, and a prefix with placeholders', () => {
    expect(() =>
      apiWith([{ ...backendMount, rules: [{ methods: 'ANY', path: '/{rest+}', access: { public: true } }] }]),
    ).toThrow(/HTTP backends are mounted behind the authorizer only/);
    expect(() =>
      apiWith([{ ...backendMount, target: { backend: { url: 'http://legacy.example.com' } } }]),
    ).toThrow(/must be https:\/\//);
    expect(() => apiWith([{ ...backendMount, prefix: '/api/v1/{tenant}' }])).toThrow(/literal segments/);
  });

  test('a Lambda mount with every rule public has no authorizer and needs no key', () => {
    const template = apiWith([
      {
        id: 'docsApp',
        prefix: '/api/v1/docs',
        target: { handler: 'docs/handler.ts' },
        rules: [{ methods: ['GET'], path: '/{rest+}', access: { public: true } }],
        capacityClass: 'read',
      },
      // A protected one beside it (an authorizer must be attached to some method).
      {
        id: 'shopApp',
        prefix: '/api/v1/shop',
        target: { handler: 'shop/handler.ts' },
        rules: [{ methods: 'ANY', path: '/{rest+}', access: READERS }],
        capacityClass: 'read',
      },
    ]);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      OperationName: 'shopApp',
      AuthorizationType: 'CUSTOM',
      ApiKeyRequired: true,
      Integration: { Type: 'AWS_PROXY' },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      OperationName: 'docsApp',
      AuthorizationType: 'NONE',
      ApiKeyRequired: false,
      Integration: { Type: 'AWS_PROXY' },
    });
    template.resourceCountIs('AWS::ApiGateway::ClientCertificate', 0);
  });
});
