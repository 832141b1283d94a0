import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  ProtectedWebAcl,
  type ProtectedWebAclProps,
} from '../../../../lib/constructs/edge/protected-web-acl';
import {
  MANAGED_BLOCKING_RULES,
  MANAGED_RULE_GROUPS,
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

  test('count mode counts every rule except origin-verify and ambiguous credentials, which always block', () => {
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

  test('block mode: every managed group is present, and every body key a rule or override uses is defined', () => {
    const stack = stackIn('us-east-1');
    const groups = Object.keys(MANAGED_RULE_GROUPS) as ManagedRuleGroup[];
    new ProtectedWebAcl(stack, 'Acl', { ...props, ruleAction: 'block', managedRuleGroups: groups });
    const [acl] = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL')) as {
      Properties: { Rules: { Name: string }[]; CustomResponseBodies: Record<string, unknown> };
    }[];
    expect(acl.Properties.Rules.map((rule) => rule.Name).slice(4)).toEqual(
      groups.map((group) => MANAGED_RULE_GROUPS[group]),
    );
    const keys = [...JSON.stringify(acl.Properties.Rules).matchAll(/"CustomResponseBodyKey":"([^"]+)"/g)].map(
      (match) => match[1],
    );
    const overrides = groups.reduce((sum, group) => sum + MANAGED_BLOCKING_RULES[group].length, 0) - 1;
    // origin-verify, ambiguous credentials, rate, body size, then one per blocking managed rule
    // (SizeRestrictions_BODY counts)
    expect(keys).toHaveLength(4 + overrides);
    for (const key of keys) expect(Object.keys(acl.Properties.CustomResponseBodies)).toContain(key);
  });
});
