import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  capacityPlan,
  ENVIRONMENT_NAMES,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
} from '../../../lib/config';
import { ROUTES } from '../../../lambda/routes';
import { AUTHORIZER_IDENTITY_HEADERS } from '../../../lambda/shared/credentials';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../../lambda/shared/route';
import { synthEnvironments } from '../../support/synth';
import { ALWAYS_REDACTED_HEADERS } from '../../../lib/constructs/edge/protected-web-acl';
import {
  BODY_INSPECTION_LIMITS,
  MANAGED_BLOCKING_RULES,
  MANAGED_RULE_GROUPS,
  NON_CANONICAL_PATH_REGEX,
  type ManagedRuleGroup,
} from '../../../lib/constructs/edge/waf-rules';
import { BROWSER_PATH_PREFIXES, largestBodyLimit } from '../../../lib/stacks/edge-stack';

const environments = synthEnvironments();

type Resource = { Type: string; Properties: Record<string, unknown> };
type Rule = {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  Statement: Record<string, Record<string, unknown>>;
};

function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0];
}

function rulesOf(template: Template): Rule[] {
  return only(template, 'AWS::WAFv2::WebACL').Properties.Rules as Rule[];
}

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** The path match of every browser-path scope: decoded and normalized before comparing. */
const pathStartsWith = (prefix: string) => ({
  ByteMatchStatement: {
    SearchString: prefix,
    FieldToMatch: { UriPath: {} },
    PositionalConstraint: 'STARTS_WITH',
    TextTransformations: [
      { Priority: 0, Type: 'URL_DECODE' },
      { Priority: 1, Type: 'NORMALIZE_PATH' },
    ],
  },
});

/** Managed rules that only label (they count in every mode). */
const COUNTED_MANAGED_RULES = ['SizeRestrictions_BODY', 'HostingProviderIPList'];

const blockWith = (key: string, status: number, headers?: { Name: string; Value: string }[]) => ({
  Block: {
    CustomResponse: {
      CustomResponseBodyKey: key,
      ResponseCode: status,
      ...(headers ? { ResponseHeaders: headers } : {}),
    },
  },
});

