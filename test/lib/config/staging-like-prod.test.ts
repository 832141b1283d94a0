import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  environmentConfigSchema,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
  type EnvironmentConfig,
} from '../../../lib/config';
import { prod } from '../../../lib/config/prod';
import { staging } from '../../../lib/config/staging';

/**
 * Staging is shaped like prod (issue 15 §6): every feature prod has, staging has, so that no
 * feature meets its first deploy in prod. The test walks prod's and staging's validated configs
 * beside the schema and fails on every difference in a feature, unless {@link EXCEPTIONS} lists it
 * with a reason (docs/environments.md shows the same list).
 *
 * What is a feature, by the schema's type of the field:
 * - a flag (boolean) must have prod's value. Both ways: `false` can be the feature
 *   (`database.deleteAutomatedBackups: false` keeps point-in-time recovery after a deletion), and a
 *   flag that staging turns on ahead of prod is a difference worth listing too.
 * - an optional field (an object such as `edge.domain`, `alarms.chatbot`, `backup.vaultLock`, or a
 *   value such as `backup.monthlyRetentionDays`) present in prod must be present in staging:
 *   presence switches the feature on. Present in staging only is allowed (staging rehearses
 *   something prod has not yet: `database.allowMajorVersionUpgrade` for an upgrade).
 * - a choice (a string the schema restricts to an enum or literal: `auth.mfa`, `edge.ruleAction`,
 *   `alarms.paging.kind`, `backup.vaultLock.mode`) must be prod's: choices select behaviour. When
 *   the discriminator of a union differs (an exception), the variants' own fields are not compared.
 * - a list of choices (`network.interfaceEndpoints`) must hold each of prod's.
 * - a number is a size, count, period, threshold or retention: not a feature; except that 0 where
 *   prod has a positive number is "off" (`database.monitoringIntervalSeconds`, `api.authorizerCacheSeconds`).
 * - every other string (account, region, names, ids, URLs, addresses) and list of them is an
 *   identifier: not a feature. Choices that name the environment or pick a size are identifiers
 *   and sizes too: {@link NOT_FEATURES}.
 */

/** A feature that differs between prod and staging. */
interface Difference {
  /** Dotted path of the field, e.g. `edge.botControl`. */
  readonly path: string;
  /** Which rule found it. */
  readonly rule: 'flag' | 'missing' | 'choice' | 'choices' | 'off';
  readonly prod: unknown;
  readonly staging: unknown;
}

/**
 * Where staging deliberately differs from prod, and why. Each entry must name a real difference
 * (a stale entry fails the test), and docs/environments.md lists the same paths.
 */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  'database.autoMinorVersionUpgrade':
    'on, not off: staging takes each PostgreSQL minor version in its maintenance window, so prod applies by hand (runbooks/maintenance/postgres-minor-upgrade.md) a version staging has already run',
  'database.removalPolicy':
    'snapshot, not retain: a removed or replaced staging instance leaves a final snapshot instead of a running, billed instance nobody owns (deletion protection refuses the deletion first, as in prod)',
  'backup.vaultLock.mode':
    "governance, not compliance: the same retention bounds and refusals, but the lock can be removed (backup:DeleteBackupVaultLockConfiguration); a compliance lock becomes immutable after its grace period and would outlive every rebuild of staging's vaults",
  'recovery.strategy':
    'backup-restore, not warm-standby: a standby is a second copy of the environment, billed all month; staging restores a region loss from the backups it replicates to drRegion (the same replication and copies prod has), and the standby failover is rehearsed by the region-failover drill in prod (docs/dr.md)',
  drNetwork:
    'absent: the network in drRegion exists only for a standby strategy (recovery.strategy above); staging restores a region loss from its replicated backups into a network deployed then (docs/dr.md)',
  'edge.priceClass':
    "PriceClass_100 (North America and Europe edge locations), not PriceClass_All: the same distribution, certificate and behaviours, served from fewer locations; staging's users are the team",
};

