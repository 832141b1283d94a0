import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { GetRegexPatternSetCommand, UpdateRegexPatternSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  switchOrigin,
  switchTrafficToPrimary,
  switchTrafficToStandby,
  type TrafficSwitch,
} from '../../../lib/dr/traffic-switch';

/** CloudFront and WAF have no local peer: the exact requests are asserted. */

const cloudFront = mockClient(CloudFrontClient);
const waf = mockClient(WAFV2Client);
const PRIMARY = { domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', originPath: '/prod' };
const STANDBY = { domainName: 'xyz789.execute-api.eu-west-2.amazonaws.com', originPath: '/prod' };
const VALUE = 'V'.repeat(64);
const OLD = 'o'.repeat(64);
const SET = { Name: 'rampart-prod-origin-verify', Id: 'set-dr', Scope: 'REGIONAL' as const };
const TRAFFIC: TrafficSwitch = {
  distributionId: 'E2EXAMPLE',
  primary: PRIMARY,
  standby: STANDBY,
  originVerify: { headerName: 'x-origin-verify', patternSet: { name: SET.Name, id: SET.Id } },
};

/** The distribution as EdgeDistribution builds it: one API origin used by every behavior. */
function config(origin: { domainName: string; originPath: string }): DistributionConfig {
  return {
    CallerReference: 'ref',
    Comment: 'Rampart API (prod)',
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 'RampartprodApiEdgeDistributionOrigin1',
          DomainName: origin.domainName,
          OriginPath: origin.originPath,
          CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-verify', HeaderValue: VALUE }] },
          CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 'RampartprodApiEdgeDistributionOrigin1',
      ViewerProtocolPolicy: 'https-only',
    },
  };
}

beforeEach(() => {
  cloudFront.reset();
  waf.reset();
});

const clients = () => ({
  cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
  standbyWaf: new WAFV2Client({ region: 'eu-west-2' }),
});

describe('switchOrigin', () => {
  test('moves the API origin to the standby host with the config ETag, keeping id, headers and behaviors', async () => {
    cloudFront
      .on(GetDistributionConfigCommand, { Id: 'E2EXAMPLE' })
      .resolves({ DistributionConfig: config(PRIMARY), ETag: 'E1' });
    cloudFront.on(UpdateDistributionCommand).resolves({ ETag: 'E2' });
    const result = await switchOrigin(clients().cloudFront, {
      distributionId: 'E2EXAMPLE',
      from: PRIMARY,
      to: STANDBY,
    });
    expect(result).toEqual({ changed: true, originIds: ['RampartprodApiEdgeDistributionOrigin1'] });
    expect(cloudFront).toHaveReceivedCommandTimes(UpdateDistributionCommand, 1);
    expect(cloudFront).toHaveReceivedCommandWith(UpdateDistributionCommand, {
      Id: 'E2EXAMPLE',
      IfMatch: 'E1',
      DistributionConfig: config(STANDBY),
    });
  });

  test('an origin already at the target is left alone (the step can be retried)', async () => {
    cloudFront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config(STANDBY), ETag: 'E3' });
    const result = await switchOrigin(clients().cloudFront, {
      distributionId: 'E2EXAMPLE',
      from: PRIMARY,
      to: STANDBY,
    });
    expect(result).toEqual({ changed: false, originIds: ['RampartprodApiEdgeDistributionOrigin1'] });
    expect(cloudFront).not.toHaveReceivedCommand(UpdateDistributionCommand);
  });

  test('a distribution serving neither API is refused with what it serves', async () => {
    cloudFront.on(GetDistributionConfigCommand).resolves({
      DistributionConfig: config({ domainName: 'other.example.com', originPath: '' }),
      ETag: 'E4',
    });
    await expect(
      switchOrigin(clients().cloudFront, { distributionId: 'E2EXAMPLE', from: PRIMARY, to: STANDBY }),
    ).rejects.toThrow(
      /has no origin at abc123\.execute-api\.eu-west-1\.amazonaws\.com or xyz789.*it serves other\.example\.com/,
    );
    expect(cloudFront).not.toHaveReceivedCommand(UpdateDistributionCommand);
  });
});

