import {
  AddUserPoolClientSecretCommand,
  CognitoIdentityProviderClient,
  DeleteUserPoolClientSecretCommand,
  InitiateAuthCommand,
  ListUserPoolClientSecretsCommand,
  NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import 'aws-sdk-client-mock-jest';
import {
  rotateLoginClientSecret,
  type ClientSecretRotationDependencies,
} from '../../../../lambda/domain/auth/client-secret-rotation';
import { login } from '../../../../lambda/domain/auth/sessions';
import { authDependenciesFromEnv } from '../../../../lambda/runtime/auth';
import { resetBreakers } from '../../../../lambda/shared/breaker';
import { FakeSecretsManager, SECRET_ID } from '../origin-verify/fakes';
import { CLIENT_ID, FakeClientSecrets, USER_POOL_ID } from './client-secret-fakes';
import { expectedSecretHash } from './auth-harness';

/**
 * The login client secret's rotation with Cognito's two-secret overlap. Neither cognito-local nor
 * any local peer has AddUserPoolClientSecret / DeleteUserPoolClientSecret / ListUserPoolClientSecrets
 * or Secrets Manager, so both are stateful fakes behind aws-sdk-client-mock (Cognito's documented
 * limits: two secrets per client, the value only in the creating call) and every request is
 * asserted exactly.
 */

const INITIAL = JSON.stringify({
  clientId: CLIENT_ID,
  clientSecret: 'initial-secret-value-from-cloudformation',
});

let cognito: FakeClientSecrets;
let secrets: FakeSecretsManager;
let deps: ClientSecretRotationDependencies;
let lines: string[];

beforeEach(() => {
  cognito?.mock.restore();
  secrets?.mock.restore();
  cognito = new FakeClientSecrets();
  secrets = new FakeSecretsManager(INITIAL);
  lines = [];
  deps = {
    secrets: secrets.client,
    cognito: new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
    userPoolId: USER_POOL_ID,
    log: (message) => lines.push(message),
  };
  resetBreakers();
});
afterAll(() => {
  cognito.mock.restore();
  secrets.mock.restore();
});

const step = (token: string, name: string) =>
  rotateLoginClientSecret({ SecretId: SECRET_ID, ClientRequestToken: token, Step: name }, deps);

async function rotate(token: string): Promise<void> {
  secrets.startRotation(token);
  for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(token, name);
}

const current = () => JSON.parse(secrets.valueAt('AWSCURRENT')!) as Record<string, string>;

describe('a rotation', () => {
  test('first rotation: Cognito adds a second secret, stored as pending with its id, then made current; the old one stays valid', async () => {
    const [original] = cognito.ids();
    secrets.startRotation('t1');
    await step('t1', 'createSecret');

    expect(cognito.mock.commandCalls(ListUserPoolClientSecretsCommand)[0].args[0].input).toEqual({
      UserPoolId: USER_POOL_ID,
      ClientId: CLIENT_ID,
    });
    expect(cognito.mock).not.toHaveReceivedCommand(DeleteUserPoolClientSecretCommand);
    expect(cognito.mock.commandCalls(AddUserPoolClientSecretCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: USER_POOL_ID, ClientId: CLIENT_ID },
    ]);
    const [, added] = cognito.secrets;
    expect(secrets.mock.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      {
        SecretId: SECRET_ID,
        ClientRequestToken: 't1',
        SecretString: JSON.stringify({
          clientId: CLIENT_ID,
          clientSecret: added.value,
          clientSecretId: added.id,
        }),
        VersionStages: ['AWSPENDING'],
      },
    ]);
    // The functions still read the original: it is current and Cognito accepts it.
    expect(current().clientSecret).toBe('initial-secret-value-from-cloudformation');

    for (const name of ['setSecret', 'testSecret', 'finishSecret']) await step('t1', name);
    expect(secrets.mock.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT', MoveToVersionId: 't1', RemoveFromVersionId: 'v0' },
    ]);
    expect(current()).toEqual({ clientId: CLIENT_ID, clientSecret: added.value, clientSecretId: added.id });
    // The overlap: both secrets stay valid until the next rotation.
    expect(cognito.ids()).toEqual([original, added.id]);
    expect(cognito.accepts('initial-secret-value-from-cloudformation')).toBe(true);
  });

  test('the next rotation deletes the previous secret (and only it) before adding one', async () => {
    await rotate('t1');
    const [original, second] = cognito.ids();
    cognito.mock.resetHistory();
    await rotate('t2');
    expect(cognito.mock.commandCalls(DeleteUserPoolClientSecretCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: USER_POOL_ID, ClientId: CLIENT_ID, ClientSecretId: original },
    ]);
    const third = cognito.ids()[1];
    expect(cognito.ids()).toEqual([second, third]);
    expect(current().clientSecretId).toBe(third);
    // Ten more rotations never exceed Cognito's two secrets and always keep current + previous.
    for (let i = 3; i <= 12; i += 1) {
      const previous = current().clientSecretId;
      await rotate(`t${i}`);
      expect(cognito.ids()).toEqual([previous, current().clientSecretId]);
    }
  });
});

