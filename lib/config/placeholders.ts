import type { EnvironmentConfig, EnvironmentName } from './schema';

/**
 * The values the committed configs carry only so that every environment synthesizes out of the
 * box: the one list of them. `npm run preflight` reports each with what to do, and synth of an
 * environment in {@link ENVIRONMENTS_REFUSING_PLACEHOLDERS} refuses them with the same messages.
 * A new field that ships with a stand-in value gets a rule here.
 */

/** One placeholder found in an environment's config. */
export interface Placeholder {
  /** The rule that found it ({@link PlaceholderRule.kind}). */
  readonly kind: string;
  /** Dotted path of the field, e.g. `alarms.chatbot.channels.critical`. */
  readonly field: string;
  /** The value found there. */
  readonly value: string;
  /** What goes wrong when it is deployed as it is. */
  readonly consequence: string;
  /** What to put there instead. */
  readonly fix: string;
}

/** A kind of placeholder: which fields it reads and how it recognizes a stand-in value. */
export interface PlaceholderRule {
  /** Short name of the kind of value, e.g. `slack-id`; one message per kind lists its fields. */
  readonly kind: string;
  /** The fields the rule reads (dotted paths) with their current values; absent fields give none. */
  readonly values: (config: EnvironmentConfig) => readonly (readonly [field: string, value: string])[];
  readonly isPlaceholder: (value: string, config: EnvironmentConfig) => boolean;
  readonly consequence: string;
  readonly fix: (config: EnvironmentConfig) => string;
}

/**
 * Domains reserved for documentation and testing (RFC 2606, RFC 6761): nobody can receive mail,
 * serve a web app or validate a certificate there.
 */
const RESERVED_DOMAINS = ['example.com', 'example.net', 'example.org'];
const RESERVED_TOP_LEVEL = ['example', 'test', 'invalid', 'localhost'];

