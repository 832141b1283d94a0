import { parseEnvironmentConfig } from '../../../lib/config';
import { dev } from '../../../lib/config/dev';
import { prod } from '../../../lib/config/prod';
import { staging } from '../../../lib/config/staging';

const threatProtection = {
  accountTakeover: {
    low: { action: 'NO_ACTION', notify: false },
    medium: { action: 'MFA_IF_CONFIGURED', notify: false },
    high: { action: 'BLOCK', notify: false },
  },
  compromisedCredentials: 'BLOCK',
} as const;

describe('auth config: SES and threat protection', () => {
  test.each([
    ['staging', staging],
    ['prod', prod],
  ] as const)('%s refuses to go without SES, naming the field and why', (name, declared) => {
    const { email: _email, ...auth } = declared.auth;
    expect(() => parseEnvironmentConfig({ ...declared, auth })).toThrow(
      new RegExp(`environment "${name}": auth\\.email: is required in ${name}: .*50 mails a day`),
    );
  });

  test('dev keeps Cognito’s own sender', () => {
    expect(parseEnvironmentConfig(dev).auth.email).toBeUndefined();
  });

  test('threat protection needs an explicit risk configuration, and a risk configuration needs threat protection', () => {
    expect(() => parseEnvironmentConfig({ ...dev, auth: { ...dev.auth, plusFeatures: true } })).toThrow(
      /auth\.threatProtection: is required with plusFeatures/,
    );
    expect(() => parseEnvironmentConfig({ ...dev, auth: { ...dev.auth, threatProtection } })).toThrow(
      /auth\.threatProtection: needs plusFeatures: true/,
    );
    expect(
      parseEnvironmentConfig({ ...dev, auth: { ...dev.auth, plusFeatures: true, threatProtection } }).auth
        .threatProtection,
    ).toEqual(threatProtection);
  });

  test('a notify action needs SES', () => {
    const notifying = {
      ...threatProtection,
      accountTakeover: { ...threatProtection.accountTakeover, high: { action: 'BLOCK', notify: true } },
    } as const;
    expect(() =>
      parseEnvironmentConfig({
        ...dev,
        auth: { ...dev.auth, plusFeatures: true, threatProtection: notifying },
      }),
    ).toThrow(/auth\.threatProtection\.accountTakeover: notify needs auth\.email/);
  });

  test('the sender must belong to the SES identity', () => {
    const email = { ...prod.auth.email!, fromAddress: 'no-reply@elsewhere.example' };
    expect(() => parseEnvironmentConfig({ ...prod, auth: { ...prod.auth, email } })).toThrow(
      /auth\.email\.fromAddress: must be the SES identity itself \(an address identity\) or an address in its domain/,
    );
    const addressIdentity = {
      ...prod.auth.email!,
      sesIdentity: 'alerts@example.com',
      fromAddress: 'alerts@example.com',
    };
    expect(
      parseEnvironmentConfig({ ...prod, auth: { ...prod.auth, email: addressIdentity } }).auth.email,
    ).toEqual(addressIdentity);
  });

  test('a configuration set name SES would refuse is named', () => {
    const email = { ...prod.auth.email!, configurationSet: 'rampart prod' };
    expect(() => parseEnvironmentConfig({ ...prod, auth: { ...prod.auth, email } })).toThrow(
      /auth\.email\.configurationSet: must be 1-64 letters, digits, _ or -/,
    );
  });

  test('staging has prod’s threat protection and risk responses', () => {
    const [s, p] = [staging, prod].map((declared) => parseEnvironmentConfig(declared).auth);
    expect(s.plusFeatures).toBe(true);
    expect(s.threatProtection).toEqual(p.threatProtection);
  });
});
