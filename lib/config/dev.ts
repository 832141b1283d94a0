import type { EnvironmentConfigInput } from './schema';

/** Development: cheap, short retention, no NAT (functions use VPC endpoints only). */
export const dev: EnvironmentConfigInput = {
  name: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  owner: 'platform-team',
  terminationProtection: false,
  network: {
    cidr: '10.10.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    interfaceEndpoints: ['secretsmanager', 'logs', 'sqs'],
    flowLogRetentionDays: 14,
  },
  functions: {
    logRetentionDays: 14,
    logLevel: 'DEBUG',
    apiReservedConcurrency: 5,
    workerReservedConcurrency: 2,
    dbPoolMax: 1,
  },
  queue: { maxReceiveCount: 3, deadLetterRetentionDays: 4 },
  cors: { allowedOrigins: [] },
  auth: {
    mfa: 'optional',
    accessTokenMinutes: 15,
    refreshTokenDays: 7,
    refreshTokenRotationGraceSeconds: 10,
    plusFeatures: false,
    domainPrefix: 'rampart-dev-auth',
  },
};
