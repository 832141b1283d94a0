import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  checkRestoredDatabase,
  checkRestoredDatabaseAlone,
  recoveryPointTypeOf,
  restoredPointOf,
  restoreFigures,
  validateRestoreJob,
  type RestoreJob,
  type RestoreValidationDeps,
} from '../../../../lambda/domain/ops/restore-validation';
import { startTestDatabase, type TestDatabase } from '../../../support/database';

// Two real PostgreSQL databases, both migrated by the project's runner: the live source and the
// database a restore test brought back.
let source: TestDatabase;
let restored: TestDatabase;

beforeAll(async () => {
  // One after the other: two embedded databases starting at once overload a busy machine.
  source = await startTestDatabase();
  restored = await startTestDatabase();
});
afterAll(() => Promise.all([source.stop(), restored.stop()]));
beforeEach(async () => {
  // Both hold the same migrations, applied long before the point, and no rows.
  for (const db of [source, restored]) {
    await db.pool.query('TRUNCATE project_activity, projects, api_keys CASCADE');
  }
  await source.pool.query(`UPDATE schema_migrations SET applied_at = '2026-01-01T00:00:00Z'`);
  const { rows } = await source.pool.query(
    'SELECT version, name, checksum, applied_at FROM schema_migrations',
  );
  await restored.pool.query('DELETE FROM schema_migrations');
  for (const row of rows) {
    await restored.pool.query(
      'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)',
      [row.version, row.name, row.checksum, row.applied_at],
    );
  }
});

const POINT = new Date('2026-11-30T06:00:00Z');
const minutes = (n: number) => new Date(POINT.getTime() + n * 60_000);

