import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  ALWAYS_REDACTED_HEADERS,
  ProtectedWebAcl,
  type ProtectedWebAclProps,
} from '../../../../lib/constructs/edge/protected-web-acl';
import {
  MANAGED_BLOCKING_RULES,
  MANAGED_RULE_GROUPS,
  NON_CANONICAL_PATH_REGEX,
  pathStartsWith,
  repeatedHeaderRegex,
  type ManagedRuleGroup,
} from '../../../../lib/constructs/edge/waf-rules';
import { AUTHORIZER_IDENTITY_HEADERS } from '../../../../lambda/shared/credentials';

const props: ProtectedWebAclProps = {
  scope: 'CLOUDFRONT',
  name: 'test-edge',
  ruleAction: 'count',
  managedRuleGroups: ['common'],
  rateRules: [{ name: 'RateLimitPerIp', limit: 100, windowSeconds: 60 }],
  maxBodyBytes: 1024,
  originVerify: {
    headerName: 'x-origin-verify',
    regexPatternSetArn: 'arn:aws:wafv2:eu-west-1:1:regional/regexpatternset/x/y',
  },
  logRetentionDays: 7,
};

function stackIn(region?: string): Stack {
  return new Stack(new App(), 'Misplaced', region ? { env: { account: '111111111111', region } } : {});
}

type Rule = { Name: string; Priority: number; Action?: unknown; OverrideAction?: unknown; Statement: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function aclOf(stack: Stack): { Rules: Rule[]; [key: string]: unknown } {
  const acls = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL')) as {
    Properties: { Rules: Rule[] };
  }[];
  expect(acls).toHaveLength(1);
  return acls[0].Properties;
}

const forbidden = { Block: { CustomResponse: { CustomResponseBodyKey: 'Forbidden', ResponseCode: 403 } } };
const loginPath = {
  ByteMatchStatement: {
    SearchString: '/login/',
    FieldToMatch: { UriPath: {} },
    PositionalConstraint: 'STARTS_WITH',
    TextTransformations: [
      { Priority: 0, Type: 'URL_DECODE' },
      { Priority: 1, Type: 'NORMALIZE_PATH' },
    ],
  },
};

