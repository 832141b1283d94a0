import {
  CognitoIdentityProviderClient,
  DescribeUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadEnvironmentConfig } from '../../../lib/config';
import { describePlaceholders, findPlaceholders } from '../../../lib/config/placeholders';
import type { AwsClients } from '../../../lib/preflight/aws-checks';
import { exitCodeOf, preflight, type PreflightReport } from '../../../lib/preflight/preflight';
import { formatReport } from '../../../lib/preflight/report';
import { DEPLOYABLE_ACCOUNT, DEPLOYABLE_ZONE, deployableProd } from '../../fixtures/deployable-config';

/** One client per service and region, each under its own mock: a request to an unprepared region fails. */
function fakeAws(regions: readonly string[] = ['eu-west-1', 'us-east-1', 'eu-west-2']) {
  const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
  const perRegion = <C>(make: (region: string) => C) =>
    Object.fromEntries(regions.map((region) => [region, make(region)])) as Record<string, C>;
  const sts = perRegion((region) => new STSClient({ region, credentials }));
  const secrets = perRegion((region) => new SecretsManagerClient({ region, credentials }));
  const ses = perRegion((region) => new SESv2Client({ region, credentials }));
  const cognito = perRegion((region) => new CognitoIdentityProviderClient({ region, credentials }));
  const route53 = new Route53Client({ region: 'us-east-1', credentials });
  const pick = <C>(clients: Record<string, C>, region: string): C => {
    if (!clients[region]) throw new Error(`no client prepared for ${region}`);
    return clients[region];
  };
  const clients: AwsClients = {
    sts: (region) => pick(sts, region),
    secretsManager: (region) => pick(secrets, region),
    sesv2: (region) => pick(ses, region),
    cognito: (region) => pick(cognito, region),
    route53: () => route53,
  };
  const mocks = {
    sts: perRegion((region) => mockClient(sts[region]!)),
    secrets: perRegion((region) => mockClient(secrets[region]!)),
    ses: perRegion((region) => mockClient(ses[region]!)),
    cognito: perRegion((region) => mockClient(cognito[region]!)),
    route53: mockClient(route53),
  };
  return { clients, mocks };
}

/** The exact inputs a mock received, in order. */
function inputs(mock: { calls(): { args: readonly unknown[] }[] }): unknown[] {
  return mock.calls().map((call) => (call.args[0] as { input: unknown }).input);
}

/** Answers as AWS does when every prerequisite of {@link deployableProd} is in place. */
function everythingInPlace(mocks: ReturnType<typeof fakeAws>['mocks']) {
  mocks.sts['eu-west-1']!.on(GetCallerIdentityCommand).resolves({ Account: DEPLOYABLE_ACCOUNT });
  for (const region of ['eu-west-1', 'us-east-1', 'eu-west-2']) {
    mocks.secrets[region]!.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => ({
      ARN: `arn:aws:secretsmanager:${region}:${DEPLOYABLE_ACCOUNT}:secret:${input.SecretId}-AbCdEf`,
      Name: input.SecretId,
      VersionIdsToStages: { 'v-1': ['AWSCURRENT'] },
    }));
  }
  mocks.cognito['eu-west-1']!.on(DescribeUserPoolDomainCommand).resolves({ DomainDescription: {} });
  mocks.ses['eu-west-1']!.on(GetEmailIdentityCommand).resolves({
    IdentityType: 'DOMAIN',
    VerifiedForSendingStatus: true,
    VerificationStatus: 'SUCCESS',
  });
  mocks.ses['eu-west-1']!.on(GetAccountCommand).resolves({
    ProductionAccessEnabled: true,
    SendingEnabled: true,
  });
  mocks.route53.on(GetHostedZoneCommand).resolves({
    HostedZone: {
      Id: `/hostedzone/${DEPLOYABLE_ZONE.id}`,
      Name: `${DEPLOYABLE_ZONE.name}.`,
      CallerReference: 'r',
      Config: { PrivateZone: false },
    },
    DelegationSet: { NameServers: ['ns-1.awsdns-01.org'] },
  });
}

const statuses = (report: PreflightReport) => report.steps.map((step) => [step.id, step.status]);

