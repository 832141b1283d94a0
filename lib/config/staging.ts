import type { EnvironmentConfigInput } from './schema';

/**
 * Staging: shaped like prod, so every prod feature is exercised here first (threat protection and
 * required MFA, the custom domain and its certificate, Bot Control and the anonymous-IP list, vault
 * lock, DR copies and backup replication, Chatbot, the HTTPS pager), at smaller sizes and shorter
 * retention. The few differences are listed with their reasons in
 * test/lib/config/staging-like-prod.test.ts, which fails on any other (docs/environments.md).
 */
export const staging: EnvironmentConfigInput = {
  name: 'staging',
  account: '222222222222',
  region: 'eu-west-1',
  owner: 'platform-team',
  terminationProtection: true,
  network: {
    cidr: '10.20.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    natGateways: 1,
    interfaceEndpoints: ['secretsmanager', 'logs', 'sqs', 'monitoring', 'kms', 'sts'],
    flowLogRetentionDays: 90,
  },
  functions: {
    logRetentionDays: 30,
    logLevel: 'INFO',
    accountConcurrencyLimit: 1000,
    workerReservedConcurrency: 5,
    dbPoolMax: 1,
  },
  queue: { maxReceiveCount: 5, deadLetterRetentionDays: 14 },
  cors: { allowedOrigins: ['https://staging.app.example.com'] },
  drRegion: 'eu-west-2',
  database: {
    instanceClass: 'db.t4g.medium',
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    multiAz: true,
    backupRetentionDays: 14,
    deletionProtection: true,
    removalPolicy: 'snapshot',
    deleteAutomatedBackups: false,
    replicateBackupsToDrRegion: true,
    monitoringIntervalSeconds: 30,
    performanceInsightsRetentionDays: 7,
    cloudwatchLogsRetentionDays: 30,
    slowQueryThresholdMs: 500,
    secretRotationDays: 30,
    autoMinorVersionUpgrade: true,
    proxy: {
      maxConnectionsPercent: 70,
      maxIdleConnectionsPercent: 20,
      idleClientTimeoutSeconds: 1800,
      borrowTimeoutSeconds: 5,
    },
  },
  backup: {
    dailyRetentionDays: 14,
    monthlyRetentionDays: 60,
    copyToDrRegion: true,
    drCopyRetentionDays: 14,
    // Governance mode: the same refusals as prod's lock, but removable (a compliance lock would
    // outlive any rebuild of staging).
    vaultLock: { mode: 'governance', minRetentionDays: 7, maxRetentionDays: 90 },
    restoreTesting: true,
    // The DR vault's copies are restore-tested in eu-west-2 (docs/dr.md): two isolated subnets per
    // tier, three interface endpoints in one zone, no NAT gateway.
    drRestoreTestNetwork: {
      cidr: '10.22.0.0/16',
      availabilityZones: ['eu-west-2a', 'eu-west-2b'],
      flowLogRetentionDays: 90,
    },
  },
  auth: {
    mfa: 'required',
    accessTokenMinutes: 15,
    refreshTokenDays: 14,
    refreshTokenRotationGraceSeconds: 10,
    // Threat protection as in prod, so its risk configuration is exercised before prod.
    plusFeatures: true,
    jwksRevision: 1,
    domainPrefix: 'rampart-staging-auth',
    clientSecretRotationDays: 30,
    email: {
      // Placeholders: verify your own domain in SES (staging's region) and leave the sandbox first (docs/auth.md).
      sesIdentity: 'example.com',
      fromAddress: 'no-reply@example.com',
      fromName: 'Rampart',
      configurationSet: 'rampart-staging-auth-mail',
    },
    threatProtection: {
      accountTakeover: {
        low: { action: 'NO_ACTION', notify: false },
        medium: { action: 'MFA_REQUIRED', notify: true },
        high: { action: 'BLOCK', notify: true },
      },
      compromisedCredentials: 'BLOCK',
    },
  },
  api: {
    authorizerCacheSeconds: 300,
    accessLogRetentionDays: 30,
    minimumCompressionBytes: 1024,
    apiKeyRotationGraceHours: 24,
  },
  alarms: {
    docsBaseUrl: 'https://github.com/example-org/rampart/blob/main/',
    paging: { kind: 'https', endpointSecretName: 'rampart/staging/pager-endpoint' },
    slackWebhookSecretName: 'rampart/staging/slack-webhook',
    chatbot: {
      // Placeholders (npm run preflight lists them): staging's own channels in the team's workspace.
      workspaceId: 'T0000EXAMPLE',
      channels: { critical: 'C000STGCRITICAL', warning: 'C000STGWARNING', info: 'C000STGINFO' },
    },
    routeAllToOneChannel: false,
    datapoints: { evaluationPeriods: 5, datapointsToAlarm: 3 },
    slo: { availabilityPercent: 99.5, latencyPercent: 99, latencyThresholdMs: 1500 },
    thresholds: {
      api5xxPercent: 2,
      api4xxPercent: 15,
      minRequestsForRate: 20,
      latencyP90Ms: 1000,
      latencyP99Ms: 3000,
      functionErrors: 5,
      durationPercentOfTimeout: 80,
      concurrencyPercentOfReserved: 80,
      queueOldestMessageSeconds: 900,
      dbCpuPercent: 80,
      dbFreeableMemoryMiB: 256,
      dbFreeStorageGiB: 10,
      dbConnectionsPercent: 80,
      dbIoLatencyMs: 20,
      dbLoad: 4,
      proxyBorrowLatencyMs: 100,
      proxyConnectionsPercent: 90,
      proxyAuthFailures: 10,
      proxyPinnedPercent: 20,
      wafBlockedRequests: 500,
      cloudFront5xxPercent: 2,
    },
  },
  edge: {
    ruleAction: 'block',
    anonymousIpList: true,
    botControl: true,
    priceClass: 'PriceClass_100',
    // Placeholder (npm run preflight lists it): staging's own host name, so its certificate is
    // requested and validated the way prod's is.
    domain: { name: 'api.staging.example.com' },
    wafLogRetentionDays: 90,
    accessLogRetentionDays: 90,
    originVerifyRotationDays: 30,
  },
  // Every limit derives from this model (lib/config/capacity.ts, table in docs/load-testing.md).
  // Prod's shape (the same tiers, WAF rules and headroom) at half prod's read rate.
  capacity: {
    wafWindowSeconds: 300,
    edgePerIpRps: 100,
    edgeAuthRequestsPerIp: 100,
    perCredentialRps: 60,
    tiers: {
      free: { rateLimit: 1, burstLimit: 5, quotaLimit: 1000, quotaPeriod: 'DAY' },
      standard: { rateLimit: 10, burstLimit: 20, quotaLimit: 10000, quotaPeriod: 'DAY' },
      premium: { rateLimit: 50, burstLimit: 100, quotaLimit: 100000, quotaPeriod: 'DAY' },
    },
    routeClasses: {
      health: { rateLimit: 50, burstLimit: 100, expectedDurationMs: 20 },
      readiness: { rateLimit: 20, burstLimit: 40, expectedDurationMs: 100 },
      read: { rateLimit: 100, burstLimit: 200, expectedDurationMs: 50 },
      write: { rateLimit: 50, burstLimit: 100, expectedDurationMs: 100 },
      directory: { rateLimit: 50, burstLimit: 100, expectedDurationMs: 150 },
      admin: { rateLimit: 5, burstLimit: 10, expectedDurationMs: 300 },
      keyManagement: { rateLimit: 5, burstLimit: 10, expectedDurationMs: 500 },
      auth: { rateLimit: 20, burstLimit: 40, expectedDurationMs: 400 },
      passwordReset: { rateLimit: 2, burstLimit: 5, expectedDurationMs: 600 },
    },
    authorizerDurationMs: 50,
    concurrencyHeadroom: 1.5,
    accountRateLimit: 10000,
  },
  // Restored from the backups replicated to drRegion: minutes of data, hours to rebuild (docs/dr.md).
  recovery: {
    strategy: 'backup-restore',
    azLoss: { rtoSeconds: 300, rpoSeconds: 0 },
    pointInTimeRestore: { rtoSeconds: 3600, rpoSeconds: 300 },
    regionLoss: { rtoSeconds: 14_400, rpoSeconds: 300, identityRpoSeconds: 86_400 },
  },
  // The estimate of `npm run cost -- -c env=staging` must stay within the budget (docs/cost.md).
  cost: {
    monthlyBudgetUsd: 700,
    anomalyAlertUsd: 50,
    traffic: {
      // Release rehearsals and load tests (docs/load-testing.md) on a prod-shaped stack.
      requestsPerMonth: 2_000_000,
      monthlyActiveUsers: 500,
      averageResponseKiB: 2,
      logKiBPerRequest: 2,
      functionMsPerRequest: 80,
      authorizerCacheHitPercent: 70,
      natGiBPerMonth: 5,
    },
  },
};
