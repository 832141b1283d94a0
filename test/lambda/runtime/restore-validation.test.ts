import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { validateRestoreJob } from '../../../lambda/domain/ops/restore-validation';
import {
  restoreValidationDeps,
  restoreValidationSource,
  type RestoreValidationSource,
} from '../../../lambda/runtime/restore-validation';
import { startTestDatabase, type TestDatabase } from '../../support/database';

// AWS Backup has no SDK client at the pinned release: its calls are signed REST-JSON requests,
// received here by a local HTTP server that records them exactly. RDS and Secrets Manager are SDK
// clients (mocked, exact requests asserted); both databases are real PostgreSQL.
const PLAN = 'arn:aws:backup:eu-west-1:333333333333:restore-testing-plan:rampart_prod_pitr-7f1e';
const RESTORED_ARN = 'arn:aws:rds:eu-west-1:333333333333:db:awsbackup-restore-test-0a1b2c';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:333333333333:secret:rampart-prod-admin-AbCdEf';

let source: TestDatabase;
let restored: TestDatabase;
let backup: Server;
let endpoint: string;
const received: { method: string; url: string; body: string; authorization: string; host: string }[] = [];
const rds = mockClient(RDSClient);
const secrets = mockClient(SecretsManagerClient);

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  // The server backend: PGlite ignores startup options, and the read-only session is one.
  source = await startTestDatabase({ backend: 'server' });
  restored = await startTestDatabase({ backend: 'server' });
  // Migrations applied long before the restored point.
  await source.pool.query(`UPDATE schema_migrations SET applied_at = '2026-01-01T00:00:00Z'`);
  backup = createServer((request, response) => {
    void body(request).then((text) => {
      received.push({
        method: request.method!,
        url: request.url!,
        body: text,
        authorization: String(request.headers.authorization),
        host: String(request.headers.host),
      });
      response.setHeader('content-type', 'application/json');
      if (request.method === 'PUT') {
        response.writeHead(204).end();
      } else if (request.url === '/restore-jobs/job-42/metadata') {
        response.end(
          JSON.stringify({ RestoreJobId: 'job-42', Metadata: { UseLatestRestorableTime: 'true' } }),
        );
      } else if (request.url === '/restore-jobs/job-42') {
        response.end(
          JSON.stringify({
            RestoreJobId: 'job-42',
            Status: 'COMPLETED',
            ResourceType: 'RDS',
            CreatedResourceArn: RESTORED_ARN,
            RecoveryPointArn:
              'arn:aws:backup:eu-west-1:333333333333:recovery-point:continuous:db-ABC-1a2b3c4d',
            CreationDate: 1_796_018_400, // 2026-12-01T06:00:00Z
            CompletionDate: 1_796_020_800.5, // 40 min later
            RecoveryPointCreationDate: 1_793_491_200,
            CreatedBy: { RestoreTestingPlanArn: PLAN },
          }),
        );
      } else {
        response.writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal' });
        response.end(JSON.stringify({ Message: `no restore job at ${request.url}` }));
      }
    });
  });
  await new Promise<void>((resolve) => backup.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(backup.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all([source.stop(), restored.stop()]);
  await new Promise((resolve) => backup.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  rds.reset();
  secrets.reset();
});

function runtime(source?: RestoreValidationSource) {
  return restoreValidationDeps({
    source,
    rds: new RDSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    }),
    secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
    adminSecretId: SECRET_ARN,
    tls: false,
    backupEndpoint: endpoint,
  });
}

function adminSecret(db: TestDatabase) {
  return JSON.stringify({
    host: db.connection.host,
    port: db.connection.port,
    dbname: db.connection.database,
    username: db.connection.user,
    password: 'unused-on-loopback',
  });
}

