import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  GetRegexPatternSetCommand,
  ListRegexPatternSetsCommand,
  UpdateRegexPatternSetCommand,
  WAFOptimisticLockException,
  WAFV2Client,
  type Scope,
} from '@aws-sdk/client-wafv2';
import type { DistributionHeaderUpdater, WafPatternSetUpdater } from './rotation';

/** Where the regional web ACL keeps the accepted values. */
export interface PatternSetRef {
  readonly name: string;
  /** Its id; when absent it is looked up by name (ListRegexPatternSets) on first use. */
  readonly id?: string;
  readonly scope: Scope;
}

/**
 * {@link WafPatternSetUpdater} on WAFv2: the accepted values are the regex pattern set's
 * expressions (literal: values are letters and digits only). Updates use WAF's lock token and
 * retry once on a concurrent change.
 */
export class WafV2PatternSetUpdater implements WafPatternSetUpdater {
  private id?: string;

  constructor(
    private readonly client: WAFV2Client,
    private readonly set: PatternSetRef,
  ) {
    this.id = set.id;
  }

  private async key(signal?: AbortSignal) {
    this.id ??= await this.lookUpId(signal);
    return { Name: this.set.name, Id: this.id, Scope: this.set.scope };
  }

  private async lookUpId(signal?: AbortSignal): Promise<string> {
    let marker: string | undefined;
    do {
      const page = await this.client.send(
        new ListRegexPatternSetsCommand({ Scope: this.set.scope, Limit: 100, NextMarker: marker }),
        { abortSignal: signal },
      );
      const found = page.RegexPatternSets?.find((set) => set.Name === this.set.name);
      if (found?.Id) return found.Id;
      marker = page.RegexPatternSets?.length ? page.NextMarker : undefined;
    } while (marker);
    throw new Error(`No ${this.set.scope} regex pattern set named ${this.set.name}`);
  }

  async accepted(signal?: AbortSignal): Promise<readonly string[]> {
    const out = await this.client.send(new GetRegexPatternSetCommand(await this.key(signal)), {
      abortSignal: signal,
    });
    return (out.RegexPatternSet?.RegularExpressionList ?? [])
      .map((entry) => entry.RegexString ?? '')
      .filter(Boolean);
  }

  async acceptOnly(values: readonly string[], signal?: AbortSignal): Promise<void> {
    const key = await this.key(signal);
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.client.send(new GetRegexPatternSetCommand(key), {
        abortSignal: signal,
      });
      try {
        await this.client.send(
          new UpdateRegexPatternSetCommand({
            ...key,
            LockToken: current.LockToken,
            RegularExpressionList: [...new Set(values)].map((value) => ({ RegexString: value })),
          }),
          { abortSignal: signal },
        );
        return;
      } catch (error) {
        if (!(error instanceof WAFOptimisticLockException) || attempt >= 2) throw error;
      }
    }
  }
}

/**
 * Several pattern sets kept identical (the primary's and the standby's in drRegion): a value counts
 * as accepted only when every set accepts it, and every set is written. A set that cannot be read
 * or written fails the rotation step, which Secrets Manager retries; the current value stays valid.
 */
export class AllPatternSetsUpdater implements WafPatternSetUpdater {
  constructor(private readonly sets: readonly WafPatternSetUpdater[]) {}

  async accepted(signal?: AbortSignal): Promise<readonly string[]> {
    const [first, ...others] = await Promise.all(this.sets.map((set) => set.accepted(signal)));
    return (first ?? []).filter((value) => others.every((values) => values.includes(value)));
  }

  async acceptOnly(values: readonly string[], signal?: AbortSignal): Promise<void> {
    for (const set of this.sets) await set.acceptOnly(values, signal);
  }
}

function headerValue(config: DistributionConfig | undefined, header: string): string | undefined {
  for (const origin of config?.Origins?.Items ?? []) {
    for (const custom of origin.CustomHeaders?.Items ?? []) {
      if (custom.HeaderName?.toLowerCase() === header) return custom.HeaderValue;
    }
  }
  return undefined;
}

/**
 * {@link DistributionHeaderUpdater} on CloudFront: reads and rewrites the origin custom header
 * `header` in the distribution config (with its ETag as If-Match), and reports whether the
 * distribution has finished deploying.
 */
export class CloudFrontHeaderUpdater implements DistributionHeaderUpdater {
  constructor(
    private readonly client: CloudFrontClient,
    private readonly distributionId: string,
    private readonly header: string,
  ) {}

  async read(signal?: AbortSignal): Promise<{ value: string | undefined; deployed: boolean }> {
    const out = await this.client.send(new GetDistributionCommand({ Id: this.distributionId }), {
      abortSignal: signal,
    });
    return {
      value: headerValue(out.Distribution?.DistributionConfig, this.header),
      deployed: out.Distribution?.Status === 'Deployed',
    };
  }

  async write(value: string, signal?: AbortSignal): Promise<void> {
    const { DistributionConfig: config, ETag } = await this.client.send(
      new GetDistributionConfigCommand({ Id: this.distributionId }),
      { abortSignal: signal },
    );
    if (!config) throw new Error(`Distribution ${this.distributionId} has no configuration`);
    let found = false;
    for (const origin of config.Origins?.Items ?? []) {
      for (const custom of origin.CustomHeaders?.Items ?? []) {
        if (custom.HeaderName?.toLowerCase() === this.header) {
          custom.HeaderValue = value;
          found = true;
        }
      }
    }
    if (!found) throw new Error(`No origin of distribution ${this.distributionId} sends ${this.header}`);
    await this.client.send(
      new UpdateDistributionCommand({ Id: this.distributionId, IfMatch: ETag, DistributionConfig: config }),
      { abortSignal: signal },
    );
  }
}

/** The two updaters from the rotation function's environment (set by the OriginVerifySecret construct). */
export function sdkUpdatersFromEnv(env: NodeJS.ProcessEnv): {
  waf: WafPatternSetUpdater;
  distribution: DistributionHeaderUpdater;
} {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const scope = required('WAF_SCOPE') as Scope;
  const primary = new WafV2PatternSetUpdater(new WAFV2Client({}), {
    name: required('WAF_PATTERN_SET_NAME'),
    id: required('WAF_PATTERN_SET_ID'),
    scope,
  });
  const standby = standbyPatternSet(env.WAF_STANDBY_PATTERN_SET);
  return {
    waf: standby
      ? new AllPatternSetsUpdater([
          primary,
          new WafV2PatternSetUpdater(new WAFV2Client({ region: standby.region }), {
            name: standby.name,
            scope,
          }),
        ])
      : primary,
    // CloudFront's API lives in us-east-1 whatever the function's region.
    distribution: new CloudFrontHeaderUpdater(
      new CloudFrontClient({ region: 'us-east-1' }),
      required('DISTRIBUTION_ID'),
      required('ORIGIN_VERIFY_HEADER').toLowerCase(),
    ),
  };
}

/** `WAF_STANDBY_PATTERN_SET`: `{"region":"eu-west-2","name":"rampart-prod-origin-verify"}`, or unset. */
function standbyPatternSet(raw: string | undefined): { region: string; name: string } | undefined {
  if (raw === undefined || raw === '') return undefined;
  const parsed = JSON.parse(raw) as { region?: unknown; name?: unknown };
  if (typeof parsed.region !== 'string' || typeof parsed.name !== 'string') {
    throw new Error('WAF_STANDBY_PATTERN_SET must be JSON like {"region":"eu-west-2","name":"..."}');
  }
  return { region: parsed.region, name: parsed.name };
}
