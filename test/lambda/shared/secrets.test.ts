import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsCache } from '../../../lambda/shared/secrets';

const sm = mockClient(SecretsManagerClient);
let now = 0;

function cache(options: { ttlMs?: number; respectRotation?: boolean } = {}) {
  return new SecretsCache({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    now: () => now,
    ...options,
  });
}

beforeEach(() => {
  sm.reset();
  now = 1_700_000_000_000;
  sm.on(DescribeSecretCommand).resolves({});
});

describe('SecretsCache', () => {
  it('fetches once, serves from memory until the TTL, then fetches again', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'db/creds' })
      .resolvesOnce({ SecretString: '{"password":"one"}' })
      .resolvesOnce({ SecretString: '{"password":"two"}' });
    const secrets = cache({ ttlMs: 60_000 });
    await expect(secrets.getJson('db/creds')).resolves.toEqual({ password: 'one' });
    now += 59_999;
    await expect(secrets.getJson('db/creds')).resolves.toEqual({ password: 'one' });
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    now += 1;
    await expect(secrets.getJson('db/creds')).resolves.toEqual({ password: 'two' });
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    // Exactly this request: the current version, no stage or version pinning.
    for (const call of sm.commandCalls(GetSecretValueCommand))
      expect(call.args[0].input).toEqual({ SecretId: 'db/creds' });
    expect(sm).toHaveReceivedCommandWith(DescribeSecretCommand, { SecretId: 'db/creds' });
  });

  it('shares one in-flight request between concurrent readers', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 's' });
    const secrets = cache({ respectRotation: false });
    await Promise.all([secrets.getString('a'), secrets.getString('a'), secrets.getString('a')]);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(sm).not.toHaveReceivedCommand(DescribeSecretCommand);
  });

  it('never keeps a value beyond the next scheduled rotation', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'v' });
    sm.on(DescribeSecretCommand).resolves({ NextRotationDate: new Date(now + 10_000) });
    const secrets = cache({ ttlMs: 300_000 });
    await secrets.getString('rotating');
    now += 10_000;
    await secrets.getString('rotating');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('does not cache failures', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'ok' });
    const secrets = cache();
    await expect(secrets.getString('x')).rejects.toThrow('throttled');
    await expect(secrets.getString('x')).resolves.toBe('ok');
  });

  it('refetches once after an authentication failure (secret rotated under us) and retries', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'db/creds' })
      .resolvesOnce({ SecretString: 'old' })
      .resolvesOnce({ SecretString: 'new' });
    const secrets = cache();
    const login = jest.fn(async (password: string) => {
      if (password === 'old')
        throw Object.assign(new Error('password authentication failed'), { code: '28P01' });
      return `connected with ${password}`;
    });
    await expect(secrets.refreshOnAuthFailure('db/creds', login)).resolves.toBe('connected with new');
    expect(login).toHaveBeenCalledTimes(2);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('does not refetch for other errors, and only retries once', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'v' });
    const secrets = cache();
    await expect(secrets.refreshOnAuthFailure('s', () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    const alwaysDenied = () => Promise.reject(Object.assign(new Error('denied'), { code: '28P01' }));
    await expect(secrets.refreshOnAuthFailure('s', alwaysDenied)).rejects.toThrow('denied');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('invalidate(name) forces the next read to fetch', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'v' });
    const secrets = cache();
    await secrets.getString('s');
    secrets.invalidate('s');
    await secrets.getString('s');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });
});