/** True for a host name in a domain reserved for documentation (`api.example.com`, `x.test`). */
export function isReservedDomain(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  return (
    RESERVED_TOP_LEVEL.includes(labels[labels.length - 1]!) ||
    RESERVED_DOMAINS.some((domain) => name === domain || name.endsWith(`.${domain}`))
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Account ids that stand in for real ones: twelve equal digits, or the AWS documentation's example. */
function isPlaceholderAccount(account: string): boolean {
  return /^(\d)\1{11}$/.test(account) || account === '123456789012';
}

/**
 * Slack ids the committed configs use as stand-ins: `T0000EXAMPLE`, `C000CRITICAL`, ...
 * (a letter then zeros, or a word where Slack's generated id would be).
 */
function isPlaceholderSlackId(id: string): boolean {
  return /^[A-Z]000/.test(id) || /EXAMPLE|CRITICAL|WARNING|INFO/.test(id);
}

/** Repository owners that only stand in for the real one, in the runbook link base. */
const PLACEHOLDER_REPOSITORY_OWNERS = ['example-org', 'your-org', 'my-org'];

function envVariable(config: EnvironmentConfig, what: 'ACCOUNT' | 'REGION'): string {
  return `RAMPART_${config.name.toUpperCase()}_${what}`;
}

const configFile = (config: EnvironmentConfig) => `lib/config/${config.name}.ts`;

/** Every kind of placeholder the committed configs hold. */
export const PLACEHOLDER_RULES: readonly PlaceholderRule[] = [
  {
    kind: 'account',
    values: (config) => [['account', config.account]],
    isPlaceholder: isPlaceholderAccount,
    consequence: 'a placeholder AWS account id: cdk deploy targets an account that is not yours',
    fix: (config) =>
      `set the environment's account id in ${configFile(config)}, or export ${envVariable(config, 'ACCOUNT')}=<account id>`,
  },
  {
    kind: 'cors-origin',
    values: (config) =>
      config.cors.allowedOrigins.map((origin, index) => [`cors.allowedOrigins.${index}`, origin] as const),
    isPlaceholder: (origin) => isReservedDomain(hostOf(origin)),
    consequence: 'a placeholder origin: browsers on the real web app get no CORS headers and fail',
    fix: (config) =>
      `list the web app's origins (e.g. https://app.<your domain>) in ${configFile(config)}, or [] when no browser calls the API`,
  },
  {
    kind: 'domain',
    values: (config) => (config.edge.domain ? [['edge.domain.name', config.edge.domain.name]] : []),
    isPlaceholder: isReservedDomain,
    consequence:
      'a placeholder domain: the Edge stack requests a certificate for it and waits for a DNS validation record nobody can create',
    fix: (config) =>
      `set the API's host name in ${configFile(config)} with edge.domain.hostedZone (its Route 53 zone: the certificate then validates itself) or edge.domain.certificateArn; or remove edge.domain to serve on the *.cloudfront.net name`,
  },
  {
    kind: 'docs-url',
    values: (config) => [['alarms.docsBaseUrl', config.alarms.docsBaseUrl]],
    isPlaceholder: (url) =>
      isReservedDomain(hostOf(url)) ||
      PLACEHOLDER_REPOSITORY_OWNERS.some((owner) => new RegExp(`^https://[^/]+/${owner}/`, 'i').test(url)),
    consequence: "a placeholder repository: every alarm's runbook link leads nowhere",
    fix: (config) =>
      `set the https URL where this repository's files are rendered, ending with / (e.g. https://github.com/<org>/<repo>/blob/main/), in ${configFile(config)}`,
  },
  {
    kind: 'slack-id',
    values: (config) => {
      const chatbot = config.alarms.chatbot;
      if (!chatbot) return [];
      return [
        ['alarms.chatbot.workspaceId', chatbot.workspaceId],
        ...Object.entries(chatbot.channels).map(
          ([severity, channel]) => [`alarms.chatbot.channels.${severity}`, channel] as const,
        ),
      ];
    },
    isPlaceholder: isPlaceholderSlackId,
    consequence:
      'a placeholder Slack id: AWS Chatbot refuses the channel configuration and the Ops stack fails',
    fix: (config) =>
      `authorize the Slack workspace in the AWS Chatbot console, then set its workspace id (T...) and each channel's id (C..., from the channel's details in Slack) in ${configFile(config)}; or remove alarms.chatbot (the webhook notifier still posts)`,
  },
  {
    kind: 'paging-email',
    values: (config) =>
      config.alarms.paging?.kind === 'email' ? [['alarms.paging.address', config.alarms.paging.address]] : [],
    isPlaceholder: (address) => isReservedDomain(address.split('@')[1] ?? ''),
    consequence: 'a placeholder address: critical alarms page a mailbox that does not exist',
    fix: (config) =>
      `set the on-call address, or { kind: 'https', endpointSecretName } for a paging service, in ${configFile(config)}`,
  },
  {
    kind: 'cognito-domain-prefix',
    values: (config) => [['auth.domainPrefix', config.auth.domainPrefix]],
    isPlaceholder: (prefix, config) => prefix === `rampart-${config.name}-auth`,
    consequence:
      'the committed Cognito domain prefix: prefixes are unique per region across all AWS accounts, so whoever deployed this repository first holds it and the Auth stack fails with "Domain already associated with another user pool"',
    fix: (config) =>
      `choose a prefix of your own (e.g. <org>-rampart-${config.name}; lower-case letters, digits, hyphens) in ${configFile(config)}; with credentials the preflight checks that it is free`,
  },
  {
    kind: 'ses-identity',
    values: (config) => {
      const email = config.auth.email;
      if (!email) return [];
      return [
        ['auth.email.sesIdentity', email.sesIdentity],
        ['auth.email.fromAddress', email.fromAddress],
      ];
    },
    isPlaceholder: (value) => isReservedDomain(value.split('@').pop() ?? ''),
    consequence:
      'a placeholder mail identity: nobody can verify it in SES, so Cognito refuses the user pool\'s email configuration ("Email address is not verified") and the Auth stack fails',
    fix: (config) =>
      `verify a domain (or address) of your own in SES in ${config.region}, then set it as auth.email.sesIdentity and a fromAddress in it in ${configFile(config)}`,
  },
];

/** Every placeholder in the config, in the order of {@link PLACEHOLDER_RULES}. */
export function findPlaceholders(config: EnvironmentConfig): Placeholder[] {
  return PLACEHOLDER_RULES.flatMap((rule) =>
    rule
      .values(config)
      .filter(([, value]) => rule.isPlaceholder(value, config))
      .map(([field, value]) => ({
        kind: rule.kind,
        field,
        value,
        consequence: rule.consequence,
        fix: rule.fix(config),
      })),
  );
}

/** The message about one kind of placeholder. */
export interface PlaceholderMessage {
  /** The fields holding placeholders of that kind. */
  readonly fields: readonly string[];
  /** Its fields and values, what goes wrong, and what to do. */
  readonly message: string;
}

/**
 * The messages of the placeholders, one per kind, in the order of {@link PLACEHOLDER_RULES}: shared
 * by the preflight and the synth refusal.
 */
export function describePlaceholders(placeholders: readonly Placeholder[]): PlaceholderMessage[] {
  const kinds = [...new Set(placeholders.map((placeholder) => placeholder.kind))];
  return kinds.map((kind) => {
    const found = placeholders.filter((placeholder) => placeholder.kind === kind);
    const values = found.map((placeholder) => `${placeholder.field} = "${placeholder.value}"`).join(', ');
    return {
      fields: found.map((placeholder) => placeholder.field),
      message: `${values}: ${found[0]!.consequence}. Fix: ${found[0]!.fix}`,
    };
  });
}

/**
 * Environments whose synth refuses placeholders: prod, and staging, which rehearses prod's deploy
 * (a Chatbot or certificate placeholder fails there exactly as in prod). Dev synthesizes and
 * deploys as committed (with its account from `RAMPART_DEV_ACCOUNT`).
 */
export const ENVIRONMENTS_REFUSING_PLACEHOLDERS: readonly EnvironmentName[] = ['staging', 'prod'];

/** Context key (`-c allowPlaceholders=true`) that lets a refusing environment synthesize for review. */
export const ALLOW_PLACEHOLDERS_CONTEXT = 'allowPlaceholders';

/** What synth does about placeholders: refuse, or allow with a warning per environment. */
export interface PlaceholderVerdict {
  /** Why synth stops (for a `ConfigError`): set when a refusing environment holds placeholders that are not allowed. */
  readonly refusal?: string;
  /** One line per refusing environment whose placeholders were allowed. */
  readonly warnings: readonly string[];
}

const preflightCommand = (config: EnvironmentConfig) => `npm run preflight -- -c env=${config.name}`;

/**
 * Judges the environments about to be synthesized. `allow` (from `-c allowPlaceholders=true`, which
 * `npm run synth` passes: CI checks the committed templates) turns the refusal into a warning; the
 * templates are then for review, never for deploying.
 */
export function judgePlaceholders(configs: readonly EnvironmentConfig[], allow: boolean): PlaceholderVerdict {
  const found = configs
    .filter((config) => ENVIRONMENTS_REFUSING_PLACEHOLDERS.includes(config.name))
    .map((config) => ({ config, placeholders: findPlaceholders(config) }))
    .filter(({ placeholders }) => placeholders.length > 0);
  if (allow) {
    return {
      warnings: found.map(
        ({ config, placeholders }) =>
          `${config.name} holds ${placeholders.length} placeholder values, allowed by -c ${ALLOW_PLACEHOLDERS_CONTEXT}=true: ` +
          `its templates are for review, not for deploying (${preflightCommand(config)} lists them)`,
      ),
    };
  }
  if (found.length === 0) return { warnings: [] };
  const sections = found.map(
    ({ config, placeholders }) =>
      `Environment "${config.name}" holds placeholder values and cannot be deployed (${preflightCommand(config)} ` +
      `lists them with every prerequisite):\n${describePlaceholders(placeholders)
        .map(({ message }) => `  - ${message}`)
        .join('\n')}`,
  );
  return {
    refusal: `${sections.join('\n')}\nTo synthesize templates for review only: -c ${ALLOW_PLACEHOLDERS_CONTEXT}=true`,
    warnings: [],
  };
}
