import {
  GetRandomPasswordCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import 'aws-sdk-client-mock-jest';
import {
  RotationError,
  rotateOriginVerify,
  type RotationDependencies,
  type RotationStep,
} from '../../../../lambda/domain/origin-verify/rotation';
import { FakeDistribution, FakeSecretsManager, FakeWaf, SECRET_ID, randomValue } from './fakes';

const TOKEN = 'c2b1f6a0-0000-4000-8000-000000000001';

function setup() {
  const initial = randomValue();
  const secrets = new FakeSecretsManager(initial);
  const waf = new FakeWaf([initial]);
  const distribution = new FakeDistribution(initial);
  const deps: RotationDependencies = { secrets: secrets.client, waf, distribution };
  const step = (name: RotationStep, token = TOKEN) =>
    rotateOriginVerify({ SecretId: SECRET_ID, ClientRequestToken: token, Step: name }, deps);
  /** Every value any edge may be sending is accepted by the regional web ACL: no request refused. */
  const noRequestRefused = () => {
    for (const value of distribution.sentByEdges) expect(waf.values).toContain(value);
  };
  return { initial, secrets, waf, distribution, step, noRequestRefused };
}

afterEach(() => jest.restoreAllMocks());

describe('origin-verify rotation', () => {
  test('a full rotation: the web ACL accepts old and new throughout, CloudFront switches, the new value becomes current', async () => {
    const { initial, secrets, waf, distribution, step, noRequestRefused } = setup();
    secrets.startRotation(TOKEN);

    await step('createSecret');
    const pending = secrets.valueAt('AWSPENDING')!;
    expect(pending).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(pending).not.toBe(initial);
    expect(secrets.mock).toHaveReceivedCommandWith(GetRandomPasswordCommand, {
      PasswordLength: 64,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
    expect(secrets.mock).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: SECRET_ID,
      ClientRequestToken: TOKEN,
      SecretString: pending,
      VersionStages: ['AWSPENDING'],
    });
    noRequestRefused();

    await step('setSecret');
    expect([...waf.values].sort()).toEqual([initial, pending].sort());
    expect(distribution.value).toBe(pending);
    // Mid-rotation: some edges send the old value, some the new one; the web ACL accepts both.
    expect([...distribution.sentByEdges].sort()).toEqual([initial, pending].sort());
    noRequestRefused();

    await expect(step('testSecret')).rejects.toThrow(/has not finished deploying/);
    expect(secrets.valueAt('AWSCURRENT')).toBe(initial);

    distribution.finishDeployment();
    await step('testSecret');
    noRequestRefused();

    await step('finishSecret');
    expect(secrets.mock).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: SECRET_ID,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: 'v0',
    });
    expect(secrets.valueAt('AWSCURRENT')).toBe(pending);
    expect(secrets.valueAt('AWSPREVIOUS')).toBe(initial);
    // The previous value stays accepted until the next rotation's setSecret.
    expect([...waf.values].sort()).toEqual([initial, pending].sort());
    noRequestRefused();
  });

  test('every step can be retried: a repeat writes nothing new and changes nothing', async () => {
    const { secrets, waf, distribution, step } = setup();
    secrets.startRotation(TOKEN);
    await step('createSecret');
    const pending = secrets.valueAt('AWSPENDING');
    await step('createSecret');
    expect(secrets.mock).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    expect(secrets.mock).toHaveReceivedCommandTimes(GetRandomPasswordCommand, 1);
    expect(secrets.valueAt('AWSPENDING')).toBe(pending);

    await step('setSecret');
    await step('setSecret');
    expect(waf.writes).toBe(1);
    expect(distribution.writes).toBe(1);

    distribution.finishDeployment();
    await step('testSecret');
    await step('testSecret');

    await step('finishSecret');
    await step('finishSecret');
    expect(secrets.mock).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 1);
    expect(secrets.valueAt('AWSCURRENT')).toBe(pending);
  });

  test('a retried setSecret after the WAF update failed: CloudFront was not touched, the retry completes', async () => {
    const { initial, secrets, waf, distribution, step, noRequestRefused } = setup();
    secrets.startRotation(TOKEN);
    await step('createSecret');
    waf.failNextWrite = true;
    await expect(step('setSecret')).rejects.toThrow(/WAFOptimisticLockException/);
    expect(distribution.writes).toBe(0);
    expect(distribution.value).toBe(initial);
    noRequestRefused();
    await step('setSecret');
    expect(distribution.value).toBe(secrets.valueAt('AWSPENDING'));
    noRequestRefused();
  });

  test('a failed testSecret leaves the current value in service and accepted', async () => {
    const { initial, secrets, waf, distribution, step, noRequestRefused } = setup();
    secrets.startRotation(TOKEN);
    await step('createSecret');
    await step('setSecret');
    // The CloudFront update was rolled back: every edge still sends the current value.
    distribution.value = initial;
    distribution.sentByEdges = [initial];
    distribution.deployed = true;
    await expect(step('testSecret')).rejects.toThrow(RotationError);
    await expect(step('testSecret')).rejects.toThrow(/not configured with the pending value/);
    await expect(step('finishSecret')).rejects.toThrow(/not promoting it/);
    expect(secrets.mock).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
    expect(secrets.valueAt('AWSCURRENT')).toBe(initial);
    expect(waf.values).toContain(initial);
    noRequestRefused();
  });

  test('testSecret refuses unless the web ACL accepts both current and pending', async () => {
    const { initial, secrets, waf, distribution, step } = setup();
    secrets.startRotation(TOKEN);
    await step('createSecret');
    await step('setSecret');
    distribution.finishDeployment();
    waf.values = [secrets.valueAt('AWSPENDING')!];
    await expect(step('testSecret')).rejects.toThrow(
      /does not accept both the current and the pending value/,
    );
    waf.values = [initial];
    await expect(step('testSecret')).rejects.toThrow(
      /does not accept both the current and the pending value/,
    );
    expect(secrets.valueAt('AWSCURRENT')).toBe(initial);
  });

  test('the next rotation drops the value two generations old, never one CloudFront may still send', async () => {
    const { initial, secrets, waf, distribution, step, noRequestRefused } = setup();
    const run = async (token: string) => {
      secrets.startRotation(token);
      await step('createSecret', token);
      await step('setSecret', token);
      distribution.finishDeployment();
      await step('testSecret', token);
      await step('finishSecret', token);
      noRequestRefused();
    };
    await run(TOKEN);
    const second = secrets.valueAt('AWSCURRENT')!;
    const token2 = 'c2b1f6a0-0000-4000-8000-000000000002';
    secrets.startRotation(token2);
    await step('createSecret', token2);
    await step('setSecret', token2);
    const third = secrets.valueAt('AWSPENDING')!;
    expect([...waf.values].sort()).toEqual([second, third].sort());
    expect(waf.values).not.toContain(initial);
    noRequestRefused();
  });

  test('setSecret keeps accepting whatever CloudFront is configured with, even an unexpected value', async () => {
    const { secrets, waf, distribution, step, noRequestRefused } = setup();
    const drifted = randomValue();
    distribution.value = drifted;
    distribution.sentByEdges = [drifted];
    waf.values = [...waf.values, drifted];
    secrets.startRotation(TOKEN);
    await step('createSecret');
    await step('setSecret');
    expect(waf.values).toContain(drifted);
    noRequestRefused();
  });

  test('refuses to run when rotation is disabled, for an unknown version or step; does nothing for a current version', async () => {
    const { secrets, waf, step } = setup();
    secrets.startRotation(TOKEN);
    await expect(step('createSecret', 'unknown-token')).rejects.toThrow(/is not a version of/);
    await expect(step('rotateEverything' as RotationStep)).rejects.toThrow(/unknown rotation step/);
    secrets.rotationEnabled = false;
    await expect(step('createSecret')).rejects.toThrow(/rotation is not enabled/);
    secrets.rotationEnabled = true;
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await step(name, 'v0');
    }
    expect(secrets.mock).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
    expect(waf.writes).toBe(0);
  });
});
