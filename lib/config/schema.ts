import { z } from 'zod';
import { CAPACITY_CLASSES, type CapacityClass } from '../../lambda/shared/route';
import { capacityIssues, capacityPlan } from './capacity';
import { checkRecovery, recoveryConfigSchema } from './recovery';

/** Environment names Rampart knows. Adding one means adding a file beside this one. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Interface endpoints the Network stack can create, by their short service name. */
export const INTERFACE_ENDPOINT_SERVICES = [
  'secretsmanager',
  'sqs',
  'logs',
  'monitoring',
  'kms',
  'sts',
  'rds',
  'execute-api',
  'lambda',
  'cognito-idp',
  'backup',
] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

const retentionDays = z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
  message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
});

const ipv4Cidr = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-8])$/, {
  message: 'must be an IPv4 CIDR block between /16 and /28, e.g. 10.0.0.0/16',
});

/** Availability zones, named explicitly so synth never looks them up; two at least (an RDS subnet group needs them). */
const availabilityZones = z
  .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/))
  .min(2)
  .max(6);

export const networkConfigSchema = z
  .strictObject({
    /** VPC address range. */
    cidr: ipv4Cidr,
    /** Availability zones used. */
    availabilityZones,
    /**
     * NAT gateways (at least one): API key management calls the API Gateway control plane and
     * the JWKS is fetched from Cognito's public endpoint at deploy; neither has a VPC endpoint.
     * Everything else goes through the VPC endpoints.
     */
    natGateways: z
      .number()
      .int()
      .min(1, {
        message:
          'must be at least 1: API key management calls the API Gateway control plane, which has no VPC endpoint',
      })
      .max(6),
    /** Interface endpoints created in the function subnets. Secrets Manager is always required. */
    interfaceEndpoints: z
      .array(z.enum(INTERFACE_ENDPOINT_SERVICES))
      .refine((services) => services.includes('secretsmanager'), {
        message: 'must include "secretsmanager" (secret rotation runs without internet access)',
      })
      .refine((services) => new Set(services).size === services.length, {
        message: 'must not repeat a service',
      }),
    /** Retention of VPC flow logs. */
    flowLogRetentionDays: retentionDays,
  })
  .refine((network) => network.natGateways <= network.availabilityZones.length, {
    message: 'natGateways cannot exceed the number of availabilityZones',
    path: ['natGateways'],
  });

export type NetworkConfig = z.infer<typeof networkConfigSchema>;

export const functionsConfigSchema = z.strictObject({
  /** Retention of every function's log group. */
  logRetentionDays: retentionDays,
  /** Powertools log level of every function. */
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  /** Reserved concurrency of the queue worker. */
  workerReservedConcurrency: z.number().int().min(1).max(1000),
  /** The account's Lambda concurrency quota in this region (1000 unless raised through Service Quotas). */
  accountConcurrencyLimit: z.number().int().min(100),
  /** `pg` pool size per function instance; 1 behind RDS Proxy (the proxy does the pooling). */
  dbPoolMax: z.number().int().min(1).max(20),
});

export const queueConfigSchema = z.strictObject({
  /** Deliveries before a message moves to the dead-letter queue. */
  maxReceiveCount: z.number().int().min(1).max(20),
  /** Days a message is kept in the dead-letter queue (SQS allows 1..14). */
  deadLetterRetentionDays: z.number().int().min(1).max(14),
});

export const corsConfigSchema = z.strictObject({
  /** Origins allowed to call the API from a browser; empty means no CORS headers at all. */
  allowedOrigins: z.array(
    z.url({ protocol: /^https?$/, message: 'must be an origin such as https://app.example.com (never *)' }),
  ),
});

/**
 * Amazon SES sending for the user pool's mail (invitations, verification codes, password resets,
 * threat protection notifications), instead of Cognito's built-in sender (about 50 mails a day per
 * account). The identity is verified out of band; the Auth stack creates the configuration set.
 */
export const authEmailConfigSchema = z
  .strictObject({
    /**
     * The SES identity Cognito sends as, verified for sending in the environment's region: a domain
     * (`example.com`) or an address. The user pool's `SourceArn` is this identity's ARN.
     */
    sesIdentity: z
      .string()
      .regex(/^([^\s@]+@)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, {
        message: 'must be a domain (example.com) or an address (no-reply@example.com) verified in SES',
      }),
    /** The sender: the identity itself, or an address in the identity's domain. */
    fromAddress: z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: 'must be an email address' }),
    /**
     * Display name in the From header.
     * @default - the address alone
     */
    fromName: z.string().min(1).max(64).optional(),
    /**
     * Where replies go.
     * @default - the From address
     */
    replyToAddress: z
      .string()
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: 'must be an email address' })
      .optional(),
    /**
     * Name of the SES configuration set the Auth stack creates for the pool's mail (reputation
     * metrics per set; bounces and complaints are alarmed). Unique per account and region.
     */
    configurationSet: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
      message: 'must be 1-64 letters, digits, _ or - (SES configuration set name)',
    }),
  })
  .refine(
    (email) =>
      email.sesIdentity.includes('@')
        ? email.fromAddress.toLowerCase() === email.sesIdentity.toLowerCase()
        : email.fromAddress.toLowerCase().endsWith(`@${email.sesIdentity.toLowerCase()}`),
    {
      path: ['fromAddress'],
      message: 'must be the SES identity itself (an address identity) or an address in its domain',
    },
  );
export type AuthEmailConfig = z.infer<typeof authEmailConfigSchema>;

