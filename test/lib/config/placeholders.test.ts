import { ENVIRONMENT_NAMES, loadEnvironmentConfig, parseEnvironmentConfig } from '../../../lib/config';
import {
  describePlaceholders,
  ENVIRONMENTS_REFUSING_PLACEHOLDERS,
  findPlaceholders,
  isReservedDomain,
  judgePlaceholders,
} from '../../../lib/config/placeholders';
import { prod } from '../../../lib/config/prod';
import { deployableProd } from '../../fixtures/deployable-config';

/** Every string in the config with its dotted path (array items by index), as the rules name fields. */
function stringFields(value: unknown, path: string[] = []): [string, string][] {
  if (typeof value === 'string') return [[path.join('.'), value]];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => stringFields(item, [...path, key]));
  return [];
}

const fieldsAndValues = (name: string) =>
  findPlaceholders(loadEnvironmentConfig(name)).map(({ field, value }) => [field, value]);

describe('placeholders', () => {
  test('the committed prod config: every placeholder the issue lists, and nothing else', () => {
    expect(fieldsAndValues('prod')).toEqual([
      ['account', '333333333333'],
      ['cors.allowedOrigins.0', 'https://app.example.com'],
      ['edge.domain.name', 'api.example.com'],
      ['alarms.docsBaseUrl', 'https://github.com/example-org/rampart/blob/main/'],
      ['alarms.chatbot.workspaceId', 'T0000EXAMPLE'],
      ['alarms.chatbot.channels.critical', 'C000CRITICAL'],
      ['alarms.chatbot.channels.warning', 'C0000WARNING'],
      ['alarms.chatbot.channels.info', 'C000000INFO'],
      ['auth.domainPrefix', 'rampart-prod-auth'],
      ['auth.email.sesIdentity', 'example.com'],
      ['auth.email.fromAddress', 'no-reply@example.com'],
    ]);
  });

  test('the committed dev config (it deploys anyway: only staging and prod refuse)', () => {
    expect(fieldsAndValues('dev')).toEqual([
      ['account', '111111111111'],
      ['alarms.docsBaseUrl', 'https://github.com/example-org/rampart/blob/main/'],
      ['alarms.paging.address', 'rampart-dev-alerts@example.com'],
      ['auth.domainPrefix', 'rampart-dev-auth'],
    ]);
  });

  test.each(ENVIRONMENT_NAMES)(
    'no stand-in value in the committed %s config escapes the rules (the grep for example, EXAMPLE, 0000, 111111, as a test)',
    (name) => {
      const config = loadEnvironmentConfig(name);
      const found = new Set(findPlaceholders(config).map((placeholder) => placeholder.field));
      const suspicious = stringFields(config).filter(([, value]) =>
        /example|^[A-Z]0{3}|(\d)\1{5}/i.test(value),
      );
      expect(suspicious.length).toBeGreaterThan(0);
      expect(suspicious.filter(([field]) => !found.has(field))).toEqual([]);
    },
  );

  test('real values are not placeholders', () => {
    expect(findPlaceholders(deployableProd())).toEqual([]);
    expect(
      findPlaceholders(
        deployableProd({
          account: '123456789013',
          alarms: {
            ...deployableProd().alarms,
            paging: { kind: 'email', address: 'oncall@acme-widgets.io' },
          },
        }),
      ),
    ).toEqual([]);
  });

  test.each([
    ['account', { account: '123456789012' }],
    ['account', { account: '999999999999' }],
    [
      'cors.allowedOrigins.1',
      { cors: { allowedOrigins: ['https://app.acme-widgets.io', 'https://web.example.org'] } },
    ],
    ['edge.domain.name', { edge: { ...prod.edge, domain: { name: 'api.rampart.test' } } }],
    [
      'alarms.docsBaseUrl',
      { alarms: { ...deployableProd().alarms, docsBaseUrl: 'https://gitlab.com/your-org/x/' } },
    ],
    [
      'alarms.paging.address',
      { alarms: { ...deployableProd().alarms, paging: { kind: 'email', address: 'a@example.net' } } },
    ],
    ['auth.domainPrefix', { auth: { ...deployableProd().auth, domainPrefix: 'rampart-prod-auth' } }],
  ])('%s: a stand-in value is found in an otherwise real config', (field, override) => {
    expect(findPlaceholders(deployableProd(override)).map((p) => p.field)).toEqual([field]);
  });

  test('an SES address identity in a reserved domain: the identity and the sender', () => {
    const auth = deployableProd().auth;
    const email = { ...auth.email!, sesIdentity: 'mail@rampart.test', fromAddress: 'mail@rampart.test' };
    expect(findPlaceholders(deployableProd({ auth: { ...auth, email } })).map((p) => p.field)).toEqual([
      'auth.email.sesIdentity',
      'auth.email.fromAddress',
    ]);
  });

  test('reserved documentation domains (RFC 2606 / 6761), and only those', () => {
    for (const host of [
      'example.com',
      'app.example.com',
      'EXAMPLE.ORG',
      'x.example.net.',
      'a.test',
      'b.example',
      'c.invalid',
      'localhost',
    ])
      expect(isReservedDomain(host)).toBe(true);
    for (const host of ['notexample.com', 'example.com.au', 'acme-widgets.io', 'examples.org'])
      expect(isReservedDomain(host)).toBe(false);
  });

  test('one message per kind: its fields and values, what goes wrong, what to do', () => {
    const messages = describePlaceholders(findPlaceholders(loadEnvironmentConfig('prod')));
    expect(messages.map((m) => m.fields)).toEqual([
      ['account'],
      ['cors.allowedOrigins.0'],
      ['edge.domain.name'],
      ['alarms.docsBaseUrl'],
      [
        'alarms.chatbot.workspaceId',
        'alarms.chatbot.channels.critical',
        'alarms.chatbot.channels.warning',
        'alarms.chatbot.channels.info',
      ],
      ['auth.domainPrefix'],
      ['auth.email.sesIdentity', 'auth.email.fromAddress'],
    ]);
    expect(messages[0]!.message).toBe(
      'account = "333333333333": a placeholder AWS account id: cdk deploy targets an account that is not yours. ' +
        "Fix: set the environment's account id in lib/config/prod.ts, or export RAMPART_PROD_ACCOUNT=<account id>",
    );
    expect(messages[4]!.message).toMatch(
      /^alarms\.chatbot\.workspaceId = "T0000EXAMPLE", alarms\.chatbot\.channels\.critical = "C000CRITICAL", .*AWS Chatbot refuses the channel configuration.* Fix: authorize the Slack workspace in the AWS Chatbot console/,
    );
    expect(messages[5]!.message).toMatch(
      /Domain already associated with another user pool".* Fix: choose a prefix of your own/,
    );
  });
});

