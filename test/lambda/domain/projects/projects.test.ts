import { AppError } from '../../../../lambda/shared/errors';
import type { Db } from '../../../../lambda/shared/db/client';
import {
  createProject,
  createProjectSchema,
  deleteProject,
  getProject,
  listProjects,
  listProjectsQuerySchema,
  projectEtag,
  updateProject,
  updateProjectSchema,
  versionFromIfMatch,
} from '../../../../lambda/domain/projects';
import type { ProjectDeps } from '../../../../lambda/domain/projects';
import { flushOutbox } from '../../../../lambda/domain/events/outbox';
import type { DomainEvent, EventPublisher } from '../../../../lambda/domain/events/types';
import { startTestDatabase } from '../../../support/database';
import type { TestDatabase } from '../../../support/database';

let database: TestDatabase;
let db: Db;
let published: DomainEvent[];
let now: Date;

class RecordingPublisher implements EventPublisher {
  failing = false;
  async publish(event: DomainEvent): Promise<void> {
    if (this.failing) throw new Error('SQS unavailable');
    published.push(event);
  }
}
const publisher = new RecordingPublisher();

function deps(overrides: Partial<ProjectDeps> = {}): ProjectDeps {
  return { db, events: publisher, clock: { now: () => now }, ...overrides };
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, values);
  return rows[0].n;
}

beforeAll(async () => {
  database = await startTestDatabase();
  db = database.createDb();
});
afterAll(() => database.stop());
beforeEach(() => {
  published = [];
  publisher.failing = false;
  now = new Date('2025-03-01T12:00:00.000Z');
});

describe('createProject', () => {
  it('stores the project at version 1 and publishes project.created after commit', async () => {
    const result = await createProject(deps(), { principal: 'user-1', input: { name: 'Apollo' } });
    expect(result.project).toMatchObject({ name: 'Apollo', status: 'draft', owner: 'user-1', version: 1 });
    expect(result.project.createdAt).toBe(now.toISOString());
    expect(result.etag).toBe('"v1"');
    expect(result.replayed).toBe(false);
    expect(published).toEqual([
      expect.objectContaining({ type: 'project.created', aggregateId: result.project.id }),
    ]);
    expect(await count('outbox WHERE id = $1 AND published_at IS NOT NULL', [published[0].id])).toBe(1);
    await expect(getProject(deps(), result.project.id)).resolves.toEqual(result.project);
  });

  it('replays the stored response for a retry with the same Idempotency-Key and body', async () => {
    const request = {
      principal: 'user-1',
      input: { name: 'Gemini', status: 'active' as const },
      idempotencyKey: 'k-1',
    };
    const first = await createProject(deps(), request);
    const retry = await createProject(deps(), { ...request, input: { status: 'active', name: 'Gemini' } });
    expect(retry).toEqual({ ...first, replayed: true });
    expect(await count(`projects WHERE name = 'Gemini'`)).toBe(1);
    expect(published).toHaveLength(1);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED when the same key comes with a different body', async () => {
    await createProject(deps(), { principal: 'user-1', input: { name: 'Mercury' }, idempotencyKey: 'k-2' });
    await expect(
      createProject(deps(), { principal: 'user-1', input: { name: 'Venus' }, idempotencyKey: 'k-2' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
    expect(await count(`projects WHERE name = 'Venus'`)).toBe(0);
  });

  it('scopes keys per principal: another caller with the same key creates its own project', async () => {
    await createProject(deps(), { principal: 'user-1', input: { name: 'Shared' }, idempotencyKey: 'k-3' });
    const other = await createProject(deps(), {
      principal: 'user-2',
      input: { name: 'Shared' },
      idempotencyKey: 'k-3',
    });
    expect(other.replayed).toBe(false);
    expect(await count(`projects WHERE name = 'Shared'`)).toBe(2);
  });

  it('answers 409 IDEMPOTENCY_IN_PROGRESS while the first request holds the key, then lets a retry through once its lease expires', async () => {
    const input = { name: 'Slow' };
    const { hashRequest } = await import('../../../../lambda/shared/db/idempotency');
    await db.query(
      `INSERT INTO idempotency_keys (principal, route, key, request_hash, status, claim_token, locked_until, created_at, expires_at)
       VALUES ('user-1', 'createProject', 'k-4', $1, 'in_progress', gen_random_uuid(), $2, $3, $4)`,
      [hashRequest(input), new Date(now.getTime() + 30_000), now, new Date(now.getTime() + 86_400_000)],
    );
    const busy = createProject(deps(), { principal: 'user-1', input, idempotencyKey: 'k-4' });
    await expect(busy).rejects.toMatchObject({
      code: 'IDEMPOTENCY_IN_PROGRESS',
      status: 409,
      retryAfterSeconds: 30,
    });

    now = new Date(now.getTime() + 31_000); // the first attempt died; its lease ran out
    const retried = await createProject(deps(), { principal: 'user-1', input, idempotencyKey: 'k-4' });
    expect(retried.replayed).toBe(false);
    expect(await count(`projects WHERE name = 'Slow'`)).toBe(1);
  });

  it('creates exactly one project when the same key races', async () => {
    const request = { principal: 'user-1', input: { name: 'Race' }, idempotencyKey: 'k-5' };
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => createProject(deps(), request)));
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
    }
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    expect(await count(`projects WHERE name = 'Race'`)).toBe(1);
  });

  it('leaves nothing half-written when the transaction fails midway', async () => {
    // A Db that fails the outbox insert, after the project row was written in the same transaction.
    const failingOutbox: Db = {
      query: (text, values, options) => db.query(text, values, options),
      transaction: (fn, options) =>
        db.transaction(
          (tx) =>
            fn({
              query: (text, values, opts) =>
                text.startsWith('INSERT INTO outbox')
                  ? Promise.reject(new Error('disk full'))
                  : tx.query(text, values, opts),
              transaction: (inner) => inner(tx),
            }),
          options,
        ),
    };
    await expect(
      createProject(deps({ db: failingOutbox }), {
        principal: 'user-1',
        input: { name: 'Half' },
        idempotencyKey: 'k-6',
      }),
    ).rejects.toThrow('disk full');
    expect(await count(`projects WHERE name = 'Half'`)).toBe(0);
    expect(await count(`idempotency_keys WHERE key = 'k-6'`)).toBe(0); // claim released: a retry may run
    expect(published).toHaveLength(0);

    const retry = await createProject(deps(), {
      principal: 'user-1',
      input: { name: 'Half' },
      idempotencyKey: 'k-6',
    });
    expect(retry.replayed).toBe(false);
    expect(await count(`projects WHERE name = 'Half'`)).toBe(1);
  });

  it('keeps the event in the outbox when publishing fails, and the relay sends it later', async () => {
    publisher.failing = true;
    const { project } = await createProject(deps(), { principal: 'user-1', input: { name: 'Offline' } });
    expect(
      await count(`outbox WHERE aggregate_id = $1 AND published_at IS NULL AND attempts = 1`, [project.id]),
    ).toBe(1);

    publisher.failing = false;
    const result = await flushOutbox(db, publisher, now);
    expect(result.failed).toBe(false);
    expect(published.map((e) => e.aggregateId)).toContain(project.id);
    expect(await count(`outbox WHERE published_at IS NULL`)).toBe(0);
  });
});

