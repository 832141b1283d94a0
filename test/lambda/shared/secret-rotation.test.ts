import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import 'aws-sdk-client-mock-jest';
import {
  pendingVersionState,
  promotePendingVersion,
  runSecretRotationStep,
  secretStringAt,
  SecretRotationError,
  type SecretRotationSteps,
} from '../../../lambda/shared/secret-rotation';
import { FakeSecretsManager, SECRET_ID } from '../domain/origin-verify/fakes';

/** The rotation template every Secrets Manager rotation function shares, against the stateful fake. */

let secrets: FakeSecretsManager;
beforeEach(() => {
  secrets = new FakeSecretsManager('current-value');
});
afterEach(() => secrets.mock.restore());

const event = (token: string, Step = 'createSecret') => ({
  SecretId: SECRET_ID,
  ClientRequestToken: token,
  Step,
});
const context = () => ({ secrets: secrets.client });

describe('pendingVersionState', () => {
  test('pending, current, and the versions a step must refuse', async () => {
    secrets.startRotation('t1');
    await expect(pendingVersionState(context(), event('t1'))).resolves.toBe('pending');
    await expect(pendingVersionState(context(), event('v0'))).resolves.toBe('current');
    await expect(pendingVersionState(context(), event('nope'))).rejects.toThrow(
      new SecretRotationError(`version nope is not a version of ${SECRET_ID}`),
    );
    secrets.versions.set('old', { value: 'x', stages: ['AWSPREVIOUS'] });
    await expect(pendingVersionState(context(), event('old'))).rejects.toThrow(
      /neither AWSPENDING nor AWSCURRENT/,
    );
    secrets.rotationEnabled = false;
    await expect(pendingVersionState(context(), event('t1'))).rejects.toThrow(/rotation is not enabled/);
  });
});

describe('runSecretRotationStep', () => {
  const calls: string[] = [];
  const steps: SecretRotationSteps<{ secrets: FakeSecretsManager['client'] }> = {
    createSecret: async () => void calls.push('createSecret'),
    setSecret: async () => void calls.push('setSecret'),
    testSecret: async () => void calls.push('testSecret'),
    finishSecret: async () => void calls.push('finishSecret'),
  };
  beforeEach(() => calls.splice(0));

  test('runs the named step for a pending version, nothing for a current one, and refuses unknown steps', async () => {
    secrets.startRotation('t1');
    await runSecretRotationStep(event('t1', 'testSecret'), steps, context());
    await runSecretRotationStep(event('v0', 'finishSecret'), steps, context());
    expect(calls).toEqual(['testSecret']);
    await expect(runSecretRotationStep(event('t1', 'purge'), steps, context())).rejects.toThrow(
      'unknown rotation step "purge"',
    );
  });
});

describe('secretStringAt', () => {
  test('a missing version is undefined; any other failure is thrown', async () => {
    secrets.startRotation('t1');
    await expect(secretStringAt(context(), SECRET_ID, 'AWSCURRENT')).resolves.toBe('current-value');
    await expect(secretStringAt(context(), SECRET_ID, 'AWSPENDING', 't1')).resolves.toBeUndefined();
    secrets.mock.on(GetSecretValueCommand).rejects(new Error('AccessDenied'));
    await expect(secretStringAt(context(), SECRET_ID, 'AWSCURRENT')).rejects.toThrow('AccessDenied');
  });
});

describe('promotePendingVersion', () => {
  test('moves AWSCURRENT once, with the exact request, and does nothing when repeated', async () => {
    secrets.startRotation('t1');
    await secrets.client.send(
      new PutSecretValueCommand({
        SecretId: SECRET_ID,
        ClientRequestToken: 't1',
        SecretString: 'next-value',
        VersionStages: ['AWSPENDING'],
      }),
    );
    const lines: string[] = [];
    await promotePendingVersion({ ...context(), log: (m) => lines.push(m) }, event('t1', 'finishSecret'));
    await promotePendingVersion({ ...context(), log: (m) => lines.push(m) }, event('t1', 'finishSecret'));
    expect(secrets.mock.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT', MoveToVersionId: 't1', RemoveFromVersionId: 'v0' },
    ]);
    expect(secrets.valueAt('AWSCURRENT')).toBe('next-value');
    expect(secrets.valueAt('AWSPREVIOUS')).toBe('current-value');
    expect(lines).toEqual([
      'finishSecret: version is now current',
      'finishSecret: version is current already',
    ]);
  });
});