async function project(db: Pool, createdAt: Date, id: string = randomUUID()): Promise<string> {
  await db.query(
    `INSERT INTO projects (id, name, owner_sub, created_at, updated_at) VALUES ($1, 'p', 'sub-1', $2, $2)`,
    [id, createdAt],
  );
  return id;
}
async function activity(db: Pool, recordedAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO project_activity (event_id, project_id, event_type, occurred_at, recorded_at)
     VALUES ($1, $2, 'project.created', $3, $3)`,
    [randomUUID(), randomUUID(), recordedAt],
  );
}
/** The same project rows in both databases (a good restore), written at `when`. */
async function both(when: Date): Promise<void> {
  const id = randomUUID();
  await project(source.pool, when, id);
  await project(restored.pool, when, id);
}
const byName = (result: Awaited<ReturnType<typeof checkRestoredDatabase>>) =>
  Object.fromEntries(result.checks.map((c) => [c.name, c]));

describe('checkRestoredDatabase', () => {
  it('passes a restore that holds everything the source had written before the point', async () => {
    await both(minutes(-120));
    await both(minutes(-30));
    await activity(source.pool, minutes(-10));
    await activity(restored.pool, minutes(-10));
    // Written after the point, and one written before it deleted since: neither fails the restore.
    await project(source.pool, minutes(+5));
    await project(restored.pool, minutes(-45));

    const result = await checkRestoredDatabase(restored.pool, source.pool, POINT);

    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['migrations', true],
      ['schema-version', true],
      ['row-counts', true],
      ['newest-row', true],
    ]);
    expect(result.ok).toBe(true);
    expect(byName(result)['row-counts'].detail).toBe(
      'restored/source rows written before the point: projects 3/2, api_keys 0/0, project_activity 1/1',
    );
    expect(result.newestRowAgeSeconds).toBe(600);
  });

  it('fails when a table lost rows the source had at the point', async () => {
    await both(minutes(-60));
    await project(source.pool, minutes(-50));

    const result = await checkRestoredDatabase(restored.pool, source.pool, POINT);

    expect(result.ok).toBe(false);
    expect(byName(result)['row-counts']).toEqual({
      name: 'row-counts',
      ok: false,
      detail: 'fewer rows than the source had: projects 1/2, api_keys 0/0, project_activity 0/0',
    });
  });

  it('fails when the newest rows before the point are missing (a restore of an older point)', async () => {
    await both(minutes(-600));
    // Same counts (the source has since deleted the restore's older row): only the newest row tells.
    await project(restored.pool, minutes(-700));
    await project(source.pool, minutes(-5));

    const result = await checkRestoredDatabase(restored.pool, source.pool, POINT);

    expect(byName(result)['row-counts'].ok).toBe(true);
    expect(byName(result)['newest-row']).toMatchObject({
      ok: false,
      detail:
        'restored newest 2026-11-29T20:00:00.000Z (36000 s before the point), ' +
        'source newest before the point 2026-11-30T05:55:00.000Z',
    });
  });

  it('ignores rows stamped within the commit margin before the point (they may have committed after it)', async () => {
    await both(minutes(-10));
    await project(source.pool, new Date(POINT.getTime() - 30_000));

    expect((await checkRestoredDatabase(restored.pool, source.pool, POINT)).ok).toBe(true);
  });

  it('fails when the restored database lacks a migration the source had applied before the point', async () => {
    await restored.pool.query(
      'DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)',
    );
    const { rows } = await source.pool.query<{ version: number }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );

    const result = await checkRestoredDatabase(restored.pool, source.pool, POINT);

    expect(byName(result).migrations).toEqual({
      name: 'migrations',
      ok: false,
      detail: `missing ${rows[0].version}`,
    });
    expect(byName(result)['schema-version'].ok).toBe(false);
  });

  it('accepts a migration the source applied after the point, and only the source version at the point', async () => {
    const { rows } = await source.pool.query<{ version: number }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    await restored.pool.query('DELETE FROM schema_migrations WHERE version = $1', [rows[0].version]);
    await source.pool.query(`UPDATE schema_migrations SET applied_at = $1 WHERE version = $2`, [
      minutes(+60),
      rows[0].version,
    ]);

    const result = await checkRestoredDatabase(restored.pool, source.pool, POINT);

    expect(byName(result).migrations.ok).toBe(true);
    expect(byName(result)['schema-version'].ok).toBe(true);
  });

  it('fails on a migration whose checksum differs, and on one the source never had', async () => {
    await restored.pool.query(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`);
    await restored.pool.query(
      `INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'stray', 'x')`,
    );

    const result = await checkRestoredDatabase(restored.pool, source.pool, POINT);

    expect(byName(result).migrations).toMatchObject({
      ok: false,
      detail: 'checksum differs for 1; not in the source: 9999',
    });
  });

  it('fails (and still runs the other checks) when the restored database has no migrations table', async () => {
    const broken = { query: () => Promise.reject(new Error('relation "schema_migrations" does not exist')) };

    const result = await checkRestoredDatabase(broken, source.pool, POINT);

    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['migrations', false],
      ['schema-version', false],
      ['row-counts', false],
      ['newest-row', false],
    ]);
    expect(result.checks[0].detail).toBe('could not run: relation "schema_migrations" does not exist');
  });
});

describe('restore job figures', () => {
  const job: RestoreJob = {
    RestoreJobId: 'job-1',
    RecoveryPointArn: 'arn:aws:backup:eu-west-1:333333333333:recovery-point:continuous:db-ABC-1a2b3c4d',
    CreationDate: new Date('2026-11-30T06:00:00Z'),
    CompletionDate: new Date('2026-11-30T06:42:30Z'),
    RecoveryPointCreationDate: new Date('2026-11-01T00:00:00Z'),
  };

  it('tells continuous points from snapshots by their ARN', () => {
    expect(recoveryPointTypeOf(job.RecoveryPointArn!)).toBe('CONTINUOUS');
    expect(recoveryPointTypeOf('arn:aws:rds:eu-west-1:333333333333:snapshot:awsbackup:job-1234')).toBe(
      'SNAPSHOT',
    );
  });

  it('takes the restored point from the restore metadata, else the recovery point', () => {
    expect(restoredPointOf(job, { RestoreTime: '2026-11-30T05:57:00Z' })).toEqual(
      new Date('2026-11-30T05:57:00Z'),
    );
    expect(restoredPointOf(job, { useLatestRestorableTime: 'true' })).toEqual(job.CreationDate);
    expect(restoredPointOf(job, {})).toEqual(job.RecoveryPointCreationDate);
  });

  it('measures the duration and how old the restored data was when the restore started', () => {
    expect(restoreFigures(job, new Date('2026-11-30T05:57:00Z'))).toEqual({
      recoveryPointType: 'CONTINUOUS',
      durationSeconds: 2550,
      recoveryPointAgeSeconds: 180,
    });
    expect(restoreFigures({ ...job, CompletionDate: undefined }, POINT)).toBeUndefined();
  });
});

