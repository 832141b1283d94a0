import type { QueryResultRow } from 'pg';
import { AppError } from '../../shared/errors';
import type { Db } from '../../shared/db/client';
import { buildListQuery, defineListSpec, toPage } from '../../shared/db/list-query';
import type { ListFilter, Page } from '../../shared/db/list-query';
import { hashRequest, withIdempotency } from '../../shared/db/idempotency';
import type { IdempotencyOptions, StoredResponse } from '../../shared/db/idempotency';
import { enqueueEvent, publishCommitted } from '../events/outbox';
import type { Clock, DomainEvent, EventPublisher } from '../events/types';
import type { CreateProjectInput, ListProjectsQuery, ProjectStatus, UpdateProjectInput } from './schemas';

/** What the projects functions need; the handler builds it once at module scope. */
export interface ProjectDeps {
  readonly db: Db;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly idempotency?: IdempotencyOptions;
}

/** A project as the API returns it. */
export interface Project {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly status: ProjectStatus;
  readonly owner: string;
  /** Increments on every change; the ETag is derived from it. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface ProjectRow extends QueryResultRow {
  id: string;
  name: string;
  description: string | null;
  status: ProjectStatus;
  owner_sub: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, description, status, owner_sub, version, created_at, updated_at';

export const PROJECT_LIST_SPEC = defineListSpec({
  table: 'projects',
  select: ['id', 'name', 'description', 'status', 'owner_sub', 'version', 'created_at', 'updated_at'],
  columns: {
    name: { column: 'name', type: 'text', ops: ['eq', 'prefix'], sortable: true },
    status: { column: 'status', type: 'text', ops: ['eq', 'in'] },
    owner: { column: 'owner_sub', type: 'text', ops: ['eq'] },
    createdAt: { column: 'created_at', type: 'timestamptz', ops: ['lt', 'lte', 'gt', 'gte'], sortable: true },
    updatedAt: { column: 'updated_at', type: 'timestamptz', ops: ['lt', 'lte', 'gt', 'gte'], sortable: true },
  },
  defaultSort: { field: 'createdAt', direction: 'desc' },
});

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    owner: row.owner_sub,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id can name no project: 404 without asking PostgreSQL (which would raise 22P02). */
function assertProjectId(id: string): void {
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', { detail: 'No project with this id' });
}

/** The strong ETag of a project version (If-Match compares it byte for byte). */
export function projectEtag(project: Pick<Project, 'version'>): string {
  return `"v${project.version}"`;
}

/**
 * The versions a conditional write accepts: `'*'` (any existing version), one version, or a list
 * (an `If-Match` may list several ETags; an empty list matches no version at all).
 */
export type ExpectedVersion = number | '*' | readonly number[];

const PROJECT_ETAG = /^"v(\d{1,9})"$/;

/**
 * The versions an `If-Match` header accepts (RFC 9110 13.1.1, strong comparison): `*` alone, or the
 * `"v<n>"` tags of its comma-separated list. Weak tags (`W/"v1"`), foreign tags and malformed values
 * can match no version, so they give an empty list rather than an error here: the write then misses,
 * and `explainMissedWrite` answers 404 or 412 with the current ETag, which a client needs to recover.
 * Absent or blank is 428: updates on this resource are conditional.
 */
export function versionFromIfMatch(header: string | undefined): '*' | readonly number[] {
  const value = header?.trim();
  if (!value) {
    throw new AppError('PRECONDITION_REQUIRED', {
      detail: 'This update requires an If-Match header with the ETag you read',
    });
  }
  if (value === '*') return '*';
  const versions = new Set<number>();
  for (const candidate of value.split(',')) {
    const match = PROJECT_ETAG.exec(candidate.trim());
    if (match) versions.add(Number(match[1]));
  }
  return [...versions];
}

/** `null` (any version) or the versions a conditional statement compares with `= ANY($n)`. */
function versionsParameter(expected: ExpectedVersion | undefined): readonly number[] | null {
  if (expected === undefined || expected === '*') return null;
  return typeof expected === 'number' ? [expected] : expected;
}

/** Lists projects with filters, allow-listed sorting and cursor pagination. */
export async function listProjects(
  deps: Pick<ProjectDeps, 'db'>,
  query: ListProjectsQuery,
  options: { readonly signal?: AbortSignal } = {},
): Promise<Page<Project>> {
  const filters: ListFilter[] = [];
  if (query.status) filters.push({ field: 'status', op: 'eq', value: query.status });
  if (query.owner) filters.push({ field: 'owner', op: 'eq', value: query.owner });
  if (query.namePrefix) filters.push({ field: 'name', op: 'prefix', value: query.namePrefix });
  const list = buildListQuery(PROJECT_LIST_SPEC, {
    filters,
    sort: query.sort,
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await deps.db.query<ProjectRow & { __sort_key: string }>(list.text, list.values, options);
  const page = toPage(rows, list);
  return { ...page, items: page.items.map((row) => toProject(row as ProjectRow)) };
}

/** One project (404 when it does not exist). */
export async function getProject(
  deps: Pick<ProjectDeps, 'db'>,
  id: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<Project> {
  assertProjectId(id);
  const { rows } = await deps.db.query<ProjectRow>(
    `SELECT ${COLUMNS} FROM projects WHERE id = $1`,
    [id],
    options,
  );
  if (!rows[0]) throw new AppError('NOT_FOUND', { detail: 'No project with this id' });
  return toProject(rows[0]);
}

export interface CreateProjectRequest {
  /** The caller's subject; becomes the owner. */
  readonly principal: string;
  readonly input: CreateProjectInput;
  /** `Idempotency-Key` header, if the client sent one. */
  readonly idempotencyKey?: string;
  /** Route id for the idempotency scope. @default 'createProject' */
  readonly route?: string;
}

export interface CreateProjectResult {
  readonly project: Project;
  readonly etag: string;
  /** True when an earlier response was replayed for this Idempotency-Key. */
  readonly replayed: boolean;
}

/**
 * Creates a project; the row, its outbox event and (with an Idempotency-Key) the stored
 * response commit together. The event is published after commit.
 */
export async function createProject(
  deps: ProjectDeps,
  request: CreateProjectRequest,
): Promise<CreateProjectResult> {
  const now = deps.clock.now();
  const events: DomainEvent[] = [];
  const work = async (tx: Db): Promise<StoredResponse> => {
    const { rows } = await tx.query<ProjectRow>(
      `INSERT INTO projects (name, description, status, owner_sub, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING ${COLUMNS}`,
      [
        request.input.name,
        request.input.description ?? null,
        request.input.status ?? 'draft',
        request.principal,
        now,
      ],
    );
    const project = toProject(rows[0]);
    events.push(await enqueueEvent(tx, 'project.created', project.id, { project }, now));
    return { status: 201, body: project, headers: { ETag: projectEtag(project) } };
  };

  let response: StoredResponse;
  let replayed = false;
  if (request.idempotencyKey === undefined) {
    response = await deps.db.transaction(work);
  } else {
    const result = await withIdempotency(
      deps.db,
      { key: request.idempotencyKey, principal: request.principal, route: request.route ?? 'createProject' },
      hashRequest(request.input),
      now,
      work,
      deps.idempotency,
    );
    response = result.response;
    replayed = result.replayed;
  }
  await publishCommitted(deps.db, deps.events, events, now);
  const project = response.body as Project;
  return { project, etag: projectEtag(project), replayed };
}

export interface UpdateProjectRequest {
  readonly id: string;
  /** From If-Match (`versionFromIfMatch`). */
  readonly expectedVersion: ExpectedVersion;
  readonly changes: UpdateProjectInput;
}

/** Applies changes if the project is still at `expectedVersion` (412 otherwise, 404 if gone). */
export async function updateProject(deps: ProjectDeps, request: UpdateProjectRequest): Promise<Project> {
  assertProjectId(request.id);
  const now = deps.clock.now();
  const sets: string[] = [];
  const values: unknown[] = [request.id, versionsParameter(request.expectedVersion), now];
  // Column names are fixed here; only values are parameters.
  for (const [field, column] of [
    ['name', 'name'],
    ['description', 'description'],
    ['status', 'status'],
  ] as const) {
    const value = request.changes[field];
    if (value !== undefined) {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    }
  }
  if (sets.length === 0) {
    throw new AppError('VALIDATION_FAILED', { detail: 'Give at least one of name, description, status' });
  }
  const { project, event } = await deps.db.transaction(async (tx) => {
    const { rows } = await tx.query<ProjectRow>(
      `UPDATE projects SET ${sets.join(', ')}, version = version + 1, updated_at = $3
        WHERE id = $1 AND ($2::integer[] IS NULL OR version = ANY($2::integer[]))
        RETURNING ${COLUMNS}`,
      values,
    );
    if (!rows[0]) await explainMissedWrite(tx, request.id, request.expectedVersion);
    const updated = toProject(rows[0]);
    const changed = Object.keys(request.changes).filter(
      (k) => request.changes[k as keyof UpdateProjectInput] !== undefined,
    );
    return {
      project: updated,
      event: await enqueueEvent(tx, 'project.updated', updated.id, { project: updated, changed }, now),
    };
  });
  await publishCommitted(deps.db, deps.events, [event], now);
  return project;
}

/** Deletes a project (404 when missing; 412 when `expectedVersion` no longer matches). */
export async function deleteProject(
  deps: ProjectDeps,
  request: { readonly id: string; readonly expectedVersion?: ExpectedVersion },
): Promise<void> {
  assertProjectId(request.id);
  const now = deps.clock.now();
  const event = await deps.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; version: number }>(
      `DELETE FROM projects
        WHERE id = $1 AND ($2::integer[] IS NULL OR version = ANY($2::integer[]))
        RETURNING id, version`,
      [request.id, versionsParameter(request.expectedVersion)],
    );
    if (!rows[0]) await explainMissedWrite(tx, request.id, request.expectedVersion);
    return enqueueEvent(tx, 'project.deleted', request.id, { id: request.id, version: rows[0].version }, now);
  });
  await publishCommitted(deps.db, deps.events, [event], now);
}

/**
 * A conditional write touched no row: 404 if the project is gone, else 412 with the current
 * `ETag` (docs/errors.md promises it), so the client can re-read or retry knowingly. Read in the
 * write's transaction, after the statement that missed: the version it reports is the one that
 * made the write miss (or a later one, if another writer committed in between).
 */
async function explainMissedWrite(tx: Db, id: string, expected: ExpectedVersion | undefined): Promise<never> {
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM projects WHERE id = $1', [id]);
  if (!rows[0]) throw new AppError('NOT_FOUND', { detail: 'No project with this id' });
  const namesNoVersion = Array.isArray(expected) && expected.length === 0;
  throw new AppError('PRECONDITION_FAILED', {
    detail: namesNoVersion
      ? 'If-Match names no version of this project; send the ETag you read'
      : 'The project changed since you read it; read it again',
    headers: { etag: projectEtag(rows[0]) },
  });
}