describe('preflight without AWS credentials', () => {
  test('the committed prod config: every placeholder, then the prerequisites as a checklist; exit code 1', async () => {
    const config = loadEnvironmentConfig('prod');
    const report = await preflight(config);
    expect(report.aws).toEqual({ ran: false, reason: 'no AWS credentials found' });
    expect(report.problems).toEqual(describePlaceholders(findPlaceholders(config)));
    expect(report.problems.flatMap((problem) => problem.fields)).toEqual([
      'account',
      'cors.allowedOrigins.0',
      'edge.domain.name',
      'alarms.docsBaseUrl',
      'alarms.chatbot.workspaceId',
      'alarms.chatbot.channels.critical',
      'alarms.chatbot.channels.warning',
      'alarms.chatbot.channels.info',
      'auth.domainPrefix',
      'auth.email.sesIdentity',
      'auth.email.fromAddress',
    ]);
    expect(statuses(report)).toEqual([
      ['bootstrap', 'manual'],
      ['secret:rampart/prod/slack-webhook@eu-west-1', 'unchecked'],
      ['secret:rampart/prod/pager-endpoint@eu-west-1', 'unchecked'],
      ['secret:rampart/prod/pager-endpoint@us-east-1', 'unchecked'],
      ['secret:rampart/prod/slack-webhook@eu-west-2', 'unchecked'],
      ['secret:rampart/prod/pager-endpoint@eu-west-2', 'unchecked'],
      ['ses-identity:example.com@eu-west-1', 'unchecked'],
      ['chatbot-workspace', 'manual'],
      ['cognito-domain:rampart-prod-auth@eu-west-1', 'unchecked'],
      ['certificate-cname', 'manual'],
      ['domain-alias', 'manual'],
    ]);
    expect(report.steps.map((step) => step.phase)).toEqual([
      'before',
      'before',
      'before',
      'before',
      'before',
      'before',
      'before',
      'before',
      'before',
      'during',
      'after',
    ]);
    expect(exitCodeOf(report)).toBe(1);
  });

  test('the checklist says what to do: bootstrap every region, create each secret where it is read', async () => {
    const steps = (await preflight(loadEnvironmentConfig('prod'))).steps;
    const step = (id: string) => steps.find((s) => s.id === id)!;
    expect(step('bootstrap')).toMatchObject({
      title:
        'CDK is bootstrapped in aws://333333333333/eu-west-1, aws://333333333333/us-east-1, aws://333333333333/eu-west-2',
      how: [
        'npx cdk bootstrap aws://333333333333/eu-west-1 aws://333333333333/us-east-1 aws://333333333333/eu-west-2',
      ],
    });
    expect(step('secret:rampart/prod/slack-webhook@eu-west-1').how[0]).toBe(
      "aws secretsmanager create-secret --region eu-west-1 --name rampart/prod/slack-webhook --secret-string 'https://hooks.slack.com/services/<...>'",
    );
    expect(step('secret:rampart/prod/pager-endpoint@us-east-1')).toMatchObject({
      title:
        'Secret "rampart/prod/pager-endpoint" (pager endpoint, the full HTTPS integration URL) exists in us-east-1',
      how: [
        "aws secretsmanager create-secret --region us-east-1 --name rampart/prod/pager-endpoint --secret-string 'https://events.pagerduty.com/integration/<key>/enqueue'",
        "Rampart-prod-OpsGlobal resolves it at deploy time for the critical topic's subscription (the deploy fails without it); the template holds only its name.",
      ],
    });
  });

  test("staging (no standby): the DR restore tests' own topics need the webhook's replica and the pager endpoint in drRegion", async () => {
    const steps = (await preflight(loadEnvironmentConfig('staging'))).steps;
    const step = (id: string) => steps.find((s) => s.id === id)!;
    expect(step('secret:rampart/staging/slack-webhook@eu-west-2')).toMatchObject({
      title:
        'Secret "rampart/staging/slack-webhook" (Slack incoming webhook, a replica of the one in eu-west-1) exists in eu-west-2',
      how: [
        'aws secretsmanager replicate-secret-to-regions --region eu-west-1 --secret-id rampart/staging/slack-webhook --add-replica-regions Region=eu-west-2',
        "Rampart-staging-DrRestore's Slack notifier reads it for the DR restore tests' alerts: without it they reach the pager, never Slack (its failed posts page through the notifier's dead-letter alarm).",
      ],
    });
    expect(step('secret:rampart/staging/pager-endpoint@eu-west-2').how[1]).toBe(
      'Rampart-staging-DrRestore resolves it at deploy time for its own critical topic (the deploy fails without it); the template holds only its name.',
    );
  });

  test('without a hosted zone: which CNAME to create and where to find it', async () => {
    const cname = (await preflight(loadEnvironmentConfig('prod'))).steps.find(
      (s) => s.id === 'certificate-cname',
    )!;
    expect(cname.title).toBe(
      'The certificate for api.example.com is validated by a CNAME you create (no edge.domain.hostedZone)',
    );
    expect(cname.how).toEqual([
      'Rampart-prod-Edge requests the certificate in us-east-1 and waits until ACM sees the validation record.',
      'Find the record (name and value, Type CNAME) in the stack\'s events for the Certificate resource ("Content of DNS Record is: {Name: _<...>.api.example.com., Type: CNAME, Value: _<...>.acm-validations.aws.}"),',
      "or: aws acm list-certificates --region us-east-1 --query \"CertificateSummaryList[?DomainName=='api.example.com'].CertificateArn\", then aws acm describe-certificate --region us-east-1 --certificate-arn <arn> --query 'Certificate.DomainValidationOptions[].ResourceRecord'",
      'Create it in the DNS zone that serves api.example.com. Or set edge.domain.hostedZone (a Route 53 zone in this account) and the stack creates it.',
    ]);
  });

  test('an email pager is confirmed after the deploy; without DR copies no DR region is bootstrapped', async () => {
    const base = deployableProd();
    const config = deployableProd({
      alarms: { ...base.alarms, paging: { kind: 'email', address: 'oncall@acme-widgets.io' } },
      backup: { ...base.backup, copyToDrRegion: false },
      database: { ...base.database, replicateBackupsToDrRegion: false },
    });
    const report = await preflight(config);
    expect(statuses(report)).toEqual([
      ['bootstrap', 'manual'],
      ['secret:rampart/prod/slack-webhook@eu-west-1', 'unchecked'],
      ['secret:rampart/prod/slack-webhook@eu-west-2', 'unchecked'],
      ['ses-identity:acme-widgets.io@eu-west-1', 'unchecked'],
      ['chatbot-workspace', 'manual'],
      ['cognito-domain:acme-widgets-rampart-prod@eu-west-1', 'unchecked'],
      [`hosted-zone:${DEPLOYABLE_ZONE.id}`, 'unchecked'],
      ['domain-alias', 'manual'],
      ['paging-email-confirmation', 'manual'],
    ]);
    expect(report.steps[0]!.how).toEqual([
      `npx cdk bootstrap aws://${DEPLOYABLE_ACCOUNT}/eu-west-1 aws://${DEPLOYABLE_ACCOUNT}/us-east-1`,
    ]);
    expect(report.steps.at(-1)!.how).toEqual([
      'SNS mails a confirmation link for Rampart-prod-Ops and Rampart-prod-OpsGlobal: click both, or critical alarms page nobody.',
    ]);
    expect(exitCodeOf(report)).toBe(0);
  });

  test('prod with the placeholders replaced: no problems, exit code 0; the zone replaces the CNAME step', async () => {
    const report = await preflight(deployableProd(), { offlineReason: '--offline' });
    expect(report.problems).toEqual([]);
    expect(report.aws).toEqual({ ran: false, reason: '--offline' });
    expect(statuses(report)).toEqual([
      ['bootstrap', 'manual'],
      ['secret:rampart/prod/slack-webhook@eu-west-1', 'unchecked'],
      ['secret:rampart/prod/pager-endpoint@eu-west-1', 'unchecked'],
      ['secret:rampart/prod/pager-endpoint@us-east-1', 'unchecked'],
      ['secret:rampart/prod/slack-webhook@eu-west-2', 'unchecked'],
      ['secret:rampart/prod/pager-endpoint@eu-west-2', 'unchecked'],
      ['ses-identity:acme-widgets.io@eu-west-1', 'unchecked'],
      ['chatbot-workspace', 'manual'],
      ['cognito-domain:acme-widgets-rampart-prod@eu-west-1', 'unchecked'],
      [`hosted-zone:${DEPLOYABLE_ZONE.id}`, 'unchecked'],
      ['domain-alias', 'manual'],
    ]);
    expect(exitCodeOf(report)).toBe(0);
  });

  test('an existing certificate replaces both: the deployer confirms it is issued', async () => {
    const arn = `arn:aws:acm:us-east-1:${DEPLOYABLE_ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
    const config = deployableProd({
      edge: { ...deployableProd().edge, domain: { name: 'api.acme-widgets.io', certificateArn: arn } },
    });
    const step = (await preflight(config)).steps.find((s) => s.id === 'certificate-issued')!;
    expect(step).toMatchObject({
      status: 'manual',
      title: `Certificate ${arn} is issued and covers api.acme-widgets.io`,
    });
  });
});

describe('preflight with AWS credentials (exact requests)', () => {
  test('everything in place: each check asks the right region exactly once, no problems', async () => {
    const { clients, mocks } = fakeAws();
    everythingInPlace(mocks);
    const report = await preflight(deployableProd(), { aws: clients });
    expect(report.problems).toEqual([]);
    expect(report.aws).toEqual({ ran: true, account: DEPLOYABLE_ACCOUNT });
    expect(statuses(report)).toEqual([
      ['bootstrap', 'manual'],
      ['secret:rampart/prod/slack-webhook@eu-west-1', 'ok'],
      ['secret:rampart/prod/pager-endpoint@eu-west-1', 'ok'],
      ['secret:rampart/prod/pager-endpoint@us-east-1', 'ok'],
      ['secret:rampart/prod/slack-webhook@eu-west-2', 'ok'],
      ['secret:rampart/prod/pager-endpoint@eu-west-2', 'ok'],
      ['ses-identity:acme-widgets.io@eu-west-1', 'ok'],
      ['chatbot-workspace', 'manual'],
      ['cognito-domain:acme-widgets-rampart-prod@eu-west-1', 'ok'],
      [`hosted-zone:${DEPLOYABLE_ZONE.id}`, 'ok'],
      ['domain-alias', 'manual'],
    ]);
    expect(inputs(mocks.sts['eu-west-1']!)).toEqual([{}]);
    expect(inputs(mocks.sts['us-east-1']!)).toEqual([]);
    expect(inputs(mocks.secrets['eu-west-1']!)).toEqual([
      { SecretId: 'rampart/prod/slack-webhook' },
      { SecretId: 'rampart/prod/pager-endpoint' },
    ]);
    expect(inputs(mocks.secrets['us-east-1']!)).toEqual([{ SecretId: 'rampart/prod/pager-endpoint' }]);
    // The standby's Slack notifier and pager subscription in drRegion.
    expect(inputs(mocks.secrets['eu-west-2']!)).toEqual([
      { SecretId: 'rampart/prod/slack-webhook' },
      { SecretId: 'rampart/prod/pager-endpoint' },
    ]);
    expect(inputs(mocks.cognito['eu-west-1']!)).toEqual([{ Domain: 'acme-widgets-rampart-prod' }]);
    expect(inputs(mocks.cognito['us-east-1']!)).toEqual([]);
    expect(inputs(mocks.ses['eu-west-1']!)).toEqual([{ EmailIdentity: 'acme-widgets.io' }, {}]);
    expect(inputs(mocks.ses['us-east-1']!)).toEqual([]);
    expect(inputs(mocks.route53)).toEqual([{ Id: DEPLOYABLE_ZONE.id }]);
    expect(mocks.route53).toHaveReceivedCommandTimes(GetHostedZoneCommand, 1);
    expect(exitCodeOf(report)).toBe(0);
    expect(formatReport(report)).toContain('Ready: no problems found.');
  });

  test('a missing secret in us-east-1 is a problem naming the region and the command that creates it', async () => {
    const { clients, mocks } = fakeAws();
    everythingInPlace(mocks);
    mocks.secrets['us-east-1']!.on(DescribeSecretCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    const report = await preflight(deployableProd(), { aws: clients });
    expect(report.problems).toEqual([
      {
        message:
          'Secret "rampart/prod/pager-endpoint" (pager endpoint, the full HTTPS integration URL) exists in us-east-1: no such secret in us-east-1. ' +
          "Fix: aws secretsmanager create-secret --region us-east-1 --name rampart/prod/pager-endpoint --secret-string 'https://events.pagerduty.com/integration/<key>/enqueue'",
      },
    ]);
    expect(exitCodeOf(report)).toBe(1);
  });

  test("a standby without the webhook's replica in drRegion: a problem that says how to replicate it", async () => {
    const { clients, mocks } = fakeAws();
    everythingInPlace(mocks);
    mocks.secrets['eu-west-2']!.on(DescribeSecretCommand, { SecretId: 'rampart/prod/slack-webhook' }).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    const report = await preflight(deployableProd(), { aws: clients });
    expect(report.problems).toEqual([
      {
        message:
          'Secret "rampart/prod/slack-webhook" (Slack incoming webhook, a replica of the one in eu-west-1) exists in eu-west-2: no such secret in eu-west-2. ' +
          'Fix: aws secretsmanager replicate-secret-to-regions --region eu-west-1 --secret-id rampart/prod/slack-webhook --add-replica-regions Region=eu-west-2',
      },
    ]);
    expect(exitCodeOf(report)).toBe(1);
  });

  test('a taken domain prefix is a problem; one this account already holds is not', async () => {
    const { clients, mocks } = fakeAws();
    everythingInPlace(mocks);
    mocks.cognito['eu-west-1']!.on(DescribeUserPoolDomainCommand).resolves({
      DomainDescription: {
        Domain: 'acme-widgets-rampart-prod',
        AWSAccountId: '999988887777',
        UserPoolId: 'eu-west-1_x',
      },
    });
    const taken = await preflight(deployableProd(), { aws: clients });
    expect(taken.problems.map((p) => p.message)).toEqual([
      'Cognito domain prefix "acme-widgets-rampart-prod" is free in eu-west-1: taken in eu-west-1 by another AWS account. ' +
        'Fix: Prefixes are unique per region across all AWS accounts: if it is taken, choose another auth.domainPrefix.',
    ]);
    mocks.cognito['eu-west-1']!.on(DescribeUserPoolDomainCommand).resolves({
      DomainDescription: {
        Domain: 'acme-widgets-rampart-prod',
        AWSAccountId: DEPLOYABLE_ACCOUNT,
        UserPoolId: 'eu-west-1_ours',
      },
    });
    const ours = await preflight(deployableProd(), { aws: clients });
    expect(ours.problems).toEqual([]);
    expect(ours.steps.find((s) => s.id.startsWith('cognito-domain'))!.detail).toBe(
      "already this account's (user pool eu-west-1_ours): a redeploy keeps it",
    );
  });

  test('credentials for another account: one problem, and nothing else is asked', async () => {
    const { clients, mocks } = fakeAws();
    everythingInPlace(mocks);
    mocks.sts['eu-west-1']!.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    const report = await preflight(deployableProd(), { aws: clients });
    expect(report.problems).toEqual([
      {
        message: `The AWS credentials are for account 111122223333, the config deploys prod to ${DEPLOYABLE_ACCOUNT}. Fix: use credentials for ${DEPLOYABLE_ACCOUNT} (e.g. AWS_PROFILE), or correct the account`,
      },
    ]);
    expect(report.aws).toEqual({
      ran: false,
      reason: `the credentials are for account 111122223333, not ${DEPLOYABLE_ACCOUNT}`,
    });
    expect(report.steps.filter((s) => s.status === 'ok' || s.status === 'missing')).toEqual([]);
    for (const mock of [...Object.values(mocks.secrets), ...Object.values(mocks.cognito), mocks.route53])
      expect(mock.calls()).toHaveLength(0);
  });

  test('credentials that cannot be used: a problem saying so, the checklist stays', async () => {
    const { clients, mocks } = fakeAws();
    const expired = Object.assign(new Error('The security token included in the request is expired'), {
      name: 'ExpiredToken',
    });
    mocks.sts['eu-west-1']!.on(GetCallerIdentityCommand).rejects(expired);
    const report = await preflight(deployableProd(), { aws: clients });
    expect(report.problems).toEqual([
      {
        message:
          'The AWS credentials could not be used (ExpiredToken: The security token included in the request is expired). Fix: refresh them (e.g. aws sso login), or run with --offline for the checklist alone',
      },
    ]);
    expect(report.steps.filter((s) => s.status === 'unchecked')).toHaveLength(8);
  });

  test('no hosted zone in config: the account is searched for one that can hold the domain, most specific first', async () => {
    const { clients, mocks } = fakeAws();
    everythingInPlace(mocks);
    mocks.route53
      .on(ListHostedZonesByNameCommand, { DNSName: 'api.acme-widgets.io' })
      .resolves({ HostedZones: [], IsTruncated: false, MaxItems: 10 })
      .on(ListHostedZonesByNameCommand, { DNSName: 'acme-widgets.io' })
      .resolves({
        HostedZones: [
          {
            Id: '/hostedzone/ZPRIVATE1',
            Name: 'acme-widgets.io.',
            CallerReference: 'a',
            Config: { PrivateZone: true },
          },
          {
            Id: `/hostedzone/${DEPLOYABLE_ZONE.id}`,
            Name: 'acme-widgets.io.',
            CallerReference: 'b',
            Config: { PrivateZone: false },
          },
        ],
        IsTruncated: false,
        MaxItems: 10,
      });
    const config = deployableProd({
      edge: { ...deployableProd().edge, domain: { name: 'api.acme-widgets.io' } },
    });
    const report = await preflight(config, { aws: clients });
    expect(report.problems).toEqual([]);
    expect(report.steps.find((s) => s.id === 'certificate-cname')).toMatchObject({
      status: 'manual',
      detail: `this account has the public zone acme-widgets.io (${DEPLOYABLE_ZONE.id}): set edge.domain.hostedZone = { id: '${DEPLOYABLE_ZONE.id}', name: 'acme-widgets.io' } and the certificate validates itself`,
    });
    expect(inputs(mocks.route53)).toEqual([
      { DNSName: 'api.acme-widgets.io', MaxItems: 10 },
      { DNSName: 'acme-widgets.io', MaxItems: 10 },
    ]);
  });
});

describe('the report as printed', () => {
  test('problems numbered, then the prerequisites by phase with their status marks and commands', async () => {
    const text = formatReport(await preflight(loadEnvironmentConfig('prod')));
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Rampart preflight: prod (account 333333333333, eu-west-1)',
      'AWS checks: not run (no AWS credentials found); the prerequisites are a checklist.',
      '',
      '7 problems:',
    ]);
    expect(lines[4]).toMatch(/^ {2}1\. account = "333333333333": /);
    expect(lines).toContain('Before the first deploy:');
    expect(lines).toContain(
      '  [?] Secret "rampart/prod/slack-webhook" (Slack incoming webhook) exists in eu-west-1',
    );
    expect(lines).toContain(
      '  [ ] Slack workspace T0000EXAMPLE is authorized in AWS Chatbot in account 333333333333',
    );
    expect(lines).toContain('During the first deploy:');
    expect(lines).toContain('After the first deploy:');
    expect(lines.at(-1)).toBe(
      'Not ready: 7 problem(s) above. Fix them and run npm run preflight -- -c env=prod again.',
    );
  });

  test('ready offline: the count of prerequisites left to check with credentials', async () => {
    const text = formatReport(await preflight(deployableProd()));
    expect(text.split('\n').at(-1)).toBe(
      `No problems in the config. 8 prerequisite(s) not checked: run npm run preflight -- -c env=prod with credentials for account ${DEPLOYABLE_ACCOUNT} to check them.`,
    );
  });
});
