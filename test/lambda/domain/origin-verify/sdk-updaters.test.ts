import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  GetRegexPatternSetCommand,
  ListRegexPatternSetsCommand,
  UpdateRegexPatternSetCommand,
  WAFOptimisticLockException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  AllPatternSetsUpdater,
  CloudFrontHeaderUpdater,
  WafV2PatternSetUpdater,
  sdkUpdatersFromEnv,
} from '../../../../lambda/domain/origin-verify/sdk-updaters';
import { distributionConfig } from './fakes';

/** No local WAF or CloudFront exists: the exact requests are asserted. */

const waf = mockClient(WAFV2Client);
const cloudfront = mockClient(CloudFrontClient);
const SET = { Name: 'rampart-dev-origin-verify', Id: 'set-1', Scope: 'REGIONAL' as const };
const OLD = 'a'.repeat(64);
const NEW = 'b'.repeat(64);

beforeEach(() => {
  waf.reset();
  cloudfront.reset();
});

function updater() {
  return new WafV2PatternSetUpdater(new WAFV2Client({ region: 'eu-west-1' }), {
    name: SET.Name,
    id: SET.Id,
    scope: 'REGIONAL',
  });
}

describe('WafV2PatternSetUpdater', () => {
  test('reads the accepted values from the pattern set', async () => {
    waf
      .on(GetRegexPatternSetCommand, SET)
      .resolves({ RegexPatternSet: { RegularExpressionList: [{ RegexString: OLD }] }, LockToken: 't1' });
    expect(await updater().accepted()).toEqual([OLD]);
  });

  test('replaces the set with exactly the given values, using the lock token', async () => {
    waf.on(GetRegexPatternSetCommand, SET).resolves({ LockToken: 't1' });
    waf.on(UpdateRegexPatternSetCommand).resolves({ NextLockToken: 't2' });
    await updater().acceptOnly([OLD, NEW, OLD]);
    expect(waf).toHaveReceivedCommandWith(UpdateRegexPatternSetCommand, {
      ...SET,
      LockToken: 't1',
      RegularExpressionList: [{ RegexString: OLD }, { RegexString: NEW }],
    });
  });

  test('retries once when someone else changed the set in between', async () => {
    waf.on(GetRegexPatternSetCommand).resolvesOnce({ LockToken: 't1' }).resolvesOnce({ LockToken: 't2' });
    waf
      .on(UpdateRegexPatternSetCommand)
      .rejectsOnce(new WAFOptimisticLockException({ message: 'stale', $metadata: {} }))
      .resolves({});
    await updater().acceptOnly([NEW]);
    expect(waf).toHaveReceivedCommandTimes(UpdateRegexPatternSetCommand, 2);
    expect(waf.commandCalls(UpdateRegexPatternSetCommand)[1].args[0].input).toEqual({
      ...SET,
      LockToken: 't2',
      RegularExpressionList: [{ RegexString: NEW }],
    });
  });
});

describe('CloudFrontHeaderUpdater', () => {
  const config = (value: string) => distributionConfig(value, 'X-Origin-Verify');
  const headerUpdater = () =>
    new CloudFrontHeaderUpdater(new CloudFrontClient({ region: 'us-east-1' }), 'E123', 'x-origin-verify');

  test('reads the header the origin sends and whether the distribution is deployed', async () => {
    cloudfront
      .on(GetDistributionCommand, { Id: 'E123' })
      .resolves({ Distribution: { Status: 'InProgress', DistributionConfig: config(OLD) } as never });
    expect(await headerUpdater().read()).toEqual({ value: OLD, deployed: false });
  });

  test('rewrites only the header value, with the config ETag as If-Match', async () => {
    cloudfront
      .on(GetDistributionConfigCommand, { Id: 'E123' })
      .resolves({ DistributionConfig: config(OLD), ETag: 'etag-7' });
    cloudfront.on(UpdateDistributionCommand).resolves({});
    await headerUpdater().write(NEW);
    expect(cloudfront).toHaveReceivedCommandWith(UpdateDistributionCommand, {
      Id: 'E123',
      IfMatch: 'etag-7',
      DistributionConfig: config(NEW),
    });
  });

  test('refuses a distribution whose origin does not send the header', async () => {
    const without = config(OLD);
    without.Origins!.Items![0].CustomHeaders = { Quantity: 0, Items: [] };
    cloudfront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: without, ETag: 'e' });
    await expect(headerUpdater().write(NEW)).rejects.toThrow(
      'No origin of distribution E123 sends x-origin-verify',
    );
    expect(cloudfront).not.toHaveReceivedCommand(UpdateDistributionCommand);
  });
});

