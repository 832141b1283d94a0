import {
  AddUserPoolClientSecretCommand,
  ListUserPoolClientSecretsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import 'aws-sdk-client-mock-jest';
import { resetClientSecretRotationDeps } from '../../../../lambda/runtime/auth';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { captureStdout, type CapturedOutput } from '../../../fixtures/captured-output';
import { CLIENT_ID, FakeClientSecrets, USER_POOL_ID } from '../../domain/auth/client-secret-fakes';
import { FakeSecretsManager, SECRET_ID } from '../../domain/origin-verify/fakes';

/**
 * The deployed handler (Middy, runtime composition from the environment) through a whole rotation.
 * No local peer has Cognito's client secret APIs or Secrets Manager: both clients are mocked with
 * state (every instance, as the runtime creates its own) and the exact requests are asserted.
 */

let output: CapturedOutput;
beforeAll(() => {
  output = captureStdout();
  process.env.USER_POOL_ID = USER_POOL_ID;
  resetClientSecretRotationDeps();
});
afterAll(() => {
  output.restore();
  resetClientSecretRotationDeps();
});

test('createSecret to finishSecret: a Cognito-generated secret becomes AWSCURRENT with its id', async () => {
  const { handler } = await import('../../../../lambda/functions/login-client-secret-rotation/handler');
  const cognito = new FakeClientSecrets();
  const secrets = new FakeSecretsManager(JSON.stringify({ clientId: CLIENT_ID, clientSecret: 'original' }), {
    everyClient: true,
  });
  try {
    secrets.startRotation('token-1');
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await handler({ SecretId: SECRET_ID, ClientRequestToken: 'token-1', Step }, lambdaContext());
    }
    const added = cognito.secrets[1];
    expect(cognito.mock).toHaveReceivedCommandWith(ListUserPoolClientSecretsCommand, {
      UserPoolId: USER_POOL_ID,
      ClientId: CLIENT_ID,
    });
    expect(cognito.mock.commandCalls(AddUserPoolClientSecretCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: USER_POOL_ID, ClientId: CLIENT_ID },
    ]);
    expect(secrets.mock.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      {
        SecretId: SECRET_ID,
        ClientRequestToken: 'token-1',
        SecretString: JSON.stringify({
          clientId: CLIENT_ID,
          clientSecret: added.value,
          clientSecretId: added.id,
        }),
        VersionStages: ['AWSPENDING'],
      },
    ]);
    expect(secrets.mock).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: SECRET_ID,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'token-1',
      RemoveFromVersionId: 'v0',
    });
    expect(JSON.parse(secrets.valueAt('AWSCURRENT')!)).toEqual({
      clientId: CLIENT_ID,
      clientSecret: added.value,
      clientSecretId: added.id,
    });
    // One structured log line per step, never the secret value.
    const logged = JSON.stringify(output.lines());
    expect(
      output
        .lines()
        .map((line) => line.step)
        .filter(Boolean),
    ).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(logged).not.toContain(added.value);
    expect(logged).not.toContain('original');
  } finally {
    cognito.mock.restore();
    secrets.mock.restore();
  }
});
