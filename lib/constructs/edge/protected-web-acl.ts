import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { AUTHORIZER_IDENTITY_HEADERS } from '../../../lambda/shared/credentials';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import {
  MANAGED_RULE_GROUPS,
  decimalGreaterThanRegex,
  repeatedHeaderRegex,
  ruleAction,
  visibility,
  wafProblemBodies,
  blockWith,
  managedRuleOverrides,
  type ManagedRuleGroup,
  type WafRuleAction,
} from './waf-rules';

/** A rate-based rule, per client IP or per value of a request header. */
export interface WafRateRule {
  /** Rule name (also its metric name), e.g. `RateLimitAuth`. */
  readonly name: string;
  /** Requests one IP may send in `windowSeconds`. */
  readonly limit: number;
  /** Evaluation window (60, 120, 300 or 600 s); refused requests get it as `Retry-After`. */
  readonly windowSeconds: number;
  /**
   * Only requests whose path starts with this are counted.
   * @default - every request
   */
  readonly pathPrefix?: string;
  /**
   * Count per value of this (lower-case) header instead of per IP; requests without it are not counted.
   * @default - per source IP
   */
  readonly perHeader?: string;
}

/** The origin-verify check: requests without an accepted header value are refused (always block). */
export interface OriginVerifyCheck {
  /** Lower-case header name CloudFront adds to origin requests, e.g. `x-origin-verify`. */
  readonly headerName: string;
  /** ARN of the regex pattern set holding the accepted values (current and, around a rotation, previous or pending). */
  readonly regexPatternSetArn: string;
}

export interface ProtectedWebAclProps {
  /** `CLOUDFRONT` (must be created in us-east-1) or `REGIONAL` (API Gateway stages). */
  readonly scope: 'CLOUDFRONT' | 'REGIONAL';
  /** Name of the ACL; the log group is `aws-waf-logs-<name>` (WAF requires the prefix). */
  readonly name: string;
  /** What managed groups, rate and body-size rules do with a match. */
  readonly ruleAction: WafRuleAction;
  /** AWS managed rule groups, evaluated in the order given after Rampart's own rules. */
  readonly managedRuleGroups: readonly ManagedRuleGroup[];
  /**
   * Rate rules, evaluated first (cheapest) in the order given.
   * @default - none
   */
  readonly rateRules?: readonly WafRateRule[];
  /**
   * Requests whose `Content-Length` exceeds this many bytes are refused with 413.
   * @default - no body-size rule
   */
  readonly maxBodyBytes?: number;
  /**
   * Refuse every request without an accepted origin-verify header (priority 0, always block).
   * @default - no origin-verify rule
   */
  readonly originVerify?: OriginVerifyCheck;
  /** Retention of the WAF log group. */
  readonly logRetentionDays: number;
  /**
   * Key encrypting the WAF logs (CloudWatch Logs in this region must be allowed to use it).
   * @default - a new customer-managed key
   */
  readonly logEncryptionKey?: IKey;
  /**
   * Headers replaced by `REDACTED` in the logs (lower-case), on top of the authorizer's identity sources (`authorization`) and `cookie`.
   * @default - only authorization and cookie
   */
  readonly extraRedactedHeaders?: readonly string[];
}

/** Header names always redacted from WAF logs: every input the authorizer reads, and sessions. */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = [
  ...AUTHORIZER_IDENTITY_HEADERS.map((name) => name.toLowerCase()),
  'cookie',
];

/**
 * A WAFv2 web ACL with Rampart's rule layout: origin-verify (always block), per-IP rate rules
 * (429 + Retry-After), a Content-Length rule (413), then AWS managed groups; refusals answer
 * with problem bodies, managed rules' included (403); everything counts instead of blocking when `ruleAction` is `count`.
 * Logs go to an encrypted `aws-waf-logs-*` log group with credentials redacted.
 * A CLOUDFRONT-scope ACL outside us-east-1 is refused at synth.
 */
export class ProtectedWebAcl extends Construct {
  public readonly webAcl: CfnWebACL;
  public readonly logs: EncryptedLogGroup;
  public readonly loggingConfiguration: CfnLoggingConfiguration;

