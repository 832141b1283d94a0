import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { loadEnvironmentConfig } from '../../lib/config';
import { addComplianceChecks, buildRampart } from '../../lib/rampart-app';
import { synthEnvironments, testApp } from '../support/synth';

describe('compliance gate', () => {
  test('every environment synthesizes with no unacknowledged AwsSolutions or NIST 800-53 R5 finding', () => {
    expect(() => synthEnvironments()).not.toThrow();
  });

  test('an unacknowledged finding fails synth (the gate is live)', () => {
    const app = testApp();
    addComplianceChecks(app);
    new Bucket(new Stack(app, 'Unsafe'), 'PlainBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|S3BucketLoggingEnabled/);
  });

  test('acknowledgements are per resource and carry a reason', () => {
    const app = testApp();
    addComplianceChecks(app);
    const stack = new Stack(app, 'Acknowledged');
    const bucket = new Bucket(stack, 'PlainBucket');
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Acknowledging one rule on one resource must leave every other finding on it in force.',
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-S10|NIST/);
  });
});

test('stacks are tagged with project, environment and owner', () => {
  const app = testApp();
  const [prod] = buildRampart(app, [loadEnvironmentConfig('prod')]);
  app.synth();
  expect(prod.network.tags.tagValues()).toEqual({
    project: 'rampart',
    environment: 'prod',
    owner: 'platform-team',
  });
});

describe('offline synth', () => {
  test('no context lookup is left missing, so synth never needs credentials', () => {
    const app = testApp();
    buildRampart(
      app,
      ['dev', 'staging', 'prod'].map((name) => loadEnvironmentConfig(name)),
    );
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test('cdk.context.json holds the availability zones of every declared account and region', () => {
    const context = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'cdk.context.json'), 'utf8'),
    ) as Record<string, string[]>;
    for (const name of ['dev', 'staging', 'prod']) {
      const config = loadEnvironmentConfig(name);
      const zones = context[`availability-zones:account=${config.account}:region=${config.region}`];
      expect(zones).toEqual(expect.arrayContaining(config.network.availabilityZones));
    }
  });
});
