import {
  AddUserPoolClientSecretCommand,
  DeleteUserPoolClientSecretCommand,
  ListUserPoolClientSecretsCommand,
  type ClientSecretDescriptorType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  promotePendingVersion,
  runSecretRotationStep,
  secretStringAt,
  SecretRotationError,
  type SecretRotationContext,
  type SecretRotationEvent,
  type SecretRotationSteps,
} from '../../shared/secret-rotation';

/**
 * What the login client secret (Secrets Manager) holds. The auth functions read `clientId` and
 * `clientSecret`; `clientSecretId` names the secret in Cognito so the next rotation knows which one
 * is current. The secret CloudFormation created first has no id (CDK reads only the value).
 */
export interface LoginClientSecretValue {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientSecretId?: string;
}

export interface ClientSecretRotationDependencies extends SecretRotationContext {
  readonly cognito: CognitoIdentityProviderClient;
  /** The pool of the login client. */
  readonly userPoolId: string;
}

function parse(text: string | undefined, what: string): LoginClientSecretValue {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new SecretRotationError(`${what} of the login client secret is not JSON`);
  }
  const v = value as Partial<LoginClientSecretValue> | null;
  if (
    typeof v?.clientId !== 'string' ||
    v.clientId === '' ||
    typeof v.clientSecret !== 'string' ||
    v.clientSecret === '' ||
    (v.clientSecretId !== undefined && (typeof v.clientSecretId !== 'string' || v.clientSecretId === ''))
  ) {
    throw new SecretRotationError(`${what} of the login client secret is not { clientId, clientSecret }`);
  }
  return {
    clientId: v.clientId,
    clientSecret: v.clientSecret,
    ...(v.clientSecretId !== undefined ? { clientSecretId: v.clientSecretId } : {}),
  };
}

async function current(deps: ClientSecretRotationDependencies, event: SecretRotationEvent) {
  return parse(await secretStringAt(deps, event.SecretId, 'AWSCURRENT'), 'AWSCURRENT');
}

async function pending(deps: ClientSecretRotationDependencies, event: SecretRotationEvent) {
  const text = await secretStringAt(deps, event.SecretId, 'AWSPENDING', event.ClientRequestToken);
  if (text === undefined) throw new SecretRotationError('the pending version has no value');
  const value = parse(text, 'AWSPENDING');
  if (value.clientSecretId === undefined)
    throw new SecretRotationError('the pending version names no Cognito secret (clientSecretId)');
  return value as Required<LoginClientSecretValue>;
}

