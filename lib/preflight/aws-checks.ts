import {
  CognitoIdentityProviderClient,
  DescribeUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * The SDK clients the preflight's checks use, one per service and region. Built once from the
 * resolved credentials (see {@link createAwsClients}); tests hand in clients under
 * aws-sdk-client-mock and assert the exact requests.
 */
export interface AwsClients {
  sts(region: string): STSClient;
  secretsManager(region: string): SecretsManagerClient;
  sesv2(region: string): SESv2Client;
  route53(): Route53Client;
  cognito(region: string): CognitoIdentityProviderClient;
}

/** Clients for the given credentials, memoized per service and region. */
export function createAwsClients(credentials: AwsCredentialIdentity): AwsClients {
  const made = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!made.has(key)) made.set(key, make());
    return made.get(key) as T;
  };
  return {
    sts: (region) => once(`sts:${region}`, () => new STSClient({ region, credentials })),
    secretsManager: (region) => once(`sm:${region}`, () => new SecretsManagerClient({ region, credentials })),
    sesv2: (region) => once(`ses:${region}`, () => new SESv2Client({ region, credentials })),
    // Route 53 is global; its API lives in us-east-1.
    route53: () => once('route53', () => new Route53Client({ region: 'us-east-1', credentials })),
    cognito: (region) =>
      once(`cognito:${region}`, () => new CognitoIdentityProviderClient({ region, credentials })),
  };
}

/** What a check found: `ok` when the prerequisite holds; `detail` says what was seen, for people. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

/** A check that could not run (no permission, throttled, ...) is a failed check: nobody knows. */
function couldNotCheck(error: unknown): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, detail: `could not check (${errorName(error)}: ${message})` };
}

/** The account the credentials belong to. */
export async function callerAccount(clients: AwsClients, region: string): Promise<string> {
  const identity = await clients.sts(region).send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account');
  return identity.Account;
}

/**
 * A Secrets Manager secret exists in `region` with a current value (CloudFormation's dynamic
 * references and the notifier read `AWSCURRENT`) and is not scheduled for deletion.
 */
export async function checkSecret(clients: AwsClients, region: string, name: string): Promise<CheckResult> {
  try {
    const secret = await clients.secretsManager(region).send(new DescribeSecretCommand({ SecretId: name }));
    if (secret.DeletedDate) {
      return {
        ok: false,
        detail: `scheduled for deletion on ${secret.DeletedDate.toISOString()} (aws secretsmanager restore-secret --region ${region} --secret-id ${name})`,
      };
    }
    const stages = Object.values(secret.VersionIdsToStages ?? {}).flat();
    if (!stages.includes('AWSCURRENT')) {
      return { ok: false, detail: 'exists but holds no value (no AWSCURRENT version): put the value in it' };
    }
    return { ok: true, detail: `exists (${secret.ARN})` };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException')
      return { ok: false, detail: `no such secret in ${region}` };
    return couldNotCheck(error);
  }
}

/**
 * An SES identity (address or domain) is verified for sending in `region`, and the account there
 * is out of the SES sandbox (in the sandbox, mail reaches verified addresses only).
 */
export async function checkEmailIdentity(
  clients: AwsClients,
  region: string,
  identity: string,
): Promise<CheckResult> {
  const ses = clients.sesv2(region);
  try {
    const found = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
    if (!found.VerifiedForSendingStatus) {
      return {
        ok: false,
        detail: `not verified for sending (verification ${found.VerificationStatus ?? 'status unknown'}): finish the verification (DNS records for a domain, the link in the mail for an address)`,
      };
    }
    const account = await ses.send(new GetAccountCommand({}));
    if (!account.ProductionAccessEnabled) {
      return {
        ok: false,
        detail: `verified, but the account is in the SES sandbox in ${region}: mail reaches verified addresses only; request production access (aws sesv2 put-account-details --region ${region} ...)`,
      };
    }
    return { ok: true, detail: 'verified for sending, production access' };
  } catch (error) {
    if (errorName(error) === 'NotFoundException')
      return { ok: false, detail: `no such identity in SES in ${region}` };
    return couldNotCheck(error);
  }
}

/** The configured hosted zone exists, is public and has the configured name. */
export async function checkHostedZone(
  clients: AwsClients,
  zone: { readonly id: string; readonly name: string },
): Promise<CheckResult> {
  try {
    const found = await clients.route53().send(new GetHostedZoneCommand({ Id: zone.id }));
    const name = found.HostedZone?.Name?.replace(/\.$/, '');
    if (name !== zone.name) return { ok: false, detail: `zone ${zone.id} is ${name}, not ${zone.name}` };
    if (found.HostedZone?.Config?.PrivateZone) {
      return { ok: false, detail: `zone ${zone.id} is private: ACM validates through public DNS only` };
    }
    return { ok: true, detail: `public zone ${zone.name} (${zone.id})` };
  } catch (error) {
    if (errorName(error) === 'NoSuchHostedZone')
      return { ok: false, detail: `no hosted zone ${zone.id} in this account` };
    return couldNotCheck(error);
  }
}

/**
 * A public Route 53 zone in this account that can hold `domain`'s validation record: the most
 * specific of the domain and its parents (never a top-level domain alone).
 */
export async function findHostedZone(
  clients: AwsClients,
  domain: string,
): Promise<{ readonly id: string; readonly name: string } | undefined> {
  const labels = domain.split('.');
  for (let start = 0; start < labels.length - 1; start++) {
    const candidate = labels.slice(start).join('.');
    const page = await clients
      .route53()
      .send(new ListHostedZonesByNameCommand({ DNSName: candidate, MaxItems: 10 }));
    const zone = (page.HostedZones ?? []).find((z) => z.Name === `${candidate}.` && !z.Config?.PrivateZone);
    if (zone?.Id) return { id: zone.Id.replace(/^\/hostedzone\//, ''), name: candidate };
  }
  return undefined;
}

/**
 * A Cognito prefix domain is free in `region` (or already this account's, from an earlier
 * deploy). Cognito answers an unclaimed prefix with an empty `DomainDescription`.
 */
export async function checkDomainPrefix(
  clients: AwsClients,
  region: string,
  prefix: string,
  account: string,
): Promise<CheckResult> {
  try {
    const { DomainDescription: domain } = await clients
      .cognito(region)
      .send(new DescribeUserPoolDomainCommand({ Domain: prefix }));
    if (!domain?.Domain) return { ok: true, detail: `free in ${region}` };
    if (domain.AWSAccountId === account) {
      return {
        ok: true,
        detail: `already this account's (user pool ${domain.UserPoolId}): a redeploy keeps it`,
      };
    }
    return { ok: false, detail: `taken in ${region} by another AWS account` };
  } catch (error) {
    return couldNotCheck(error);
  }
}

/** Credentials for the AWS checks, or why there are none. */
export type CredentialLookup = { readonly credentials: AwsCredentialIdentity } | { readonly missing: string };

/**
 * Credentials from the SDK's default chain (environment, profiles, SSO, container, instance
 * metadata), or why it found none (an expired SSO session says so): the preflight then runs
 * without AWS checks.
 */
export async function resolveDefaultCredentials(region: string): Promise<CredentialLookup> {
  const sts = new STSClient({ region });
  try {
    return { credentials: await sts.config.credentials() };
  } catch (error) {
    return { missing: `no AWS credentials found: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    sts.destroy();
  }
}