/** What Cognito threat protection does with a sign-in at one risk level. */
const riskResponseSchema = z.strictObject({
  /** Cognito's event action: let it pass, ask for MFA (if the user has it, or always), or block it. */
  action: z.enum(['NO_ACTION', 'MFA_IF_CONFIGURED', 'MFA_REQUIRED', 'BLOCK']),
  /** Also email the user about it (through `auth.email`). */
  notify: z.boolean(),
});

/** The explicit risk configuration of a pool with threat protection (`plusFeatures`). */
export const threatProtectionConfigSchema = z.strictObject({
  /** Adaptive authentication: the response to a sign-in per risk level Cognito assigns. */
  accountTakeover: z.strictObject({
    low: riskResponseSchema,
    medium: riskResponseSchema,
    high: riskResponseSchema,
  }),
  /**
   * Sign-ins, sign-ups and password changes with a password found in public breaches: `BLOCK`
   * refuses them, `NO_ACTION` only records them.
   */
  compromisedCredentials: z.enum(['BLOCK', 'NO_ACTION']),
});
export type ThreatProtectionConfig = z.infer<typeof threatProtectionConfigSchema>;

export const authConfigSchema = z.strictObject({
  /** TOTP multi-factor authentication for every user: `optional` lets users opt in, `required` forces it. */
  mfa: z.enum(['optional', 'required']),
  /** Minutes an access or ID token is valid (Cognito allows 5..1440). */
  accessTokenMinutes: z.number().int().min(5).max(1440),
  /** Days a refresh token is valid. */
  refreshTokenDays: z.number().int().min(1).max(3650),
  /** Seconds a rotated refresh token stays usable for client retries (0..60); rotation is always on. */
  refreshTokenRotationGraceSeconds: z.number().int().min(0).max(60),
  /**
   * Cognito Plus with threat protection enforced (compromised credentials, adaptive auth).
   * Costs money per monthly active user: opt-in.
   */
  plusFeatures: z.boolean(),
  /**
   * Bump to make the next deploy fetch the user pool's JWKS again (the authorizer gets it at
   * deploy time; Cognito does not rotate user pool signing keys on its own).
   */
  jwksRevision: z.number().int().min(1),
  /** Prefix of the Cognito domain serving `/oauth2/token` for machine clients; globally unique. */
  domainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
      message: 'must be lower-case letters, digits and hyphens (Cognito domain prefix)',
    })
    .refine((prefix) => !/aws|amazon|cognito/.test(prefix), {
      message: 'must not contain "aws", "amazon" or "cognito" (Cognito refuses those words in a prefix)',
    }),
  /**
   * Days between rotations of the login client's secret. Cognito accepts two secrets per client:
   * the previous one stays valid until the next rotation, far longer than any function caches it.
   */
  clientSecretRotationDays: z.number().int().min(1).max(90),
  /**
   * SES sending for the pool's mail; required in staging and prod.
   * @default - Cognito's built-in sender (dev)
   */
  email: authEmailConfigSchema.optional(),
  /**
   * Risk responses of threat protection: required exactly when `plusFeatures` is on.
   * @default - none (no threat protection without `plusFeatures`)
   */
  threatProtection: threatProtectionConfigSchema.optional(),
});

/** Environments whose pool must send through SES (Cognito's own sender is capped at about 50 mails a day). */
export const ENVIRONMENTS_REQUIRING_SES: readonly EnvironmentName[] = ['staging', 'prod'];

/** Cross-field rules of `auth`: SES where mail matters, a risk configuration exactly with threat protection. */
function checkAuth(
  env: { readonly name: EnvironmentName; readonly auth: z.infer<typeof authConfigSchema> },
  ctx: z.RefinementCtx,
): void {
  const { auth } = env;
  if (ENVIRONMENTS_REQUIRING_SES.includes(env.name) && auth.email === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['auth', 'email'],
      message: `is required in ${env.name}: invitations, verification codes and password resets need SES (Cognito's own sender sends about 50 mails a day); set sesIdentity, fromAddress and configurationSet`,
    });
  }
  if (auth.plusFeatures && auth.threatProtection === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['auth', 'threatProtection'],
      message:
        'is required with plusFeatures: say what threat protection does per risk level (accountTakeover low/medium/high) and with compromised credentials',
    });
  }
  if (!auth.plusFeatures && auth.threatProtection !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['auth', 'threatProtection'],
      message: 'needs plusFeatures: true (a risk configuration only applies with threat protection)',
    });
  }
  const notifies = Object.values(auth.threatProtection?.accountTakeover ?? {}).some((level) => level.notify);
  if (notifies && auth.email === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['auth', 'threatProtection', 'accountTakeover'],
      message: 'notify needs auth.email: Cognito sends risk notifications only through SES',
    });
  }
}

/**
 * Memory (GiB) of the RDS instance classes Rampart may use. PostgreSQL's default
 * `max_connections` on RDS is LEAST(DBInstanceClassMemory / 9531392, 5000); the class memory
 * is nominal here (RDS reserves a little, so the real value is a few percent lower: check with
 * `SHOW max_connections` after a resize).
 */
export const DB_INSTANCE_CLASS_MEMORY_GIB = {
  'db.t4g.micro': 1,
  'db.t4g.small': 2,
  'db.t4g.medium': 4,
  'db.t4g.large': 8,
  'db.m7g.large': 8,
  'db.m7g.xlarge': 16,
  'db.m7g.2xlarge': 32,
  'db.r7g.large': 16,
  'db.r7g.xlarge': 32,
  'db.r7g.2xlarge': 64,
} as const;
export type DbInstanceClass = keyof typeof DB_INSTANCE_CLASS_MEMORY_GIB;

