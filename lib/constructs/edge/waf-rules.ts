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

/** Keys of the problem+json bodies every Rampart web ACL defines (`CustomResponseBodies`). */
export const WAF_PROBLEMS = {
  RateLimited: 'RATE_LIMITED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  Forbidden: 'FORBIDDEN',
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
 * A regular expression that matches exactly the decimal strings (leading zeros allowed) whose
 * value is greater than `limit`. WAF has no numeric comparison of header values; this lets the
 * body-size rule compare `Content-Length` with the API's limit, which is far above the 16-64 KB
 * of body WAF can inspect.
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
