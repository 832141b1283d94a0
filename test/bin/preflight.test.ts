import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runPreflightCli, type PreflightCliIo } from '../../bin/preflight';
import type { AwsClients } from '../../lib/preflight/aws-checks';
import { DEPLOYABLE_ACCOUNT, deployableProd } from '../fixtures/deployable-config';

const root = join(__dirname, '..', '..');

/**
 * The command as a deployer runs it, with no AWS credentials anywhere the SDK's chain looks (no
 * variables, no profile files, instance metadata off), so it reaches nothing.
 */
function runCommand(args: string[], env: Record<string, string> = {}) {
  const scrubbed = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/preflight.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...scrubbed,
      AWS_CONFIG_FILE: join(root, 'does-not-exist', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'does-not-exist', 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
}

/** The command in-process, with its output captured. */
async function runInProcess(argv: string[], io: Partial<PreflightCliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPreflightCli(argv, {
    env: {},
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    credentials: async () => ({ missing: 'no AWS credentials found: none in this test' }),
    ...io,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run preflight', () => {
  test('the committed prod config without credentials: exit 1, every placeholder and prerequisite listed', () => {
    const result = runCommand(['-c', 'env=prod']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toMatch(
      /^AWS checks: not run \(no AWS credentials found: .+\); the prerequisites are a checklist\.$/m,
    );
    for (const value of [
      'account = "333333333333"',
      'cors.allowedOrigins.0 = "https://app.example.com"',
      'edge.domain.name = "api.example.com"',
      'alarms.docsBaseUrl = "https://github.com/example-org/rampart/blob/main/"',
      'alarms.chatbot.workspaceId = "T0000EXAMPLE"',
      'alarms.chatbot.channels.critical = "C000CRITICAL"',
      'alarms.chatbot.channels.warning = "C0000WARNING"',
      'alarms.chatbot.channels.info = "C000000INFO"',
      'auth.domainPrefix = "rampart-prod-auth"',
      'auth.email.sesIdentity = "example.com", auth.email.fromAddress = "no-reply@example.com"',
      '[?] SES identity example.com is verified for sending in eu-west-1, and SES there is out of the sandbox',
      '[?] Secret "rampart/prod/slack-webhook" (Slack incoming webhook) exists in eu-west-1',
      '[?] Secret "rampart/prod/pager-endpoint" (pager endpoint, the full HTTPS integration URL) exists in eu-west-1',
      '[?] Secret "rampart/prod/pager-endpoint" (pager endpoint, the full HTTPS integration URL) exists in us-east-1',
      '[?] Cognito domain prefix "rampart-prod-auth" is free in eu-west-1',
      '[ ] The certificate for api.example.com is validated by a CNAME you create (no edge.domain.hostedZone)',
    ])
      expect(out).toContain(value);
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      'Not ready: 7 problem(s) above. Fix them and run npm run preflight -- -c env=prod again.',
    );
  });

  test('RAMPART_PROD_ACCOUNT replaces the account, as for synth', () => {
    const result = runCommand(['-c', 'env=prod', '--offline'], { RAMPART_PROD_ACCOUNT: DEPLOYABLE_ACCOUNT });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`Rampart preflight: prod (account ${DEPLOYABLE_ACCOUNT}, eu-west-1)`);
    expect(result.stdout).toContain('AWS checks: not run (--offline)');
    expect(result.stdout).not.toContain('account = ');
    expect(result.stdout).toContain('6 problems:');
  });

  test('an unknown environment: one line, exit 1', () => {
    const result = runCommand(['-c', 'env=qa']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'rampart preflight: Unknown environment "qa": expected one of dev, staging, prod',
    );
  });

  test.each([
    [[], 'which environment? -c env=<name> is required'],
    [['-c', 'env=prod', '-c', 'stage=x'], 'unknown context stage'],
    [['--env', 'prod'], "Unknown option '--env'"],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const result = await runInProcess(argv);
    expect(result.code).toBe(2);
    expect(result.err.split('\n')[0]).toContain(`rampart preflight: ${message}`);
    expect(result.err.split('\n')[1]).toBe(
      'usage: npm run preflight -- -c env=<dev|staging|prod> [--offline]',
    );
    expect(result.out).toBe('');
  });

  test('a config with the placeholders replaced: exit 0', async () => {
    const result = await runInProcess(['-c', 'env=prod'], { loadConfig: () => deployableProd() });
    expect(result.code).toBe(0);
    expect(result.out).toContain('No problems in the config.');
  });

  test('with credentials, the checks run with them; --offline never looks for any', async () => {
    const credentials = jest.fn(async () => ({
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    }));
    const sts = new STSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    const clients = jest.fn(() => ({ sts: () => sts }) as unknown as AwsClients);
    const checked = await runInProcess(['-c', 'env=prod'], {
      loadConfig: () => deployableProd(),
      credentials,
      clients,
    });
    expect(credentials).toHaveBeenCalledWith('eu-west-1');
    expect(clients).toHaveBeenCalledWith({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test' });
    expect(checked.code).toBe(1);
    expect(checked.out).toContain(
      `The AWS credentials are for account 111122223333, the config deploys prod to ${DEPLOYABLE_ACCOUNT}.`,
    );
    credentials.mockClear();
    const offline = await runInProcess(['-c', 'env=prod', '--offline'], {
      loadConfig: () => deployableProd(),
      credentials,
    });
    expect(credentials).not.toHaveBeenCalled();
    expect(offline.code).toBe(0);
  });
});
