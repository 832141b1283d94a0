import type { EnvironmentConfigInput } from './schema';

/** Staging: prod-shaped network with a single NAT gateway. */
export const staging: EnvironmentConfigInput = {
  name: 'staging',
  account: '222222222222',
  region: 'eu-west-1',
  owner: 'platform-team',
  terminationProtection: false,
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
    apiReservedConcurrency: 20,
    workerReservedConcurrency: 5,
    dbPoolMax: 1,
  },
  queue: { maxReceiveCount: 5, deadLetterRetentionDays: 14 },
  cors: { allowedOrigins: ['https://staging.app.example.com'] },
  auth: {
    mfa: 'optional',
    accessTokenMinutes: 15,
    refreshTokenDays: 14,
    refreshTokenRotationGraceSeconds: 10,
    plusFeatures: false,
    domainPrefix: 'rampart-staging-auth',
  },
};
