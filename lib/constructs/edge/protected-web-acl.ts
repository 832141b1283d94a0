import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { AUTHORIZER_IDENTITY_HEADERS } from '../../../lambda/shared/credentials';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import {
  BROWSER_ONLY_GROUPS,
  BROWSER_ONLY_RULE_LABELS,
  MANAGED_RULE_GROUPS,
  NON_CANONICAL_PATH_REGEX,
  bodyInspectionLimitFor,
  decimalGreaterThanRegex,
  needsBrowserPaths,
  pathStartsWith,
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
   * Requests whose `Content-Length` or body exceeds this many bytes are refused with 413; the body
   * inspection limit (`AssociationConfig`) is raised to cover it, and a body beyond that limit
   * matches (oversize handling `MATCH`), so a body without `Content-Length` cannot slip past.
   * At most 65536 (the largest body WAF can inspect).
   * @default - no body-size rule
   */
  readonly maxBodyBytes?: number;
  /**
   * Path prefixes of the browser-facing routes. Protections that judge whether the client is a
   * browser (`BROWSER_ONLY_GROUPS`, `BROWSER_ONLY_RULE_LABELS`) apply there only, so SDKs, curl
   * and cloud-hosted integrations keep reaching every other route. Required when such a group is used.
   * @default - none (no browser-only group may be used)
   */
  readonly browserPaths?: readonly string[];
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
   * Headers replaced by `REDACTED` in the logs and sampled requests (lower-case), on top of
   * `ALWAYS_REDACTED_HEADERS`.
   * @default - only `ALWAYS_REDACTED_HEADERS`
   */
  readonly extraRedactedHeaders?: readonly string[];
}

/**
 * Headers that carry a credential the authorizer does not read: a session cookie, API Gateway's
 * conventional `x-api-key` (Rampart refuses keys there, but clients send them by habit, and a key
 * in it is still a live key), and a proxy's credentials.
 */
export const UNREAD_CREDENTIAL_HEADERS: readonly string[] = ['cookie', 'x-api-key', 'proxy-authorization'];

/**
 * Header names always redacted from WAF logs and sampled requests: every input the authorizer
 * reads (`AUTHORIZER_IDENTITY_HEADERS`, the list that drives its identity sources and parser),
 * then `UNREAD_CREDENTIAL_HEADERS`.
 */
export const ALWAYS_REDACTED_HEADERS: readonly string[] = [
  ...new Set([
    ...AUTHORIZER_IDENTITY_HEADERS.map((name) => name.toLowerCase()),
    ...UNREAD_CREDENTIAL_HEADERS,
  ]),
];

