/**
 * Validation of a database restored by an AWS Backup restore test: does the restored database
 * hold what the source held at the recovery point? Every check compares the restored database
 * with the live source, limited to what the source had written before the recovery point, so
 * writes and deletions since then cannot fail a good restore:
 *
 * - migrations: every migration the source had applied before the point is in the restored
 *   `schema_migrations` with the same checksum, and the restored one holds none the source lacks;
 * - schema version: the restored highest version equals the source's highest one at the point;
 * - row counts: for each main table, the restored rows written before the point are at least the
 *   source's (rows deleted since the point only lower the source's count);
 * - newest row: the restored database holds a row as new as the newest one the source had
 *   written before the point, and reports its age at the point.
 */

/** What the checks need of a connection (a `pg` client or pool). */
export interface SqlReader {
  query<Row extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

/** The tables whose rows are counted, each with the column that says when a row was written. */
export const MAIN_TABLES = [
  { table: 'projects', writtenAt: 'created_at' },
  { table: 'api_keys', writtenAt: 'created_at' },
  { table: 'project_activity', writtenAt: 'recorded_at' },
] as const;
export type MainTable = (typeof MAIN_TABLES)[number];

/**
 * A transaction stamps `now()` when it starts and becomes visible when it commits: a row stamped
 * just before the recovery point may have committed after it. The application's role ends
 * statements after 10 s and idle transactions after 15 s (0100_app_role.sql); a minute covers both.
 */
export const COMMIT_MARGIN_SECONDS = 60;

export interface RestoreCheck {
  readonly name: 'migrations' | 'schema-version' | 'row-counts' | 'newest-row';
  readonly ok: boolean;
  readonly detail: string;
}

export interface RestoreCheckResult {
  readonly ok: boolean;
  readonly checks: readonly RestoreCheck[];
  /** Seconds between the restored database's newest row and the recovery point (undefined: no rows). */
  readonly newestRowAgeSeconds?: number;
}

interface MigrationRow extends Record<string, unknown> {
  version: number;
  checksum: string;
}

async function migrations(db: SqlReader, before?: Date): Promise<MigrationRow[]> {
  const { rows } = await db.query<MigrationRow>(
    before === undefined
      ? 'SELECT version, checksum FROM schema_migrations ORDER BY version'
      : 'SELECT version, checksum FROM schema_migrations WHERE applied_at <= $1 ORDER BY version',
    before === undefined ? [] : [before],
  );
  return rows.map((row) => ({ version: Number(row.version), checksum: String(row.checksum) }));
}

/** Rows written at or before `cutoff`, and the newest such write. Identifiers come from MAIN_TABLES only. */
async function tableFigures(
  db: SqlReader,
  { table, writtenAt }: MainTable,
  cutoff: Date,
): Promise<{ rows: number; newest?: Date }> {
  const { rows } = await db.query<{ rows: string; newest: Date | null }>(
    `SELECT count(*) AS rows, max(${writtenAt}) AS newest FROM ${table} WHERE ${writtenAt} <= $1`,
    [cutoff],
  );
  const newest = rows[0]?.newest;
  return { rows: Number(rows[0]?.rows ?? 0), newest: newest ? new Date(newest) : undefined };
}

function latest(dates: readonly (Date | undefined)[]): Date | undefined {
  return dates.reduce<Date | undefined>(
    (max, date) => (date !== undefined && (max === undefined || date > max) ? date : max),
    undefined,
  );
}

/** The checks run so far, and `attempt`, which runs one: a failing query fails that check only. */
function checkList() {
  const checks: RestoreCheck[] = [];
  const attempt = async (name: RestoreCheck['name'], run: () => Promise<RestoreCheck>) => {
    try {
      checks.push(await run());
    } catch (error) {
      checks.push({ name, ok: false, detail: `could not run: ${(error as Error).message}` });
    }
  };
  return { checks, attempt };
}

/**
 * Runs every check of the restored database against the source as it was at `recoveryPoint`.
 * A failing query fails the check that ran it (the others still run).
 */
export async function checkRestoredDatabase(
  restored: SqlReader,
  source: SqlReader,
  recoveryPoint: Date,
): Promise<RestoreCheckResult> {
  const { checks, attempt } = checkList();

  await attempt('migrations', async () => {
    const [expected, found] = await Promise.all([migrations(source, recoveryPoint), migrations(restored)]);
    const byVersion = new Map(found.map((m) => [m.version, m.checksum]));
    const missing = expected.filter((m) => !byVersion.has(m.version)).map((m) => m.version);
    const changed = expected
      .filter((m) => byVersion.has(m.version) && byVersion.get(m.version) !== m.checksum)
      .map((m) => m.version);
    const known = new Set((await migrations(source)).map((m) => m.version));
    const unknown = found.filter((m) => !known.has(m.version)).map((m) => m.version);
    const problems = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      changed.length > 0 ? `checksum differs for ${changed.join(', ')}` : '',
      unknown.length > 0 ? `not in the source: ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    return {
      name: 'migrations',
      ok: problems.length === 0,
      detail:
        problems.length === 0
          ? `${found.length} migrations, the source's ${expected.length} at the recovery point among them`
          : problems.join('; '),
    };
  });

