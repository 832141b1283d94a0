import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../../lambda/functions/origin-verify-rotation/handler';
import { FakeSecretsManager, SECRET_ID, randomValue } from '../../domain/origin-verify/fakes';

const TOKEN = 'c2b1f6a0-0000-4000-8000-0000000000aa';

describe('origin-verify rotation handler (until the WAF and CloudFront SDK clients are added)', () => {
  test('createSecret stores a pending value; setSecret stops, naming the missing package; the current value stays', async () => {
    const initial = randomValue();
    const secrets = new FakeSecretsManager(initial, { everyClient: true });
    secrets.startRotation(TOKEN);
    await handler({ SecretId: SECRET_ID, ClientRequestToken: TOKEN, Step: 'createSecret' });
    expect(secrets.mock).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: SECRET_ID,
      ClientRequestToken: TOKEN,
      VersionStages: ['AWSPENDING'],
    });
    await expect(
      handler({ SecretId: SECRET_ID, ClientRequestToken: TOKEN, Step: 'setSecret' }),
    ).rejects.toThrow('origin-verify rotation needs @aws-sdk/client-cloudfront, which is not installed yet');
    // Even a finishSecret (which Secrets Manager would not send after a failed step) promotes nothing.
    await expect(
      handler({ SecretId: SECRET_ID, ClientRequestToken: TOKEN, Step: 'finishSecret' }),
    ).rejects.toThrow(/not installed yet/);
    expect(secrets.mock).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
    expect(secrets.valueAt('AWSCURRENT')).toBe(initial);
    secrets.mock.restore();
  });
});