describe('updateProject and deleteProject (optimistic concurrency)', () => {
  it('updates at the expected version, bumps the version and publishes project.updated', async () => {
    const { project } = await createProject(deps(), { principal: 'u', input: { name: 'Draft' } });
    now = new Date('2025-03-02T00:00:00.000Z');
    const updated = await updateProject(deps(), {
      id: project.id,
      expectedVersion: versionFromIfMatch(projectEtag(project)),
      changes: { status: 'active', description: 'now live' },
    });
    expect(updated).toMatchObject({ version: 2, status: 'active', description: 'now live', name: 'Draft' });
    expect(updated.updatedAt).toBe(now.toISOString());
    expect(published.at(-1)).toMatchObject({
      type: 'project.updated',
      data: { changed: ['status', 'description'] },
    });
  });

  it('answers 412 PRECONDITION_FAILED for a stale version and changes nothing', async () => {
    const { project } = await createProject(deps(), { principal: 'u', input: { name: 'Contested' } });
    await updateProject(deps(), { id: project.id, expectedVersion: 1, changes: { name: 'First writer' } });
    await expect(
      updateProject(deps(), { id: project.id, expectedVersion: 1, changes: { name: 'Second writer' } }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', status: 412 });
    await expect(getProject(deps(), project.id)).resolves.toMatchObject({ name: 'First writer', version: 2 });
  });

  it('lets exactly one of two concurrent writers at the same version win', async () => {
    const { project } = await createProject(deps(), { principal: 'u', input: { name: 'Duel' } });
    const results = await Promise.allSettled(
      ['A', 'B'].map((name) =>
        updateProject(deps(), { id: project.id, expectedVersion: 1, changes: { name } }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'PRECONDITION_FAILED' },
    });
  });

  it('answers 404 for a missing or malformed id', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(
      updateProject(deps(), { id: missing, expectedVersion: 1, changes: { name: 'x' } }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(getProject(deps(), 'not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(deleteProject(deps(), { id: missing })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // An If-Match that names no version changes nothing about that: the project still does not exist.
    await expect(
      updateProject(deps(), {
        id: missing,
        expectedVersion: versionFromIfMatch('junk'),
        changes: { name: 'x' },
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('versionFromIfMatch: * alone, the strong "v<n>" tags of a list, nothing for weak, foreign or malformed tags', () => {
    expect(() => versionFromIfMatch(undefined)).toThrow(
      expect.objectContaining({ code: 'PRECONDITION_REQUIRED' }),
    );
    expect(() => versionFromIfMatch('  ')).toThrow(AppError);
    expect(versionFromIfMatch('*')).toBe('*');
    expect(versionFromIfMatch(' "v3" ')).toEqual([3]);
    expect(versionFromIfMatch('"v1", W/"v2", "x", "v3", "v1"')).toEqual([1, 3]);
    for (const unusable of ['W/"v1"', 'v1', '"v1', '"1"', '"v1234567890"', '"v-1"', ',']) {
      expect(versionFromIfMatch(unusable)).toEqual([]);
    }
    // `*` inside a list is not `*`: the write stays conditional on the listed tags.
    expect(versionFromIfMatch('*, "v1"')).toEqual([1]);
  });

  it('412 carries the current ETag, whether the If-Match is stale or names no version; nothing changes', async () => {
    const { project } = await createProject(deps(), { principal: 'u', input: { name: 'Tagged' } });
    await updateProject(deps(), { id: project.id, expectedVersion: 1, changes: { name: 'Second' } });
    for (const expectedVersion of [1, [1, 7], versionFromIfMatch('W/"v2"'), versionFromIfMatch('garbage')]) {
      await expect(
        updateProject(deps(), { id: project.id, expectedVersion, changes: { name: 'Lost' } }),
      ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', headers: { etag: '"v2"' } });
      await expect(deleteProject(deps(), { id: project.id, expectedVersion })).rejects.toMatchObject({
        code: 'PRECONDITION_FAILED',
        headers: { etag: '"v2"' },
      });
    }
    await expect(getProject(deps(), project.id)).resolves.toMatchObject({ name: 'Second', version: 2 });
    // A list that includes the current version matches (RFC 9110: any listed strong tag).
    await expect(
      updateProject(deps(), {
        id: project.id,
        expectedVersion: versionFromIfMatch('"v1", "v2"'),
        changes: { name: 'Third' },
      }),
    ).resolves.toMatchObject({ name: 'Third', version: 3 });
  });

  it('deletes at the expected version and publishes project.deleted', async () => {
    const { project } = await createProject(deps(), { principal: 'u', input: { name: 'Doomed' } });
    await expect(deleteProject(deps(), { id: project.id, expectedVersion: 7 })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    await deleteProject(deps(), { id: project.id, expectedVersion: 1 });
    await expect(getProject(deps(), project.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(published.at(-1)).toMatchObject({ type: 'project.deleted', aggregateId: project.id });
  });
});

describe('listProjects', () => {
  it('filters by status, owner and name prefix and pages with a cursor', async () => {
    for (let i = 0; i < 5; i += 1) {
      now = new Date(Date.UTC(2025, 4, 1, 0, 0, i));
      await createProject(deps(), { principal: 'lister', input: { name: `Zeta ${i}`, status: 'active' } });
    }
    await createProject(deps(), {
      principal: 'lister',
      input: { name: 'Zeta archived', status: 'archived' },
    });
    const query = listProjectsQuerySchema.parse({
      owner: 'lister',
      status: 'active',
      namePrefix: 'zeta',
      sort: 'name',
      limit: '2',
    });
    const first = await listProjects(deps(), query);
    expect(first.items.map((p) => p.name)).toEqual(['Zeta 0', 'Zeta 1']);
    const second = await listProjects(deps(), { ...query, cursor: first.nextCursor });
    const third = await listProjects(deps(), { ...query, cursor: second.nextCursor });
    expect([...second.items, ...third.items].map((p) => p.name)).toEqual(['Zeta 2', 'Zeta 3', 'Zeta 4']);
    expect(third.nextCursor).toBeUndefined();
  });

  it('answers 400 for a forged cursor', async () => {
    await expect(listProjects(deps(), { cursor: 'eyJ2IjoxfQ' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
  });
});

describe('schemas', () => {
  it('enforce name 1..200, description <= 2000 and the status enum', () => {
    expect(createProjectSchema.safeParse({ name: '  ok  ' })).toMatchObject({
      success: true,
      data: { name: 'ok' },
    });
    expect(createProjectSchema.safeParse({ name: '' }).success).toBe(false);
    expect(createProjectSchema.safeParse({ name: 'x'.repeat(201) }).success).toBe(false);
    expect(createProjectSchema.safeParse({ name: 'x', description: 'd'.repeat(2001) }).success).toBe(false);
    expect(createProjectSchema.safeParse({ name: 'x', status: 'deleted' }).success).toBe(false);
    expect(createProjectSchema.safeParse({ name: 'x', owner: 'someone-else' }).success).toBe(false);
    expect(updateProjectSchema.safeParse({}).success).toBe(false);
    expect(updateProjectSchema.safeParse({ description: null }).success).toBe(true);
    expect(listProjectsQuerySchema.safeParse({ sort: 'owner' }).success).toBe(false);
  });
});
