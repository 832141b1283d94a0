import type { DistributionHeaderUpdater, WafPatternSetUpdater } from './rotation';

/**
 * Stand-ins until `@aws-sdk/client-wafv2` and `@aws-sdk/client-cloudfront` are dependencies:
 * every call fails with a message naming the missing package. A rotation then stops at setSecret
 * (after createSecret stored a pending value) and AWSCURRENT stays in service: nothing breaks,
 * the value just does not rotate. Replace with the SDK-backed implementations (docs/edge.md).
 */
export function pendingSdkUpdaters(): { waf: WafPatternSetUpdater; distribution: DistributionHeaderUpdater } {
  const missing = (pkg: string) => () =>
    Promise.reject(new Error(`origin-verify rotation needs ${pkg}, which is not installed yet`));
  return {
    waf: { accepted: missing('@aws-sdk/client-wafv2'), acceptOnly: missing('@aws-sdk/client-wafv2') },
    distribution: {
      read: missing('@aws-sdk/client-cloudfront'),
      write: missing('@aws-sdk/client-cloudfront'),
    },
  };
}