/** Every secret Cognito accepts for the client now (at most two). */
async function cognitoSecrets(
  deps: ClientSecretRotationDependencies,
  clientId: string,
): Promise<ClientSecretDescriptorType[]> {
  const all: ClientSecretDescriptorType[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.cognito.send(
      new ListUserPoolClientSecretsCommand({
        UserPoolId: deps.userPoolId,
        ClientId: clientId,
        NextToken: nextToken,
      }),
      { abortSignal: deps.signal },
    );
    all.push(...(page.ClientSecrets ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return all;
}

/**
 * Which of Cognito's secrets AWSCURRENT is: the one it names, or, for the first secret (created by
 * CloudFormation, no id), the only one, or else the oldest (a newer one can only be the leftover of
 * an earlier attempt that failed between adding a secret and storing it).
 */
function currentSecretId(
  value: LoginClientSecretValue,
  listed: readonly ClientSecretDescriptorType[],
): string {
  if (value.clientSecretId !== undefined) {
    if (!listed.some((s) => s.ClientSecretId === value.clientSecretId)) {
      throw new SecretRotationError(
        `AWSCURRENT names Cognito secret ${value.clientSecretId}, which the client no longer has: logins fail until AWSCURRENT holds a working secret (runbooks/rotation/cognito-client-secret.md)`,
      );
    }
    return value.clientSecretId;
  }
  const oldest = [...listed]
    .filter((s) => s.ClientSecretId !== undefined)
    .sort(
      (a, b) => (a.ClientSecretCreateDate?.getTime() ?? 0) - (b.ClientSecretCreateDate?.getTime() ?? 0),
    )[0];
  if (oldest?.ClientSecretId === undefined) throw new SecretRotationError('the login client has no secret');
  return oldest.ClientSecretId;
}

/**
 * createSecret. Cognito keeps up to two secrets per client and accepts either, which is the
 * overlap: first every secret but the current one is deleted (the previous rotation's, which the
 * functions stopped using a rotation period ago, or a leftover of a failed attempt), then Cognito
 * adds a new one, and the new value is stored as AWSPENDING with its Cognito id. The functions keep
 * reading AWSCURRENT, which stays valid. Safe to repeat: an existing pending version ends the step;
 * a secret added by an attempt that failed before storing it is not current, so it is deleted and
 * replaced.
 */
export async function createSecret(
  event: SecretRotationEvent,
  deps: ClientSecretRotationDependencies,
): Promise<void> {
  const now = await current(deps, event);
  if ((await secretStringAt(deps, event.SecretId, 'AWSPENDING', event.ClientRequestToken)) !== undefined) {
    deps.log?.('createSecret: pending version exists already', { token: event.ClientRequestToken });
    return;
  }
  const listed = await cognitoSecrets(deps, now.clientId);
  const keep = currentSecretId(now, listed);
  for (const stale of listed) {
    if (stale.ClientSecretId === undefined || stale.ClientSecretId === keep) continue;
    await deps.cognito.send(
      new DeleteUserPoolClientSecretCommand({
        UserPoolId: deps.userPoolId,
        ClientId: now.clientId,
        ClientSecretId: stale.ClientSecretId,
      }),
      { abortSignal: deps.signal },
    );
    deps.log?.('createSecret: deleted a Cognito secret that is not current', {
      clientSecretId: stale.ClientSecretId,
    });
  }
  const added = await deps.cognito.send(
    new AddUserPoolClientSecretCommand({ UserPoolId: deps.userPoolId, ClientId: now.clientId }),
    { abortSignal: deps.signal },
  );
  const descriptor = added.ClientSecretDescriptor;
  if (!descriptor?.ClientSecretId || !descriptor.ClientSecretValue) {
    throw new SecretRotationError('AddUserPoolClientSecret returned no secret id or value');
  }
  const value: Required<LoginClientSecretValue> = {
    clientId: now.clientId,
    clientSecret: descriptor.ClientSecretValue,
    clientSecretId: descriptor.ClientSecretId,
  };
  await deps.secrets.send(
    new PutSecretValueCommand({
      SecretId: event.SecretId,
      ClientRequestToken: event.ClientRequestToken,
      SecretString: JSON.stringify(value),
      VersionStages: ['AWSPENDING'],
    }),
    { abortSignal: deps.signal },
  );
  deps.log?.('createSecret: Cognito added a secret; stored as pending', {
    token: event.ClientRequestToken,
    clientSecretId: value.clientSecretId,
    keptClientSecretId: keep,
  });
}

/** The pending secret and the current one are both among the client's secrets, or the step fails. */
async function assertBothAccepted(
  deps: ClientSecretRotationDependencies,
  event: SecretRotationEvent,
  step: string,
): Promise<void> {
  const now = await current(deps, event);
  const next = await pending(deps, event);
  if (next.clientId !== now.clientId) {
    throw new SecretRotationError(
      `${step}: the pending version is for client ${next.clientId}, not ${now.clientId}`,
    );
  }
  const listed = await cognitoSecrets(deps, now.clientId);
  if (!listed.some((s) => s.ClientSecretId === next.clientSecretId)) {
    throw new SecretRotationError(
      `${step}: Cognito no longer has the pending secret ${next.clientSecretId}; cancel this rotation and start another (runbooks/rotation/cognito-client-secret.md)`,
    );
  }
  currentSecretId(now, listed);
}

/**
 * setSecret: nothing to write. Cognito accepted the new secret when it created it (createSecret),
 * because only Cognito's own answer carries the value; this step checks it is still there.
 */
export async function setSecret(
  event: SecretRotationEvent,
  deps: ClientSecretRotationDependencies,
): Promise<void> {
  await assertBothAccepted(deps, event, 'setSecret');
  deps.log?.('setSecret: Cognito accepts the current and the pending secret');
}

/**
 * testSecret: Cognito lists both secrets, so SECRET_HASH made with either is accepted. A sign-in
 * with the pending secret would need a user and would count in threat protection, so none is tried.
 */
export async function testSecret(
  event: SecretRotationEvent,
  deps: ClientSecretRotationDependencies,
): Promise<void> {
  await assertBothAccepted(deps, event, 'testSecret');
  deps.log?.('testSecret: both secrets are active on the client');
}

/**
 * finishSecret: the pending version becomes AWSCURRENT. The previous secret stays valid in Cognito
 * until the next rotation's createSecret deletes it, so functions that cached it (5 minutes at most)
 * keep signing in.
 */
export async function finishSecret(
  event: SecretRotationEvent,
  deps: ClientSecretRotationDependencies,
): Promise<void> {
  await assertBothAccepted(deps, event, 'finishSecret');
  await promotePendingVersion(deps, event);
}

const STEPS: SecretRotationSteps<ClientSecretRotationDependencies> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

/** One step of the login client secret's rotation (Secrets Manager rotation function). */
export function rotateLoginClientSecret(
  event: SecretRotationEvent,
  deps: ClientSecretRotationDependencies,
): Promise<void> {
  return runSecretRotationStep(event, STEPS, deps);
}