/** RDS's default `max_connections` for PostgreSQL on an instance class. */
export function maxConnectionsOf(instanceClass: DbInstanceClass): number {
  const bytes = DB_INSTANCE_CLASS_MEMORY_GIB[instanceClass] * 1024 ** 3;
  return Math.min(Math.floor(bytes / 9_531_392), 5000);
}

/** Connections RDS Proxy may open to the database: `maxConnectionsPercent` of `max_connections`. */
export function proxyConnectionBudget(database: {
  readonly instanceClass: DbInstanceClass;
  readonly proxy: { readonly maxConnectionsPercent: number };
}): number {
  return Math.floor((maxConnectionsOf(database.instanceClass) * database.proxy.maxConnectionsPercent) / 100);
}

/** Performance Insights retention values RDS accepts (days); 7 is the free tier. */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = [7, 31, 93, 186, 372, 731] as const;

/** Enhanced monitoring intervals RDS accepts (seconds); 0 turns it off. */
export const MONITORING_INTERVAL_SECONDS = [0, 1, 5, 10, 15, 30, 60] as const;

const oneOf = <T extends number>(values: readonly T[]) =>
  z.number().refine((n) => (values as readonly number[]).includes(n), {
    message: `must be one of ${values.join(', ')}`,
  }) as unknown as z.ZodType<T, T>;

const INSTANCE_CLASSES = Object.keys(DB_INSTANCE_CLASS_MEMORY_GIB) as [DbInstanceClass, ...DbInstanceClass[]];

export const databaseConfigSchema = z
  .strictObject({
    /** RDS instance class, e.g. `db.t4g.micro`; also sizes the proxy's connection budget. */
    instanceClass: z.enum(INSTANCE_CLASSES),
    /** Initial gp3 storage in GiB (gp3 needs at least 20). */
    allocatedStorageGiB: z.number().int().min(20).max(65_536),
    /** Storage autoscaling cap in GiB. */
    maxAllocatedStorageGiB: z.number().int().min(20).max(65_536),
    /** A standby in a second AZ with automatic failover. */
    multiAz: z.boolean(),
    /** Days of automated backups = the point-in-time recovery window (RDS and AWS Backup allow 1..35). */
    backupRetentionDays: z.number().int().min(1).max(35),
    /** Refuse DeleteDBInstance until switched off. */
    deletionProtection: z.boolean(),
    /** What CloudFormation does with the instance (and its key and secret) when removed or replaced. */
    removalPolicy: z.enum(['destroy', 'snapshot', 'retain']),
    /** Delete the automated backups together with the instance (false keeps PITR after a deletion). */
    deleteAutomatedBackups: z.boolean(),
    /** Replicate automated backups (PITR) to `drRegion`. */
    replicateBackupsToDrRegion: z.boolean(),
    /** Enhanced monitoring interval in seconds; 0 turns it off. */
    monitoringIntervalSeconds: oneOf(MONITORING_INTERVAL_SECONDS),
    /** Performance Insights retention in days. */
    performanceInsightsRetentionDays: oneOf(PERFORMANCE_INSIGHTS_RETENTION_DAYS),
    /** Retention of the PostgreSQL logs exported to CloudWatch. */
    cloudwatchLogsRetentionDays: retentionDays,
    /** Statements slower than this are logged (`log_min_duration_statement`), in milliseconds. */
    slowQueryThresholdMs: z.number().int().min(0).max(60_000),
    /** Days between rotations of the admin secret (at most 30). */
    secretRotationDays: z.number().int().min(1).max(30),
    /**
     * Lets CloudFormation move the instance to another PostgreSQL major in place. Set it for the one
     * deploy that upgrades an existing instance (runbooks/maintenance/postgres-major-upgrade.md),
     * then remove it, so that no later change can start a major upgrade unannounced.
     * @default false
     */
    allowMajorVersionUpgrade: z.boolean().optional(),
    /**
     * RDS applies new minor versions of PostgreSQL by itself in the weekly maintenance window. On
     * in dev and staging; off in prod, which takes a minor version after staging ran it, by
     * runbooks/maintenance/postgres-minor-upgrade.md (the pending-maintenance alarm says when).
     */
    autoMinorVersionUpgrade: z.boolean(),
    /** RDS Proxy settings. */
    proxy: z.strictObject({
      /** Share of `max_connections` the proxy may open (at most 80: room for admin and rotation). */
      maxConnectionsPercent: z.number().int().min(1).max(80),
      /** Share of `max_connections` the proxy keeps open while idle. */
      maxIdleConnectionsPercent: z.number().int().min(0).max(80),
      /** Seconds a client connection may sit idle before the proxy closes it. */
      idleClientTimeoutSeconds: z.number().int().min(60).max(28_800),
      /** Seconds a client waits for a pooled connection (well below the 15 s function timeout). */
      borrowTimeoutSeconds: z.number().int().min(1).max(10),
    }),
  })
  .refine((db) => db.maxAllocatedStorageGiB >= db.allocatedStorageGiB, {
    message: 'maxAllocatedStorageGiB must be at least allocatedStorageGiB',
    path: ['maxAllocatedStorageGiB'],
  })
  .refine((db) => db.proxy.maxIdleConnectionsPercent <= db.proxy.maxConnectionsPercent, {
    message: 'maxIdleConnectionsPercent cannot exceed maxConnectionsPercent',
    path: ['proxy', 'maxIdleConnectionsPercent'],
  });
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