describe('ProtectedWebAcl', () => {
  test('a CLOUDFRONT-scope ACL outside us-east-1 fails at synth, naming the region and the fix', () => {
    expect(() => new ProtectedWebAcl(stackIn('eu-west-1'), 'Acl', props)).toThrow(
      'ProtectedWebAcl Misplaced/Acl: a CLOUDFRONT-scope web ACL must be created in us-east-1, but stack Misplaced is in eu-west-1. Create it in the Edge stack (us-east-1) and pass its ARN to the distribution.',
    );
    expect(() => new ProtectedWebAcl(stackIn(), 'Acl', props)).toThrow(/is in an unspecified region/);
  });

  test('REGIONAL ACLs may live anywhere; CLOUDFRONT ones in us-east-1', () => {
    expect(
      () => new ProtectedWebAcl(stackIn('eu-west-1'), 'Acl', { ...props, scope: 'REGIONAL' }),
    ).not.toThrow();
    expect(() => new ProtectedWebAcl(stackIn('us-east-1'), 'Acl', props)).not.toThrow();
  });

  test('count mode counts every rule except origin-verify, ambiguous credentials and non-canonical paths, which always block', () => {
    const stack = stackIn('us-east-1');
    new ProtectedWebAcl(stack, 'Acl', props);
    const [acl] = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL')) as {
      Properties: { Rules: { Name: string; Action?: unknown; OverrideAction?: unknown }[] };
    }[];
    expect(acl.Properties.Rules.map((rule) => [rule.Name, rule.Action ?? rule.OverrideAction])).toEqual([
      [
        'OriginVerify',
        { Block: { CustomResponse: { CustomResponseBodyKey: 'Forbidden', ResponseCode: 403 } } },
      ],
      [
        'AmbiguousCredentials',
        { Block: { CustomResponse: { CustomResponseBodyKey: 'AmbiguousCredentials', ResponseCode: 401 } } },
      ],
      [
        'NonCanonicalPath',
        { Block: { CustomResponse: { CustomResponseBodyKey: 'NonCanonicalPath', ResponseCode: 400 } } },
      ],
      ['RateLimitPerIp', { Count: {} }],
      ['BodySizeLimit', { Count: {} }],
      ['AWSManagedRulesCommonRuleSet', { Count: {} }],
    ]);
  });

  test('two values of an identity-source header are refused on the header order, and those headers are redacted', () => {
    const stack = stackIn('us-east-1');
    new ProtectedWebAcl(stack, 'Acl', props);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'AmbiguousCredentials',
          Statement: {
            RegexMatchStatement: {
              RegexString: '(^|:)authorization(:.*)?:authorization(:|$)',
              FieldToMatch: { HeaderOrder: { OversizeHandling: 'MATCH' } },
              TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
            },
          },
        }),
      ]),
      CustomResponseBodies: Match.objectLike({
        AmbiguousCredentials: Match.objectLike({
          Content: Match.stringLikeRegexp('"code":"AUTH_TOKEN_INVALID"'),
        }),
      }),
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith(
        AUTHORIZER_IDENTITY_HEADERS.map((name) => ({ SingleHeader: { Name: name.toLowerCase() } })),
      ),
    });
    const pattern = new RegExp(repeatedHeaderRegex(AUTHORIZER_IDENTITY_HEADERS));
    expect(pattern.test('host:authorization:accept:authorization')).toBe(true);
    expect(pattern.test('authorization:authorization')).toBe(true);
    expect(pattern.test('host:authorization:x-authorization')).toBe(false);
    expect(pattern.test('host:authorization:authorizationx:accept')).toBe(false);
  });

  test('a path the policy and a router would read differently is refused on the URI path as sent', () => {
    const stack = stackIn('us-east-1');
    new ProtectedWebAcl(stack, 'Acl', props);
    Template.fromStack(stack).hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'NonCanonicalPath',
          Statement: {
            RegexMatchStatement: {
              RegexString: NON_CANONICAL_PATH_REGEX,
              FieldToMatch: { UriPath: {} },
              TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
            },
          },
        }),
      ]),
      CustomResponseBodies: Match.objectLike({
        NonCanonicalPath: Match.objectLike({ Content: Match.stringLikeRegexp('"code":"UNSAFE_INPUT"') }),
      }),
    });
    const pattern = new RegExp(NON_CANONICAL_PATH_REGEX);
    const refused = [
      '/api/v1/shop/%6frders/1',
      '/api/v1/shop/orders%2f1',
      '/api/v1/shop/x/..%2forders/1',
      '/api/v1/shop/%2e%2e/x',
      '/api/v1/shop/a%5cb',
      '/api/v1/shop/a\\b',
      '/api/v1/shop/a/../b',
      '/api/v1/shop/./b',
      '/api/v1/shop/a/..',
      '/api/v1/projects/%30',
      '/api/v1/projects/a%00',
      '/api/v1/projects/%7e',
    ];
    const allowed = [
      '/api/v1/projects/5f2a1c1e-0000-4000-8000-000000000001',
      '/api/v1/shop/customers/a%40b%20c%c3%bc',
      '/api/v1/shop/a..b/.well-known/x',
      '/api/v1/shop/%3f%23%25',
    ];
    expect(refused.filter((path) => !pattern.test(path.toLowerCase()))).toEqual([]);
    expect(allowed.filter((path) => pattern.test(path.toLowerCase()))).toEqual([]);
  });

  test('block mode: every managed group is present, and every body key a rule or override uses is defined', () => {
    const stack = stackIn('us-east-1');
    const groups = Object.keys(MANAGED_RULE_GROUPS) as ManagedRuleGroup[];
    new ProtectedWebAcl(stack, 'Acl', {
      ...props,
      ruleAction: 'block',
      managedRuleGroups: groups,
      browserPaths: ['/login/'],
    });
    const acl = aclOf(stack);
    expect(acl.Rules.map((rule) => rule.Name).slice(5)).toEqual([
      ...groups.map((group) => MANAGED_RULE_GROUPS[group]),
      'NonBrowserOnBrowserPath',
    ]);
    const keys = [...JSON.stringify(acl.Rules).matchAll(/"CustomResponseBodyKey":"([^"]+)"/g)].map(
      (match) => match[1],
    );
    const overrides = groups.reduce((sum, group) => sum + MANAGED_BLOCKING_RULES[group].length, 0) - 2;
    // origin-verify, ambiguous credentials, non-canonical path, rate, body size, one per blocking
    // managed rule (SizeRestrictions_BODY and HostingProviderIPList count), then the browser-path label rule
    expect(keys).toHaveLength(5 + overrides + 1);
    for (const key of keys) expect(Object.keys(acl.CustomResponseBodies as object)).toContain(key);
  });

  test('browser-only groups need browser paths: without them synth fails, saying what to pass', () => {
    for (const group of ['botControl', 'anonymousIp'] as const) {
      expect(
        () =>
          new ProtectedWebAcl(stackIn('us-east-1'), 'Acl', {
            ...props,
            managedRuleGroups: ['common', group],
          }),
      ).toThrow(
        new RegExp(
          `^ProtectedWebAcl Misplaced/Acl: managed groups common, ${group} include rules that refuse every non-browser client .*Pass browserPaths`,
        ),
      );
    }
    expect(
      () =>
        new ProtectedWebAcl(stackIn('us-east-1'), 'Acl', {
          ...props,
          managedRuleGroups: ['botControl'],
          browserPaths: ['login/'],
        }),
    ).toThrow('browser path "login/" must start with /');
  });

  test('Bot Control runs on browser paths only (scope-down); its rules keep blocking there', () => {
    const stack = stackIn('us-east-1');
    new ProtectedWebAcl(stack, 'Acl', {
      ...props,
      ruleAction: 'block',
      managedRuleGroups: ['common', 'botControl'],
      browserPaths: ['/login/'],
    });
    const bot = aclOf(stack).Rules.find((rule) => rule.Name === 'AWSManagedRulesBotControlRuleSet')!;
    expect(bot.Priority).toBe(6);
    expect(bot.OverrideAction).toEqual({ None: {} });
    expect(bot.Statement.ManagedRuleGroupStatement).toEqual({
      VendorName: 'AWS',
      Name: 'AWSManagedRulesBotControlRuleSet',
      ManagedRuleGroupConfigs: [{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } }],
      ScopeDownStatement: loginPath,
      RuleActionOverrides: MANAGED_BLOCKING_RULES.botControl.map((name) => ({
        Name: name,
        ActionToUse: forbidden,
      })),
    });
    // Without Bot Control no rule needs a label, so there is no label rule.
    expect(aclOf(stack).Rules.map((rule) => rule.Name)).not.toContain('NonBrowserOnBrowserPath');
  });

  test.each(['block', 'count'] as const)(
    'HostingProviderIPList only labels (%s); the last rule refuses its label on browser paths',
    (ruleAction) => {
      const stack = stackIn('us-east-1');
      new ProtectedWebAcl(stack, 'Acl', {
        ...props,
        ruleAction,
        managedRuleGroups: ['anonymousIp', 'common'],
        browserPaths: ['/login/', '/signup/'],
      });
      const rules = aclOf(stack).Rules;
      const anonymous = rules.find((rule) => rule.Name === 'AWSManagedRulesAnonymousIpList')!;
      expect(anonymous.Statement.ManagedRuleGroupStatement).toEqual({
        VendorName: 'AWS',
        Name: 'AWSManagedRulesAnonymousIpList',
        RuleActionOverrides: [
          { Name: 'HostingProviderIPList', ActionToUse: { Count: {} } },
          ...(ruleAction === 'block' ? [{ Name: 'AnonymousIPList', ActionToUse: forbidden }] : []),
        ],
      });
      const last = rules[rules.length - 1];
      expect(last).toEqual({
        Name: 'NonBrowserOnBrowserPath',
        Priority: rules.length - 1,
        Action: ruleAction === 'block' ? forbidden : { Count: {} },
        VisibilityConfig: {
          CloudWatchMetricsEnabled: true,
          MetricName: 'NonBrowserOnBrowserPath',
          SampledRequestsEnabled: true,
        },
        Statement: {
          AndStatement: {
            Statements: [
              {
                LabelMatchStatement: {
                  Scope: 'LABEL',
                  Key: 'awswaf:managed:aws:anonymous-ip-list:HostingProviderIPList',
                },
              },
              {
                OrStatement: {
                  Statements: [
                    loginPath,
                    { ByteMatchStatement: { ...loginPath.ByteMatchStatement, SearchString: '/signup/' } },
                  ],
                },
              },
            ],
          },
        },
      });
      expect(last.Priority).toBeGreaterThan(anonymous.Priority);
    },
  );

  test('path scoping decodes and normalizes the path, so a re-spelled path is still in scope', () => {
    expect(pathStartsWith(['/a/'])).toEqual({
      byteMatchStatement: {
        searchString: '/a/',
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'STARTS_WITH',
        textTransformations: [
          { priority: 0, type: 'URL_DECODE' },
          { priority: 1, type: 'NORMALIZE_PATH' },
        ],
      },
    });
    expect(() => pathStartsWith([])).toThrow('give at least one path prefix');
  });

  test('body size: declared length or inspected body, oversize bodies match, inspection limit covers the limit', () => {
    const cases = [
      { scope: 'CLOUDFRONT', region: 'us-east-1', maxBodyBytes: 16_384, key: 'CLOUDFRONT', limit: 'KB_16' },
      { scope: 'CLOUDFRONT', region: 'us-east-1', maxBodyBytes: 16_385, key: 'CLOUDFRONT', limit: 'KB_32' },
      { scope: 'REGIONAL', region: 'eu-west-1', maxBodyBytes: 65_536, key: 'API_GATEWAY', limit: 'KB_64' },
    ] as const;
    for (const { scope, region, maxBodyBytes, key, limit } of cases) {
      const stack = stackIn(region);
      new ProtectedWebAcl(stack, 'Acl', { ...props, scope, ruleAction: 'block', maxBodyBytes });
      const acl = aclOf(stack);
      expect(acl.AssociationConfig).toEqual({
        RequestBody: { [key]: { DefaultSizeInspectionLimit: limit } },
      });
      expect(acl.Rules.find((rule) => rule.Name === 'BodySizeLimit')).toMatchObject({
        Action: {
          Block: { CustomResponse: { CustomResponseBodyKey: 'PayloadTooLarge', ResponseCode: 413 } },
        },
        Statement: {
          OrStatement: {
            Statements: [
              {
                RegexMatchStatement: {
                  FieldToMatch: { SingleHeader: { Name: 'content-length' } },
                  TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                },
              },
              {
                SizeConstraintStatement: {
                  ComparisonOperator: 'GT',
                  Size: maxBodyBytes,
                  FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
                  TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                },
              },
            ],
          },
        },
      });
    }
    expect(
      () => new ProtectedWebAcl(stackIn('us-east-1'), 'Acl', { ...props, maxBodyBytes: 65_537 }),
    ).toThrow(/A body limit of 65537 bytes exceeds the largest body WAF can inspect \(65536 bytes\)/);
  });

  test('credential headers are redacted in logs and protected in sampled requests and rate-rule details', () => {
    const stack = stackIn('us-east-1');
    new ProtectedWebAcl(stack, 'Acl', { ...props, extraRedactedHeaders: ['x-origin-verify', 'cookie'] });
    const expected = ['authorization', 'cookie', 'x-api-key', 'proxy-authorization', 'x-origin-verify'];
    expect(ALWAYS_REDACTED_HEADERS).toEqual(expected.slice(0, 4));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: expected.map((name) => ({ SingleHeader: { Name: name } })),
    });
    expect(aclOf(stack).DataProtectionConfig).toEqual({
      DataProtections: [
        {
          Field: { FieldType: 'SINGLE_HEADER', FieldKeys: expected },
          Action: 'SUBSTITUTION',
          ExcludeRuleMatchDetails: false,
          ExcludeRateBasedDetails: false,
        },
      ],
    });
  });
});