  await attempt('schema-version', async () => {
    const [expected, found] = await Promise.all([migrations(source, recoveryPoint), migrations(restored)]);
    const want = expected.at(-1)?.version;
    const got = found.at(-1)?.version;
    return {
      name: 'schema-version',
      ok: want !== undefined && want === got,
      detail: `restored ${got ?? 'none'}, source at the recovery point ${want ?? 'none'}`,
    };
  });

  const cutoff = new Date(recoveryPoint.getTime() - COMMIT_MARGIN_SECONDS * 1000);
  const restoredFigures: { table: string; rows: number; newest?: Date }[] = [];
  const sourceFigures: { table: string; rows: number; newest?: Date }[] = [];
  await attempt('row-counts', async () => {
    for (const table of MAIN_TABLES) {
      restoredFigures.push({ table: table.table, ...(await tableFigures(restored, table, recoveryPoint)) });
      sourceFigures.push({ table: table.table, ...(await tableFigures(source, table, cutoff)) });
    }
    const short = MAIN_TABLES.filter((_, i) => restoredFigures[i].rows < sourceFigures[i].rows);
    const figures = MAIN_TABLES.map(
      (t, i) => `${t.table} ${restoredFigures[i].rows}/${sourceFigures[i].rows}`,
    ).join(', ');
    return {
      name: 'row-counts',
      ok: short.length === 0,
      detail:
        short.length === 0
          ? `restored/source rows written before the point: ${figures}`
          : `fewer rows than the source had: ${figures}`,
    };
  });

  let newestRowAgeSeconds: number | undefined;
  await attempt('newest-row', async () => {
    if (restoredFigures.length !== MAIN_TABLES.length) throw new Error('row counts could not be read');
    const restoredNewest = latest(restoredFigures.map((f) => f.newest));
    const sourceNewest = latest(sourceFigures.map((f) => f.newest));
    if (restoredNewest !== undefined) {
      newestRowAgeSeconds = Math.max(
        0,
        Math.round((recoveryPoint.getTime() - restoredNewest.getTime()) / 1000),
      );
    }
    const ok = sourceNewest === undefined || (restoredNewest !== undefined && restoredNewest >= sourceNewest);
    return {
      name: 'newest-row',
      ok,
      detail:
        `restored newest ${restoredNewest?.toISOString() ?? 'none'}` +
        (newestRowAgeSeconds !== undefined ? ` (${newestRowAgeSeconds} s before the point)` : '') +
        `, source newest before the point ${sourceNewest?.toISOString() ?? 'none'}`,
    };
  });

  return { ok: checks.every((c) => c.ok), checks, newestRowAgeSeconds };
}

/**
 * Checks a restored database when no live source can be reached (a restore test of the DR vault's
 * copies in a region that holds no replica of the database): the restored `schema_migrations` is
 * readable and not empty, its highest version is the schema version, every main table is readable
 * (its rows written before the point are counted, not compared), and no row is stamped after the
 * point (a restore holding later writes is not the point it claims). Weaker than
 * {@link checkRestoredDatabase}: a restore that lost rows passes; the message says so.
 */