describe('sign-in keeps working across the overlap', () => {
  test('a function holding the previous credentials and one holding the new ones both sign in', async () => {
    // Cognito checks SECRET_HASH against the client's active secrets.
    cognito.mock
      .on(InitiateAuthCommand)
      .callsFake((input: { AuthParameters: Record<string, string>; ClientId: string }) => {
        const { USERNAME, SECRET_HASH } = input.AuthParameters;
        const valid = cognito.secrets.some(
          (s) => expectedSecretHash(USERNAME, input.ClientId, s.value) === SECRET_HASH,
        );
        if (!valid)
          throw new NotAuthorizedException({ message: 'Unable to verify secret hash', $metadata: {} });
        return {
          AuthenticationResult: { AccessToken: 'a.e30.s', IdToken: 'i', RefreshToken: 'r', ExpiresIn: 900 },
        };
      });
    // Each "function" caches what AWSCURRENT held when it first read it (the shared cache does, for up to 5 minutes).
    const functionReadingAt = (value: string) =>
      authDependenciesFromEnv(
        { LOGIN_CLIENT_SECRET_ARN: SECRET_ID, REQUIRE_ADMIN_MFA: 'false' },
        { cognito: deps.cognito, readSecretJson: () => Promise.resolve(JSON.parse(value)) },
      );
    const signIn = (fn: ReturnType<typeof functionReadingAt>) =>
      login(fn, { email: 'ada@example.com', password: 'correct horse battery staple' });

    const warmBefore = functionReadingAt(secrets.valueAt('AWSCURRENT')!);
    await rotate('t1');
    const coldAfter = functionReadingAt(secrets.valueAt('AWSCURRENT')!);
    await expect(signIn(warmBefore)).resolves.toMatchObject({ tokenType: 'Bearer' });
    await expect(signIn(coldAfter)).resolves.toMatchObject({ tokenType: 'Bearer' });

    // The next rotation retires the first secret: only credentials cached a whole rotation period ago fail.
    await rotate('t2');
    await expect(signIn(warmBefore)).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    await expect(signIn(coldAfter)).resolves.toMatchObject({ tokenType: 'Bearer' });
    await expect(signIn(functionReadingAt(secrets.valueAt('AWSCURRENT')!))).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
  });
});

