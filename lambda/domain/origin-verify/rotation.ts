import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Length and alphabet of a value: letters and digits, so the value is also a literal regex for WAF. */
export const ORIGIN_VERIFY_VALUE = /^[A-Za-z0-9]{64}$/;

/** The regional web ACL's accepted origin-verify values (a WAF regex pattern set). */
export interface WafPatternSetUpdater {
  /** Values accepted now. */
  accepted(signal?: AbortSignal): Promise<readonly string[]>;
  /** Makes exactly `values` accepted (replaces the set; order does not matter). */
  acceptOnly(values: readonly string[], signal?: AbortSignal): Promise<void>;
}

/** The CloudFront origin custom header carrying the value. */
export interface DistributionHeaderUpdater {
  /** The value the origin is configured to send, and whether that configuration is deployed at every edge. */
  read(signal?: AbortSignal): Promise<{ readonly value: string | undefined; readonly deployed: boolean }>;
  /** Configures the origin to send `value` (CloudFront then deploys it over a few minutes). */
  write(value: string, signal?: AbortSignal): Promise<void>;
}

export interface RotationDependencies {
  readonly secrets: SecretsManagerClient;
  readonly waf: WafPatternSetUpdater;
  readonly distribution: DistributionHeaderUpdater;
  /** Receives one line per action taken or skipped (the handler logs them). */
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
  readonly signal?: AbortSignal;
}

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** The event Secrets Manager sends a rotation function. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep | string;
}

/** A rotation that cannot proceed yet or at all; Secrets Manager retries the step, AWSCURRENT is untouched. */
export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationError';
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

async function valueOf(
  deps: RotationDependencies,
  secretId: string,
  stage: 'AWSCURRENT' | 'AWSPENDING',
  versionId?: string,
): Promise<string> {
  const result = await deps.secrets.send(
    new GetSecretValueCommand({
      SecretId: secretId,
      VersionStage: stage,
      ...(versionId !== undefined ? { VersionId: versionId } : {}),
    }),
    { abortSignal: deps.signal },
  );
  const value = result.SecretString;
  if (value === undefined || !ORIGIN_VERIFY_VALUE.test(value)) {
    throw new RotationError(`${stage} value of the origin-verify secret is not 64 letters and digits`);
  }
  return value;
}

/**
 * Checks what Secrets Manager's rotation template checks: rotation is enabled, the token is a
 * version of the secret, and it is not already current. Returns whether the version is already
 * AWSCURRENT (a retried finishSecret), so the caller can stop.
 */
async function checkVersion(
  deps: RotationDependencies,
  event: RotationEvent,
): Promise<'pending' | 'current'> {
  const description = await deps.secrets.send(new DescribeSecretCommand({ SecretId: event.SecretId }), {
    abortSignal: deps.signal,
  });
  if (description.RotationEnabled !== true) {
    throw new RotationError(`rotation is not enabled on ${event.SecretId}`);
  }
  const stages = description.VersionIdsToStages?.[event.ClientRequestToken];
  if (stages === undefined) {
    throw new RotationError(`version ${event.ClientRequestToken} is not a version of ${event.SecretId}`);
  }
  if (stages.includes('AWSCURRENT')) return 'current';
  if (!stages.includes('AWSPENDING')) {
    throw new RotationError(`version ${event.ClientRequestToken} is neither AWSPENDING nor AWSCURRENT`);
  }
  return 'pending';
}