export async function checkRestoredDatabaseAlone(
  restored: SqlReader,
  recoveryPoint: Date,
): Promise<RestoreCheckResult> {
  const { checks, attempt } = checkList();
  let found: MigrationRow[] = [];
  await attempt('migrations', async () => {
    found = await migrations(restored);
    return {
      name: 'migrations',
      ok: found.length > 0,
      detail:
        found.length > 0
          ? `${found.length} migrations (not compared: no source in this region)`
          : 'schema_migrations is empty',
    };
  });
  await attempt('schema-version', () => {
    const got = found.at(-1)?.version;
    return Promise.resolve({
      name: 'schema-version',
      ok: got !== undefined,
      detail: `restored ${got ?? 'none'} (not compared: no source in this region)`,
    });
  });

  const figures: { table: string; rows: number; newest?: Date; after: number }[] = [];
  // The point's timestamp and the rows' clocks may differ by a little: only later than the margin counts.
  const laterThan = new Date(recoveryPoint.getTime() + COMMIT_MARGIN_SECONDS * 1000);
  await attempt('row-counts', async () => {
    for (const table of MAIN_TABLES) {
      const before = await tableFigures(restored, table, recoveryPoint);
      const { rows } = await restored.query<{ after: string }>(
        `SELECT count(*) AS after FROM ${table.table} WHERE ${table.writtenAt} > $1`,
        [laterThan],
      );
      figures.push({ table: table.table, ...before, after: Number(rows[0]?.after ?? 0) });
    }
    return {
      name: 'row-counts',
      ok: true,
      detail: `restored rows written before the point (not compared: no source in this region): ${figures
        .map((f) => `${f.table} ${f.rows}`)
        .join(', ')}`,
    };
  });

  let newestRowAgeSeconds: number | undefined;
  await attempt('newest-row', () => {
    if (figures.length !== MAIN_TABLES.length) throw new Error('row counts could not be read');
    const newest = latest(figures.map((f) => f.newest));
    if (newest !== undefined) {
      newestRowAgeSeconds = Math.max(0, Math.round((recoveryPoint.getTime() - newest.getTime()) / 1000));
    }
    const later = figures.filter((f) => f.after > 0);
    return Promise.resolve({
      name: 'newest-row',
      ok: later.length === 0,
      detail:
        later.length > 0
          ? `rows stamped after the point (beyond ${COMMIT_MARGIN_SECONDS} s): ${later.map((f) => `${f.table} ${f.after}`).join(', ')}`
          : `restored newest ${newest?.toISOString() ?? 'none'}` +
            (newestRowAgeSeconds !== undefined ? ` (${newestRowAgeSeconds} s before the point)` : ''),
    });
  });
  return { ok: checks.every((c) => c.ok), checks, newestRowAgeSeconds };
}

/** What AWS Backup's DescribeRestoreJob returns that the validation uses. */
export interface RestoreJob {
  readonly RestoreJobId: string;
  readonly Status?: string;
  readonly ResourceType?: string;
  readonly CreatedResourceArn?: string;
  readonly RecoveryPointArn?: string;
  readonly CreationDate?: Date;
  readonly CompletionDate?: Date;
  readonly RecoveryPointCreationDate?: Date;
  readonly CreatedBy?: { readonly RestoreTestingPlanArn?: string };
}

export type RecoveryPointType = 'CONTINUOUS' | 'SNAPSHOT';

/** Continuous (PITR) recovery points of RDS are `...:recovery-point:continuous:<resource>`; snapshots are RDS snapshots. */
export function recoveryPointTypeOf(recoveryPointArn: string): RecoveryPointType {
  return /:recovery-point:continuous:/.test(recoveryPointArn) ? 'CONTINUOUS' : 'SNAPSHOT';
}

/**
 * The moment the restored data stands for. A point-in-time restore names it in the job's restore
 * metadata (`RestoreTime`, or `UseLatestRestorableTime`: the latest restorable time when the job
 * started, which is at most the job's creation); a snapshot is the recovery point's creation.
 */
export function restoredPointOf(
  job: RestoreJob,
  metadata: Readonly<Record<string, string>>,
): Date | undefined {
  const lower = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
  if (lower.restoretime) {
    const time = new Date(lower.restoretime);
    if (!Number.isNaN(time.getTime())) return time;
  }
  if (lower.uselatestrestorabletime === 'true') return job.CreationDate;
  return job.RecoveryPointCreationDate;
}

/** The restore's figures: how long it took and how old the restored data was when it started. */
export interface RestoreFigures {
  readonly recoveryPointType: RecoveryPointType;
  readonly durationSeconds: number;
  readonly recoveryPointAgeSeconds: number;
}