/** Retention bounds a vault lock enforces on every recovery point in its vault. */
const vaultLockBounds = {
  /** Shortest retention a recovery point in the vault may have. */
  minRetentionDays: z.number().int().min(1),
  /** Longest retention a recovery point in the vault may have. */
  maxRetentionDays: z.number().int().min(1),
};

export const backupConfigSchema = z
  .strictObject({
    /** Days daily snapshots are kept (continuous backups keep `database.backupRetentionDays`). */
    dailyRetentionDays: z.number().int().min(1).max(36_500),
    /**
     * Days monthly snapshots are kept; omit for no monthly rule.
     * @default - no monthly snapshots
     */
    monthlyRetentionDays: z.number().int().min(1).max(36_500).optional(),
    /** Copy daily and monthly snapshots to the `rampart-<env>-dr` vault in `drRegion`. */
    copyToDrRegion: z.boolean(),
    /** Days copies are kept in the DR vault. */
    drCopyRetentionDays: z.number().int().min(1).max(36_500),
    /**
     * AWS Backup Vault Lock on the environment's vault and the DR vault: no recovery point can be
     * deleted or have its retention shortened while the lock stands, and backup or copy jobs whose
     * retention lies outside its bounds fail. In `compliance` mode the lock itself becomes immutable
     * `changeableForDays` after it is set (root included); in `governance` mode a principal allowed
     * `backup:DeleteBackupVaultLockConfiguration` can remove it at any time.
     * @default - no lock
     */
    vaultLock: z
      .discriminatedUnion('mode', [
        z.strictObject({
          mode: z.literal('compliance'),
          ...vaultLockBounds,
          /** Days until the lock can no longer be changed or removed (AWS Backup's cooling-off: at least 3). */
          changeableForDays: z.number().int().min(3),
        }),
        z.strictObject({
          mode: z.literal('governance'),
          ...vaultLockBounds,
        }),
      ])
      .optional(),
    /** A weekly AWS Backup restore test of the latest snapshot (proves restores, not assumes them). */
    restoreTesting: z.boolean(),
    /**
     * Where the weekly restore test of the DR vault's copies runs in drRegion when the environment
     * keeps no standby network there (strategy `backup-restore`): an isolated VPC (no NAT gateway,
     * no route out) whose only way to AWS is the interface endpoints the restore validator calls,
     * in the first zone only. Never peered: its range may overlap others.
     * @default - the standby's `drNetwork` (standby strategies); required otherwise with `copyToDrRegion` and `restoreTesting`
     */
    drRestoreTestNetwork: z
      .strictObject({
        cidr: ipv4Cidr,
        availabilityZones,
        flowLogRetentionDays: retentionDays,
      })
      .optional(),
  })
  .refine((b) => !b.vaultLock || b.vaultLock.minRetentionDays <= b.vaultLock.maxRetentionDays, {
    message: 'minRetentionDays cannot exceed maxRetentionDays',
    path: ['vaultLock', 'minRetentionDays'],
  });
export type BackupConfig = z.infer<typeof backupConfigSchema>;
/** A vault lock of either mode (`backup.vaultLock`). */
export type VaultLockConfig = NonNullable<BackupConfig['vaultLock']>;

/** Days production keeps every log it writes: the function logs, the API access logs, the PostgreSQL logs. */
export const PRODUCTION_LOG_RETENTION_DAYS = 365;

/** Production keeps its logs for a year at least (they are evidence; the stacks also retain the groups). */
function checkProductionLogs(
  env: {
    readonly name: string;
    readonly functions: { readonly logRetentionDays: number };
    readonly database: { readonly cloudwatchLogsRetentionDays: number };
    readonly api: { readonly accessLogRetentionDays: number };
  },
  ctx: z.RefinementCtx,
): void {
  if (env.name !== 'prod') return;
  const retentions: [string[], number][] = [
    [['functions', 'logRetentionDays'], env.functions.logRetentionDays],
    [['database', 'cloudwatchLogsRetentionDays'], env.database.cloudwatchLogsRetentionDays],
    [['api', 'accessLogRetentionDays'], env.api.accessLogRetentionDays],
  ];
  for (const [path, days] of retentions) {
    if (days < PRODUCTION_LOG_RETENTION_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `prod keeps logs for ${PRODUCTION_LOG_RETENTION_DAYS} days at least (${days} given)`,
      });
    }
  }
}

/** Cross-field rules of an environment: DR region, proxy connection budget, vault lock bounds. */
function checkDataTier(
  env: {
    readonly region: string;
    readonly drRegion: string;
    readonly functions: z.infer<typeof functionsConfigSchema>;
    readonly capacity: CapacityConfig;
    readonly database: DatabaseConfig;
    readonly backup: BackupConfig;
  },
  ctx: z.RefinementCtx,
): void {
  if (env.drRegion === env.region) {
    ctx.addIssue({ code: 'custom', path: ['drRegion'], message: 'must differ from region' });
  }
  // Every reserved instance of every database function may hold dbPoolMax proxy connections; the
  // reservations come from the capacity model (lib/config/capacity.ts).
  const demand = capacityPlan(env).databaseConnections;
  const budget = proxyConnectionBudget(env.database);
  if (demand > budget) {
    ctx.addIssue({
      code: 'custom',
      path: ['functions', 'dbPoolMax'],
      message:
        `the database functions reserve ${demand / env.functions.dbPoolMax} concurrent executions (capacity model) ` +
        `x functions.dbPoolMax ${env.functions.dbPoolMax} = ${demand} proxy connections, above the proxy connection ` +
        `budget ${budget} (max_connections ${maxConnectionsOf(env.database.instanceClass)} of database.instanceClass ` +
        `${env.database.instanceClass} x database.proxy.maxConnectionsPercent ${env.database.proxy.maxConnectionsPercent}%): ` +
        `lower capacity.routeClasses (rateLimit or expectedDurationMs), capacity.concurrencyHeadroom or ` +
        `functions.workerReservedConcurrency, or choose a larger database.instanceClass`,
    });
  }
  const lock = env.backup.vaultLock;
  if (lock) {
    const retentions: Record<string, number | undefined> = {
      'database.backupRetentionDays': env.database.backupRetentionDays,
      'backup.dailyRetentionDays': env.backup.dailyRetentionDays,
      'backup.monthlyRetentionDays': env.backup.monthlyRetentionDays,
      // The DR vault carries the same lock.
      'backup.drCopyRetentionDays': env.backup.copyToDrRegion ? env.backup.drCopyRetentionDays : undefined,
    };
    for (const [field, days] of Object.entries(retentions)) {
      if (days !== undefined && (days < lock.minRetentionDays || days > lock.maxRetentionDays)) {
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'vaultLock'],
          message: `${field} (${days}) must lie within the vault lock's ${lock.minRetentionDays}..${lock.maxRetentionDays} days, or backup jobs fail`,
        });
      }
    }
  }
}