describe('checkRestoredDatabaseAlone (no source in the region)', () => {
  it('passes a readable restore, counting (not comparing) its rows and reporting the newest one', async () => {
    await project(restored.pool, minutes(-120));
    await project(restored.pool, minutes(-30));
    await activity(restored.pool, minutes(-10));

    const result = await checkRestoredDatabaseAlone(restored.pool, POINT);

    expect(result.ok).toBe(true);
    expect(result.newestRowAgeSeconds).toBe(600);
    const checks = byName(result);
    expect(checks['migrations'].detail).toMatch(
      /^\d+ migrations \(not compared: no source in this region\)$/,
    );
    expect(checks['row-counts'].detail).toBe(
      'restored rows written before the point (not compared: no source in this region): projects 2, api_keys 0, project_activity 1',
    );
    expect(checks['newest-row'].detail).toBe(
      `restored newest ${minutes(-10).toISOString()} (600 s before the point)`,
    );
  });

  it('fails a restore holding rows stamped after its point (beyond the margin): it is not the point it claims', async () => {
    await project(restored.pool, minutes(-5));
    await project(restored.pool, minutes(+0.5)); // within the margin: clocks may differ
    await activity(restored.pool, minutes(+30));

    const result = await checkRestoredDatabaseAlone(restored.pool, POINT);

    expect(result.ok).toBe(false);
    expect(byName(result)['newest-row']).toEqual({
      name: 'newest-row',
      ok: false,
      detail: 'rows stamped after the point (beyond 60 s): project_activity 1',
    });
  });

  it('fails when the migrations table is empty or a main table is missing', async () => {
    await restored.pool.query('DELETE FROM schema_migrations');
    expect(byName(await checkRestoredDatabaseAlone(restored.pool, POINT))).toMatchObject({
      migrations: { ok: false, detail: 'schema_migrations is empty' },
      'schema-version': { ok: false, detail: 'restored none (not compared: no source in this region)' },
      'row-counts': { ok: true },
    });

    await restored.pool.query('ALTER TABLE project_activity RENAME TO project_activity_gone');
    try {
      const result = await checkRestoredDatabaseAlone(restored.pool, POINT);
      expect(byName(result)['row-counts']).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/^could not run: relation "project_activity" does not exist/),
      });
      expect(byName(result)['newest-row']).toMatchObject({ ok: false });
    } finally {
      await restored.pool.query('ALTER TABLE project_activity_gone RENAME TO project_activity');
    }
  });
});