export function restoreFigures(job: RestoreJob, restoredPoint: Date): RestoreFigures | undefined {
  if (!job.CreationDate || !job.CompletionDate || !job.RecoveryPointArn) return undefined;
  return {
    recoveryPointType: recoveryPointTypeOf(job.RecoveryPointArn),
    durationSeconds: Math.max(
      0,
      Math.round((job.CompletionDate.getTime() - job.CreationDate.getTime()) / 1000),
    ),
    recoveryPointAgeSeconds: Math.max(
      0,
      Math.round((job.CreationDate.getTime() - restoredPoint.getTime()) / 1000),
    ),
  };
}

/** What the validation needs from AWS and the two databases (lambda/runtime/restore-validation.ts). */
export interface RestoreValidationDeps {
  describeRestoreJob(restoreJobId: string): Promise<RestoreJob>;
  restoreJobMetadata(restoreJobId: string): Promise<Record<string, string>>;
  putValidationResult(
    restoreJobId: string,
    status: 'SUCCESSFUL' | 'FAILED' | 'VALIDATING',
    message: string,
  ): Promise<void>;
  /** Opens a read connection to the restored instance; `close` ends it. */
  connectRestored(createdResourceArn: string): Promise<SqlReader & { close(): Promise<void> }>;
  /**
   * Opens a read connection to the live source (or a replica of it); absent where none can be
   * reached, and the restored database is checked alone ({@link checkRestoredDatabaseAlone}).
   */
  connectSource?(): Promise<SqlReader & { close(): Promise<void> }>;
}

export type RestoreValidationOutcome =
  | { readonly status: 'skipped'; readonly reason: string }
  | {
      readonly status: 'SUCCESSFUL' | 'FAILED';
      readonly figures?: RestoreFigures;
      readonly result?: RestoreCheckResult;
      readonly message: string;
    };

/** AWS Backup keeps a validation message of up to this many characters. */
const MESSAGE_LIMIT = 1000;

/**
 * Validates one completed restore job of `restoreTestingPlanArns` and reports the verdict to AWS
 * Backup (which then deletes the restored instance). Other restore jobs (a person's restore,
 * another plan) are skipped untouched. A database that cannot be reached fails the validation:
 * a restore nobody can connect to proves nothing.
 */
export async function validateRestoreJob(
  deps: RestoreValidationDeps,
  restoreJobId: string,
  restoreTestingPlanArns: readonly string[],
): Promise<RestoreValidationOutcome> {
  const job = await deps.describeRestoreJob(restoreJobId);
  const plan = job.CreatedBy?.RestoreTestingPlanArn;
  if (!plan || !restoreTestingPlanArns.includes(plan)) {
    return { status: 'skipped', reason: `not a restore test of this environment (${plan ?? 'no plan'})` };
  }
  if (job.Status !== 'COMPLETED' || job.ResourceType !== 'RDS' || !job.CreatedResourceArn) {
    return {
      status: 'skipped',
      reason: `job ${job.Status ?? 'without status'} of ${job.ResourceType ?? '?'}`,
    };
  }
  await deps.putValidationResult(restoreJobId, 'VALIDATING', 'Rampart restore validation started');

  let outcome: RestoreValidationOutcome;
  let figures: RestoreFigures | undefined;
  try {
    const restoredPoint = restoredPointOf(job, await deps.restoreJobMetadata(restoreJobId));
    if (!restoredPoint) throw new Error('the restore job names no recovery point time');
    figures = restoreFigures(job, restoredPoint);
    const restored = await deps.connectRestored(job.CreatedResourceArn);
    try {
      let result: RestoreCheckResult;
      if (deps.connectSource) {
        const source = await deps.connectSource();
        try {
          result = await checkRestoredDatabase(restored, source, restoredPoint);
        } finally {
          await source.close();
        }
      } else {
        result = await checkRestoredDatabaseAlone(restored, restoredPoint);
      }
      const message = result.checks.map((c) => `${c.ok ? 'ok' : 'FAILED'} ${c.name}: ${c.detail}`).join('; ');
      outcome = { status: result.ok ? 'SUCCESSFUL' : 'FAILED', figures, result, message };
    } finally {
      await restored.close();
    }
  } catch (error) {
    outcome = { status: 'FAILED', figures, message: `validation could not run: ${(error as Error).message}` };
  }
  await deps.putValidationResult(restoreJobId, outcome.status, outcome.message.slice(0, MESSAGE_LIMIT));
  return outcome;
}
