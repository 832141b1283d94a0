import { AppError } from '../errors';
import type { FieldError } from '../errors';

/**
 * SQL for list endpoints, built only from an allow-list: identifiers come from the `ListSpec`
 * (checked when the spec is defined), every value is a bind parameter. Pagination is keyset
 * (`(sort_col, id) > ($k, $id)`), with an opaque base64url cursor that carries the last row's
 * sort key and id and is validated when decoded: a forged cursor is a 400, never a 500.
 */

export type FilterOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'prefix';
export type ColumnType = 'text' | 'uuid' | 'integer' | 'timestamptz';
export type SortDirection = 'asc' | 'desc';

export interface ListColumn {
  /** The SQL column (lower_snake_case). */
  readonly column: string;
  readonly type: ColumnType;
  /** Operators a client may filter with. @default - none (not filterable) */
  readonly ops?: readonly FilterOp[];
  /** Clients may sort by it. The column must be NOT NULL (keyset comparison). @default false */
  readonly sortable?: boolean;
}

export interface ListSpec {
  readonly table: string;
  /** Columns returned (must include the id column). */
  readonly select: readonly string[];
  /** Public field name -> column. Only these can be filtered or sorted on. */
  readonly columns: Readonly<Record<string, ListColumn>>;
  /** Unique, NOT NULL uuid column used as the tiebreaker. @default 'id' */
  readonly idColumn?: string;
  readonly defaultSort: { readonly field: string; readonly direction: SortDirection };
  /** @default 20 */
  readonly defaultLimit?: number;
  /** @default 100 */
  readonly maxLimit?: number;
}

export interface ListFilter {
  readonly field: string;
  readonly op: FilterOp;
  readonly value: unknown;
}

export interface ListRequest {
  readonly filters?: readonly ListFilter[];
  /** `{ field, direction }`, or `field` / `-field` (descending). */
  readonly sort?: { readonly field: string; readonly direction: SortDirection } | string;
  readonly cursor?: string;
  readonly limit?: number | string;
}

export interface ListQuery {
  readonly text: string;
  readonly values: unknown[];
  /** Rows wanted; the statement fetches one more to know whether a next page exists. */
  readonly limit: number;
  readonly sort: { readonly field: string; readonly direction: SortDirection };
}

export interface Page<R> {
  readonly items: R[];
  /** Present when more rows follow. */
  readonly nextCursor?: string;
}

/** Column alias carrying the sort key as PostgreSQL text, so cursors keep full precision. */
const SORT_KEY = '__sort_key';
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^-?\d{1,10}$/;
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(?::?\d{2})?)$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TEXT = 1000;
const MAX_IN_VALUES = 100;
const MAX_FILTERS = 20;
const MAX_CURSOR_LENGTH = 2048;
const OPERATORS: Record<Exclude<FilterOp, 'in' | 'prefix'>, string> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};

/** Checks a spec once, at module load: a bad identifier is a programming error. */
export function defineListSpec<const S extends ListSpec>(spec: S): S {
  const idColumn = spec.idColumn ?? 'id';
  const identifiers = [
    spec.table,
    idColumn,
    ...spec.select,
    ...Object.values(spec.columns).map((c) => c.column),
  ];
  for (const identifier of identifiers) {
    if (!IDENTIFIER.test(identifier))
      throw new Error(`List spec identifier "${identifier}" is not lower_snake_case`);
  }
  if (!spec.select.includes(idColumn)) throw new Error(`List spec must select its id column "${idColumn}"`);
  const sort = spec.columns[spec.defaultSort.field];
  if (!Object.hasOwn(spec.columns, spec.defaultSort.field) || !sort?.sortable) {
    throw new Error(`Default sort field "${spec.defaultSort.field}" must be a sortable column`);
  }
  return spec;
}

