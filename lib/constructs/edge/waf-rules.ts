import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../lambda/shared/errors';
import { PROBLEM_TYPE_BASE } from '../../../lambda/shared/http/problem';

/** What a matching WAF rule does: `count` labels and logs only (tuning), `block` refuses. */
export type WafRuleAction = 'count' | 'block';

/** AWS managed rule groups Rampart uses, by the name AWS gives them. */
export const MANAGED_RULE_GROUPS = {
  ipReputation: 'AWSManagedRulesAmazonIpReputationList',
  anonymousIp: 'AWSManagedRulesAnonymousIpList',
  common: 'AWSManagedRulesCommonRuleSet',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  sqlInjection: 'AWSManagedRulesSQLiRuleSet',
  botControl: 'AWSManagedRulesBotControlRuleSet',
} as const;
export type ManagedRuleGroup = keyof typeof MANAGED_RULE_GROUPS;

/**
 * The rules of each managed group whose own action is Block, by the names AWS documents
 * (AWS WAF Developer Guide, "AWS Managed Rules rule groups list"). Rampart overrides each to
 * Block with its problem body, since a managed group's refusal otherwise carries WAF's plain
 * `403` page. Rules that only count by design (`AWSManagedIPDDoSList`) are left out so they keep
 * counting. WAF ignores an override naming no rule of a managed group, and a rule AWS adds later
 * blocks with the default page until it is listed here: a wrong or missing name never stops a
 * rule from blocking.
 */
export const MANAGED_BLOCKING_RULES: Readonly<Record<ManagedRuleGroup, readonly string[]>> = {
  ipReputation: ['AWSManagedIPReputationList', 'AWSManagedReconnaissanceList'],
  anonymousIp: ['AnonymousIPList', 'HostingProviderIPList'],
  common: [
    'NoUserAgent_HEADER',
    'UserAgent_BadBots_HEADER',
    'SizeRestrictions_QUERYSTRING',
    'SizeRestrictions_Cookie_HEADER',
    'SizeRestrictions_BODY',
    'SizeRestrictions_URIPATH',
    'EC2MetaDataSSRF_BODY',
    'EC2MetaDataSSRF_COOKIE',
    'EC2MetaDataSSRF_URIPATH',
    'EC2MetaDataSSRF_QUERYARGUMENTS',
    'GenericLFI_QUERYARGUMENTS',
    'GenericLFI_URIPATH',
    'GenericLFI_BODY',
    'RestrictedExtensions_URIPATH',
    'RestrictedExtensions_QUERYARGUMENTS',
    'GenericRFI_QUERYARGUMENTS',
    'GenericRFI_BODY',
    'GenericRFI_URIPATH',
    'CrossSiteScripting_COOKIE',
    'CrossSiteScripting_QUERYARGUMENTS',
    'CrossSiteScripting_BODY',
    'CrossSiteScripting_URIPATH',
  ],
  knownBadInputs: [
    'Host_localhost_HEADER',
    'PROPFIND_METHOD',
    'ExploitablePaths_URIPATH',
    'BadAuthToken_COOKIE_AUTHORIZATION',
  ],
  sqlInjection: [
    'SQLiExtendedPatterns_QUERYARGUMENTS',
    'SQLi_QUERYARGUMENTS',
    'SQLi_BODY',
    'SQLi_COOKIE',
    'SQLi_URIPATH',
  ],
  botControl: [
    'CategoryAdvertising',
    'CategoryArchiver',
    'CategoryContentFetcher',
    'CategoryHttpLibrary',
    'CategoryLinkChecker',
    'CategoryMiscellaneous',
    'CategoryMonitoring',
    'CategoryScrapingFramework',
    'CategorySecurity',
    'CategorySeo',
    'CategorySocialMedia',
    'CategorySearchEngine',
    'SignalAutomatedBrowser',
    'SignalKnownBotDataCenter',
    'SignalNonBrowserUserAgent',
  ],
};

/**
 * Managed-group rules Rampart always counts: the common rule set's `SizeRestrictions_BODY`
 * refuses bodies over 8 KB, far below the API's limit, which the `BodySizeLimit` rule enforces.
 */
export const MANAGED_COUNTED_RULES: Readonly<Partial<Record<ManagedRuleGroup, readonly string[]>>> = {
  common: ['SizeRestrictions_BODY'],
};

/**
 * Managed groups whose every rule judges whether the client is a browser (not whether the request
 * is hostile): on API paths they refuse SDKs, curl, mobile apps and cloud-hosted integrations.
 * A web ACL evaluates them only on its browser paths (scope-down statement), which also bounds
 * their per-request charge (AWS WAF Developer Guide, "Using scope-down statements").
 */
