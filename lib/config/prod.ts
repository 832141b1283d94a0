import type { EnvironmentConfigInput } from './schema';

/** Production: three AZs, a NAT gateway per AZ, a year of flow logs, termination protection. */
export const prod: EnvironmentConfigInput = {
  name: 'prod',
  account: '333333333333',
  region: 'eu-west-1',
  owner: 'platform-team',
  terminationProtection: true,
  network: {
    cidr: '10.30.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    natGateways: 3,
    interfaceEndpoints: ['secretsmanager', 'logs', 'sqs', 'monitoring', 'kms', 'sts'],
    flowLogRetentionDays: 365,
  },
  functions: {
    logRetentionDays: 90,
    logLevel: 'INFO',
    apiReservedConcurrency: 50,
    workerReservedConcurrency: 10,
    dbPoolMax: 1,
  },
  queue: { maxReceiveCount: 5, deadLetterRetentionDays: 14 },
  cors: { allowedOrigins: ['https://app.example.com'] },
  auth: {
    mfa: 'required',
    accessTokenMinutes: 15,
    refreshTokenDays: 30,
    refreshTokenRotationGraceSeconds: 10,
    plusFeatures: true,
    domainPrefix: 'rampart-prod-auth',
  },
};