/** createSecret: a new random value as AWSPENDING under the token, unless that version exists already. */
export async function createSecret(event: RotationEvent, deps: RotationDependencies): Promise<void> {
  await valueOf(deps, event.SecretId, 'AWSCURRENT');
  try {
    await valueOf(deps, event.SecretId, 'AWSPENDING', event.ClientRequestToken);
    deps.log?.('createSecret: pending value exists already', { token: event.ClientRequestToken });
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const random = await deps.secrets.send(
    new GetRandomPasswordCommand({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false }),
    { abortSignal: deps.signal },
  );
  const value = random.RandomPassword;
  if (value === undefined || !ORIGIN_VERIFY_VALUE.test(value)) {
    throw new RotationError('GetRandomPassword did not return 64 letters and digits');
  }
  await deps.secrets.send(
    new PutSecretValueCommand({
      SecretId: event.SecretId,
      ClientRequestToken: event.ClientRequestToken,
      SecretString: value,
      VersionStages: ['AWSPENDING'],
    }),
    { abortSignal: deps.signal },
  );
  deps.log?.('createSecret: pending value stored', { token: event.ClientRequestToken });
}

/**
 * setSecret: first the regional web ACL accepts current AND pending (plus whatever CloudFront is
 * configured to send, should an earlier switch be unfinished: never refuse CloudFront), then
 * CloudFront is told to send the pending value. Each write is skipped when already done.
 */
export async function setSecret(event: RotationEvent, deps: RotationDependencies): Promise<void> {
  const current = await valueOf(deps, event.SecretId, 'AWSCURRENT');
  const pending = await valueOf(deps, event.SecretId, 'AWSPENDING', event.ClientRequestToken);
  const sending = await deps.distribution.read(deps.signal);
  const wanted = [...new Set([current, pending, ...(sending.value !== undefined ? [sending.value] : [])])];
  const accepted = await deps.waf.accepted(deps.signal);
  if (sameSet(accepted, wanted)) {
    deps.log?.('setSecret: web ACL already accepts current and pending');
  } else {
    await deps.waf.acceptOnly(wanted, deps.signal);
    deps.log?.('setSecret: web ACL accepts current and pending', { values: wanted.length });
  }
  if (sending.value === pending) {
    deps.log?.('setSecret: CloudFront already sends the pending value');
  } else {
    await deps.distribution.write(pending, deps.signal);
    deps.log?.('setSecret: CloudFront switching to the pending value');
  }
}

/**
 * testSecret: the pending value is accepted by the web ACL and CloudFront sends it from every edge.
 * Until then it throws, Secrets Manager retries later, and AWSCURRENT stays in service (the web
 * ACL keeps accepting it).
 */
export async function testSecret(event: RotationEvent, deps: RotationDependencies): Promise<void> {
  const current = await valueOf(deps, event.SecretId, 'AWSCURRENT');
  const pending = await valueOf(deps, event.SecretId, 'AWSPENDING', event.ClientRequestToken);
  const accepted = await deps.waf.accepted(deps.signal);
  if (!accepted.includes(pending) || !accepted.includes(current)) {
    throw new RotationError('the web ACL does not accept both the current and the pending value');
  }
  const sending = await deps.distribution.read(deps.signal);
  if (sending.value !== pending) {
    throw new RotationError('CloudFront is not configured with the pending value');
  }
  if (!sending.deployed) {
    throw new RotationError('CloudFront has not finished deploying the pending value; retry later');
  }
  deps.log?.('testSecret: pending value accepted and sent by every edge');
}

/**
 * finishSecret: the token's version becomes AWSCURRENT (the old one AWSPREVIOUS). The web ACL keeps
 * accepting the previous value until the next rotation's setSecret, so late requests still pass.
 */
export async function finishSecret(event: RotationEvent, deps: RotationDependencies): Promise<void> {
  const description = await deps.secrets.send(new DescribeSecretCommand({ SecretId: event.SecretId }), {
    abortSignal: deps.signal,
  });
  const currentVersion = Object.entries(description.VersionIdsToStages ?? {}).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0];
  if (currentVersion === event.ClientRequestToken) {
    deps.log?.('finishSecret: version is current already', { token: event.ClientRequestToken });
    return;
  }
  // Never promote a value CloudFront does not send (Secrets Manager only calls this after testSecret passed).
  const pending = await valueOf(deps, event.SecretId, 'AWSPENDING', event.ClientRequestToken);
  if ((await deps.distribution.read(deps.signal)).value !== pending) {
    throw new RotationError('CloudFront is not configured with the pending value; not promoting it');
  }
  await deps.secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: event.SecretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: event.ClientRequestToken,
      ...(currentVersion !== undefined ? { RemoveFromVersionId: currentVersion } : {}),
    }),
    { abortSignal: deps.signal },
  );
  deps.log?.('finishSecret: version is now current', { token: event.ClientRequestToken });
}

const STEPS: Record<RotationStep, (event: RotationEvent, deps: RotationDependencies) => Promise<void>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

/** Runs one rotation step after the version checks every step needs. */
export async function rotateOriginVerify(event: RotationEvent, deps: RotationDependencies): Promise<void> {
  const step = STEPS[event.Step as RotationStep];
  if (step === undefined) throw new RotationError(`unknown rotation step "${event.Step}"`);
  const state = await checkVersion(deps, event);
  if (state === 'current') {
    deps.log?.(`${event.Step}: version is current already; nothing to do`, {
      token: event.ClientRequestToken,
    });
    return;
  }
  await step(event, deps);
}
