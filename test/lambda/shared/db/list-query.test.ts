import fc from 'fast-check';
import { AppError } from '../../../../lambda/shared/errors';
import {
  buildListQuery,
  defineListSpec,
  encodeCursor,
  toPage,
} from '../../../../lambda/shared/db/list-query';
import type { ListRequest } from '../../../../lambda/shared/db/list-query';
import { startTestDatabase } from '../../../support/database';
import type { TestDatabase } from '../../../support/database';
import { propertyRuns } from '../../../support/property-runs';

const spec = defineListSpec({
  table: 'projects',
  select: ['id', 'name', 'status', 'owner_sub', 'version', 'created_at'],
  columns: {
    name: { column: 'name', type: 'text', ops: ['eq', 'ne', 'prefix', 'in'], sortable: true },
    status: { column: 'status', type: 'text', ops: ['eq', 'in'] },
    owner: { column: 'owner_sub', type: 'text', ops: ['eq'] },
    version: { column: 'version', type: 'integer', ops: ['eq', 'lt', 'lte', 'gt', 'gte'], sortable: true },
    createdAt: { column: 'created_at', type: 'timestamptz', ops: ['lt', 'gte'], sortable: true },
    id: { column: 'id', type: 'uuid', ops: ['eq', 'in'] },
  },
  defaultSort: { field: 'createdAt', direction: 'desc' },
});
const ALLOWED_IDENTIFIERS = new Set([
  'projects',
  'id',
  'name',
  'status',
  'owner_sub',
  'version',
  'created_at',
  '__sort_key',
]);
const FIELDS = ['name', 'status', 'owner', 'version', 'createdAt', 'id'];
const OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'prefix'];

function expectValidationFailed(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    return;
  }
  throw new Error('expected VALIDATION_FAILED');
}

