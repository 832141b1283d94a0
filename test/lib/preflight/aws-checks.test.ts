import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetHostedZoneCommand, NoSuchHostedZone, Route53Client } from '@aws-sdk/client-route-53';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  checkEmailIdentity,
  checkHostedZone,
  checkSecret,
  createAwsClients,
  type AwsClients,
} from '../../../lib/preflight/aws-checks';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const secrets = new SecretsManagerClient({ region: 'eu-west-1', credentials });
const ses = new SESv2Client({ region: 'eu-west-1', credentials });
const route53 = new Route53Client({ region: 'us-east-1', credentials });
const clients: AwsClients = {
  sts: () => new STSClient({ region: 'eu-west-1', credentials }),
  secretsManager: () => secrets,
  sesv2: () => ses,
  route53: () => route53,
  cognito: () => new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials }),
};
const sm = mockClient(secrets);
const sesMock = mockClient(ses);
const r53 = mockClient(route53);

beforeEach(() => {
  sm.reset();
  sesMock.reset();
  r53.reset();
});

describe('checkSecret', () => {
  test('a secret with a current value', async () => {
    sm.on(DescribeSecretCommand).resolves({
      ARN: 'arn:x',
      VersionIdsToStages: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] },
    });
    await expect(checkSecret(clients, 'eu-west-1', 'rampart/prod/slack-webhook')).resolves.toEqual({
      ok: true,
      detail: 'exists (arn:x)',
    });
    expect(sm).toHaveReceivedCommandWith(DescribeSecretCommand, { SecretId: 'rampart/prod/slack-webhook' });
  });

  test('created without a value: CloudFormation could not resolve it', async () => {
    sm.on(DescribeSecretCommand).resolves({ ARN: 'arn:x', VersionIdsToStages: {} });
    await expect(checkSecret(clients, 'eu-west-1', 's')).resolves.toEqual({
      ok: false,
      detail: 'exists but holds no value (no AWSCURRENT version): put the value in it',
    });
  });

  test('scheduled for deletion: how to restore it', async () => {
    sm.on(DescribeSecretCommand).resolves({
      ARN: 'arn:x',
      DeletedDate: new Date('2030-01-02T03:04:05Z'),
      VersionIdsToStages: { v1: ['AWSCURRENT'] },
    });
    await expect(checkSecret(clients, 'eu-west-1', 's')).resolves.toEqual({
      ok: false,
      detail:
        'scheduled for deletion on 2030-01-02T03:04:05.000Z (aws secretsmanager restore-secret --region eu-west-1 --secret-id s)',
    });
  });

  test('no permission: the check failed, which is not a pass', async () => {
    sm.on(DescribeSecretCommand).rejects(
      Object.assign(new Error('not authorized to perform: secretsmanager:DescribeSecret'), {
        name: 'AccessDeniedException',
      }),
    );
    await expect(checkSecret(clients, 'eu-west-1', 's')).resolves.toEqual({
      ok: false,
      detail:
        'could not check (AccessDeniedException: not authorized to perform: secretsmanager:DescribeSecret)',
    });
  });
});

describe('checkEmailIdentity', () => {
  test('verified, out of the sandbox: two exact requests', async () => {
    sesMock
      .on(GetEmailIdentityCommand)
      .resolves({ VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' });
    sesMock.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true });
    await expect(checkEmailIdentity(clients, 'eu-west-1', 'mail.acme-widgets.io')).resolves.toEqual({
      ok: true,
      detail: 'verified for sending, production access',
    });
    expect(sesMock.calls().map((call) => call.args[0].input)).toEqual([
      { EmailIdentity: 'mail.acme-widgets.io' },
      {},
    ]);
  });

  test('unverified, sandboxed, unknown', async () => {
    sesMock
      .on(GetEmailIdentityCommand)
      .resolves({ VerifiedForSendingStatus: false, VerificationStatus: 'PENDING' });
    await expect(checkEmailIdentity(clients, 'eu-west-1', 'x')).resolves.toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^not verified for sending \(verification PENDING\)/),
    });
    sesMock.on(GetEmailIdentityCommand).resolves({ VerifiedForSendingStatus: true });
    sesMock.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false });
    await expect(checkEmailIdentity(clients, 'eu-west-1', 'x')).resolves.toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^verified, but the account is in the SES sandbox in eu-west-1/),
    });
    sesMock
      .on(GetEmailIdentityCommand)
      .rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
    await expect(checkEmailIdentity(clients, 'eu-west-1', 'x')).resolves.toEqual({
      ok: false,
      detail: 'no such identity in SES in eu-west-1',
    });
  });
});

describe('checkHostedZone', () => {
  const zone = { id: 'Z0123456789ABCDEFGHIJ', name: 'acme-widgets.io' };
  const answer = (name: string, privateZone: boolean) => ({
    HostedZone: {
      Id: `/hostedzone/${zone.id}`,
      Name: name,
      CallerReference: 'r',
      Config: { PrivateZone: privateZone },
    },
  });

  test('the zone, public, under its name', async () => {
    r53.on(GetHostedZoneCommand).resolves(answer('acme-widgets.io.', false));
    await expect(checkHostedZone(clients, zone)).resolves.toEqual({
      ok: true,
      detail: 'public zone acme-widgets.io (Z0123456789ABCDEFGHIJ)',
    });
    expect(r53.calls().map((call) => call.args[0].input)).toEqual([{ Id: 'Z0123456789ABCDEFGHIJ' }]);
  });

  test('another name, private, absent', async () => {
    r53.on(GetHostedZoneCommand).resolves(answer('other.io.', false));
    await expect(checkHostedZone(clients, zone)).resolves.toEqual({
      ok: false,
      detail: 'zone Z0123456789ABCDEFGHIJ is other.io, not acme-widgets.io',
    });
    r53.on(GetHostedZoneCommand).resolves(answer('acme-widgets.io.', true));
    await expect(checkHostedZone(clients, zone)).resolves.toEqual({
      ok: false,
      detail: 'zone Z0123456789ABCDEFGHIJ is private: ACM validates through public DNS only',
    });
    r53
      .on(GetHostedZoneCommand)
      .rejects(new NoSuchHostedZone({ message: 'No hosted zone found', $metadata: {} }));
    await expect(checkHostedZone(clients, zone)).resolves.toEqual({
      ok: false,
      detail: 'no hosted zone Z0123456789ABCDEFGHIJ in this account',
    });
  });
});

test('createAwsClients: one client per service and region, Route 53 in us-east-1', async () => {
  const made = createAwsClients(credentials);
  expect(made.secretsManager('eu-west-1')).toBe(made.secretsManager('eu-west-1'));
  expect(made.secretsManager('us-east-1')).not.toBe(made.secretsManager('eu-west-1'));
  await expect(made.secretsManager('us-east-1').config.region()).resolves.toBe('us-east-1');
  await expect(made.route53().config.region()).resolves.toBe('us-east-1');
  await expect(made.cognito('eu-west-2').config.region()).resolves.toBe('eu-west-2');
  await expect(made.sesv2('eu-west-1').config.credentials()).resolves.toMatchObject(credentials);
});