/** What one API key tier is promised: its usage plan's throttle and quota. */
const usagePlanSchema = z.strictObject({
  /** Steady-state requests per second for one key. */
  rateLimit: z.number().positive().max(10_000),
  /** Burst bucket for one key. */
  burstLimit: z.number().int().min(1).max(5_000),
  /** Requests per quota period for one key. */
  quotaLimit: z.number().int().min(1),
  quotaPeriod: z.enum(['DAY', 'WEEK', 'MONTH']),
});

export type UsagePlanLimits = z.infer<typeof usagePlanSchema>;

/** The stage's settings other than limits (those are in `capacity`). */
export const apiConfigSchema = z.strictObject({
  /** Seconds API Gateway caches an authorizer decision per Authorization header (0..3600). */
  authorizerCacheSeconds: z.number().int().min(0).max(3600),
  /** Retention of the JSON access logs. */
  accessLogRetentionDays: retentionDays,
  /** Responses at least this large (bytes) are compressed by API Gateway when the client accepts it. */
  minimumCompressionBytes: z.number().int().min(0).max(10_485_760),
  /** Hours a rotated API key keeps working. */
  apiKeyRotationGraceHours: z.number().int().min(0).max(720),
});

/** Severities of alarms and their SNS topics: `critical` pages, `warning` and `info` go to Slack. */
export const ALARM_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

const slackId = (what: string, pattern: RegExp) =>
  z.string().regex(pattern, { message: `must be a Slack ${what} id` });

/** M of N: an alarm fires when `datapointsToAlarm` of the last `evaluationPeriods` periods breach. */
const datapointsSchema = z
  .strictObject({
    /** Periods evaluated (N). */
    evaluationPeriods: z.number().int().min(1).max(30),
    /** Breaching periods among them that fire the alarm (M). */
    datapointsToAlarm: z.number().int().min(1).max(30),
  })
  .refine((d) => d.datapointsToAlarm <= d.evaluationPeriods, {
    message: 'datapointsToAlarm cannot exceed evaluationPeriods',
    path: ['datapointsToAlarm'],
  });