test('the function environment names everything; a missing variable is named', () => {
  expect(() =>
    sdkUpdatersFromEnv({ WAF_PATTERN_SET_NAME: 'n', WAF_PATTERN_SET_ID: 'i', WAF_SCOPE: 'REGIONAL' }),
  ).toThrow('DISTRIBUTION_ID is not set');
  const both = sdkUpdatersFromEnv({
    WAF_PATTERN_SET_NAME: 'n',
    WAF_PATTERN_SET_ID: 'i',
    WAF_SCOPE: 'REGIONAL',
    DISTRIBUTION_ID: 'E1',
    ORIGIN_VERIFY_HEADER: 'x-origin-verify',
  });
  expect(both.waf).toBeInstanceOf(WafV2PatternSetUpdater);
  expect(both.distribution).toBeInstanceOf(CloudFrontHeaderUpdater);
});

describe('the standby pattern set in drRegion', () => {
  const STANDBY = { Name: 'rampart-prod-origin-verify', Id: 'standby-9', Scope: 'REGIONAL' as const };

  test('an updater without an id finds the set by name (paging), once', async () => {
    waf
      .on(ListRegexPatternSetsCommand, { Scope: 'REGIONAL', Limit: 100, NextMarker: undefined })
      .resolves({ RegexPatternSets: [{ Name: 'other', Id: 'o-1' }], NextMarker: 'm2' })
      .on(ListRegexPatternSetsCommand, { Scope: 'REGIONAL', Limit: 100, NextMarker: 'm2' })
      .resolves({ RegexPatternSets: [{ Name: STANDBY.Name, Id: STANDBY.Id }] });
    waf
      .on(GetRegexPatternSetCommand, STANDBY)
      .resolves({ RegexPatternSet: { RegularExpressionList: [{ RegexString: OLD }] }, LockToken: 't1' });
    const standby = new WafV2PatternSetUpdater(new WAFV2Client({ region: 'eu-west-2' }), {
      name: STANDBY.Name,
      scope: 'REGIONAL',
    });
    expect(await standby.accepted()).toEqual([OLD]);
    expect(await standby.accepted()).toEqual([OLD]);
    expect(waf).toHaveReceivedCommandTimes(ListRegexPatternSetsCommand, 2);
    expect(waf).toHaveReceivedCommandWith(GetRegexPatternSetCommand, STANDBY);
  });

  test('a missing standby set is an error naming it (the rotation step is retried)', async () => {
    waf.on(ListRegexPatternSetsCommand).resolves({ RegexPatternSets: [] });
    const standby = new WafV2PatternSetUpdater(new WAFV2Client({ region: 'eu-west-2' }), {
      name: STANDBY.Name,
      scope: 'REGIONAL',
    });
    await expect(standby.accepted()).rejects.toThrow(
      'No REGIONAL regex pattern set named rampart-prod-origin-verify',
    );
  });

  test('both sets: a value is accepted only when both accept it, and both are written', async () => {
    const fake = (values: string[]) => ({
      written: [] as string[][],
      async accepted() {
        return values;
      },
      async acceptOnly(next: readonly string[]) {
        this.written.push([...next]);
      },
    });
    const primary = fake([OLD, NEW]);
    const standby = fake([OLD]);
    const both = new AllPatternSetsUpdater([primary, standby]);
    expect(await both.accepted()).toEqual([OLD]);
    await both.acceptOnly([OLD, NEW]);
    expect(primary.written).toEqual([[OLD, NEW]]);
    expect(standby.written).toEqual([[OLD, NEW]]);
  });

  test('WAF_STANDBY_PATTERN_SET adds the standby set to what the rotation updates', () => {
    const env = {
      WAF_PATTERN_SET_NAME: 'n',
      WAF_PATTERN_SET_ID: 'i',
      WAF_SCOPE: 'REGIONAL',
      DISTRIBUTION_ID: 'E1',
      ORIGIN_VERIFY_HEADER: 'x-origin-verify',
    };
    expect(sdkUpdatersFromEnv(env).waf).toBeInstanceOf(WafV2PatternSetUpdater);
    const withStandby = sdkUpdatersFromEnv({
      ...env,
      WAF_STANDBY_PATTERN_SET: JSON.stringify({ region: 'eu-west-2', name: 'rampart-prod-origin-verify' }),
    });
    expect(withStandby.waf).toBeInstanceOf(AllPatternSetsUpdater);
    expect(() => sdkUpdatersFromEnv({ ...env, WAF_STANDBY_PATTERN_SET: '{"region":1}' })).toThrow(
      'WAF_STANDBY_PATTERN_SET must be JSON',
    );
  });
});