export const BROWSER_ONLY_GROUPS: readonly ManagedRuleGroup[] = ['botControl'];

/**
 * Rules of otherwise API-wide groups that judge the client rather than the request, with the label
 * each adds (AWS WAF Developer Guide, "IP reputation rule groups"). They are set to count, so they
 * only label, and the web ACL's `NonBrowserOnBrowserPath` rule, evaluated after every managed
 * group, refuses a request carrying one of these labels on a browser path. `HostingProviderIPList`
 * lists cloud providers, AWS included: exactly where server-side API-key integrations run.
 */
export const BROWSER_ONLY_RULE_LABELS: Readonly<
  Partial<Record<ManagedRuleGroup, Readonly<Record<string, string>>>>
> = {
  anonymousIp: { HostingProviderIPList: 'awswaf:managed:aws:anonymous-ip-list:HostingProviderIPList' },
};

/** Whether a web ACL with these groups needs browser paths (some protection applies only there). */
export function needsBrowserPaths(groups: readonly ManagedRuleGroup[]): boolean {
  return groups.some(
    (group) => BROWSER_ONLY_GROUPS.includes(group) || BROWSER_ONLY_RULE_LABELS[group] !== undefined,
  );
}

/**
 * Text transformations of every path match that scopes a protection: percent-decoding, then
 * collapsing `//`, `/./` and `/x/../`. A path spelled `/api/v1/%61uth/login` or
 * `/api//v1/auth/login` then still counts as a browser path; the transformations only ever widen
 * the match, so a protection is never skipped because of how a path is written.
 */
export const PATH_TRANSFORMATIONS: readonly CfnWebACL.TextTransformationProperty[] = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
];

/** A statement matching requests whose (decoded, normalized) path starts with one of `prefixes`. */
export function pathStartsWith(prefixes: readonly string[]): CfnWebACL.StatementProperty {
  if (prefixes.length === 0) throw new Error('pathStartsWith: give at least one path prefix');
  const matches = prefixes.map((prefix): CfnWebACL.StatementProperty => ({
    byteMatchStatement: {
      searchString: prefix,
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'STARTS_WITH',
      textTransformations: [...PATH_TRANSFORMATIONS],
    },
  }));
  return matches.length === 1 ? matches[0] : { orStatement: { statements: matches } };
}

/** Body sizes a CloudFront or API Gateway web ACL can be set to forward to WAF (`AssociationConfig`). */
export const BODY_INSPECTION_LIMITS = { KB_16: 16_384, KB_32: 32_768, KB_48: 49_152, KB_64: 65_536 } as const;
export type BodyInspectionLimit = keyof typeof BODY_INSPECTION_LIMITS;

/**
 * The smallest body inspection limit that covers `maxBodyBytes`: WAF then sees every legal body
 * whole, and a body-size rule with oversize handling `MATCH` refuses any body beyond it. 16 KB is
 * the default and costs nothing extra; each further 16 KB is billed (AWS WAF Developer Guide,
 * "Managing body inspection size limits").
 */
export function bodyInspectionLimitFor(maxBodyBytes: number): BodyInspectionLimit {
  const fit = (Object.keys(BODY_INSPECTION_LIMITS) as BodyInspectionLimit[]).find(
    (limit) => BODY_INSPECTION_LIMITS[limit] >= maxBodyBytes,
  );
  if (fit === undefined) {
    throw new Error(
      `A body limit of ${maxBodyBytes} bytes exceeds the largest body WAF can inspect (65536 bytes): a larger ` +
        "body could not be told from an oversize one. Lower the route's bodyLimitBytes, or upload large " +
        'content out of band (for example to S3 with a presigned URL).',
    );
  }
  return fit;
}

/** Keys of the problem+json bodies every Rampart web ACL defines (`CustomResponseBodies`). */
export const WAF_PROBLEMS = {
  RateLimited: 'RATE_LIMITED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  Forbidden: 'FORBIDDEN',
  AmbiguousCredentials: 'AUTH_TOKEN_INVALID',
  NonCanonicalPath: 'UNSAFE_INPUT',
} as const satisfies Record<string, ErrorCode>;
export type WafProblemKey = keyof typeof WAF_PROBLEMS;

/**
 * The problem body WAF returns for a refused request. WAF has no `application/problem+json`
 * content type (it offers text/plain, text/html and application/json), so these go out as
 * `application/json` with the same fields the handlers and gateway responses use; there is no
 * request id to correlate with, since the request never reached API Gateway.
 */
export function wafProblemBody(key: WafProblemKey): CfnWebACL.CustomResponseBodyProperty {
  const code = WAF_PROBLEMS[key];
  const { status, title } = ERROR_CATALOGUE[code];
  return {
    contentType: 'APPLICATION_JSON',
    content: JSON.stringify({
      type: PROBLEM_TYPE_BASE + code,
      title,
      status,
      detail: `${title} (refused at the edge by the web application firewall)`,
      code,
    }),
  };
}

