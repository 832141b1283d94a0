import type { ConnectionOptions } from 'node:tls';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import type { RestoreJob, RestoreValidationDeps, SqlReader } from '../domain/ops/restore-validation';
import { restJson, type RestJsonTarget } from '../shared/aws/rest-json';

/** The admin secret as RDS writes it (attached to the instance: it carries host and port). */
interface AdminSecret {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly username: string;
  readonly password: string;
}

export interface RestoreValidationRuntime {
  readonly rds: RDSClient;
  readonly secrets: SecretsManagerClient;
  /** The database's admin secret (ARN). */
  readonly adminSecretId: string;
  /** TLS to both instances; `false` only for a loopback test database. */
  readonly tls: ConnectionOptions | false;
  /** @default - AWS Backup's regional endpoint */
  readonly backupEndpoint?: string;
  /**
   * What the restored database is compared with: the instance the admin secret names (`secret`), a
   * DB instance of this region by identifier (`instance`: the DR region's read replica, which has
   * the source's users and passwords), or nothing (`none`: no source reachable in this region,
   * the restored database is checked alone).
   * @default { kind: 'secret' }
   */
  readonly source?: RestoreValidationSource;
}

export type RestoreValidationSource =
  | { readonly kind: 'secret' }
  | { readonly kind: 'instance'; readonly instanceId: string }
  | { readonly kind: 'none' };

/**
 * The source setting of the function's environment (`SOURCE_DATABASE`): unset or empty is the
 * admin secret's instance, `none` is no source, anything else a DB instance identifier.
 */
export function restoreValidationSource(value: string | undefined): RestoreValidationSource {
  if (!value) return { kind: 'secret' };
  if (value === 'none') return { kind: 'none' };
  return { kind: 'instance', instanceId: value };
}

/** DescribeRestoreJob's dates are epoch seconds on the wire. */
type Wire<T> = { [K in keyof T]: T[K] extends Date | undefined ? number | undefined : T[K] };
const date = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000));

async function connect(secret: AdminSecret, host: string, port: number, tls: ConnectionOptions | false) {
  const client = new Client({
    host,
    port,
    database: secret.dbname,
    user: secret.username,
    password: secret.password,
    ssl: tls === false ? false : { ...tls, servername: host },
    connectionTimeoutMillis: 10_000,
    application_name: 'rampart-restore-validation',
    // Only reads: a mistake here can never write to the source.
    options: '-c default_transaction_read_only=on',
  });
  await client.connect();
  return client;
}

function reader(client: Client): SqlReader & { close(): Promise<void> } {
  return {
    query: async <Row extends Record<string, unknown>>(text: string, values?: unknown[]) =>
      client.query<Row>(text, values),
    close: () => client.end(),
  };
}

/**
 * The validation's AWS and database access: AWS Backup over signed REST-JSON (lambda/shared/aws/
 * rest-json.ts says why), the restored instance's endpoint from RDS, and the admin secret. The
 * restored instance has the admin password of its recovery point: the current one, or the previous
 * one when a rotation happened since (restore tests pick points younger than the rotation period,
 * lib/constructs/data/database-backup.ts), so both are tried in that order.
 */
export function restoreValidationDeps(runtime: RestoreValidationRuntime): RestoreValidationDeps {
  const target = async (): Promise<RestJsonTarget> => ({
    service: 'backup',
    region: await runtime.rds.config.region(),
    credentials: runtime.rds.config.credentials,
    endpoint: runtime.backupEndpoint,
  });
  const secretVersion = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<AdminSecret | undefined> => {
    try {
      const value = await runtime.secrets.send(
        new GetSecretValueCommand({ SecretId: runtime.adminSecretId, VersionStage: stage }),
      );
      return JSON.parse(value.SecretString ?? '') as AdminSecret;
    } catch (error) {
      if (stage === 'AWSPREVIOUS' && (error as { name?: string }).name === 'ResourceNotFoundException') {
        return undefined; // never rotated
      }
      throw error;
    }
  };
  const path = (id: string, suffix = '') => `/restore-jobs/${encodeURIComponent(id)}${suffix}`;
  const endpointOf = async (filter: { Name: string; Values: string[] }, what: string) => {
    const described = await runtime.rds.send(new DescribeDBInstancesCommand({ Filters: [filter] }));
    const endpoint = described.DBInstances?.[0]?.Endpoint;
    if (!endpoint?.Address || !endpoint.Port) throw new Error(`${what} has no endpoint`);
    return { host: endpoint.Address, port: endpoint.Port };
  };
  const source = runtime.source ?? { kind: 'secret' };

  return {
    async describeRestoreJob(restoreJobId) {
      const job = await restJson<Wire<RestoreJob>>(await target(), 'GET', path(restoreJobId));
      if (!job) throw new Error(`DescribeRestoreJob returned nothing for ${restoreJobId}`);
      return {
        ...job,
        CreationDate: date(job.CreationDate),
        CompletionDate: date(job.CompletionDate),
        RecoveryPointCreationDate: date(job.RecoveryPointCreationDate),
      };
    },
    async restoreJobMetadata(restoreJobId) {
      const result = await restJson<{ Metadata?: Record<string, string> }>(
        await target(),
        'GET',
        path(restoreJobId, '/metadata'),
      );
      return result?.Metadata ?? {};
    },
    async putValidationResult(restoreJobId, status, message) {
      await restJson(await target(), 'PUT', path(restoreJobId, '/validations'), {
        ValidationStatus: status,
        ValidationStatusMessage: message,
      });
    },
    async connectRestored(createdResourceArn) {
      const endpoint = await endpointOf(
        { Name: 'db-instance-id', Values: [createdResourceArn] },
        `the restored instance ${createdResourceArn}`,
      );
      const failures: string[] = [];
      for (const stage of ['AWSCURRENT', 'AWSPREVIOUS'] as const) {
        const secret = await secretVersion(stage);
        if (!secret) continue;
        try {
          return reader(await connect(secret, endpoint.host, endpoint.port, runtime.tls));
        } catch (error) {
          // 28P01: wrong password (the recovery point predates a rotation); anything else is final.
          if ((error as { code?: string }).code !== '28P01') throw error;
          failures.push(`${stage}: ${(error as Error).message}`);
        }
      }
      throw new Error(`no admin password opens the restored instance (${failures.join('; ')})`);
    },
    connectSource:
      source.kind === 'none'
        ? undefined
        : async () => {
            const secret = (await secretVersion('AWSCURRENT'))!;
            const { host, port } =
              source.kind === 'instance'
                ? await endpointOf(
                    { Name: 'db-instance-id', Values: [source.instanceId] },
                    `the source instance ${source.instanceId}`,
                  )
                : { host: secret.host, port: Number(secret.port) };
            return reader(await connect(secret, host, port, runtime.tls));
          },
  };
}