describe('synth refusal', () => {
  const committed = (name: string) => loadEnvironmentConfig(name);

  test('staging and prod refuse placeholders; dev synthesizes as committed', () => {
    expect(ENVIRONMENTS_REFUSING_PLACEHOLDERS).toEqual(['staging', 'prod']);
    expect(judgePlaceholders([committed('dev')], false)).toEqual({ warnings: [] });
  });

  test('the refusal carries the preflight messages of every refusing environment, and the way out', () => {
    const { refusal, warnings } = judgePlaceholders(['dev', 'staging', 'prod'].map(committed), false);
    expect(warnings).toEqual([]);
    const lines = refusal!.split('\n');
    expect(lines[0]).toBe(
      'Environment "staging" holds placeholder values and cannot be deployed (npm run preflight -- -c env=staging lists them with every prerequisite):',
    );
    expect(lines).toContain(
      'Environment "prod" holds placeholder values and cannot be deployed (npm run preflight -- -c env=prod lists them with every prerequisite):',
    );
    for (const { message } of describePlaceholders(findPlaceholders(committed('prod'))))
      expect(lines).toContain(`  - ${message}`);
    expect(lines.at(-1)).toBe('To synthesize templates for review only: -c allowPlaceholders=true');
    const kinds = (name: string) => describePlaceholders(findPlaceholders(committed(name))).length;
    expect(lines).toHaveLength(1 + kinds('staging') + 1 + kinds('prod') + 1);
  });

  test('allowed, each refusing environment with placeholders gets one warning line', () => {
    expect(judgePlaceholders(['dev', 'staging', 'prod'].map(committed), true)).toEqual({
      warnings: [
        `staging holds ${findPlaceholders(committed('staging')).length} placeholder values, allowed by -c allowPlaceholders=true: its templates are for review, not for deploying (npm run preflight -- -c env=staging lists them)`,
        'prod holds 11 placeholder values, allowed by -c allowPlaceholders=true: its templates are for review, not for deploying (npm run preflight -- -c env=prod lists them)',
      ],
    });
  });

  test('prod with the placeholders replaced synthesizes without a word', () => {
    expect(judgePlaceholders([deployableProd()], false)).toEqual({ warnings: [] });
  });
});

describe('config validation for the deploy', () => {
  test('a Cognito domain prefix with a word Cognito refuses', () => {
    expect(() =>
      parseEnvironmentConfig({ ...prod, auth: { ...prod.auth, domainPrefix: 'acme-cognito' } }),
    ).toThrow(/auth\.domainPrefix: must not contain "aws", "amazon" or "cognito"/);
  });
});