/** Every problem body, keyed as the rules reference them. */
export function wafProblemBodies(): Record<string, CfnWebACL.CustomResponseBodyProperty> {
  return Object.fromEntries(
    (Object.keys(WAF_PROBLEMS) as WafProblemKey[]).map((key) => [key, wafProblemBody(key)]),
  );
}

/** A Block action answering with one of the problem bodies (and extra headers, e.g. Retry-After). */
export function blockWith(
  key: WafProblemKey,
  headers: Readonly<Record<string, string>> = {},
): CfnWebACL.RuleActionProperty {
  const entries = Object.entries(headers);
  return {
    block: {
      customResponse: {
        responseCode: ERROR_CATALOGUE[WAF_PROBLEMS[key]].status,
        customResponseBodyKey: key,
        ...(entries.length > 0 ? { responseHeaders: entries.map(([name, value]) => ({ name, value })) } : {}),
      },
    },
  };
}

/** The action of a rule under `mode`: count, or block with the problem body. */
export function ruleAction(
  mode: WafRuleAction,
  key: WafProblemKey,
  headers: Readonly<Record<string, string>> = {},
): CfnWebACL.RuleActionProperty {
  return mode === 'count' ? { count: {} } : blockWith(key, headers);
}

/**
 * The rule action overrides of a managed group: counted rules (`MANAGED_COUNTED_RULES` and the
 * browser-only rules of `BROWSER_ONLY_RULE_LABELS`, which only label) count; under `block` every
 * other blocking rule answers with the `Forbidden` problem body instead of WAF's default page.
 * Under `count` the group's override action already makes every rule count.
 */
export function managedRuleOverrides(
  group: ManagedRuleGroup,
  mode: WafRuleAction,
): CfnWebACL.RuleActionOverrideProperty[] {
  const counted = new Set([
    ...(MANAGED_COUNTED_RULES[group] ?? []),
    ...Object.keys(BROWSER_ONLY_RULE_LABELS[group] ?? {}),
  ]);
  return [
    ...[...counted].map((name) => ({ name, actionToUse: { count: {} } })),
    ...(mode === 'block'
      ? MANAGED_BLOCKING_RULES[group]
          .filter((name) => !counted.has(name))
          .map((name) => ({ name, actionToUse: blockWith('Forbidden') }))
      : []),
  ];
}

/**
 * A regular expression that matches exactly the decimal strings (leading zeros allowed) whose
 * value is greater than `limit`. WAF has no numeric comparison of header values; this lets the
 * body-size rule refuse a declared `Content-Length` over the limit without reading the body (the
 * rule's body size constraint catches bodies sent without one).
 */
export function decimalGreaterThanRegex(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new Error(`decimalGreaterThanRegex: ${limit} is not a non-negative integer`);
  }
  const digits = String(limit);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[i]);
    if (digit === 9) continue;
    const rest = digits.length - i - 1;
    const next = digit + 1 === 9 ? '9' : `[${digit + 1}-9]`;
    // The first digit of a same-length number cannot be 0 (leading zeros are matched by ^0*).
    alternatives.push(`${digits.slice(0, i)}${next}${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^0*(?:${alternatives.join('|')})$`;
}

/** Visibility of a rule or ACL: CloudWatch metrics and sampled requests, named after it. */
export function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/**
 * A regex over WAF's `HeaderOrder` field (the request's header names, lower-cased here, joined by
 * `:`) that matches when any of `names` appears more than once. WAF regexes have no back-references,
 * so each name gets its own alternative.
 */
export function repeatedHeaderRegex(names: readonly string[]): string {
  const escaped = names.map((name) => name.toLowerCase().replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  return escaped.map((name) => `(^|:)${name}(:.*)?:${name}(:|$)`).join('|');
}

/**
 * A URI path, as the client sent it and lower-cased, that routers and backends may read as another
 * path than the one the authorizer's policy matched: a percent-encoded NUL, `/`, backslash or
 * unreserved character (`%2f`, `%5c`, `%6f` for `o`: RFC 3986's normal form writes unreserved characters plain),
 * a raw backslash, or a `.`/`..` segment. `DELETE /shop/%6frders/1` passes a policy that denies
 * `/shop/orders/*` and reaches a backend as `/shop/orders/1`.
 */
export const NON_CANONICAL_PATH_REGEX =
  '%(?:00|2[def]|3[0-9]|[46][1-9a-f]|[57][0-9a]|5[cf]|7e)|\\\\|/\\.\\.?(?:/|$)';