describe('buildListQuery (properties)', () => {
  const hostileString = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'name"; DROP TABLE projects; --',
      "' OR 1=1 --",
      '\u0000',
      '%_\\',
      '-name',
      'name:desc',
    ),
  );
  const value = fc.oneof(
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.uuid(),
    fc.date({ noInvalidDate: false }),
    fc.array(fc.oneof(fc.string(), fc.integer(), fc.uuid()), { maxLength: 120 }),
    fc.object(),
  );
  const filter = fc.oneof(
    fc.record({
      field: fc.oneof(fc.constantFrom(...FIELDS), hostileString),
      op: fc.oneof(fc.constantFrom(...OPS), hostileString),
      value,
    }),
    fc.anything(),
  );
  const forgedCursor = fc.oneof(
    fc.string(),
    fc.base64String(),
    fc
      .record({
        v: fc.oneof(fc.constant(1), fc.anything()),
        f: fc.oneof(fc.constantFrom(...FIELDS), hostileString),
        d: fc.oneof(fc.constantFrom('asc', 'desc'), hostileString),
        k: fc.oneof(
          hostileString,
          fc.integer().map(String),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constant('2024-02-30 10:00:00+00'),
          fc.constant('2024-01-01 10:00:00+99'),
        ),
        i: fc.oneof(fc.uuid(), hostileString),
      })
      .map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')),
  );
  const request = fc.record(
    {
      filters: fc.oneof(fc.array(filter, { maxLength: 5 }), fc.anything()),
      sort: fc.oneof(
        fc.constantFrom(...FIELDS.flatMap((f) => [f, `-${f}`])),
        hostileString,
        fc.record({
          field: hostileString,
          direction: fc.oneof(fc.constantFrom('asc', 'desc'), hostileString),
        }),
        fc.anything(),
      ),
      cursor: fc.oneof(forgedCursor, fc.anything()),
      limit: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.string(),
        fc.constantFrom('10', '1000', '0', '-1', '1e3'),
      ),
    },
    { requiredKeys: [] },
  );

  it('either builds parameterized SQL from allow-listed identifiers or throws VALIDATION_FAILED', () => {
    fc.assert(
      fc.property(request, (input) => {
        let query;
        try {
          query = buildListQuery(spec, input as ListRequest);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('VALIDATION_FAILED');
          return;
        }
        const identifiers = [...query.text.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
        for (const identifier of identifiers) expect(ALLOWED_IDENTIFIERS.has(identifier)).toBe(true);
        // No string literal other than the LIKE escape character; every value is a placeholder.
        expect(query.text.replace(/ESCAPE '\\'/g, '')).not.toMatch(/'/);
        const placeholders = new Set([...query.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
        expect(placeholders.size).toBe(query.values.length);
        expect(query.limit).toBeGreaterThanOrEqual(1);
        expect(query.limit).toBeLessThanOrEqual(100);
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('clamps the limit to 1..100 and defaults to 20', () => {
    expect(buildListQuery(spec, {}).limit).toBe(20);
    expect(buildListQuery(spec, { limit: 1000 }).limit).toBe(100);
    expect(buildListQuery(spec, { limit: '0' }).limit).toBe(1);
    expectValidationFailed(() => buildListQuery(spec, { limit: 'ten' }));
  });

  it('rejects cursors that were forged, truncated or made for another sort order', () => {
    const sort = { field: 'name', direction: 'asc' } as const;
    const good = encodeCursor(sort, 'alpha', '3f1c2a52-8a3a-4f37-9d0e-2a8c9e3b5c11');
    expect(() => buildListQuery(spec, { sort: 'name', cursor: good })).not.toThrow();
    expectValidationFailed(() => buildListQuery(spec, { sort: '-name', cursor: good }));
    expectValidationFailed(() => buildListQuery(spec, { sort: 'name', cursor: good.slice(0, -3) }));
    expectValidationFailed(() => buildListQuery(spec, { sort: 'name', cursor: 'not a cursor!' }));
    const badDate = encodeCursor(
      { field: 'createdAt', direction: 'desc' },
      '2024-02-30 10:00:00+00',
      '3f1c2a52-8a3a-4f37-9d0e-2a8c9e3b5c11',
    );
    expectValidationFailed(() => buildListQuery(spec, { cursor: badDate }));
  });

  it('refuses specs with identifiers that are not plain lower_snake_case', () => {
    expect(() =>
      defineListSpec({ ...spec, columns: { evil: { column: 'name"; --', type: 'text', ops: ['eq'] } } }),
    ).toThrow(/lower_snake_case/);
  });
});

describe('buildListQuery against PostgreSQL', () => {
  let database: TestDatabase;
  const total = 57;

  beforeAll(async () => {
    database = await startTestDatabase();
    // Duplicate names and timestamps force the id tiebreaker to do its job.
    await database.pool.query(
      `INSERT INTO projects (name, status, owner_sub, version, created_at, updated_at)
       SELECT 'p' || (g % 7), (ARRAY['draft','active','archived'])[1 + g % 3], 'owner-' || (g % 2), 1 + g % 4,
              timestamp with time zone '2024-01-01 00:00:00.123456+00' + ((g % 5) || ' seconds')::interval,
              now()
       FROM generate_series(1, ${total}) AS g`,
    );
  });
  afterAll(() => database.stop());

  async function collect(request: ListRequest): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = buildListQuery(spec, { ...request, cursor });
      const { rows } = await database.pool.query(query.text, query.values);
      const page = toPage(rows, query);
      expect(page.items.length).toBeLessThanOrEqual(query.limit);
      for (const item of page.items) expect(item).not.toHaveProperty('__sort_key');
      ids.push(...page.items.map((item) => String(item.id)));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { ids, pages };
  }

  it.each(['name', '-name', 'createdAt', '-createdAt', 'version', '-version'])(
    'returns every row exactly once when paging by %s',
    async (sort) => {
      const { ids, pages } = await collect({ sort, limit: 5 });
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
      expect(pages).toBe(Math.ceil(total / 5));
    },
  );

  it('pages through a filtered set exactly once', async () => {
    const expected = await database.pool.query(
      `SELECT count(*)::int AS n FROM projects WHERE status = ANY($1) AND name ILIKE 'p1%'`,
      [['draft', 'active']],
    );
    const { ids } = await collect({
      sort: '-createdAt',
      limit: 3,
      filters: [
        { field: 'status', op: 'in', value: ['draft', 'active'] },
        { field: 'name', op: 'prefix', value: 'p1' },
      ],
    });
    expect(ids).toHaveLength(expected.rows[0].n);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never lets a forged cursor or odd filter reach PostgreSQL as an error (400 or rows, never 500)', async () => {
    const key = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.integer({ min: -3_000_000_000, max: 3_000_000_000 }).map(String),
      fc
        .date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
      fc.constantFrom('2024-01-01 00:00:00.123456+00', '2024-02-29 23:59:59-15:59', '0001-01-01 00:00:00Z'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('name', '-name', 'createdAt', '-createdAt', 'version', '-version'),
        key,
        fc.uuid(),
        fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)),
        async (sort, sortKey, id, filterValue) => {
          const direction = sort.startsWith('-') ? 'desc' : 'asc';
          const cursor = encodeCursor({ field: sort.replace('-', ''), direction }, sortKey, id);
          let query;
          try {
            query = buildListQuery(spec, {
              sort,
              cursor,
              filters: [
                { field: 'name', op: 'prefix', value: filterValue },
                { field: 'version', op: 'gte', value: filterValue },
              ],
            });
          } catch (error) {
            expect((error as AppError).code).toBe('VALIDATION_FAILED');
            return;
          }
          await database.pool.query(query.text, query.values);
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });

  it('treats LIKE wildcards in a prefix as literal characters', async () => {
    await database.pool.query(
      `INSERT INTO projects (name, owner_sub) VALUES ('100%_sure', 'o'), ('100 x', 'o')`,
    );
    const query = buildListQuery(spec, { filters: [{ field: 'name', op: 'prefix', value: '100%' }] });
    const { rows } = await database.pool.query(query.text, query.values);
    expect(rows.map((r) => r.name)).toEqual(['100%_sure']);
  });
});
