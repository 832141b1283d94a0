import { drRegionAlertStack, type EnvironmentConfig } from '../config';
import { describePlaceholders, findPlaceholders } from '../config/placeholders';
import {
  callerAccount,
  checkDomainPrefix,
  checkEmailIdentity,
  checkHostedZone,
  checkSecret,
  findHostedZone,
  type AwsClients,
  type CheckResult,
} from './aws-checks';

/** CloudFront's certificate and web ACL, and the global alarm topics, live here. */
const EDGE_REGION = 'us-east-1';

/** When a prerequisite is due, relative to the environment's first `cdk deploy`. */
export type StepPhase = 'before' | 'during' | 'after';

/**
 * - `ok`: checked with AWS credentials and true
 * - `missing`: checked and not true (a problem)
 * - `unchecked`: the preflight can check it, but ran without credentials for the account
 * - `manual`: only a person can do or check it
 */
export type StepStatus = 'ok' | 'missing' | 'unchecked' | 'manual';

/** One out-of-band prerequisite of a deploy, and how to meet it. */
export interface PreflightStep {
  /** Stable id, e.g. `secret:rampart/prod/slack-webhook@eu-west-1`. */
  readonly id: string;
  readonly phase: StepPhase;
  /** What must be true, e.g. `Secret "rampart/prod/slack-webhook" exists in eu-west-1`. */
  readonly title: string;
  /** What to do, one line each (commands where a command does it). */
  readonly how: readonly string[];
  readonly status: StepStatus;
  /** What the check saw, or why it did not run. */
  readonly detail?: string;
}

/** Something that must change before the environment can be deployed. */
export interface PreflightProblem {
  /** The config fields at fault; absent for a missing prerequisite. */
  readonly fields?: readonly string[];
  /** The whole message: what is wrong and what to do. */
  readonly message: string;
}

/** Whether the preflight ran its AWS checks, and if not, why. */
export type AwsCheckState =
  { readonly ran: true; readonly account: string } | { readonly ran: false; readonly reason: string };

export interface PreflightReport {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly aws: AwsCheckState;
  /** Every problem at once: placeholders, then prerequisites found missing. Empty means ready. */
  readonly problems: readonly PreflightProblem[];
  /** The prerequisites, in the order to meet them. */
  readonly steps: readonly PreflightStep[];
}

export interface PreflightOptions {
  /**
   * SDK clients with credentials for the environment's account; without them the checks are
   * skipped and the prerequisites are reported as a checklist.
   * @default - no AWS checks
   */
  readonly aws?: AwsClients;
  /**
   * Why there are no clients, shown in the report.
   * @default 'no AWS credentials found'
   */
  readonly offlineReason?: string;
}

/** A prerequisite before it is checked: how to check it, when the preflight can. */
interface Prerequisite {
  readonly id: string;
  readonly phase: StepPhase;
  readonly title: string;
  readonly how: readonly string[];
  readonly check?: (aws: AwsClients, config: EnvironmentConfig) => Promise<CheckResult>;
  /** A hint found with credentials for a step only a person can take (status stays `manual`). */
  readonly hint?: (aws: AwsClients, config: EnvironmentConfig) => Promise<string | undefined>;
}

function stackName(config: EnvironmentConfig, part: string): string {
  return `Rampart-${config.name}-${part}`;
}

function needsDrRegion(config: EnvironmentConfig): boolean {
  return config.backup.copyToDrRegion || config.database.replicateBackupsToDrRegion;
}

function secretPrerequisite(
  region: string,
  name: string,
  what: string,
  example: string,
  why: string,
): Prerequisite {
  return {
    id: `secret:${name}@${region}`,
    phase: 'before',
    title: `Secret "${name}" (${what}) exists in ${region}`,
    how: [
      `aws secretsmanager create-secret --region ${region} --name ${name} --secret-string '${example}'`,
      why,
    ],
    check: (aws) => checkSecret(aws, region, name),
  };
}