describe('switchTrafficToStandby / switchTrafficToPrimary', () => {
  test('failover: the standby web ACL first accepts the value CloudFront sends, then the origin moves', async () => {
    cloudFront.on(GetDistributionCommand, { Id: 'E2EXAMPLE' }).resolves({
      Distribution: { Status: 'Deployed', DistributionConfig: config(PRIMARY) } as never,
    });
    cloudFront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config(PRIMARY), ETag: 'E1' });
    cloudFront.on(UpdateDistributionCommand).resolves({ ETag: 'E2' });
    waf.on(GetRegexPatternSetCommand, { Name: SET.Name, Id: SET.Id, Scope: 'REGIONAL' }).resolves({
      RegexPatternSet: { RegularExpressionList: [{ RegexString: OLD }] },
      LockToken: 'L1',
    });
    waf.on(UpdateRegexPatternSetCommand).resolves({ NextLockToken: 'L2' });

    const result = await switchTrafficToStandby(clients(), TRAFFIC);

    expect(result).toEqual({
      changed: true,
      originIds: ['RampartprodApiEdgeDistributionOrigin1'],
      originVerifyAdded: true,
    });
    expect(waf).toHaveReceivedCommandWith(UpdateRegexPatternSetCommand, {
      ...SET,
      LockToken: 'L1',
      RegularExpressionList: [{ RegexString: OLD }, { RegexString: VALUE }],
    });
    expect(cloudFront).toHaveReceivedCommandWith(UpdateDistributionCommand, {
      Id: 'E2EXAMPLE',
      IfMatch: 'E1',
      DistributionConfig: config(STANDBY),
    });
  });

  test('failover with the standby already accepting the value writes no pattern set', async () => {
    cloudFront.on(GetDistributionCommand).resolves({
      Distribution: { Status: 'Deployed', DistributionConfig: config(PRIMARY) } as never,
    });
    cloudFront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config(PRIMARY), ETag: 'E1' });
    cloudFront.on(UpdateDistributionCommand).resolves({});
    waf
      .on(GetRegexPatternSetCommand)
      .resolves({ RegexPatternSet: { RegularExpressionList: [{ RegexString: VALUE }] } });
    expect((await switchTrafficToStandby(clients(), TRAFFIC)).originVerifyAdded).toBe(false);
    expect(waf).not.toHaveReceivedCommand(UpdateRegexPatternSetCommand);
  });

  test('failover is refused, before anything changes, when CloudFront sends no valid value', async () => {
    const broken = config(PRIMARY);
    broken.Origins!.Items![0].CustomHeaders = { Quantity: 0, Items: [] };
    cloudFront
      .on(GetDistributionCommand)
      .resolves({ Distribution: { Status: 'Deployed', DistributionConfig: broken } as never });
    await expect(switchTrafficToStandby(clients(), TRAFFIC)).rejects.toThrow(
      'Distribution E2EXAMPLE sends no valid x-origin-verify value',
    );
    expect(cloudFront).not.toHaveReceivedCommand(UpdateDistributionCommand);
    expect(waf).not.toHaveReceivedCommand(UpdateRegexPatternSetCommand);
  });

  test('failback: the reverse, back to the primary host', async () => {
    cloudFront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config(STANDBY), ETag: 'E9' });
    cloudFront.on(UpdateDistributionCommand).resolves({});
    expect(await switchTrafficToPrimary(clients(), TRAFFIC)).toEqual({
      changed: true,
      originIds: ['RampartprodApiEdgeDistributionOrigin1'],
    });
    expect(cloudFront).toHaveReceivedCommandWith(UpdateDistributionCommand, {
      Id: 'E2EXAMPLE',
      IfMatch: 'E9',
      DistributionConfig: config(PRIMARY),
    });
  });
});