function invalid(field: string, message: string): never {
  const errors: FieldError[] = [{ field, message }];
  throw new AppError('VALIDATION_FAILED', { detail: message, errors });
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function validTimestamp(text: string): boolean {
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return false;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  const zone = /^[+-](\d{2}):?(\d{2})?$/.exec(m[8]);
  const zoneOk = m[8] === 'Z' || (zone !== null && Number(zone[1]) <= 15 && Number(zone[2] ?? 0) <= 59);
  return (
    isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneOk
  );
}

/** Validates one value for a column type and returns what to bind. */
function coerce(type: ColumnType, value: unknown, field: string): string | number {
  switch (type) {
    case 'text':
      if (typeof value !== 'string' || value.length > MAX_TEXT || value.includes('\u0000')) {
        invalid(field, `must be a string of at most ${MAX_TEXT} characters`);
      }
      return value;
    case 'uuid':
      if (typeof value !== 'string' || !UUID.test(value)) invalid(field, 'must be a UUID');
      return value.toLowerCase();
    case 'integer': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !INTEGER.test(text)) invalid(field, 'must be an integer');
      const n = Number(text);
      if (n < -2147483648 || n > 2147483647) invalid(field, 'is out of range');
      return n;
    }
    case 'timestamptz':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
      if (typeof value !== 'string' || !validTimestamp(value))
        invalid(field, 'must be an ISO 8601 timestamp');
      return value;
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function column(spec: ListSpec, field: unknown, where: string): ListColumn {
  if (typeof field !== 'string' || !Object.hasOwn(spec.columns, field))
    invalid(where, 'is not a supported field');
  return spec.columns[field];
}

function parseSort(spec: ListSpec, sort: ListRequest['sort']): ListQuery['sort'] {
  if (sort === undefined) return spec.defaultSort;
  let field: unknown;
  let direction: unknown;
  if (typeof sort === 'string') {
    [field, direction] = sort.startsWith('-') ? [sort.slice(1), 'desc'] : [sort, 'asc'];
  } else if (typeof sort === 'object' && sort !== null) {
    ({ field, direction } = sort);
  }
  if (direction !== 'asc' && direction !== 'desc') invalid('query.sort', 'direction must be asc or desc');
  if (!column(spec, field, 'query.sort').sortable) invalid('query.sort', 'is not a sortable field');
  return { field: field as string, direction };
}

function parseLimit(spec: ListSpec, limit: ListRequest['limit']): number {
  const max = spec.maxLimit ?? 100;
  if (limit === undefined) return Math.min(spec.defaultLimit ?? 20, max);
  const text = typeof limit === 'number' ? String(limit) : limit;
  if (typeof text !== 'string' || !/^\d{1,6}$/.test(text))
    invalid('query.limit', 'must be a positive integer');
  return Math.min(Math.max(Number(text), 1), max);
}

interface CursorPayload {
  readonly v: 1;
  readonly f: string;
  readonly d: SortDirection;
  readonly k: string;
  readonly i: string;
}

export function encodeCursor(sort: ListQuery['sort'], sortKey: string, id: string): string {
  const payload: CursorPayload = { v: 1, f: sort.field, d: sort.direction, k: sortKey, i: id };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Decodes and validates a cursor against the current sort; anything off is VALIDATION_FAILED. */
export function decodeCursor(
  spec: ListSpec,
  sort: ListQuery['sort'],
  cursor: unknown,
): { key: string | number; id: string } {
  const where = 'query.cursor';
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
    invalid(where, 'is not a valid cursor');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    invalid(where, 'is not a valid cursor');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    invalid(where, 'is not a valid cursor');
  const { v, f, d, k, i } = payload as Record<string, unknown>;
  if (v !== 1 || typeof k !== 'string' || typeof i !== 'string') invalid(where, 'is not a valid cursor');
  if (f !== sort.field || d !== sort.direction) invalid(where, 'belongs to a different sort order');
  const sortColumn = spec.columns[sort.field];
  return {
    key: coerce(sortColumn.type, k, where),
    id: coerce('uuid', i, where) as string,
  };
}

function quote(identifier: string): string {
  return `"${identifier}"`;
}

/** Builds the parameterized SELECT for one page. Throws `AppError('VALIDATION_FAILED')` on bad input. */
export function buildListQuery(spec: ListSpec, request: ListRequest = {}): ListQuery {
  if (typeof request !== 'object' || request === null) invalid('query', 'must be an object');
  const sort = parseSort(spec, request.sort);
  const limit = parseLimit(spec, request.limit);
  const idColumn = spec.idColumn ?? 'id';
  const values: unknown[] = [];
  const bind = (value: unknown, type: ColumnType | `${ColumnType}[]`) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };

  const conditions: string[] = [];
  const filters = request.filters ?? [];
  if (!Array.isArray(filters) || filters.length > MAX_FILTERS) invalid('query', 'has too many filters');
  for (const filter of filters as unknown[]) {
    if (typeof filter !== 'object' || filter === null) invalid('query', 'has a malformed filter');
    const { field, op, value } = filter as Record<string, unknown>;
    const where = `query.${typeof field === 'string' ? field : 'filter'}`;
    const col = column(spec, field, where);
    if (typeof op !== 'string' || !col.ops?.includes(op as FilterOp))
      invalid(where, 'does not support this operator');
    const name = quote(col.column);
    if (op === 'in') {
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES) {
        invalid(where, `must list 1 to ${MAX_IN_VALUES} values`);
      }
      const list = value.map((v: unknown) => coerce(col.type, v, where));
      conditions.push(`${name} = ANY(${bind(list, `${col.type}[]`)})`);
    } else if (op === 'prefix') {
      if (col.type !== 'text') invalid(where, 'does not support this operator');
      const prefix = coerce('text', value, where) as string;
      conditions.push(`${name} ILIKE ${bind(`${escapeLike(prefix)}%`, 'text')} ESCAPE '\\'`);
    } else {
      const sqlOp = OPERATORS[op as keyof typeof OPERATORS];
      conditions.push(`${name} ${sqlOp} ${bind(coerce(col.type, value, where), col.type)}`);
    }
  }

  const sortColumn = spec.columns[sort.field];
  const sortName = quote(sortColumn.column);
  const idName = quote(idColumn);
  if (request.cursor !== undefined) {
    const after = decodeCursor(spec, sort, request.cursor);
    const cmp = sort.direction === 'asc' ? '>' : '<';
    conditions.push(
      `(${sortName}, ${idName}) ${cmp} (${bind(after.key, sortColumn.type)}, ${bind(after.id, 'uuid')})`,
    );
  }

  const dir = sort.direction === 'asc' ? 'ASC' : 'DESC';
  const text = [
    `SELECT ${spec.select.map(quote).join(', ')}, ${sortName}::text AS ${quote(SORT_KEY)}`,
    `FROM ${quote(spec.table)}`,
    conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '',
    `ORDER BY ${sortName} ${dir}, ${idName} ${dir}`,
    `LIMIT ${bind(limit + 1, 'integer')}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { text, values, limit, sort };
}

/** Cuts the extra row off, strips the sort key, and makes the cursor for the next page. */
export function toPage<R extends Record<string, unknown>>(
  rows: readonly R[],
  query: ListQuery,
  idColumn = 'id',
): Page<Omit<R, typeof SORT_KEY>> {
  const pageRows = rows.slice(0, query.limit);
  const items = pageRows.map((row) => {
    const { [SORT_KEY]: _omitted, ...rest } = row;
    return rest as Omit<R, typeof SORT_KEY>;
  });
  const last = pageRows[pageRows.length - 1];
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor(query.sort, String(last[SORT_KEY]), String(last[idColumn]))
      : undefined;
  return nextCursor ? { items, nextCursor } : { items };
}
