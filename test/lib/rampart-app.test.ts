import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { loadEnvironmentConfig } from '../../lib/config';
import { addComplianceChecks } from '../../lib/rampart-app';
import { synthEnvironments, testApp } from '../support/synth';
import { opsEnvironmentTests } from './stacks/ops-environment';

// The stack suites (test/lib/stacks/<stack>.suite.ts, one per lib/stacks/<stack>.ts) run in this
// file so that they share one synth of every environment, the one the compliance gate below
// checks: a jest file is its own module registry, and each synth costs seconds.
import './stacks/network-stack.suite';
import './stacks/auth-stack.suite';
import './stacks/data-stack.suite';
import './stacks/api-stack.suite';
import './stacks/edge-stack.suite';
import './stacks/capacity.suite';
import './stacks/observability.suite';
import './stacks/recovery.suite';
import './cost/cost.suite';
import './stacks/dr-standby.suite';
import './stacks/dr-restore.suite';

describe.each(['dev', 'staging', 'prod'] as const)('Ops alarms, %s', (name) => {
  opsEnvironmentTests(name);
});

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
  expect(synthEnvironments().prod.stacks.network.tags.tagValues()).toEqual({
    project: 'rampart',
    environment: 'prod',
    owner: 'platform-team',
  });
});

describe('offline synth', () => {
  test('no context lookup is left missing, so synth never needs credentials', () => {
    expect(synthEnvironments().dev.assembly.manifest.missing ?? []).toEqual([]);
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

describe('dead-letter queues', () => {
  type Resource = { Type: string; Properties?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ref = (value: unknown): string | undefined =>
    (value as { 'Fn::GetAtt'?: [string, string]; Ref?: string })?.['Fn::GetAtt']?.[0] ??
    (value as { Ref?: string })?.Ref;

  test.each(['dev', 'staging', 'prod'] as const)(
    '%s: a function whose failed events go to an SSE-KMS queue may use that queue key (Lambda writes as the function role)',
    (name) => {
      let checked = 0;
      for (const part of ['ops', 'data', 'api'] as const) {
        const resources = synthEnvironments()[name].template(part).toJSON().Resources as Record<
          string,
          Resource
        >;
        for (const fn of Object.values(resources)) {
          if (fn.Type !== 'AWS::Lambda::Function' || fn.Properties?.DeadLetterConfig === undefined) continue;
          const queue = resources[ref(fn.Properties.DeadLetterConfig.TargetArn) ?? ''];
          const key = ref(queue?.Properties?.KmsMasterKeyId);
          if (key === undefined) continue;
          const role = ref(fn.Properties.Role);
          const statements = Object.values(resources)
            .filter(
              (policy) =>
                policy.Type === 'AWS::IAM::Policy' &&
                (policy.Properties?.Roles as unknown[]).some((entry) => ref(entry) === role),
            )
            .flatMap((policy) => policy.Properties!.PolicyDocument.Statement as Record<string, unknown>[]);
          expect(
            statements.some(
              (statement) =>
                [statement.Action]
                  .flat()
                  .some((action) => action === 'kms:GenerateDataKey' || action === 'kms:GenerateDataKey*') &&
                [statement.Resource].flat().some((resource) => ref(resource) === key),
            ),
          ).toBe(true);
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(2);
    },
  );
});