  constructor(scope: Construct, id: string, props: ProtectedWebAclProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.scope === 'CLOUDFRONT' && (Token.isUnresolved(stack.region) || stack.region !== 'us-east-1')) {
      throw new Error(
        `ProtectedWebAcl ${this.node.path}: a CLOUDFRONT-scope web ACL must be created in us-east-1, but stack ` +
          `${stack.stackName} is in ${Token.isUnresolved(stack.region) ? 'an unspecified region' : stack.region}. ` +
          'Create it in the Edge stack (us-east-1) and pass its ARN to the distribution.',
      );
    }
    const rules: CfnWebACL.RuleProperty[] = [];
    const add = (rule: Omit<CfnWebACL.RuleProperty, 'priority' | 'visibilityConfig'>) =>
      rules.push({ ...rule, priority: rules.length, visibilityConfig: visibility(rule.name) });

    if (props.originVerify) {
      add({
        name: 'OriginVerify',
        action: blockWith('Forbidden'),
        statement: {
          notStatement: {
            statement: {
              regexPatternSetReferenceStatement: {
                arn: props.originVerify.regexPatternSetArn,
                fieldToMatch: { singleHeader: { Name: props.originVerify.headerName } },
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
          },
        },
      });
    }
    // Always blocks, like the origin check: a second Authorization header would reach the
    // authorizer's cache key (one value) and the authorizer (every value) differently.
    add({
      name: 'AmbiguousCredentials',
      action: blockWith('AmbiguousCredentials'),
      statement: {
        regexMatchStatement: {
          regexString: repeatedHeaderRegex(AUTHORIZER_IDENTITY_HEADERS),
          fieldToMatch: { headerOrder: { oversizeHandling: 'MATCH' } },
          textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
        },
      },
    });
    for (const rate of props.rateRules ?? []) {
      add({
        name: rate.name,
        action: ruleAction(props.ruleAction, 'RateLimited', { 'Retry-After': String(rate.windowSeconds) }),
        statement: {
          rateBasedStatement: {
            limit: rate.limit,
            evaluationWindowSec: rate.windowSeconds,
            ...(rate.perHeader
              ? {
                  aggregateKeyType: 'CUSTOM_KEYS',
                  customKeys: [
                    {
                      header: { name: rate.perHeader, textTransformations: [{ priority: 0, type: 'NONE' }] },
                    },
                  ],
                }
              : { aggregateKeyType: 'IP' }),
            ...(rate.pathPrefix
              ? {
                  scopeDownStatement: {
                    byteMatchStatement: {
                      searchString: rate.pathPrefix,
                      fieldToMatch: { uriPath: {} },
                      positionalConstraint: 'STARTS_WITH',
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                }
              : {}),
          },
        },
      });
    }
    if (props.maxBodyBytes !== undefined) {
      add({
        name: 'BodySizeLimit',
        action: ruleAction(props.ruleAction, 'PayloadTooLarge'),
        statement: {
          regexMatchStatement: {
            regexString: decimalGreaterThanRegex(props.maxBodyBytes),
            fieldToMatch: { singleHeader: { Name: 'content-length' } },
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
      });
    }
    for (const group of props.managedRuleGroups) {
      const name = MANAGED_RULE_GROUPS[group];
      const overrides = managedRuleOverrides(group, props.ruleAction);
      add({
        name,
        overrideAction: props.ruleAction === 'count' ? { count: {} } : { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name,
            ...(overrides.length > 0 ? { ruleActionOverrides: overrides } : {}),
            ...(group === 'botControl'
              ? {
                  managedRuleGroupConfigs: [
                    { awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } },
                  ],
                }
              : {}),
          },
        },
      });
    }

    const metricName = props.name.replace(/[^A-Za-z0-9]/g, '');
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: props.scope,
      description: `Rampart ${props.scope === 'CLOUDFRONT' ? 'edge' : 'regional'} web ACL, rule action ${props.ruleAction}`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(metricName),
      customResponseBodies: wafProblemBodies(),
      rules,
    });

    const logGroupName = `aws-waf-logs-${props.name}`;
    this.logs = new EncryptedLogGroup(this, 'Logs', {
      retentionDays: props.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
      logGroupName,
    });
    this.loggingConfiguration = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the `:*` suffix CDK's logGroupArn carries.
      logDestinationConfigs: [
        Arn.format(
          {
            service: 'logs',
            resource: 'log-group',
            resourceName: logGroupName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          },
          stack,
        ),
      ],
      redactedFields: [...ALWAYS_REDACTED_HEADERS, ...(props.extraRedactedHeaders ?? [])].map((name) => ({
        singleHeader: { Name: name },
      })),
    });
    this.loggingConfiguration.node.addDependency(this.logs);
  }
}