export const alarmsConfigSchema = z.strictObject({
  /**
   * Base URL of the rendered repository docs; runbook links are `<docsBaseUrl>runbooks/alarms/<alarm-id>.md`.
   * Must end with `/`.
   */
  docsBaseUrl: z
    .url({ protocol: /^https$/, message: 'must be an https URL' })
    .refine((url) => url.endsWith('/'), { message: 'must end with /' }),
  /**
   * Where `critical` pages go: an HTTPS integration URL read at deploy time from a Secrets Manager
   * secret created out of band (the integration key never appears in the template), or an email.
   * @default - no paging subscription (critical alarms reach Slack only)
   */
  paging: z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('https'),
        /** Name of the secret whose SecretString is the full HTTPS endpoint (PagerDuty/Opsgenie). */
        endpointSecretName: z.string().min(1),
      }),
      z.strictObject({ kind: z.literal('email'), address: z.email() }),
    ])
    .optional(),
  /**
   * Name of the Secrets Manager secret (created out of band) holding the Slack incoming webhook:
   * either the URL itself or JSON `{ "critical": url, "warning": url, "info": url }`.
   */
  slackWebhookSecretName: z.string().min(1),
  /**
   * AWS Chatbot channels per severity; only when the workspace is connected to the account.
   * @default - no Chatbot configuration (the webhook notifier still posts)
   */
  chatbot: z
    .strictObject({
      /** Slack workspace (team) id, e.g. `T0123ABCD`. */
      workspaceId: slackId('workspace', /^T[A-Z0-9]{4,}$/),
      /** Channel id per severity, e.g. `C0123ABCD`. */
      channels: z.strictObject({
        critical: slackId('channel', /^[CG][A-Z0-9]{4,}$/),
        warning: slackId('channel', /^[CG][A-Z0-9]{4,}$/),
        info: slackId('channel', /^[CG][A-Z0-9]{4,}$/),
      }),
    })
    .optional(),
  /** Post every severity to one Slack channel (the `warning` webhook/channel); topics stay per severity. */
  routeAllToOneChannel: z.boolean(),
  /** Component alarms fire on M of N breaching periods. */
  datapoints: datapointsSchema,
  /** Service level objectives; their multi-window burn-rate composite alarms page. */
  slo: z.strictObject({
    /** Availability target in percent of requests answered without a 5XX (e.g. 99.9). */
    availabilityPercent: z.number().min(90).max(99.99),
    /** Share of requests (percent) that must be faster than `latencyThresholdMs`. */
    latencyPercent: z.number().min(90).max(99.99),
    /** The latency objective's threshold in milliseconds. */
    latencyThresholdMs: z.number().int().min(50).max(29_000),
  }),
  /** Thresholds of the component alarms. */
  thresholds: z.strictObject({
    /** API Gateway 5XX responses, percent of requests. */
    api5xxPercent: z.number().positive().max(100),
    /** API Gateway 4XX responses, percent of requests (401/403/429 storms). */
    api4xxPercent: z.number().positive().max(100),
    /** Requests per period below which the 4XX/5XX rate alarms stay quiet (avoid 1-of-2 = 50 %). */
    minRequestsForRate: z.number().int().min(1),
    /** Per-route p90 latency, milliseconds. */
    latencyP90Ms: z.number().int().min(10),
    /** Per-route p99 latency, milliseconds. */
    latencyP99Ms: z.number().int().min(10),
    /** Function errors per period. */
    functionErrors: z.number().int().min(1),
    /** p99 duration as a percent of the function timeout. */
    durationPercentOfTimeout: z.number().min(10).max(100),
    /** Concurrent executions as a percent of the function's reserved concurrency. */
    concurrencyPercentOfReserved: z.number().min(10).max(100),
    /** Age of the oldest message on the work queue, seconds. */
    queueOldestMessageSeconds: z.number().int().min(60),
    /** RDS CPU, percent. */
    dbCpuPercent: z.number().min(10).max(100),
    /** RDS freeable memory floor, MiB. */
    dbFreeableMemoryMiB: z.number().int().min(16),
    /** RDS free storage floor, GiB. */
    dbFreeStorageGiB: z.number().int().min(1),
    /** Database connections as a percent of `max_connections` of the instance class. */
    dbConnectionsPercent: z.number().min(10).max(100),
    /** RDS read and write latency, milliseconds. */
    dbIoLatencyMs: z.number().min(1),
    /** DB load (average active sessions) per vCPU-equivalent; alarm at this many sessions. */
    dbLoad: z.number().positive(),
    /** RDS Proxy borrow latency (p99), milliseconds. */
    proxyBorrowLatencyMs: z.number().int().min(1),
    /** Proxy connections to the database as a percent of its connection budget. */
    proxyConnectionsPercent: z.number().min(10).max(100),
    /** Client connections refused for bad auth per period. */
    proxyAuthFailures: z.number().int().min(1),
    /** Session-pinned connections as a percent of the proxy's database connections. */
    proxyPinnedPercent: z.number().min(1).max(100),
    /** Requests blocked by a web ACL per period. */
    wafBlockedRequests: z.number().int().min(1),
    /** CloudFront 5xx error rate, percent. */
    cloudFront5xxPercent: z.number().positive().max(100),
  }),
});
export type AlarmsConfig = z.infer<typeof alarmsConfigSchema>;

/** CloudFront price classes: which edge locations serve the distribution. */
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/** Evaluation windows AWS WAF rate-based rules accept, in seconds. */
export const WAF_RATE_WINDOWS = [60, 120, 300, 600] as const;

export const edgeConfigSchema = z.strictObject({
  /**
   * What the WAF rules (managed groups, rate and body-size rules) do with a match: `count` only
   * labels and logs it (for tuning), `block` refuses it. The origin-verify rule always blocks.
   */
  ruleAction: z.enum(['count', 'block']),
  /** AWS managed anonymous-IP list (VPNs, Tor, hosting providers). Costs per request: opt-in. */
  anonymousIpList: z.boolean(),
  /** AWS managed Bot Control (common level). Costs per request and per month: opt-in. */
  botControl: z.boolean(),
  /** CloudFront price class. */
  priceClass: z.enum(PRICE_CLASSES),
  /**
   * Custom domain of the distribution; omit to serve on the `*.cloudfront.net` name.
   * @default - no custom domain
   */
  domain: z
    .strictObject({
      /** Fully qualified name, e.g. `api.example.com`. */
      name: z.string().regex(/^(?!-)[a-z0-9-]{1,63}(?:\.(?!-)[a-z0-9-]{1,63})+$/, {
        message: 'must be a lower-case host name such as api.example.com',
      }),
      /**
       * ARN of an existing ACM certificate in us-east-1 covering `name`.
       * @default - the Edge stack requests a DNS-validated certificate (validated through
       * `hostedZone`, or by a CNAME you add: `npm run preflight` says which and where)
       */
      certificateArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/, {
          message: 'must be an ACM certificate ARN in us-east-1 (CloudFront only uses certificates there)',
        })
        .optional(),
      /**
       * The public Route 53 hosted zone holding `name`, in the environment's account: the certificate
       * the Edge stack requests then validates itself (its CNAME is written into the zone). Named by
       * id and name, so synth looks nothing up.
       * @default - no zone: add the validation CNAME by hand during the first deploy
       */
      hostedZone: z
        .strictObject({
          /** Hosted zone id, e.g. `Z0123456789ABCDEFGHIJ`. */
          id: z.string().regex(/^Z[A-Z0-9]{1,32}$/, {
            message: 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
          }),
          /** The zone's domain name, e.g. `example.com` (no trailing dot). */
          name: z.string().regex(/^(?!-)[a-z0-9-]{1,63}(?:\.(?!-)[a-z0-9-]{1,63})+$/, {
            message: 'must be a lower-case domain name such as example.com, without the trailing dot',
          }),
        })
        .optional(),
    })
    .refine(
      (domain) =>
        !domain.hostedZone ||
        domain.name === domain.hostedZone.name ||
        domain.name.endsWith(`.${domain.hostedZone.name}`),
      {
        message: 'must be inside edge.domain.hostedZone.name (the zone that can hold its validation record)',
        path: ['name'],
      },
    )
    .optional(),
  /** Retention of the WAF logs (edge and regional). */
  wafLogRetentionDays: retentionDays,
  /** Days CloudFront access logs are kept in their bucket. */
  accessLogRetentionDays: z.number().int().min(1).max(3653),
  /** Days between rotations of the origin-verify secret (at most 30). */
  originVerifyRotationDays: z.number().int().min(1).max(30),
});
export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