/** Choices that are not features: an identifier or a size picked from a list. */
const NOT_FEATURES: Readonly<Record<string, string>> = {
  name: "the environment's name (an identifier)",
  'database.instanceClass': 'a size (memory and vCPUs; also sizes the proxy connection budget)',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every feature difference between two environments' configs, in schema order. */
function differences(
  schema: z.ZodType,
  prodValue: unknown,
  stagingValue: unknown,
  path: readonly string[] = [],
): Difference[] {
  const at = path.join('.');
  if (schema instanceof z.ZodOptional) {
    if (prodValue === undefined) return [];
    if (stagingValue === undefined)
      return [{ path: at, rule: 'missing', prod: prodValue, staging: undefined }];
    return differences(schema.unwrap() as z.ZodType, prodValue, stagingValue, path);
  }
  if (schema instanceof z.ZodObject && isRecord(prodValue) && isRecord(stagingValue)) {
    return Object.entries(schema.shape).flatMap(([key, field]) =>
      differences(field as z.ZodType, prodValue[key], stagingValue[key], [...path, key]),
    );
  }
  if (schema instanceof z.ZodDiscriminatedUnion && isRecord(prodValue) && isRecord(stagingValue)) {
    const discriminator = schema.def.discriminator;
    if (prodValue[discriminator] !== stagingValue[discriminator]) {
      return [
        {
          path: [...path, discriminator].join('.'),
          rule: 'choice',
          prod: prodValue[discriminator],
          staging: stagingValue[discriminator],
        },
      ];
    }
    const variant = (schema.options as z.ZodType[]).find((option) => option.safeParse(prodValue).success);
    return variant ? differences(variant, prodValue, stagingValue, path) : [];
  }
  if (schema instanceof z.ZodArray && Array.isArray(prodValue) && Array.isArray(stagingValue)) {
    if (!(schema.element instanceof z.ZodEnum)) return [];
    const missing = prodValue.filter((choice) => !stagingValue.includes(choice));
    return missing.length > 0 ? [{ path: at, rule: 'choices', prod: missing, staging: stagingValue }] : [];
  }
  if (schema instanceof z.ZodBoolean) {
    return prodValue === stagingValue
      ? []
      : [{ path: at, rule: 'flag', prod: prodValue, staging: stagingValue }];
  }
  if (schema instanceof z.ZodEnum || schema instanceof z.ZodLiteral) {
    if (at in NOT_FEATURES) return [];
    return prodValue === stagingValue
      ? []
      : [{ path: at, rule: 'choice', prod: prodValue, staging: stagingValue }];
  }
  if (schema instanceof z.ZodNumber) {
    return typeof prodValue === 'number' && prodValue > 0 && stagingValue === 0
      ? [{ path: at, rule: 'off', prod: prodValue, staging: stagingValue }]
      : [];
  }
  return [];
}

/** The feature differences of two configs that {@link EXCEPTIONS} does not list. */
function unexcused(prodConfig: EnvironmentConfig, stagingConfig: EnvironmentConfig): Difference[] {
  return differences(environmentConfigSchema, prodConfig, stagingConfig).filter(
    (difference) => !(difference.path in EXCEPTIONS),
  );
}

/** The committed staging declaration with some sections changed, validated. */
function stagingWith(changes: (declared: typeof staging) => Record<string, unknown>): EnvironmentConfig {
  return parseEnvironmentConfig({ ...staging, ...changes(staging) });
}

describe('staging is shaped like prod', () => {
  const prodConfig = loadEnvironmentConfig('prod');
  const stagingConfig = loadEnvironmentConfig('staging');

  test('every feature prod has, staging has (the differences are exactly the listed exceptions)', () => {
    expect(unexcused(prodConfig, stagingConfig)).toEqual([]);
  });

  test('every exception names a real difference, with a reason', () => {
    const found = differences(environmentConfigSchema, prodConfig, stagingConfig).map((d) => d.path);
    expect(Object.keys(EXCEPTIONS).filter((path) => !found.includes(path))).toEqual([]);
    for (const reason of Object.values(EXCEPTIONS)) expect(reason.length).toBeGreaterThan(40);
  });

  test('the features issue 15 names are on in staging as in prod', () => {
    for (const config of [prodConfig, stagingConfig]) {
      expect({
        env: config.name,
        threatProtection: config.auth.plusFeatures,
        mfa: config.auth.mfa,
        domain: config.edge.domain !== undefined,
        botControl: config.edge.botControl,
        anonymousIpList: config.edge.anonymousIpList,
        vaultLock: config.backup.vaultLock !== undefined,
        drCopies: config.backup.copyToDrRegion,
        backupReplication: config.database.replicateBackupsToDrRegion,
        chatbot: config.alarms.chatbot !== undefined,
        pager: config.alarms.paging?.kind,
      }).toEqual({
        env: config.name,
        threatProtection: true,
        mfa: 'required',
        domain: true,
        botControl: true,
        anonymousIpList: true,
        vaultLock: true,
        drCopies: true,
        backupReplication: true,
        chatbot: true,
        pager: 'https',
      });
    }
  });

  test('docs/environments.md lists exactly the exceptions', () => {
    const markdown = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'environments.md'), 'utf8');
    const listed = [...markdown.matchAll(/^\| `([a-zA-Z.]+)` +\|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(Object.keys(EXCEPTIONS).sort());
  });
});

describe('the comparison finds each kind of missing feature', () => {
  const prodConfig = loadEnvironmentConfig('prod');
  const paths = (config: EnvironmentConfig) =>
    unexcused(prodConfig, config).map((d) => `${d.rule} ${d.path}`);

  test('a flag that is off, in either direction', () => {
    expect(paths(stagingWith((s) => ({ edge: { ...s.edge, botControl: false } })))).toEqual([
      'flag edge.botControl',
    ]);
    expect(
      paths(stagingWith((s) => ({ database: { ...s.database, deleteAutomatedBackups: true } }))),
    ).toEqual(['flag database.deleteAutomatedBackups']);
  });

  test('an optional feature that is absent: an object or a value', () => {
    const { domain: _domain, ...edge } = staging.edge;
    const { chatbot: _chatbot, ...alarms } = staging.alarms;
    expect(paths(stagingWith(() => ({ edge, alarms })))).toEqual([
      'missing edge.domain',
      'missing alarms.chatbot',
    ]);
    const { vaultLock: _lock, ...backup } = staging.backup;
    expect(paths(stagingWith(() => ({ backup })))).toEqual(['missing backup.vaultLock']);
    // An optional value is a feature too (monthly snapshots and their DR copies).
    const { monthlyRetentionDays: _monthly, ...noMonthly } = staging.backup;
    expect(paths(stagingWith(() => ({ backup: noMonthly })))).toEqual([
      'missing backup.monthlyRetentionDays',
    ]);
  });

  test('a different choice, including the variant of a union', () => {
    expect(paths(stagingWith((s) => ({ auth: { ...s.auth, mfa: 'optional' } })))).toEqual([
      'choice auth.mfa',
    ]);
    expect(
      paths(
        stagingWith((s) => ({
          alarms: { ...s.alarms, paging: { kind: 'email', address: 'oncall@acme-widgets.io' } },
        })),
      ),
    ).toEqual(['choice alarms.paging.kind']);
    expect(paths(stagingWith((s) => ({ edge: { ...s.edge, ruleAction: 'count' } })))).toEqual([
      'choice edge.ruleAction',
    ]);
  });

  test('a missing choice in a list, and a number set to 0 (off)', () => {
    expect(
      paths(
        stagingWith((s) => ({
          network: { ...s.network, interfaceEndpoints: ['secretsmanager', 'logs', 'sqs'] },
          database: { ...s.database, monitoringIntervalSeconds: 0 },
        })),
      ),
    ).toEqual(['choices network.interfaceEndpoints', 'off database.monitoringIntervalSeconds']);
  });

  test('sizes, counts, retention and identifiers are not features', () => {
    expect(
      paths(
        stagingWith((s) => ({
          account: '402938475610',
          owner: 'someone-else',
          network: { ...s.network, natGateways: 2, flowLogRetentionDays: 7 },
          database: { ...s.database, instanceClass: 'db.t4g.large', backupRetentionDays: 7 },
          alarms: { ...s.alarms, slackWebhookSecretName: 'other/slack' },
        })),
      ),
    ).toEqual([]);
  });

  test('an excepted difference passes; the same field in prod with staging’s value is no difference at all', () => {
    expect(
      unexcused(
        prodConfig,
        stagingWith(() => ({})),
      ),
    ).toEqual([]);
    expect(
      differences(
        environmentConfigSchema,
        parseEnvironmentConfig({ ...prod, edge: { ...prod.edge, priceClass: 'PriceClass_100' } }),
        loadEnvironmentConfig('staging'),
      ).map((d) => d.path),
    ).not.toContain('edge.priceClass');
  });
});
