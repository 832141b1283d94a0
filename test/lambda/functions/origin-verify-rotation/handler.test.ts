import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { GetRegexPatternSetCommand, UpdateRegexPatternSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  FakeSecretsManager,
  SECRET_ID,
  distributionConfig,
  randomValue,
} from '../../domain/origin-verify/fakes';

/**
 * The deployed handler end to end, with its real SDK-backed WAF and CloudFront updaters. No local
 * peer exists for Secrets Manager, WAF or CloudFront: their clients are mocked, the WAF set and
 * the distribution keep state between calls, and the exact requests are asserted.
 */

const TOKEN = 'c2b1f6a0-0000-4000-8000-0000000000aa';
const waf = mockClient(WAFV2Client);
const cloudfront = mockClient(CloudFrontClient);

Object.assign(process.env, {
  WAF_PATTERN_SET_NAME: 'rampart-dev-origin-verify',
  WAF_PATTERN_SET_ID: 'set-1',
  WAF_SCOPE: 'REGIONAL',
  DISTRIBUTION_ID: 'E123',
  ORIGIN_VERIFY_HEADER: 'x-origin-verify',
});

test('a full rotation: WAF accepts both, CloudFront switches, only then the new value becomes current', async () => {
  const { handler } = await import('../../../../lambda/functions/origin-verify-rotation/handler');
  const initial = randomValue();
  const secrets = new FakeSecretsManager(initial, { everyClient: true });
  secrets.startRotation(TOKEN);

  // Stateful stand-ins for the WAF pattern set and the distribution.
  let accepted = [initial];
  let sending = initial;
  let status = 'Deployed';
  waf.on(GetRegexPatternSetCommand).callsFake(() => ({
    RegexPatternSet: { RegularExpressionList: accepted.map((value) => ({ RegexString: value })) },
    LockToken: `lock-${accepted.length}`,
  }));
  waf.on(UpdateRegexPatternSetCommand).callsFake((input) => {
    accepted = input.RegularExpressionList.map((entry: { RegexString: string }) => entry.RegexString);
    return {};
  });
  cloudfront.on(GetDistributionCommand).callsFake(() => ({
    Distribution: { Status: status, DistributionConfig: distributionConfig(sending) },
  }));
  cloudfront
    .on(GetDistributionConfigCommand)
    .callsFake(() => ({ DistributionConfig: distributionConfig(sending), ETag: 'etag-1' }));
  cloudfront.on(UpdateDistributionCommand).callsFake((input) => {
    sending = input.DistributionConfig.Origins.Items[0].CustomHeaders.Items[0].HeaderValue;
    status = 'InProgress';
    return {};
  });

  const step = (name: string) => handler({ SecretId: SECRET_ID, ClientRequestToken: TOKEN, Step: name });
  await step('createSecret');
  expect(secrets.mock).toHaveReceivedCommandWith(PutSecretValueCommand, {
    SecretId: SECRET_ID,
    ClientRequestToken: TOKEN,
    VersionStages: ['AWSPENDING'],
  });
  const pending = secrets.valueAt('AWSPENDING');

  await step('setSecret');
  expect(waf).toHaveReceivedCommandWith(UpdateRegexPatternSetCommand, {
    Name: 'rampart-dev-origin-verify',
    Id: 'set-1',
    Scope: 'REGIONAL',
    LockToken: 'lock-1',
  });
  expect(accepted.sort()).toEqual([initial, pending].sort());
  expect(cloudfront).toHaveReceivedCommandWith(UpdateDistributionCommand, { Id: 'E123', IfMatch: 'etag-1' });
  expect(sending).toBe(pending);

  // CloudFront still deploying: testSecret refuses, the current value stays in service.
  await expect(step('testSecret')).rejects.toThrow();
  expect(secrets.valueAt('AWSCURRENT')).toBe(initial);
  status = 'Deployed';
  await step('testSecret');
  await step('finishSecret');
  expect(secrets.mock).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
    SecretId: SECRET_ID,
    VersionStage: 'AWSCURRENT',
    MoveToVersionId: TOKEN,
  });
  expect(secrets.valueAt('AWSCURRENT')).toBe(pending);
  // Both values stay accepted until the next rotation (an edge may still send the old one).
  expect(accepted).toEqual(expect.arrayContaining([initial, pending]));
  secrets.mock.restore();
});