/**
 * A WAFv2 web ACL with Rampart's rule layout: origin-verify (always block), ambiguous credentials
 * (always block), per-IP rate rules (429 + Retry-After), a body-size rule (413: declared length or
 * inspected body, oversize bodies match), then AWS managed groups, browser-only ones scoped to
 * `browserPaths`, then the rule refusing browser-only labels on those paths; refusals answer with
 * problem bodies, managed rules' included (403); everything but the first two counts instead of
 * blocking when `ruleAction` is `count`. Logs go to an encrypted `aws-waf-logs-*` log group;
 * credential headers are redacted there and, by the ACL's data protection, in sampled requests and
 * rate-rule details. A CLOUDFRONT-scope ACL outside us-east-1 is refused at synth.
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
    const browserPaths = props.browserPaths ?? [];
    if (needsBrowserPaths(props.managedRuleGroups) && browserPaths.length === 0) {
      throw new Error(
        `ProtectedWebAcl ${this.node.path}: managed groups ${props.managedRuleGroups.join(', ')} include rules that ` +
          'refuse every non-browser client (SDKs, curl, cloud-hosted integrations). Pass browserPaths (the ' +
          'browser-facing path prefixes) so that they apply there only.',
      );
    }
    for (const prefix of browserPaths) {
      if (!prefix.startsWith('/')) {
        throw new Error(
          `ProtectedWebAcl ${this.node.path}: browser path ${JSON.stringify(prefix)} must start with /`,
        );
      }
    }
    const inspectionLimit = bodyInspectionLimitFor(props.maxBodyBytes ?? 0);
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
    // Always blocks too: a path the policy and the router read differently (see the regex).
    add({
      name: 'NonCanonicalPath',
      action: blockWith('NonCanonicalPath'),
      statement: {
        regexMatchStatement: {
          regexString: NON_CANONICAL_PATH_REGEX,
          fieldToMatch: { uriPath: {} },
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
            ...(rate.pathPrefix ? { scopeDownStatement: pathStartsWith([rate.pathPrefix]) } : {}),
          },
        },
      });
    }
    if (props.maxBodyBytes !== undefined) {
      // The declared length is refused without reading the body; the size constraint measures the
      // body WAF received, so a body sent without Content-Length (chunked, or HTTP/2 and HTTP/3
      // DATA frames) is judged too, and one larger than the inspection limit matches (MATCH).
      add({
        name: 'BodySizeLimit',
        action: ruleAction(props.ruleAction, 'PayloadTooLarge'),
        statement: {
          orStatement: {
            statements: [
              {
                regexMatchStatement: {
                  regexString: decimalGreaterThanRegex(props.maxBodyBytes),
                  fieldToMatch: { singleHeader: { Name: 'content-length' } },
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
              {
                sizeConstraintStatement: {
                  comparisonOperator: 'GT',
                  size: props.maxBodyBytes,
                  fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            ],
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
            ...(BROWSER_ONLY_GROUPS.includes(group)
              ? { scopeDownStatement: pathStartsWith(browserPaths) }
              : {}),
          },
        },
      });
    }
    // Labels are visible only to rules evaluated after the rule that added them: this comes last.
    const browserOnlyLabels = props.managedRuleGroups.flatMap((group) =>
      Object.values(BROWSER_ONLY_RULE_LABELS[group] ?? {}),
    );
    if (browserOnlyLabels.length > 0) {
      const labelMatches = browserOnlyLabels.map((key): CfnWebACL.StatementProperty => ({
        labelMatchStatement: { scope: 'LABEL', key },
      }));
      add({
        name: 'NonBrowserOnBrowserPath',
        action: ruleAction(props.ruleAction, 'Forbidden'),
        statement: {
          andStatement: {
            statements: [
              labelMatches.length === 1 ? labelMatches[0] : { orStatement: { statements: labelMatches } },
              pathStartsWith(browserPaths),
            ],
          },
        },
      });
    }

    const metricName = props.name.replace(/[^A-Za-z0-9]/g, '');
    const redactedHeaders = [...new Set([...ALWAYS_REDACTED_HEADERS, ...(props.extraRedactedHeaders ?? [])])];
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: props.scope,
      description: `Rampart ${props.scope === 'CLOUDFRONT' ? 'edge' : 'regional'} web ACL, rule action ${props.ruleAction}`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(metricName),
      customResponseBodies: wafProblemBodies(),
      rules,
      // The resource type whose body limit applies: CloudFront, or API Gateway for REGIONAL ACLs.
      associationConfig: {
        requestBody: {
          [props.scope === 'CLOUDFRONT' ? 'CLOUDFRONT' : 'API_GATEWAY']: {
            defaultSizeInspectionLimit: inspectionLimit,
          },
        },
      },
      // Logging redaction covers the log records only; data protection also covers sampled requests
      // and the rate rules' details (the per-credential rule's key is the Authorization value).
      dataProtectionConfig: {
        dataProtections: [
          {
            field: { fieldType: 'SINGLE_HEADER', fieldKeys: redactedHeaders },
            action: 'SUBSTITUTION',
            excludeRuleMatchDetails: false,
            excludeRateBasedDetails: false,
          },
        ],
      },
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
      redactedFields: redactedHeaders.map((name) => ({ singleHeader: { Name: name } })),
    });
    this.loggingConfiguration.node.addDependency(this.logs);
  }
}