/** The out-of-band prerequisites of an environment, in the order to meet them. */
function prerequisites(config: EnvironmentConfig): Prerequisite[] {
  const { account, region, alarms, edge, auth } = config;
  const regions = [region, EDGE_REGION, ...(needsDrRegion(config) ? [config.drRegion] : [])];
  const steps: Prerequisite[] = [
    {
      id: 'bootstrap',
      phase: 'before',
      title: `CDK is bootstrapped in ${regions.map((r) => `aws://${account}/${r}`).join(', ')}`,
      how: [`npx cdk bootstrap ${regions.map((r) => `aws://${account}/${r}`).join(' ')}`],
    },
    secretPrerequisite(
      region,
      alarms.slackWebhookSecretName,
      'Slack incoming webhook',
      'https://hooks.slack.com/services/<...>',
      `${stackName(config, 'Ops')}'s Slack notifier reads it for every alert: without it no alarm reaches Slack (a URL, or JSON { "critical": url, "warning": url, "info": url }).`,
    ),
  ];
  if (alarms.paging?.kind === 'https') {
    for (const [pagerRegion, stack] of [
      [region, 'Ops'],
      [EDGE_REGION, 'OpsGlobal'],
    ] as const) {
      steps.push(
        secretPrerequisite(
          pagerRegion,
          alarms.paging.endpointSecretName,
          'pager endpoint, the full HTTPS integration URL',
          'https://events.pagerduty.com/integration/<key>/enqueue',
          `${stackName(config, stack)} resolves it at deploy time for the critical topic's subscription (the deploy fails without it); the template holds only its name.`,
        ),
      );
    }
  }
  const drAlerts = drRegionAlertStack(config);
  if (drAlerts) steps.push(...drRegionSecretPrerequisites(config, drAlerts));
  if (auth.email) steps.push(sesPrerequisite(config, auth.email));
  if (alarms.chatbot) {
    steps.push({
      id: 'chatbot-workspace',
      phase: 'before',
      title: `Slack workspace ${alarms.chatbot.workspaceId} is authorized in AWS Chatbot in account ${account}`,
      how: [
        'AWS Chatbot console > Configure new client > Slack: the one-time OAuth step CloudFormation cannot do.',
        `Invite @aws to the channels ${Object.values(alarms.chatbot.channels).join(', ')}.`,
      ],
    });
  }
  steps.push({
    id: `cognito-domain:${auth.domainPrefix}@${region}`,
    phase: 'before',
    title: `Cognito domain prefix "${auth.domainPrefix}" is free in ${region}`,
    how: [
      'Prefixes are unique per region across all AWS accounts: if it is taken, choose another auth.domainPrefix.',
      `aws cognito-idp describe-user-pool-domain --region ${region} --domain ${auth.domainPrefix} (an empty DomainDescription means free)`,
    ],
    check: (aws) => checkDomainPrefix(aws, region, auth.domainPrefix, account),
  });
  if (edge.domain) steps.push(...certificatePrerequisites(config, edge.domain));
  if (alarms.paging?.kind === 'email') {
    steps.push({
      id: 'paging-email-confirmation',
      phase: 'after',
      title: `${alarms.paging.address} confirmed the SNS subscriptions of the critical topics`,
      how: [
        `SNS mails a confirmation link for ${stackName(config, 'Ops')} and ${stackName(config, 'OpsGlobal')}: click both, or critical alarms page nobody.`,
      ],
    });
  }
  return steps;
}

/**
 * Alerts in drRegion need the Slack webhook there (a replica of the env region's secret: one value
 * to change) and, for an HTTPS pager, the pager endpoint: the standby's (`Rampart-<env>-DrOps`) or,
 * without a standby, the DR restore tests' own topics (`Rampart-<env>-DrRestore`).
 */
function drRegionSecretPrerequisites(
  config: EnvironmentConfig,
  alertStack: 'DrOps' | 'DrRestore',
): Prerequisite[] {
  const { region, drRegion, alarms } = config;
  const stack = stackName(config, alertStack);
  const alerts = alertStack === 'DrOps' ? "the standby's alerts" : "the DR restore tests' alerts";
  const name = alarms.slackWebhookSecretName;
  const steps: Prerequisite[] = [
    {
      id: `secret:${name}@${drRegion}`,
      phase: 'before',
      title: `Secret "${name}" (Slack incoming webhook, a replica of the one in ${region}) exists in ${drRegion}`,
      how: [
        `aws secretsmanager replicate-secret-to-regions --region ${region} --secret-id ${name} --add-replica-regions Region=${drRegion}`,
        `${stack}'s Slack notifier reads it for ${alerts}: without it they reach the pager, never Slack (its failed posts page through the notifier's dead-letter alarm).`,
      ],
      check: (aws) => checkSecret(aws, drRegion, name),
    },
  ];
  if (alarms.paging?.kind === 'https') {
    steps.push(
      secretPrerequisite(
        drRegion,
        alarms.paging.endpointSecretName,
        'pager endpoint, the full HTTPS integration URL',
        'https://events.pagerduty.com/integration/<key>/enqueue',
        `${stack} resolves it at deploy time for ${alertStack === 'DrOps' ? "the standby's" : 'its own'} critical topic (the deploy fails without it); the template holds only its name.`,
      ),
    );
  }
  return steps;
}

type EmailConfig = NonNullable<EnvironmentConfig['auth']['email']>;

function sesPrerequisite(config: EnvironmentConfig, email: EmailConfig): Prerequisite {
  const { region } = config;
  const identity = email.sesIdentity;
  const isAddress = identity.includes('@');
  return {
    id: `ses-identity:${identity}@${region}`,
    phase: 'before',
    title: `SES identity ${identity} is verified for sending in ${region}, and SES there is out of the sandbox`,
    how: [
      `aws sesv2 create-email-identity --region ${region} --email-identity ${identity}` +
        (isAddress
          ? ', then open the link SES mails to that address'
          : ', then publish the three DKIM CNAME records it returns in the DNS of ' + identity),
      `aws sesv2 put-account-details --region ${region} --production-access-enabled --mail-type TRANSACTIONAL --website-url <url> --use-case-description '<...>' (in the sandbox SES delivers to verified addresses only)`,
      `${stackName(config, 'Auth')} creates the configuration set ${email.configurationSet}; the user pool sends as ${email.fromAddress}.`,
    ],
    check: (aws) => checkEmailIdentity(aws, region, identity),
  };
}

type DomainConfig = NonNullable<EnvironmentConfig['edge']['domain']>;

function certificatePrerequisites(config: EnvironmentConfig, domain: DomainConfig): Prerequisite[] {
  const edgeStack = stackName(config, 'Edge');
  const steps: Prerequisite[] = [];
  if (domain.certificateArn) {
    steps.push({
      id: 'certificate-issued',
      phase: 'before',
      title: `Certificate ${domain.certificateArn} is issued and covers ${domain.name}`,
      how: [
        `aws acm describe-certificate --region ${EDGE_REGION} --certificate-arn ${domain.certificateArn} --query 'Certificate.[Status,SubjectAlternativeNames]'`,
      ],
    });
  } else if (domain.hostedZone) {
    const zone = domain.hostedZone;
    steps.push({
      id: `hosted-zone:${zone.id}`,
      phase: 'before',
      title: `Public Route 53 hosted zone ${zone.name} (${zone.id}) exists in account ${config.account}`,
      how: [
        `aws route53 get-hosted-zone --id ${zone.id}`,
        `${edgeStack} writes the certificate's validation CNAME into it: nothing to do by hand.`,
      ],
      check: (aws) => checkHostedZone(aws, zone),
    });
  } else {
    steps.push({
      id: 'certificate-cname',
      phase: 'during',
      title: `The certificate for ${domain.name} is validated by a CNAME you create (no edge.domain.hostedZone)`,
      how: [
        `${edgeStack} requests the certificate in ${EDGE_REGION} and waits until ACM sees the validation record.`,
        `Find the record (name and value, Type CNAME) in the stack's events for the Certificate resource ("Content of DNS Record is: {Name: _<...>.${domain.name}., Type: CNAME, Value: _<...>.acm-validations.aws.}"),`,
        `or: aws acm list-certificates --region ${EDGE_REGION} --query "CertificateSummaryList[?DomainName=='${domain.name}'].CertificateArn", then aws acm describe-certificate --region ${EDGE_REGION} --certificate-arn <arn> --query 'Certificate.DomainValidationOptions[].ResourceRecord'`,
        `Create it in the DNS zone that serves ${domain.name}. Or set edge.domain.hostedZone (a Route 53 zone in this account) and the stack creates it.`,
      ],
      hint: async (aws) => {
        const zone = await findHostedZone(aws, domain.name).catch((error: Error) => error);
        if (zone instanceof Error)
          return `could not look for a Route 53 zone (${zone.name}: ${zone.message})`;
        return zone
          ? `this account has the public zone ${zone.name} (${zone.id}): set edge.domain.hostedZone = { id: '${zone.id}', name: '${zone.name}' } and the certificate validates itself`
          : `no Route 53 zone in this account holds ${domain.name}: create the CNAME at your DNS provider`;
      },
    });
  }
  steps.push({
    id: 'domain-alias',
    phase: 'after',
    title: `${domain.name} points at the CloudFront distribution`,
    how: [
      `aws cloudfront list-distributions --query "DistributionList.Items[?Aliases.Items[0]=='${domain.name}'].DomainName" --output text`,
      `Create a CNAME (or a Route 53 alias A/AAAA record) from ${domain.name} to that name.`,
    ],
  });
  return steps;
}

/**
 * Checks an environment's config for deploy: every placeholder, and every out-of-band
 * prerequisite (verified with the given clients, or listed as a checklist without them).
 */
export async function preflight(
  config: EnvironmentConfig,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const problems: PreflightProblem[] = describePlaceholders(findPlaceholders(config));
  const required = prerequisites(config);
  const aws = await awsCheckState(config, options, problems);
  const steps = await Promise.all(
    required.map((step) => (aws.ran ? run(step, options.aws!, config) : Promise.resolve(unchecked(step)))),
  );
  for (const step of steps) {
    if (step.status === 'missing') {
      problems.push({ message: `${step.title}: ${step.detail}. Fix: ${step.how[0]}` });
    }
  }
  return { environment: config.name, account: config.account, region: config.region, aws, problems, steps };
}

/** Whether the AWS checks can run: clients given, usable, and for the environment's account. */
async function awsCheckState(
  config: EnvironmentConfig,
  options: PreflightOptions,
  problems: PreflightProblem[],
): Promise<AwsCheckState> {
  if (!options.aws) return { ran: false, reason: options.offlineReason ?? 'no AWS credentials found' };
  let account: string;
  try {
    account = await callerAccount(options.aws, config.region);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    problems.push({
      message: `The AWS credentials could not be used (${name}: ${message}). Fix: refresh them (e.g. aws sso login), or run with --offline for the checklist alone`,
    });
    return { ran: false, reason: 'the credentials could not be used' };
  }
  if (account !== config.account) {
    problems.push({
      message: `The AWS credentials are for account ${account}, the config deploys ${config.name} to ${config.account}. Fix: use credentials for ${config.account} (e.g. AWS_PROFILE), or correct the account`,
    });
    return { ran: false, reason: `the credentials are for account ${account}, not ${config.account}` };
  }
  return { ran: true, account };
}

/** A step as listed without AWS checks (the report's header says why). */
function unchecked(step: Prerequisite): PreflightStep {
  return view(step, step.check ? 'unchecked' : 'manual');
}

async function run(step: Prerequisite, aws: AwsClients, config: EnvironmentConfig): Promise<PreflightStep> {
  if (step.check) {
    const result = await step.check(aws, config);
    return view(step, result.ok ? 'ok' : 'missing', result.detail);
  }
  if (step.hint) return view(step, 'manual', await step.hint(aws, config));
  return view(step, 'manual');
}

function view(step: Prerequisite, status: StepStatus, detail?: string): PreflightStep {
  return {
    id: step.id,
    phase: step.phase,
    title: step.title,
    how: step.how,
    status,
    ...(detail !== undefined ? { detail } : {}),
  };
}

/** The preflight's exit code: 1 when anything must change before a deploy, else 0. */
export function exitCodeOf(report: PreflightReport): number {
  return report.problems.length > 0 ? 1 : 0;
}