describe('retries and failures', () => {
  test('createSecret retried after Cognito added a secret but storing it failed: the orphan is replaced, never a third secret', async () => {
    await rotate('t1');
    const [, currentId] = cognito.ids();
    // Secrets Manager fails the first PutSecretValue (after Cognito has added the secret).
    let failed = false;
    const flaky = {
      send: (command: unknown, options?: unknown) => {
        if (command instanceof PutSecretValueCommand && !failed) {
          failed = true;
          return Promise.reject(new Error('network'));
        }
        return secrets.client.send(command as PutSecretValueCommand, options as never);
      },
    } as unknown as SecretsManagerClient;
    secrets.startRotation('t2');
    await expect(
      rotateLoginClientSecret(
        { SecretId: SECRET_ID, ClientRequestToken: 't2', Step: 'createSecret' },
        { ...deps, secrets: flaky },
      ),
    ).rejects.toThrow('network');
    const orphan = cognito.ids().find((id) => id !== currentId)!;
    expect(cognito.ids()).toEqual([currentId, orphan]);

    cognito.mock.resetHistory();
    await step('t2', 'createSecret');
    expect(cognito.mock.commandCalls(DeleteUserPoolClientSecretCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: USER_POOL_ID, ClientId: CLIENT_ID, ClientSecretId: orphan },
    ]);
    expect(cognito.ids()).toHaveLength(2);
    expect(cognito.ids()[0]).toBe(currentId);
    expect(JSON.parse(secrets.valueAt('AWSPENDING')!).clientSecretId).toBe(cognito.ids()[1]);
    for (const name of ['setSecret', 'testSecret', 'finishSecret']) await step('t2', name);
    expect(current().clientSecretId).toBe(cognito.ids()[1]);
  });

  test('createSecret run twice for one token adds one secret', async () => {
    secrets.startRotation('t1');
    await step('t1', 'createSecret');
    await step('t1', 'createSecret');
    expect(cognito.mock).toHaveReceivedCommandTimes(AddUserPoolClientSecretCommand, 1);
    expect(lines).toContain('createSecret: pending version exists already');
  });

  test('a pending secret someone deleted in Cognito stops the rotation before it becomes current', async () => {
    secrets.startRotation('t1');
    await step('t1', 'createSecret');
    cognito.secrets = cognito.secrets.slice(0, 1);
    await expect(step('t1', 'setSecret')).rejects.toThrow(/no longer has the pending secret/);
    await expect(step('t1', 'testSecret')).rejects.toThrow(/no longer has the pending secret/);
    await expect(step('t1', 'finishSecret')).rejects.toThrow(/no longer has the pending secret/);
    expect(secrets.mock).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
    expect(current().clientSecret).toBe('initial-secret-value-from-cloudformation');
  });

  test('AWSCURRENT naming a secret Cognito no longer has: nothing is deleted or added, the error names the runbook', async () => {
    await rotate('t1');
    const currentId = current().clientSecretId;
    cognito.secrets = cognito.secrets.filter((s) => s.id !== currentId);
    cognito.mock.resetHistory();
    secrets.startRotation('t2');
    await expect(step('t2', 'createSecret')).rejects.toThrow(/runbooks\/rotation\/cognito-client-secret\.md/);
    expect(cognito.mock).not.toHaveReceivedCommand(DeleteUserPoolClientSecretCommand);
    expect(cognito.mock).not.toHaveReceivedCommand(AddUserPoolClientSecretCommand);
  });

  test('a retried finishSecret, an unknown step, rotation disabled and a malformed secret', async () => {
    await rotate('t1');
    await step('t1', 'finishSecret');
    expect(secrets.mock).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 1);

    secrets.startRotation('t2');
    await expect(step('t2', 'deleteEverything')).rejects.toThrow(/unknown rotation step/);
    secrets.rotationEnabled = false;
    await expect(step('t2', 'createSecret')).rejects.toThrow(/rotation is not enabled/);
    secrets.rotationEnabled = true;

    const broken = new FakeSecretsManager(JSON.stringify({ clientId: CLIENT_ID }));
    broken.startRotation('t3');
    await expect(
      rotateLoginClientSecret(
        { SecretId: SECRET_ID, ClientRequestToken: 't3', Step: 'createSecret' },
        { ...deps, secrets: broken.client },
      ),
    ).rejects.toThrow(/not \{ clientId, clientSecret \}/);
    broken.mock.restore();
    expect(cognito.mock).toHaveReceivedCommandTimes(AddUserPoolClientSecretCommand, 1);
  });

  test('refuses values it cannot trust: AWSCURRENT not JSON, a pending version without a Cognito id or for another client, an answer without a secret', async () => {
    const notJson = new FakeSecretsManager('not json');
    notJson.startRotation('t1');
    await expect(
      rotateLoginClientSecret(
        { SecretId: SECRET_ID, ClientRequestToken: 't1', Step: 'createSecret' },
        { ...deps, secrets: notJson.client },
      ),
    ).rejects.toThrow('AWSCURRENT of the login client secret is not JSON');
    notJson.mock.restore();

    secrets.startRotation('t2');
    secrets.versions.set('t2', {
      value: JSON.stringify({ clientId: CLIENT_ID, clientSecret: 'typed-by-hand' }),
      stages: ['AWSPENDING'],
    });
    await expect(step('t2', 'setSecret')).rejects.toThrow('the pending version names no Cognito secret');
    secrets.versions.set('t2', {
      value: JSON.stringify({ clientId: 'another-client', clientSecret: 's', clientSecretId: 'x' }),
      stages: ['AWSPENDING'],
    });
    await expect(step('t2', 'testSecret')).rejects.toThrow(
      `testSecret: the pending version is for client another-client, not ${CLIENT_ID}`,
    );

    secrets.startRotation('t3');
    cognito.mock
      .on(AddUserPoolClientSecretCommand)
      .resolves({ ClientSecretDescriptor: { ClientSecretId: 'id-only' } });
    await expect(step('t3', 'createSecret')).rejects.toThrow(
      'AddUserPoolClientSecret returned no secret id or value',
    );
    expect(secrets.mock).not.toHaveReceivedCommand(PutSecretValueCommand);
  });
});