describe('restoreValidationDeps', () => {
  it('validates a completed restore test end to end and reports to AWS Backup with signed requests', async () => {
    rds
      .on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: [RESTORED_ARN] }] })
      .resolves({
        DBInstances: [{ Endpoint: { Address: '127.0.0.1', Port: Number(restored.connection.port) } }],
      });
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: adminSecret(source) });

    const outcome = await validateRestoreJob(runtime(), 'job-42', [PLAN]);

    expect(outcome).toMatchObject({
      status: 'SUCCESSFUL',
      figures: { recoveryPointType: 'CONTINUOUS', durationSeconds: 2401, recoveryPointAgeSeconds: 0 },
    });
    expect(
      received.map(({ method, url, body }) => [method, url, body ? JSON.parse(body) : undefined]),
    ).toEqual([
      ['GET', '/restore-jobs/job-42', undefined],
      [
        'PUT',
        '/restore-jobs/job-42/validations',
        { ValidationStatus: 'VALIDATING', ValidationStatusMessage: 'Rampart restore validation started' },
      ],
      ['GET', '/restore-jobs/job-42/metadata', undefined],
      [
        'PUT',
        '/restore-jobs/job-42/validations',
        {
          ValidationStatus: 'SUCCESSFUL',
          ValidationStatusMessage: expect.stringMatching(/^ok migrations: /),
        },
      ],
    ]);
    for (const request of received) {
      expect(request.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/backup\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      expect(request.host).toBe(new URL(endpoint).host);
    }
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: SECRET_ARN,
      VersionStage: 'AWSCURRENT',
    });
  });

  it('compares with a DB instance of the region named by identifier (the DR replica), not the secret host', async () => {
    const REPLICA = 'rampart-prod-standby-replica';
    rds
      .on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: [RESTORED_ARN] }] })
      .resolves({
        DBInstances: [{ Endpoint: { Address: '127.0.0.1', Port: Number(restored.connection.port) } }],
      })
      .on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: [REPLICA] }] })
      .resolves({
        DBInstances: [{ Endpoint: { Address: '127.0.0.1', Port: Number(source.connection.port) } }],
      });
    // The replicated secret still names the primary's host, unreachable from the DR region.
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ ...JSON.parse(adminSecret(source)), host: 'primary.invalid', port: 1 }),
    });

    const outcome = await validateRestoreJob(runtime(restoreValidationSource(REPLICA)), 'job-42', [PLAN]);

    expect(outcome).toMatchObject({ status: 'SUCCESSFUL' });
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 2);
    expect(rds).toHaveReceivedNthCommandWith(2, DescribeDBInstancesCommand, {
      Filters: [{ Name: 'db-instance-id', Values: [REPLICA] }],
    });
  });

  it('with no source, checks the restored instance alone and opens no other connection', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ Endpoint: { Address: '127.0.0.1', Port: Number(restored.connection.port) } }],
    });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: adminSecret(restored) });

    const outcome = await validateRestoreJob(runtime(restoreValidationSource('none')), 'job-42', [PLAN]);

    expect(outcome).toMatchObject({
      status: 'SUCCESSFUL',
      message: expect.stringContaining('not compared: no source in this region'),
    });
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 1);
  });

  it('reads the source setting: unset is the secret, none is none, else an instance identifier', () => {
    expect(restoreValidationSource(undefined)).toEqual({ kind: 'secret' });
    expect(restoreValidationSource('')).toEqual({ kind: 'secret' });
    expect(restoreValidationSource('none')).toEqual({ kind: 'none' });
    expect(restoreValidationSource('db-1')).toEqual({ kind: 'instance', instanceId: 'db-1' });
  });

  it('opens the restored instance read-only: a write is refused', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ Endpoint: { Address: '127.0.0.1', Port: Number(restored.connection.port) } }],
    });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: adminSecret(restored) });
    const connection = await runtime().connectRestored(RESTORED_ARN);
    try {
      await expect(
        connection.query(`INSERT INTO projects (name, owner_sub) VALUES ('x', 'y')`),
      ).rejects.toThrow(/read-only transaction/);
    } finally {
      await connection.close();
    }
  });

  it('fails the validation when the restored instance has no endpoint (and says which)', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: adminSecret(source) });

    const outcome = await validateRestoreJob(runtime(), 'job-42', [PLAN]);

    expect(outcome).toMatchObject({
      status: 'FAILED',
      message: `validation could not run: the restored instance ${RESTORED_ARN} has no endpoint`,
    });
    expect(JSON.parse(received.at(-1)!.body)).toEqual({
      ValidationStatus: 'FAILED',
      ValidationStatusMessage: `validation could not run: the restored instance ${RESTORED_ARN} has no endpoint`,
    });
  });

  it('turns an AWS error response into an error naming its type', async () => {
    await expect(runtime().describeRestoreJob('job-missing')).rejects.toThrow(
      'ResourceNotFoundException (HTTP 404): no restore job at /restore-jobs/job-missing',
    );
  });
});