/** One route class of the capacity model: the throttle of each of its methods and how long a request runs. */
const routeClassSchema = z.strictObject({
  /** Requests per second one method of the class is built for: its method throttle's rate. */
  rateLimit: z.number().positive().max(10_000),
  /** Requests one method accepts at once on top of the rate: its throttle's bucket. */
  burstLimit: z.number().int().min(1).max(5_000),
  /** Mean time one request spends in the route's function, in ms (Little's law: concurrency = rate x duration). */
  expectedDurationMs: z.number().int().min(1).max(29_000),
});

/**
 * The capacity model: one section every limit derives from (lib/config/capacity.ts). WAF rate rules,
 * stage and method throttles, usage plans and reserved concurrency are computed from it, and synth
 * refuses a model whose layers contradict each other (docs/load-testing.md).
 */
export const capacityConfigSchema = z.strictObject({
  /** Evaluation window of every WAF rate rule, in seconds; refused requests get it as `Retry-After`. */
  wafWindowSeconds: oneOf(WAF_RATE_WINDOWS),
  /**
   * Sustained requests per second one source address may send through CloudFront (the edge per-IP
   * rule counts `edgePerIpRps x wafWindowSeconds` per window). Several clients may share an address.
   */
  edgePerIpRps: z.number().positive(),
  /** Requests one address may send to `/api/v1/auth/*` per window (credential stuffing, reset floods). */
  edgeAuthRequestsPerIp: z.number().int().min(10),
  /**
   * Sustained requests per second one credential (token or API key) may send: the regional
   * per-credential rule (behind CloudFront the source address is an edge server's). Token callers
   * share their usage plan, so this is what keeps one user from taking the others' share.
   */
  perCredentialRps: z.number().positive(),
  /** What each API key tier is promised: one usage plan each (throttle and quota per key). */
  tiers: z.strictObject({ free: usagePlanSchema, standard: usagePlanSchema, premium: usagePlanSchema }),
  /** Throttle and expected duration per route class (`capacityClass` in the route manifest). */
  routeClasses: z.strictObject(
    Object.fromEntries(CAPACITY_CLASSES.map((name) => [name, routeClassSchema])) as Record<
      CapacityClass,
      typeof routeClassSchema
    >,
  ),
  /** Mean duration of an authorizer call that misses its cache, in ms. */
  authorizerDurationMs: z.number().int().min(1).max(29_000),
  /** Reserved concurrency = rate x duration x this (at least 1): room for slower requests and cold starts. */
  concurrencyHeadroom: z.number().min(1).max(10),
  /** API Gateway's account throttle in the region (10,000 rps unless raised through Service Quotas). */
  accountRateLimit: z.number().int().min(1),
});
export type CapacityConfig = z.infer<typeof capacityConfigSchema>;

/**
 * What the environment is expected to carry in a month: the traffic part of `npm run cost`
 * (lib/cost/, docs/cost.md). Steady-state averages, not peaks.
 */
export const trafficProfileSchema = z.strictObject({
  /** API requests reaching CloudFront in a month (every one is inspected by both web ACLs). */
  requestsPerMonth: z.number().int().min(0),
  /** Users of the user pool with at least one sign-in, refresh or other identity operation in a month. */
  monthlyActiveUsers: z.number().int().min(0),
  /** Mean size of a response as sent to the viewer (after compression), in KiB. */
  averageResponseKiB: z.number().min(0),
  /**
   * Log written per request across every log group (function, access, WAF and flow logs), in KiB
   * before CloudWatch compresses it for storage.
   */
  logKiBPerRequest: z.number().min(0),
  /** Mean billed duration of the route function that serves a request, in ms. */
  functionMsPerRequest: z.number().min(0),
  /** Share of requests whose authorizer result comes from API Gateway's cache (the function is not invoked). */
  authorizerCacheHitPercent: z.number().min(0).max(100),
  /** Data through the NAT gateways in a month (Cognito's public endpoints, the API Gateway control plane), in GiB. */
  natGiBPerMonth: z.number().min(0),
});
export type TrafficProfile = z.infer<typeof trafficProfileSchema>;

/** The environment's monthly budget and the traffic its estimate assumes (docs/cost.md). */
export const costConfigSchema = z.strictObject({
  /**
   * The monthly budget in USD: `npm test` fails when the estimate (lib/cost/) exceeds it, and the
   * AWS Budgets budget alerts on actual and forecast spend of the environment's tagged resources.
   */
  monthlyBudgetUsd: z.number().positive(),
  /** Cost Anomaly Detection alerts on an anomaly whose total impact reaches this many USD. */
  anomalyAlertUsd: z.number().positive(),
  /** The traffic the estimate's traffic part is computed from. */
  traffic: trafficProfileSchema,
});
export type CostConfig = z.infer<typeof costConfigSchema>;

