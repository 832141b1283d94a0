import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** The four steps Secrets Manager calls a rotation function with, in this order. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** The event Secrets Manager sends a rotation function. */
export interface SecretRotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep | string;
  /** Present on rotations that run on a schedule or on demand (newer event shape). */
  readonly RotationToken?: string;
}

/**
 * A rotation that cannot proceed yet or at all. The step fails, Secrets Manager retries it and
 * AWSCURRENT stays where it was.
 */
export class SecretRotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretRotationError';
  }
}

/** What every step gets: the client, a log line per action and the invocation's abort signal. */
export interface SecretRotationContext {
  readonly secrets: SecretsManagerClient;
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
  readonly signal?: AbortSignal;
}

export type SecretRotationSteps<C extends SecretRotationContext> = Record<
  RotationStep,
  (event: SecretRotationEvent, context: C) => Promise<void>
>;

/**
 * The checks Secrets Manager's rotation template makes before every step: rotation is enabled, the
 * token is a version of the secret, and that version is AWSPENDING. A version that is AWSCURRENT
 * already (a retried finishSecret) makes every step a no-op.
 */
export async function pendingVersionState(
  context: SecretRotationContext,
  event: SecretRotationEvent,
): Promise<'pending' | 'current'> {
  const description = await context.secrets.send(new DescribeSecretCommand({ SecretId: event.SecretId }), {
    abortSignal: context.signal,
  });
  if (description.RotationEnabled !== true) {
    throw new SecretRotationError(`rotation is not enabled on ${event.SecretId}`);
  }
  const stages = description.VersionIdsToStages?.[event.ClientRequestToken];
  if (stages === undefined) {
    throw new SecretRotationError(
      `version ${event.ClientRequestToken} is not a version of ${event.SecretId}`,
    );
  }
  if (stages.includes('AWSCURRENT')) return 'current';
  if (!stages.includes('AWSPENDING')) {
    throw new SecretRotationError(`version ${event.ClientRequestToken} is neither AWSPENDING nor AWSCURRENT`);
  }
  return 'pending';
}

/** Runs one step after {@link pendingVersionState}; an unknown step fails. */
export async function runSecretRotationStep<C extends SecretRotationContext>(
  event: SecretRotationEvent,
  steps: SecretRotationSteps<C>,
  context: C,
): Promise<void> {
  const step = steps[event.Step as RotationStep];
  if (step === undefined) throw new SecretRotationError(`unknown rotation step "${event.Step}"`);
  if ((await pendingVersionState(context, event)) === 'current') {
    context.log?.(`${event.Step}: version is current already; nothing to do`, {
      token: event.ClientRequestToken,
    });
    return;
  }
  await step(event, context);
}

/**
 * The secret's string at `stage` (and `versionId`), or `undefined` when that version does not
 * exist (ResourceNotFoundException, what GetSecretValue answers for a missing AWSPENDING).
 */
export async function secretStringAt(
  context: SecretRotationContext,
  secretId: string,
  stage: 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS',
  versionId?: string,
): Promise<string | undefined> {
  try {
    const result = await context.secrets.send(
      new GetSecretValueCommand({
        SecretId: secretId,
        VersionStage: stage,
        ...(versionId !== undefined ? { VersionId: versionId } : {}),
      }),
      { abortSignal: context.signal },
    );
    return result.SecretString;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * finishSecret's common part: moves AWSCURRENT to the token's version (the old one becomes
 * AWSPREVIOUS). Safe to repeat: a version that is current already is left alone.
 */
export async function promotePendingVersion(
  context: SecretRotationContext,
  event: SecretRotationEvent,
): Promise<void> {
  const description = await context.secrets.send(new DescribeSecretCommand({ SecretId: event.SecretId }), {
    abortSignal: context.signal,
  });
  const currentVersion = Object.entries(description.VersionIdsToStages ?? {}).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0];
  if (currentVersion === event.ClientRequestToken) {
    context.log?.('finishSecret: version is current already', { token: event.ClientRequestToken });
    return;
  }
  await context.secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: event.SecretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: event.ClientRequestToken,
      ...(currentVersion !== undefined ? { RemoveFromVersionId: currentVersion } : {}),
    }),
    { abortSignal: context.signal },
  );
  context.log?.('finishSecret: version is now current', {
    token: event.ClientRequestToken,
    previous: currentVersion,
  });
}
