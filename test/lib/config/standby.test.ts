import {
  parseEnvironmentConfig,
  standbyParameterName,
  standbyParts,
  type EnvironmentConfigInput,
} from '../../../lib/config';
import { prod } from '../../../lib/config/prod';
import { staging } from '../../../lib/config/staging';

const withDrNetwork = (
  base: EnvironmentConfigInput,
  drNetwork: EnvironmentConfigInput['drNetwork'],
): EnvironmentConfigInput => ({ ...base, drNetwork });

describe('drNetwork (the standby network in drRegion)', () => {
  test('a standby strategy without it is refused, naming the field', () => {
    expect(() => parseEnvironmentConfig(withDrNetwork(prod, undefined))).toThrow(
      /drNetwork: strategy warm-standby keeps a database replica in drRegion: declare its network/,
    );
  });

  test('backup-restore with one is refused: nothing would use it', () => {
    expect(() => parseEnvironmentConfig(withDrNetwork(staging, { ...prod.drNetwork! }))).toThrow(
      /drNetwork: only a standby strategy \(pilot-light, warm-standby\) builds a network in drRegion/,
    );
  });

  test('its zones must be drRegion zones, its range not the primary one', () => {
    expect(() =>
      parseEnvironmentConfig(
        withDrNetwork(prod, { ...prod.drNetwork!, availabilityZones: ['eu-west-2a', 'eu-west-1b'] }),
      ),
    ).toThrow(/drNetwork\.availabilityZones\.1: must be a zone of drRegion eu-west-2/);
    expect(() =>
      parseEnvironmentConfig(withDrNetwork(prod, { ...prod.drNetwork!, cidr: prod.network.cidr })),
    ).toThrow(/drNetwork\.cidr: must differ from network\.cidr/);
  });
});

describe('standby parts per strategy', () => {
  test('pilot-light keeps the data warm; warm-standby also the API and user pool; backup-restore nothing', () => {
    const parts = (strategy: 'backup-restore' | 'pilot-light' | 'warm-standby') =>
      standbyParts({ recovery: { ...parseEnvironmentConfig(prod).recovery, strategy } });
    expect(parts('backup-restore')).toEqual({ data: false, api: false });
    expect(parts('pilot-light')).toEqual({ data: true, api: false });
    expect(parts('warm-standby')).toEqual({ data: true, api: true });
  });

  test('parameters live under /rampart/<env>/standby/', () => {
    expect(standbyParameterName('prod', 'proxy-name')).toBe('/rampart/prod/standby/proxy-name');
  });
});
