import { z } from 'zod';

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
] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

const retentionDays = z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
  message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
});

const ipv4Cidr = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-8])$/, {
  message: 'must be an IPv4 CIDR block between /16 and /28, e.g. 10.0.0.0/16',
});

export const networkConfigSchema = z
  .strictObject({
    /** VPC address range. */
    cidr: ipv4Cidr,
    /** Availability zones used, named explicitly so synth never looks them up. */
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/))
      .min(2)
      .max(6),
    /** NAT gateways; 0 means functions reach AWS only through VPC endpoints. */
    natGateways: z.number().int().min(0).max(6),
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

export const functionsConfigSchema = z.strictObject({
  /** Retention of every function's log group. */
  logRetentionDays: retentionDays,
  /** Powertools log level of every function. */
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  /** Reserved concurrency of each HTTP handler function. */
  apiReservedConcurrency: z.number().int().min(1).max(1000),
  /** Reserved concurrency of the queue worker. */
  workerReservedConcurrency: z.number().int().min(1).max(1000),
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
  /** Prefix of the Cognito domain serving `/oauth2/token` for machine clients; globally unique. */
  domainPrefix: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'must be lower-case letters, digits and hyphens (Cognito domain prefix)',
  }),
});

export const environmentConfigSchema = z.strictObject({
  /** Environment name; also the `env` context value and part of every stack name. */
  name: z.enum(ENVIRONMENT_NAMES),
  /** AWS account id the environment deploys to. */
  account: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }),
  /** Region of everything except the us-east-1 edge parts. */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-west-1' }),
  /** Value of the `owner` tag on every resource: who to ask about this environment. */
  owner: z.string().min(1),
  /** Stacks of this environment refuse `cdk destroy` until switched off. */
  terminationProtection: z.boolean(),
  network: networkConfigSchema,
  functions: functionsConfigSchema,
  queue: queueConfigSchema,
  cors: corsConfigSchema,
  auth: authConfigSchema,
});

/** One environment's validated configuration. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
/** What an environment file declares: everything, before validation. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
