import {
  loadEnvironmentConfig,
  parseEnvironmentConfig,
  type EnvironmentConfigInput,
} from '../../../lib/config';
import { dev } from '../../../lib/config/dev';
import { prod } from '../../../lib/config/prod';
import { staging } from '../../../lib/config/staging';

type Recovery = EnvironmentConfigInput['recovery'];

function withRecovery(
  base: EnvironmentConfigInput,
  change: (r: Recovery) => Recovery,
): EnvironmentConfigInput {
  return { ...base, recovery: change(base.recovery) };
}

describe('recovery objectives', () => {
  test('the committed environments declare the proposed targets', () => {
    expect(loadEnvironmentConfig('prod').recovery).toEqual({
      strategy: 'warm-standby',
      azLoss: { rtoSeconds: 300, rpoSeconds: 0 },
      pointInTimeRestore: { rtoSeconds: 3600, rpoSeconds: 60 },
      regionLoss: { rtoSeconds: 1800, rpoSeconds: 60, identityRpoSeconds: 3600 },
    });
    expect(loadEnvironmentConfig('staging').recovery).toMatchObject({
      strategy: 'backup-restore',
      regionLoss: { rpoSeconds: 300 },
    });
    expect(loadEnvironmentConfig('dev').recovery.regionLoss).toBeUndefined();
  });

  test('a Multi-AZ failover cannot beat the 120 s RDS documents', () => {
    expect(() =>
      parseEnvironmentConfig(
        withRecovery(prod, (r) => ({ ...r, azLoss: { rtoSeconds: 60, rpoSeconds: 0 } })),
      ),
    ).toThrow(
      /recovery\.azLoss\.rtoSeconds: RDS documents Multi-AZ failovers of typically 60-120 s: at least 120 s/,
    );
  });

  test('a single-AZ instance cannot promise to lose nothing, nor to be back faster than a restore', () => {
    expect(() =>
      parseEnvironmentConfig(
        withRecovery(dev, (r) => ({ ...r, azLoss: { rtoSeconds: 300, rpoSeconds: 0 } })),
      ),
    ).toThrow(
      /recovery\.azLoss\.rpoSeconds: a single-AZ instance can lose the last 300 s.*recovery\.azLoss\.rtoSeconds: a single-AZ instance comes back from an AZ loss by a point-in-time restore: at least pointInTimeRestore\.rtoSeconds \(3600 s\)/,
    );
  });

  test('a standby strategy must say what it recovers', () => {
    const { regionLoss: _regionLoss, ...withoutRegion } = prod.recovery;
    expect(() => parseEnvironmentConfig({ ...prod, recovery: withoutRegion })).toThrow(
      /recovery\.regionLoss: strategy warm-standby recovers a region loss: declare its objectives/,
    );
  });

  test('a region-loss objective needs something in drRegion', () => {
    expect(() =>
      parseEnvironmentConfig(
        withRecovery(dev, (r) => ({
          ...r,
          regionLoss: { rtoSeconds: 14_400, rpoSeconds: 86_400, identityRpoSeconds: 86_400 },
        })),
      ),
    ).toThrow(/recovery\.regionLoss: nothing reaches drRegion/);
  });

  test('backups alone cannot give a region-loss RPO under five minutes, snapshot copies alone not under a day', () => {
    expect(() =>
      parseEnvironmentConfig(
        withRecovery(staging, (r) => ({
          ...r,
          regionLoss: { rtoSeconds: 14_400, rpoSeconds: 60, identityRpoSeconds: 86_400 },
        })),
      ),
    ).toThrow(/recovery\.regionLoss\.rpoSeconds: backups reach drRegion minutes behind the primary/);
    expect(() =>
      parseEnvironmentConfig({
        ...staging,
        database: { ...staging.database, replicateBackupsToDrRegion: false },
      }),
    ).toThrow(
      /recovery\.regionLoss\.rpoSeconds: only the daily snapshot copies reach drRegion: at least 86400 s/,
    );
  });

  test('the same figures pass with a replica (warm standby) in staging', () => {
    expect(() =>
      parseEnvironmentConfig({
        ...withRecovery(staging, (r) => ({
          ...r,
          strategy: 'warm-standby',
          regionLoss: { rtoSeconds: 1800, rpoSeconds: 60, identityRpoSeconds: 3600 },
        })),
        drNetwork: {
          ...staging.network,
          cidr: '10.21.0.0/16',
          availabilityZones: ['eu-west-2a', 'eu-west-2b'],
        },
        // The standby's network hosts the DR restore tests.
        backup: { ...staging.backup, drRestoreTestNetwork: undefined },
      }),
    ).not.toThrow();
  });
});

describe('the network of the DR vault restore tests (backup.drRestoreTestNetwork)', () => {
  const isolated = staging.backup.drRestoreTestNetwork!;

  test('required where copies are restore-tested and no standby network exists', () => {
    expect(() =>
      parseEnvironmentConfig({ ...staging, backup: { ...staging.backup, drRestoreTestNetwork: undefined } }),
    ).toThrow(
      /backup\.drRestoreTestNetwork: the DR vault copies are restore-tested in drRegion: declare the network they are restored into/,
    );
    expect(() =>
      parseEnvironmentConfig({
        ...staging,
        backup: { ...staging.backup, drRestoreTestNetwork: undefined, restoreTesting: false },
      }),
    ).not.toThrow();
  });

  test('refused beside a standby network, or without copies to restore-test', () => {
    expect(() =>
      parseEnvironmentConfig({ ...prod, backup: { ...prod.backup, drRestoreTestNetwork: isolated } }),
    ).toThrow(
      /backup\.drRestoreTestNetwork: the standby network \(drNetwork\) hosts the DR restore tests: remove it/,
    );
    expect(() =>
      parseEnvironmentConfig({ ...dev, backup: { ...dev.backup, drRestoreTestNetwork: isolated } }),
    ).toThrow(
      /backup\.drRestoreTestNetwork: only used with backup\.copyToDrRegion and backup\.restoreTesting/,
    );
  });

  test('its zones are drRegion zones, two at least (an RDS subnet group needs them)', () => {
    expect(() =>
      parseEnvironmentConfig({
        ...staging,
        backup: {
          ...staging.backup,
          drRestoreTestNetwork: { ...isolated, availabilityZones: ['eu-west-2a', 'eu-west-1b'] },
        },
      }),
    ).toThrow(/backup\.drRestoreTestNetwork\.availabilityZones\.1: must be a zone of drRegion eu-west-2/);
    expect(() =>
      parseEnvironmentConfig({
        ...staging,
        backup: {
          ...staging.backup,
          drRestoreTestNetwork: { ...isolated, availabilityZones: ['eu-west-2a'] },
        },
      }),
    ).toThrow(/backup\.drRestoreTestNetwork\.availabilityZones/);
  });
});
