import {
  ConfigError,
  ENVIRONMENT_NAMES,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
  resolveEnvironments,
} from '../../../lib/config';
import { dev } from '../../../lib/config/dev';
import { prod } from '../../../lib/config/prod';

describe('environment config', () => {
  test.each(ENVIRONMENT_NAMES)('%s validates', (name) => {
    expect(loadEnvironmentConfig(name).name).toBe(name);
  });

  test('an unknown environment name lists the known ones', () => {
    expect(() => loadEnvironmentConfig('qa')).toThrow(
      new ConfigError('Unknown environment "qa": expected one of dev, staging, prod'),
    );
  });

  test('an invalid field is named with what it accepts', () => {
    expect(() =>
      parseEnvironmentConfig({ ...dev, network: { ...dev.network, flowLogRetentionDays: 10 } }),
    ).toThrow(
      /^Invalid config for environment "dev": network\.flowLogRetentionDays: must be one of 1, 3, 5, 7, 14, 30/,
    );
  });

  test('an enum field lists the allowed values', () => {
    expect(() =>
      parseEnvironmentConfig({
        ...dev,
        network: { ...dev.network, interfaceEndpoints: ['secretsmanager', 'ftp'] },
      }),
    ).toThrow(/network\.interfaceEndpoints\.1: Invalid option: expected one of "secretsmanager"\|"sqs"/);
  });

  test('a missing field is named', () => {
    const { owner: _owner, ...withoutOwner } = dev;
    expect(() => parseEnvironmentConfig(withoutOwner)).toThrow(
      /^Invalid config for environment "dev": owner: /,
    );
  });

  test('an unknown field is rejected, so typos do not pass silently', () => {
    expect(() => parseEnvironmentConfig({ ...dev, ownr: 'x' })).toThrow(/Unrecognized key: "ownr"/);
  });

  test('at least one NAT gateway: API key management needs the API Gateway control plane', () => {
    expect(() => parseEnvironmentConfig({ ...dev, network: { ...dev.network, natGateways: 0 } })).toThrow(
      /network\.natGateways: must be at least 1: API key management calls the API Gateway control plane/,
    );
  });

  test('NAT gateways cannot exceed the availability zones', () => {
    expect(() => parseEnvironmentConfig({ ...dev, network: { ...dev.network, natGateways: 3 } })).toThrow(
      /network\.natGateways: natGateways cannot exceed the number of availabilityZones/,
    );
  });

  test('the Secrets Manager endpoint cannot be left out', () => {
    expect(() =>
      parseEnvironmentConfig({ ...prod, network: { ...prod.network, interfaceEndpoints: ['logs'] } }),
    ).toThrow(/network\.interfaceEndpoints: must include "secretsmanager"/);
  });

  test('the account must be 12 digits', () => {
    expect(() => loadEnvironmentConfig('dev', { account: '1234' })).toThrow(
      /account: must be a 12-digit AWS account id/,
    );
  });

  test('all environments by default, one when selected', () => {
    expect(resolveEnvironments(undefined, {}).map((config) => config.name)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(resolveEnvironments('staging', {}).map((config) => config.name)).toEqual(['staging']);
  });

  test('account and region come from RAMPART_<ENV>_* variables when set', () => {
    const [config] = resolveEnvironments('prod', {
      RAMPART_PROD_ACCOUNT: '444444444444',
      RAMPART_PROD_REGION: 'eu-central-1',
      RAMPART_DEV_ACCOUNT: '555555555555',
    });
    expect(config).toMatchObject({ name: 'prod', account: '444444444444', region: 'eu-central-1' });
    expect(resolveEnvironments('dev', { RAMPART_DEV_ACCOUNT: '' })[0].account).toBe(dev.account);
  });

  test('environments differ where the issue says they must', () => {
    const [devConfig, stagingConfig, prodConfig] = resolveEnvironments(undefined, {});
    expect([devConfig, stagingConfig, prodConfig].map((config) => config.network.natGateways)).toEqual([
      1, 1, 3,
    ]);
    expect(prodConfig.terminationProtection).toBe(true);
    expect(devConfig.terminationProtection).toBe(false);
    expect(prodConfig.network.flowLogRetentionDays).toBeGreaterThan(devConfig.network.flowLogRetentionDays);
  });

  test('minor versions: RDS patches dev and staging itself; prod is patched by the team (runbook)', () => {
    const configs = resolveEnvironments(undefined, {});
    expect(configs.map((config) => [config.name, config.database.autoMinorVersionUpgrade])).toEqual([
      ['dev', true],
      ['staging', true],
      ['prod', false],
    ]);
  });

  test('prod keeps every log for a year at least; each shorter retention is named', () => {
    expect(() =>
      parseEnvironmentConfig({
        ...prod,
        functions: { ...prod.functions, logRetentionDays: 90 },
        database: { ...prod.database, cloudwatchLogsRetentionDays: 180 },
        api: { ...prod.api, accessLogRetentionDays: 30 },
      }),
    ).toThrow(
      new ConfigError(
        'Invalid config for environment "prod": functions.logRetentionDays: prod keeps logs for 365 days at least (90 given); ' +
          'database.cloudwatchLogsRetentionDays: prod keeps logs for 365 days at least (180 given); ' +
          'api.accessLogRetentionDays: prod keeps logs for 365 days at least (30 given)',
      ),
    );
    // Other environments choose their own.
    expect(
      parseEnvironmentConfig({ ...dev, functions: { ...dev.functions, logRetentionDays: 14 } }).name,
    ).toBe('dev');
  });
});