describe('validateRestoreJob', () => {
  const PLAN = 'arn:aws:backup:eu-west-1:333333333333:restore-testing-plan:rampart_prod_pitr-abc';
  const completed: RestoreJob = {
    RestoreJobId: 'job-1',
    Status: 'COMPLETED',
    ResourceType: 'RDS',
    CreatedResourceArn: 'arn:aws:rds:eu-west-1:333333333333:db:awsbackup-restore-test-1',
    RecoveryPointArn: 'arn:aws:rds:eu-west-1:333333333333:snapshot:awsbackup:job-1',
    CreationDate: new Date('2026-11-30T06:00:00Z'),
    CompletionDate: new Date('2026-11-30T06:20:00Z'),
    RecoveryPointCreationDate: POINT,
    CreatedBy: { RestoreTestingPlanArn: PLAN },
  };

  function deps(job: RestoreJob, overrides: Partial<RestoreValidationDeps> = {}) {
    const reported: [string, string, string][] = [];
    const closed: string[] = [];
    const value: RestoreValidationDeps = {
      describeRestoreJob: () => Promise.resolve(job),
      restoreJobMetadata: () => Promise.resolve({}),
      putValidationResult: (id, status, message) => {
        reported.push([id, status, message]);
        return Promise.resolve();
      },
      connectRestored: () =>
        Promise.resolve({
          query: restored.pool.query.bind(restored.pool),
          close: async () => void closed.push('restored'),
        }),
      connectSource: () =>
        Promise.resolve({
          query: source.pool.query.bind(source.pool),
          close: async () => void closed.push('source'),
        }),
      ...overrides,
    } as RestoreValidationDeps;
    return { value, reported, closed };
  }

  it('reports VALIDATING, then SUCCESSFUL with every check, and closes both connections', async () => {
    await both(minutes(-15));
    const { value, reported, closed } = deps(completed);

    const outcome = await validateRestoreJob(value, 'job-1', [PLAN]);

    expect(outcome).toMatchObject({
      status: 'SUCCESSFUL',
      figures: { recoveryPointType: 'SNAPSHOT', durationSeconds: 1200, recoveryPointAgeSeconds: 0 },
    });
    expect(reported[0]).toEqual(['job-1', 'VALIDATING', 'Rampart restore validation started']);
    expect(reported[1][1]).toBe('SUCCESSFUL');
    expect(reported[1][2]).toMatch(
      /^ok migrations: .*; ok schema-version: .*; ok row-counts: .*; ok newest-row: /,
    );
    expect(closed.sort()).toEqual(['restored', 'source']);
  });

  it('without a source, checks the restored database alone and says what was not compared', async () => {
    await project(restored.pool, minutes(-15));
    const { value, reported, closed } = deps(completed, { connectSource: undefined });

    const outcome = await validateRestoreJob(value, 'job-1', [PLAN]);

    expect(outcome).toMatchObject({ status: 'SUCCESSFUL', result: { newestRowAgeSeconds: 900 } });
    expect(reported[1][2]).toMatch(
      /^ok migrations: \d+ migrations \(not compared: no source in this region\); ok schema-version: .*; ok row-counts: .*projects 1.*; ok newest-row: /,
    );
    expect(closed).toEqual(['restored']);
  });

  it('reports FAILED when the restored instance cannot be reached, keeping the figures', async () => {
    const { value, reported } = deps(completed, {
      connectRestored: () => Promise.reject(new Error('connect ETIMEDOUT 10.0.3.4:5432')),
    });

    const outcome = await validateRestoreJob(value, 'job-1', [PLAN]);

    expect(outcome).toMatchObject({ status: 'FAILED', figures: { durationSeconds: 1200 } });
    expect(reported[1]).toEqual([
      'job-1',
      'FAILED',
      'validation could not run: connect ETIMEDOUT 10.0.3.4:5432',
    ]);
  });

  it.each([
    [{ ...completed, CreatedBy: undefined }, 'not a restore test of this environment (no plan)'],
    [
      { ...completed, CreatedBy: { RestoreTestingPlanArn: `${PLAN}-other` } },
      `not a restore test of this environment (${PLAN}-other)`,
    ],
    [{ ...completed, Status: 'FAILED' }, 'job FAILED of RDS'],
  ])('skips other restore jobs without reporting (%#)', async (job, reason) => {
    const { value, reported } = deps(job);

    await expect(validateRestoreJob(value, 'job-1', [PLAN])).resolves.toEqual({ status: 'skipped', reason });
    expect(reported).toEqual([]);
  });
});