describe.each(ENVIRONMENT_NAMES)('edge (%s)', (name) => {
  const { config, stacks, template: templateOf } = environments[name];
  const edge = templateOf('edge');
  const api = templateOf('api');
  const mode = config.edge.ruleAction;
  // Exact figures per environment: test/lib/stacks/capacity.suite.ts.
  const { waf } = capacityPlan(config);
  const expectAction = (key: string, status: number, headers?: { Name: string; Value: string }[]) =>
    mode === 'count' ? { Count: {} } : blockWith(key, status, headers);

  test('the Edge stack is Rampart-<env>-Edge in us-east-1 and holds the only CLOUDFRONT-scope ACL', () => {
    expect(stacks.edge.stackName).toBe(`Rampart-${name}-Edge`);
    expect(stacks.edge.region).toBe('us-east-1');
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: `rampart-${name}-edge`,
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
    });
    api.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    api.resourcePropertiesCountIs('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' }, 0);
  });

  test('edge rules: names, priorities, actions per environment, limits from the capacity model', () => {
    const rules = rulesOf(edge);
    const managed = [
      'AWSManagedRulesAmazonIpReputationList',
      ...(config.edge.anonymousIpList ? ['AWSManagedRulesAnonymousIpList'] : []),
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
      ...(config.edge.botControl ? ['AWSManagedRulesBotControlRuleSet'] : []),
    ];
    expect(rules.map((rule) => [rule.Priority, rule.Name])).toEqual(
      [
        'AmbiguousCredentials',
        'NonCanonicalPath',
        'RateLimitAuth',
        'RateLimitPerIp',
        'BodySizeLimit',
        ...managed,
        // Refuses the hosting-provider label on browser paths: after the group that adds it.
        ...(config.edge.anonymousIpList ? ['NonBrowserOnBrowserPath'] : []),
      ].map((ruleName, index) => [index, ruleName]),
    );
    const [ambiguous, nonCanonical, auth, perIp, body] = rules;
    // Always blocks too: a path the policy and a router would read differently.
    expect(nonCanonical.Action).toEqual(blockWith('NonCanonicalPath', 400));
    expect(nonCanonical.Statement).toEqual({
      RegexMatchStatement: {
        RegexString: NON_CANONICAL_PATH_REGEX,
        FieldToMatch: { UriPath: {} },
        TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
      },
    });
    // Always blocks, in every environment: two Authorization headers are never let through.
    expect(ambiguous.Action).toEqual(blockWith('AmbiguousCredentials', 401));
    expect(auth.Action).toEqual(
      expectAction('RateLimited', 429, [{ Name: 'Retry-After', Value: String(waf.authPerIp.windowSeconds) }]),
    );
    expect(auth.Statement.RateBasedStatement).toEqual({
      AggregateKeyType: 'IP',
      Limit: waf.authPerIp.limit,
      EvaluationWindowSec: waf.authPerIp.windowSeconds,
      ScopeDownStatement: pathStartsWith('/api/v1/auth/'),
    });
    expect(perIp.Action).toEqual(
      expectAction('RateLimited', 429, [{ Name: 'Retry-After', Value: String(waf.perIp.windowSeconds) }]),
    );
    expect(perIp.Statement.RateBasedStatement).toEqual({
      AggregateKeyType: 'IP',
      Limit: waf.perIp.limit,
      EvaluationWindowSec: waf.perIp.windowSeconds,
    });
    expect(body.Action).toEqual(expectAction('PayloadTooLarge', 413));
    for (const rule of rules.slice(5, 5 + managed.length)) {
      expect(rule.OverrideAction).toEqual(mode === 'count' ? { Count: {} } : { None: {} });
      expect(rule.Action).toBeUndefined();
    }
    const common = rules.find((rule) => rule.Name === 'AWSManagedRulesCommonRuleSet')!;
    expect(common.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
      ...(mode === 'block'
        ? MANAGED_BLOCKING_RULES.common
            .filter((rule) => rule !== 'SizeRestrictions_BODY')
            .map((rule) => ({ Name: rule, ActionToUse: blockWith('Forbidden', 403) }))
        : []),
    ]);
  });

  test('managed rules refuse with the Forbidden problem body (block) or only count (count)', () => {
    for (const rule of [...rulesOf(edge), ...rulesOf(api)].filter((r) => r.Name.startsWith('AWSManaged'))) {
      const group = (Object.keys(MANAGED_RULE_GROUPS) as ManagedRuleGroup[]).find(
        (key) => MANAGED_RULE_GROUPS[key] === rule.Name,
      )!;
      const overrides = rule.Statement.ManagedRuleGroupStatement.RuleActionOverrides as
        { Name: string; ActionToUse: unknown }[] | undefined;
      const blocking = (overrides ?? []).filter((override) => !('Count' in (override.ActionToUse as object)));
      if (mode === 'count') {
        expect(blocking).toEqual([]);
        continue;
      }
      expect(blocking.map((override) => override.Name).sort()).toEqual(
        MANAGED_BLOCKING_RULES[group].filter((name) => !COUNTED_MANAGED_RULES.includes(name)).sort(),
      );
      for (const override of blocking) expect(override.ActionToUse).toEqual(blockWith('Forbidden', 403));
    }
  });

  test("dev counts, staging and prod block (the config's choice per environment)", () => {
    expect(mode).toBe(name === 'dev' ? 'count' : 'block');
    // Staging runs prod's browser-only protections, so they are exercised before prod (docs/environments.md).
    expect(config.edge.botControl).toBe(name !== 'dev');
    expect(config.edge.anonymousIpList).toBe(name !== 'dev');
  });

  test('the body-size rule matches the largest body a route accepts', () => {
    // Routes without a body schema refuse any body, so only routes with one set the limit.
    const largest = Math.max(
      ...ROUTES.filter((route) => route.schemas?.body !== undefined).map(
        (route) => route.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      ),
    );
    expect(largestBodyLimit()).toBe(largest);
    const [declared] = (
      rulesOf(edge)[4].Statement.OrStatement as {
        Statements: { RegexMatchStatement: { RegexString: string } }[];
      }
    ).Statements;
    const regex = new RegExp(declared.RegexMatchStatement.RegexString);
    expect(regex.test(String(largest))).toBe(false);
    expect(regex.test(String(largest + 1))).toBe(true);
  });

  test('body inspection: no legal body exceeds what WAF sees (16 KB, the default), and bodies beyond it are refused', () => {
    // With the largest route body within the inspection limit, oversize handling MATCH refuses only
    // illegal bodies, and every body WAF passes on was inspected whole by the content rules.
    expect(largestBodyLimit()).toBeLessThanOrEqual(BODY_INSPECTION_LIMITS.KB_16);
    const bodyRule = (largestBodyLimit_: number) => ({
      Name: 'BodySizeLimit',
      Priority: Match.anyValue(),
      Action: expectAction('PayloadTooLarge', 413),
      Statement: {
        OrStatement: {
          Statements: [
            {
              RegexMatchStatement: {
                RegexString: Match.anyValue(),
                FieldToMatch: { SingleHeader: { Name: 'content-length' } },
                TextTransformations: [{ Priority: 0, Type: 'NONE' }],
              },
            },
            {
              SizeConstraintStatement: {
                ComparisonOperator: 'GT',
                Size: largestBodyLimit_,
                FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
                TextTransformations: [{ Priority: 0, Type: 'NONE' }],
              },
            },
          ],
        },
      },
      VisibilityConfig: Match.anyValue(),
    });
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      AssociationConfig: { RequestBody: { CLOUDFRONT: { DefaultSizeInspectionLimit: 'KB_16' } } },
      Rules: Match.arrayWith([bodyRule(16_384)]),
    });
    api.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_16' } } },
      Rules: Match.arrayWith([bodyRule(16_384)]),
    });
    // The body rule precedes every managed group, so those groups never see a truncated body.
    for (const rules of [rulesOf(edge), rulesOf(api)]) {
      const body = rules.find((rule) => rule.Name === 'BodySizeLimit')!;
      for (const rule of rules.filter((r) => r.Name.startsWith('AWSManaged'))) {
        expect(rule.Priority).toBeGreaterThan(body.Priority);
      }
    }
  });

  test('browser paths hold only public routes (no credentialed call is judged as a browser), and every credential-entry route', () => {
    const underBrowserPaths = ROUTES.filter((route) =>
      BROWSER_PATH_PREFIXES.some((prefix) => route.path.startsWith(prefix)),
    );
    expect(underBrowserPaths.map((route) => route.id).sort()).toEqual(
      ['challenge', 'confirmPassword', 'forgotPassword', 'login', 'logout', 'refresh'].sort(),
    );
    for (const route of underBrowserPaths) expect(route.access.public).toBe(true);
  });

  test('Bot Control (where enabled) judges browser paths only; its blocking rules stay in force there', () => {
    const bot = rulesOf(edge).find((rule) => rule.Name === 'AWSManagedRulesBotControlRuleSet');
    if (!config.edge.botControl) {
      expect(bot).toBeUndefined();
      return;
    }
    expect(bot!.Statement.ManagedRuleGroupStatement).toEqual({
      VendorName: 'AWS',
      Name: 'AWSManagedRulesBotControlRuleSet',
      ManagedRuleGroupConfigs: [{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } }],
      ScopeDownStatement: pathStartsWith('/api/v1/auth/'),
      ...(mode === 'block'
        ? {
            RuleActionOverrides: MANAGED_BLOCKING_RULES.botControl.map((name) => ({
              Name: name,
              ActionToUse: blockWith('Forbidden', 403),
            })),
          }
        : {}),
    });
    if (mode === 'block') {
      const overrides = bot!.Statement.ManagedRuleGroupStatement.RuleActionOverrides as { Name: string }[];
      expect(overrides.map((override) => override.Name)).toEqual(
        expect.arrayContaining([
          'CategoryHttpLibrary',
          'SignalNonBrowserUserAgent',
          'SignalKnownBotDataCenter',
        ]),
      );
    }
  });

  test('hosting-provider IPs (where the anonymous-IP list is on) are refused on browser paths only, by label', () => {
    const rules = rulesOf(edge);
    const anonymous = rules.find((rule) => rule.Name === 'AWSManagedRulesAnonymousIpList');
    const labelRule = rules.find((rule) => rule.Name === 'NonBrowserOnBrowserPath');
    if (!config.edge.anonymousIpList) {
      expect([anonymous, labelRule]).toEqual([undefined, undefined]);
      return;
    }
    expect(anonymous!.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'HostingProviderIPList', ActionToUse: { Count: {} } },
      ...(mode === 'block' ? [{ Name: 'AnonymousIPList', ActionToUse: blockWith('Forbidden', 403) }] : []),
    ]);
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        {
          Name: 'NonBrowserOnBrowserPath',
          Priority: rules.length - 1,
          Action: expectAction('Forbidden', 403),
          Statement: {
            AndStatement: {
              Statements: [
                {
                  LabelMatchStatement: {
                    Scope: 'LABEL',
                    Key: 'awswaf:managed:aws:anonymous-ip-list:HostingProviderIPList',
                  },
                },
                pathStartsWith('/api/v1/auth/'),
              ],
            },
          },
          VisibilityConfig: {
            CloudWatchMetricsEnabled: true,
            MetricName: 'NonBrowserOnBrowserPath',
            SampledRequestsEnabled: true,
          },
        },
      ]),
    });
    expect(labelRule!.Priority).toBeGreaterThan(anonymous!.Priority);
  });

  test('refusals carry problem bodies with their status', () => {
    const bodies = only(edge, 'AWS::WAFv2::WebACL').Properties.CustomResponseBodies as Record<
      string,
      { ContentType: string; Content: string }
    >;
    expect(Object.keys(bodies).sort()).toEqual([
      'AmbiguousCredentials',
      'Forbidden',
      'NonCanonicalPath',
      'PayloadTooLarge',
      'RateLimited',
    ]);
    expect(JSON.parse(bodies.NonCanonicalPath.Content)).toMatchObject({ status: 400, code: 'UNSAFE_INPUT' });
    expect(JSON.parse(bodies.AmbiguousCredentials.Content)).toMatchObject({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    });
    expect(JSON.parse(bodies.RateLimited.Content)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(JSON.parse(bodies.PayloadTooLarge.Content)).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(JSON.parse(bodies.Forbidden.Content)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(bodies.RateLimited.ContentType).toBe('APPLICATION_JSON');
  });

  test('WAF logs go to aws-waf-logs-* groups (encrypted, retention) with every credential header redacted', () => {
    edge.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `aws-waf-logs-rampart-${name}-edge`,
      RetentionInDays: config.edge.wafLogRetentionDays,
      KmsKeyId: Match.anyValue(),
    });
    edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeWebAcl'), 'Arn'] },
      LogDestinationConfigs: [
        `arn:aws:logs:us-east-1:${config.account}:log-group:aws-waf-logs-rampart-${name}-edge`,
      ],
      RedactedFields: [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'cookie' } },
        { SingleHeader: { Name: 'x-api-key' } },
        { SingleHeader: { Name: 'proxy-authorization' } },
      ],
    });
    api.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [
        `arn:aws:logs:${config.region}:${config.account}:log-group:aws-waf-logs-rampart-${name}-api`,
      ],
      RedactedFields: [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'cookie' } },
        { SingleHeader: { Name: 'x-api-key' } },
        { SingleHeader: { Name: 'proxy-authorization' } },
        { SingleHeader: { Name: 'x-origin-verify' } },
      ],
    });
    const protection = (headers: string[]) => ({
      DataProtections: [
        {
          Field: { FieldType: 'SINGLE_HEADER', FieldKeys: headers },
          Action: 'SUBSTITUTION',
          ExcludeRuleMatchDetails: false,
          ExcludeRateBasedDetails: false,
        },
      ],
    });
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      DataProtectionConfig: protection(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']),
    });
    api.hasResourceProperties('AWS::WAFv2::WebACL', {
      DataProtectionConfig: protection([
        'authorization',
        'cookie',
        'x-api-key',
        'proxy-authorization',
        'x-origin-verify',
      ]),
    });
    api.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `aws-waf-logs-rampart-${name}-api`,
      RetentionInDays: config.edge.wafLogRetentionDays,
    });
  });

  test("both ACLs redact every header the authorizer reads: the template's identity sources, not a copy", () => {
    const [authorizer] = Object.values(api.findResources('AWS::ApiGateway::Authorizer')) as Resource[];
    const identityHeaders = String(authorizer.Properties.IdentitySource)
      .split(',')
      .map((source) => source.replace(/^method\.request\.header\./, '').toLowerCase());
    expect(identityHeaders).toEqual(AUTHORIZER_IDENTITY_HEADERS.map((header) => header.toLowerCase()));
    for (const template of [edge, api]) {
      const logging = only(template, 'AWS::WAFv2::LoggingConfiguration').Properties.RedactedFields as {
        SingleHeader: { Name: string };
      }[];
      const protectedKeys = (
        only(template, 'AWS::WAFv2::WebACL').Properties.DataProtectionConfig as {
          DataProtections: { Field: { FieldKeys: string[] } }[];
        }
      ).DataProtections[0].Field.FieldKeys;
      for (const header of [...identityHeaders, ...ALWAYS_REDACTED_HEADERS]) {
        expect(logging).toContainEqual({ SingleHeader: { Name: header } });
        expect(protectedKeys).toContain(header);
      }
    }
  });

  test('regional ACL: origin-verify first (always block, 403), ambiguous credentials (always block, 401), non-canonical paths (always block, 400), per-credential rate rule, body size, content groups', () => {
    const rules = rulesOf(api);
    expect(rules.map((rule) => [rule.Priority, rule.Name])).toEqual([
      [0, 'OriginVerify'],
      [1, 'AmbiguousCredentials'],
      [2, 'NonCanonicalPath'],
      [3, 'RateLimitPerCredential'],
      [4, 'BodySizeLimit'],
      [5, 'AWSManagedRulesCommonRuleSet'],
      [6, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [7, 'AWSManagedRulesSQLiRuleSet'],
    ]);
    expect(rules[2].Action).toEqual(blockWith('NonCanonicalPath', 400));
    expect(rules[2].Statement.RegexMatchStatement.FieldToMatch).toEqual({ UriPath: {} });
    expect(rules[1].Action).toEqual(blockWith('AmbiguousCredentials', 401));
    expect(rules[1].Statement).toEqual({
      RegexMatchStatement: {
        RegexString: '(^|:)authorization(:.*)?:authorization(:|$)',
        FieldToMatch: { HeaderOrder: { OversizeHandling: 'MATCH' } },
        TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
      },
    });
    expect(rules[0].Action).toEqual(blockWith('Forbidden', 403));
    expect(rules[0].Statement).toEqual({
      NotStatement: {
        Statement: {
          RegexPatternSetReferenceStatement: {
            Arn: {
              'Fn::GetAtt': [expect.stringMatching(/^OriginVerifyAcceptedValues/), 'Arn'],
            },
            FieldToMatch: { SingleHeader: { Name: 'x-origin-verify' } },
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
          },
        },
      },
    });
    expect(rules[3].Action).toEqual(
      expectAction('RateLimited', 429, [
        { Name: 'Retry-After', Value: String(waf.perCredential.windowSeconds) },
      ]),
    );
    expect(rules[3].Statement.RateBasedStatement).toEqual({
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [
        { Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
      ],
      Limit: waf.perCredential.limit,
      EvaluationWindowSec: waf.perCredential.windowSeconds,
    });
  });

  test('the regional ACL is associated with the stage, and the WAF acknowledgements are gone', () => {
    const association = only(api, 'AWS::WAFv2::WebACLAssociation').Properties;
    expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiWebAcl/), 'Arn'] });
    const join = JSON.stringify(association.ResourceArn);
    expect(join).toContain('/stages/');
    expect(join).toMatch(/"Ref":"ApiRestApiDeploymentStage/);
  });

  test("the distribution wears the Edge stack's ACL (by ARN, read from us-east-1) and the edge certificate", () => {
    const config_ = only(api, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<
      string,
      unknown
    >;
    expect(config_.WebACLId).toEqual({
      'Fn::GetStackOutput': {
        StackName: `Rampart-${name}-Edge`,
        Region: 'us-east-1',
        OutputName: expect.stringMatching(/EdgeWebAcl.*Arn/),
      },
    });
    expect(config_).toMatchObject({
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
      PriceClass: config.edge.priceClass,
      Logging: { Prefix: 'cloudfront/' },
    });
    if (config.edge.domain) {
      expect(config_.Aliases).toEqual([config.edge.domain.name]);
      expect(config_.ViewerCertificate).toEqual({
        AcmCertificateArn: {
          'Fn::GetStackOutput': {
            StackName: `Rampart-${name}-Edge`,
            Region: 'us-east-1',
            OutputName: expect.stringMatching(/Certificate/),
          },
        },
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      });
      edge.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: config.edge.domain.name,
        ValidationMethod: 'DNS',
      });
    } else {
      expect(config_.Aliases).toBeUndefined();
      edge.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    }
    const outputs = edge.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.values(outputs).map((output) => output.Value)).toContainEqual({
      'Fn::GetAtt': [expect.stringMatching(/^EdgeWebAcl/), 'Arn'],
    });
  });

  test('origin: the stage over HTTPS (TLS 1.2) with the origin-verify header from the secret', () => {
    const config_ = only(api, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as {
      Origins: Record<string, unknown>[];
    };
    expect(config_.Origins).toHaveLength(1);
    const [origin] = config_.Origins;
    expect(origin.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(JSON.stringify(origin.OriginPath)).toMatch(/ApiRestApiDeploymentStage/);
    expect(origin.OriginCustomHeaders).toEqual([
      {
        HeaderName: 'x-origin-verify',
        HeaderValue: {
          'Fn::Join': [
            '',
            [
              '{{resolve:secretsmanager:',
              { Ref: expect.stringMatching(/^OriginVerifySecret/) },
              ':SecretString:::}}',
            ],
          ],
        },
      },
    ]);
  });

  test('no route of the current manifest is edge-cacheable: everything goes through CachingDisabled + AllViewerExceptHostHeader', () => {
    const config_ = only(api, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<
      string,
      unknown
    >;
    expect(config_.CacheBehaviors).toBeUndefined();
    expect(config_.DefaultCacheBehavior).toEqual({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      Compress: false,
      ResponseHeadersPolicyId: { Ref: expect.stringMatching(/^EdgeSecurityHeaders/) },
      TargetOriginId: expect.any(String),
      ViewerProtocolPolicy: 'https-only',
    });
    api.resourceCountIs('AWS::CloudFront::CachePolicy', 0);
  });

  test('access logs: encrypted, TLS-only, private bucket owned by the account, expiring per config', () => {
    api.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ ExpirationInDays: config.edge.accessLogRetentionDays, Status: 'Enabled' }),
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    api.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('origin-verify secret: KMS-encrypted, rotated every originVerifyRotationDays by its function, never on deploy', () => {
    api.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('x-origin-verify'),
      KmsKeyId: Match.anyValue(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
    api.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^OriginVerifySecret') },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OriginVerifyRotation'), 'Arn'] },
      RotationRules: { ScheduleExpression: `rate(${config.edge.originVerifyRotationDays} days)` },
      RotateImmediatelyOnUpdate: false,
    });
    expect(config.edge.originVerifyRotationDays).toBeLessThanOrEqual(30);
    api.hasResourceProperties('AWS::WAFv2::RegexPatternSet', {
      Name: `rampart-${name}-origin-verify`,
      Scope: 'REGIONAL',
      RegularExpressionList: [
        {
          'Fn::Join': [
            '',
            [
              '{{resolve:secretsmanager:',
              { Ref: Match.stringLikeRegexp('^OriginVerifySecret') },
              ':SecretString:::}}',
            ],
          ],
        },
      ],
    });
  });

  test('the rotation function may update only the pattern set and the distribution', () => {
    const policies = Object.values(api.findResources('AWS::IAM::Policy')) as Resource[];
    const rotation = policies.filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) =>
        role.Ref.startsWith('OriginVerifyRotationServiceRole'),
      ),
    );
    const statements = rotation.flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
          .Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['wafv2:GetRegexPatternSet', 'wafv2:UpdateRegexPatternSet'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OriginVerifyAcceptedValues/), 'Arn'] },
      }),
    );
    const cloudfront = statements.find((statement) =>
      JSON.stringify(statement.Action).includes('cloudfront:'),
    );
    expect(cloudfront?.Action).toEqual([
      'cloudfront:GetDistribution',
      'cloudfront:GetDistributionConfig',
      'cloudfront:UpdateDistribution',
    ]);
    expect(JSON.stringify(cloudfront?.Resource)).toMatch(/:distribution\/.*"Ref":"EdgeDistribution/);
    api.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ORIGIN_VERIFY_HEADER: 'x-origin-verify',
          WAF_PATTERN_SET_NAME: `rampart-${name}-origin-verify`,
          WAF_SCOPE: 'REGIONAL',
          DISTRIBUTION_ID: { Ref: Match.stringLikeRegexp('^EdgeDistribution') },
        }),
      },
    });
  });
});

describe('edge config validation', () => {
  const prod = loadEnvironmentConfig('prod');
  const withEdge = (edge: Record<string, unknown>) => ({ ...prod, edge: { ...prod.edge, ...edge } });

  // The rate rules' limits are the capacity model's: test/lib/config/capacity.test.ts.
  test('rotation at most every 30 days, us-east-1 certificates only', () => {
    expect(() => parseEnvironmentConfig(withEdge({ originVerifyRotationDays: 31 }))).toThrow(
      /edge\.originVerifyRotationDays/,
    );
    expect(() =>
      parseEnvironmentConfig(
        withEdge({
          domain: {
            name: 'api.example.com',
            certificateArn:
              'arn:aws:acm:eu-west-1:333333333333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
          },
        }),
      ),
    ).toThrow(/edge\.domain\.certificateArn: must be an ACM certificate ARN in us-east-1/);
    expect(() => parseEnvironmentConfig(withEdge({}))).not.toThrow();
  });
});