/** Contradictions in the capacity model (lib/config/capacity.ts), each naming the field to change. */
function checkCapacity(
  env: { readonly capacity: CapacityConfig; readonly functions: z.infer<typeof functionsConfigSchema> },
  ctx: z.RefinementCtx,
): void {
  for (const issue of capacityIssues(env)) {
    ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
  }
}

/**
 * The DR vault's copies are restore-tested in drRegion, in the standby's network or in
 * `backup.drRestoreTestNetwork`: exactly one of them where copies are made and restores tested.
 */
function checkDrRestoreTestNetwork(
  env: {
    readonly drRegion: string;
    readonly drNetwork?: unknown;
    readonly backup: {
      readonly copyToDrRegion: boolean;
      readonly restoreTesting: boolean;
      readonly drRestoreTestNetwork?: { readonly availabilityZones: readonly string[] };
    };
  },
  ctx: z.RefinementCtx,
): void {
  const { backup } = env;
  const path = ['backup', 'drRestoreTestNetwork'];
  const tested = backup.copyToDrRegion && backup.restoreTesting;
  if (!backup.drRestoreTestNetwork) {
    if (tested && !env.drNetwork) {
      ctx.addIssue({
        code: 'custom',
        path,
        message:
          'the DR vault copies are restore-tested in drRegion: declare the network they are restored into (or set backup.restoreTesting false)',
      });
    }
    return;
  }
  if (!tested) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'only used with backup.copyToDrRegion and backup.restoreTesting: remove it',
    });
  } else if (env.drNetwork) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'the standby network (drNetwork) hosts the DR restore tests: remove it',
    });
  }
  backup.drRestoreTestNetwork.availabilityZones.forEach((zone, index) => {
    if (!zone.startsWith(env.drRegion)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'availabilityZones', index],
        message: `must be a zone of drRegion ${env.drRegion}`,
      });
    }
  });
}

/** A standby strategy needs its network in drRegion; that network must not overlap the primary's. */
function checkDrNetwork(
  env: {
    readonly drRegion: string;
    readonly network: { readonly cidr: string };
    readonly drNetwork?: { readonly cidr: string; readonly availabilityZones: readonly string[] };
    readonly recovery: { readonly strategy: string };
  },
  ctx: z.RefinementCtx,
): void {
  const standby = env.recovery.strategy !== 'backup-restore';
  if (standby && !env.drNetwork) {
    ctx.addIssue({
      code: 'custom',
      path: ['drNetwork'],
      message: `strategy ${env.recovery.strategy} keeps a database replica in drRegion: declare its network`,
    });
  }
  if (!env.drNetwork) return;
  if (!standby) {
    ctx.addIssue({
      code: 'custom',
      path: ['drNetwork'],
      message: 'only a standby strategy (pilot-light, warm-standby) builds a network in drRegion: remove it',
    });
  }
  env.drNetwork.availabilityZones.forEach((zone, index) => {
    if (!zone.startsWith(env.drRegion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['drNetwork', 'availabilityZones', index],
        message: `must be a zone of drRegion ${env.drRegion}`,
      });
    }
  });
  if (env.drNetwork.cidr === env.network.cidr) {
    ctx.addIssue({
      code: 'custom',
      path: ['drNetwork', 'cidr'],
      message: 'must differ from network.cidr (the two VPCs may need to be peered for a failback)',
    });
  }
}

export const environmentConfigSchema = z
  .strictObject({
    /** Environment name; also the `env` context value and part of every stack name. */
    name: z.enum(ENVIRONMENT_NAMES),
    /** AWS account id the environment deploys to. */
    account: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }),
    /** Region of everything except the us-east-1 edge parts. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-west-1' }),
    /** Value of the `owner` tag on every resource: who to ask about this environment. */
    owner: z.string().min(1),
    /** Stacks of this environment refuse `cdk destroy` until switched off. */
    terminationProtection: z.boolean(),
    network: networkConfigSchema,
    functions: functionsConfigSchema,
    queue: queueConfigSchema,
    cors: corsConfigSchema,
    /** Region that receives backup copies and replicated automated backups (never `region`). */
    drRegion: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-central-1' }),
    /**
     * The standby's network in `drRegion` (strategy `pilot-light` or `warm-standby`): its own address
     * range and zones, named so synth never looks them up.
     * @default - no network in drRegion (strategy `backup-restore`)
     */
    drNetwork: networkConfigSchema.optional(),
    database: databaseConfigSchema,
    backup: backupConfigSchema,
    auth: authConfigSchema,
    api: apiConfigSchema,
    /** CloudFront, the two web ACLs and the origin-verify secret. */
    edge: edgeConfigSchema,
    alarms: alarmsConfigSchema,
    /** Every limit, from the edge to Lambda (lib/config/capacity.ts, docs/load-testing.md). */
    capacity: capacityConfigSchema,
    /** Recovery objectives per kind of failure and the strategy for a region loss (docs/dr.md). */
    recovery: recoveryConfigSchema,
    /** Monthly budget and traffic profile: `npm run cost`, AWS Budgets and anomaly alerts (docs/cost.md). */
    cost: costConfigSchema,
  })
  .superRefine(checkCapacity)
  .superRefine(checkDataTier)
  .superRefine(checkAuth)
  .superRefine(checkProductionLogs)
  .superRefine(checkRecovery)
  .superRefine(checkDrNetwork)
  .superRefine(checkDrRestoreTestNetwork);

/** One environment's validated configuration. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
/** What an environment file declares: everything, before validation. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
