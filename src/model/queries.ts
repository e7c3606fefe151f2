// Questions rules ask about migrations, answered once here so rules stay small and agree
// with each other. Framework-neutral: only the model's shapes are read.
import type {
  AddColumnOp,
  Body,
  CreateIndexOp,
  Migration,
  Operation,
  SqlStatement,
} from './types.js';

/** SQL identifiers are case-insensitive unless quoted; compare them the way PostgreSQL does. */
export function normalizeName(name: string | null | undefined): string | null {
  if (name == null) return null;
  const trimmed = name.trim();
  if (trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2) return trimmed.slice(1, -1);
  return trimmed.toLowerCase();
}

export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  const na = normalizeName(a);
  const nb = normalizeName(b);
  return na !== null && nb !== null && na === nb;
}

/** The table an operation acts on, when it acts on one. */
export function operationTable(op: Operation): string | null {
  switch (op.kind) {
    case 'execute_sql':
    case 'transaction_control':
    case 'set_setting':
    case 'sql_error':
    case 'unknown':
      return null;
    default:
      return op.table;
  }
}

/** Tables created by CREATE TABLE-like operations in this body (normalised names). */
export function tablesCreated(body: Body): Set<string> {
  const created = new Set<string>();
  for (const op of body.operations) {
    if (op.kind === 'create_table' && op.table) created.add(normalizeName(op.table)!);
    if (op.kind === 'rename_table' && op.newName && op.table && created.has(normalizeName(op.table)!)) {
      created.add(normalizeName(op.newName)!);
    }
    if (op.kind === 'execute_sql') {
      for (const st of op.statements) {
        if (st.keyword === 'CREATE TABLE' && st.table) created.add(normalizeName(st.table)!);
      }
    }
  }
  return created;
}

/**
 * Was `table` created by an operation before `index` of this body (so it is new and still empty)?
 * The same answer as `tablesCreated` over the operations before `index`, computed once per body:
 * every rule that exempts new tables asks it for each operation.
 */
export function createdBefore(body: Body, index: number, table: string | null): boolean {
  if (!table) return false;
  const at = creationIndex(body).get(normalizeName(table)!);
  return at !== undefined && at < index;
}

/**
 * Per-body indexes, each built once on first use (rules ask for each operation "did an earlier
 * operation of this body ...?"; answering from a copied prefix made a body of n operations cost
 * n^2). Rebuilt when the operations array changed length (the SQL pass rewrites bodies in place).
 */
function memo<T>(cache: WeakMap<Operation[], { length: number; value: T }>, ops: Operation[], build: (ops: Operation[]) => T): T {
  const cached = cache.get(ops);
  if (cached && cached.length === ops.length) return cached.value;
  const value = build(ops);
  cache.set(ops, { length: ops.length, value });
  return value;
}

const VIEW_CREATION = new Set(['CREATE VIEW', 'CREATE OR REPLACE VIEW', 'CREATE MATERIALIZED VIEW']);

const creationCache = new WeakMap<Operation[], { length: number; value: Map<string, number> }>();
const tableCreationCache = new WeakMap<Operation[], { length: number; value: Map<string, number> }>();

/** For each table (or view) the body creates, the index of the operation that creates it (or renames a new one to it). */
function creationIndex(body: Body): Map<string, number> {
  return memo(creationCache, body.operations, (ops) => creations(ops, true));
}

/** The same, for tables only: exactly the names `tablesCreated` lists. */
function tableCreationIndex(body: Body): Map<string, number> {
  return memo(tableCreationCache, body.operations, (ops) => creations(ops, false));
}

function creations(ops: Operation[], views: boolean): Map<string, number> {
  const at = new Map<string, number>();
  const add = (name: string | null, i: number) => {
    if (name && !at.has(normalizeName(name)!)) at.set(normalizeName(name)!, i);
  };
  ops.forEach((op, i) => {
    if (op.kind === 'create_table') add(op.table, i);
    if (op.kind === 'rename_table' && op.newName && op.table && at.has(normalizeName(op.table)!)) add(op.newName, i);
    if (op.kind === 'execute_sql') for (const st of op.statements) if (st.keyword === 'CREATE TABLE') add(st.table, i);
    // A view created here is as new as a table: dropping it again (in a downgrade) blocks no reader.
    if (views && op.kind === 'sql' && VIEW_CREATION.has(op.keyword)) add(op.table, i);
  });
  return at;
}

/** `createdBefore` for tables only: the same answer as `tablesCreated` over the operations before `index`. */
export function tableCreatedBefore(body: Body, index: number, table: string | null): boolean {
  if (!table) return false;
  const at = tableCreationIndex(body).get(normalizeName(table)!);
  return at !== undefined && at < index;
}

/**
 * For each table the body creates (normalised name, as in `tablesCreated`), the index of the
 * operation that creates it: `createdBefore` for every index at once.
 */
export function creationIndices(body: Body): ReadonlyMap<string, number> {
  return tableCreationIndex(body);
}

/** `table\0column`, normalised; null when either is unknown (sameName never matches null). */
function columnKey(table: string | null | undefined, column: string | null | undefined): string | null {
  const t = normalizeName(table);
  const c = normalizeName(column);
  return t === null || c === null ? null : `${t}\0${c}`;
}

/** The last element of ascending `list` below `index`, or -1. */
function lastBelow(list: readonly number[] | undefined, index: number): number {
  if (!list) return -1;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < index) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1]! : -1;
}

function push<K>(map: Map<K, number[]>, key: K | null, i: number): void {
  if (key === null) return;
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

const emptiedCache = new WeakMap<Operation[], { length: number; value: Map<string, number> }>();

/** Was `table` emptied (DELETE without WHERE, TRUNCATE) by an operation before `index` of this body? */
export function emptiedBefore(body: Body, index: number, table: string | null): boolean {
  if (!table) return false;
  const first = memo(emptiedCache, body.operations, (ops) => {
    const at = new Map<string, number>();
    ops.forEach((op, i) => {
      for (const name of emptiedTables(op)) {
        const key = normalizeName(name);
        if (key !== null && !at.has(key)) at.set(key, i);
      }
    });
    return at;
  });
  const at = first.get(normalizeName(table)!);
  return at !== undefined && at < index;
}

const columnAddCache = new WeakMap<Operation[], { length: number; value: Map<string, number[]> }>();

/** The last `add_column` of `table.column` before `index` of this body, with its index. */
export function columnAddBefore(body: Body, index: number, table: string | null, column: string | null): { op: AddColumnOp; index: number } | null {
  const key = columnKey(table, column);
  if (key === null) return null;
  const byKey = memo(columnAddCache, body.operations, (ops) => {
    const map = new Map<string, number[]>();
    ops.forEach((op, i) => {
      if (op.kind === 'add_column') push(map, columnKey(op.table, op.column.name), i);
    });
    return map;
  });
  const at = lastBelow(byKey.get(key), index);
  return at < 0 ? null : { op: body.operations[at] as AddColumnOp, index: at };
}

const columnCreationCache = new WeakMap<Operation[], { length: number; value: Map<string, number> }>();

/**
 * Was `table.column` added by an operation before `index` of this body, or renamed into being
 * from a column added earlier (add_column, then alter_column renaming it)?
 */
export function columnAddedBefore(body: Body, index: number, table: string | null, column: string | null): boolean {
  const key = columnKey(table, column);
  if (key === null) return false;
  const first = memo(columnCreationCache, body.operations, (ops) => {
    const at = new Map<string, number>();
    ops.forEach((op, i) => {
      let k: string | null = null;
      if (op.kind === 'add_column' && op.table && op.column.name) k = columnKey(op.table, op.column.name);
      else if (op.kind === 'alter_column' && op.table && op.newName) {
        const from = columnKey(op.table, op.column);
        if (from !== null && at.has(from)) k = columnKey(op.table, op.newName);
      }
      if (k !== null && !at.has(k)) at.set(k, i);
    });
    return at;
  });
  const at = first.get(key);
  return at !== undefined && at < index;
}

const indexCreationCache = new WeakMap<Operation[], { length: number; value: Map<string, number[]> }>();

/** The last `create_index` named `name` before `index` of this body. */
export function indexCreatedBefore(body: Body, index: number, name: string | null): CreateIndexOp | null {
  const key = normalizeName(name);
  if (key === null) return null;
  const byName = memo(indexCreationCache, body.operations, (ops) => {
    const map = new Map<string, number[]>();
    ops.forEach((op, i) => {
      if (op.kind === 'create_index') push(map, normalizeName(op.name), i);
    });
    return map;
  });
  const at = lastBelow(byName.get(key), index);
  return at < 0 ? null : (body.operations[at] as CreateIndexOp);
}

/**
 * Is `table` new at operation `index` of `body`, so that nobody else uses it yet? Created earlier
 * in the body, or, in the downgrade, created by the upgrade it undoes: only the release being rolled
 * back ever used that table, and the downgrade is there to remove it.
 */
export function newTableAt(migration: Migration, body: Body, index: number, table: string | null): boolean {
  if (createdBefore(body, index, table)) return true;
  return body === migration.downgrade && createdBefore(migration.upgrade, migration.upgrade.operations.length, table);
}

export function createdInSameBody(body: Body, table: string | null): boolean {
  if (!table) return false;
  // The tables tableCreationIndex knows are exactly tablesCreated(body), without rebuilding the set.
  return tableCreationIndex(body).has(normalizeName(table)!);
}

/** A statement that changes rows (not structure). */
export function isDataStatement(st: SqlStatement): boolean {
  return st.category === 'data';
}

export function isSchemaStatement(st: SqlStatement): boolean {
  return st.category === 'schema';
}

/** Does this operation change the schema (structure)? */
export function changesSchema(op: Operation): boolean {
  switch (op.kind) {
    case 'create_table':
    case 'drop_table':
    case 'rename_table':
    case 'add_column':
    case 'drop_column':
    case 'alter_column':
    case 'create_index':
    case 'drop_index':
    case 'add_constraint':
    case 'drop_constraint':
    case 'validate_constraint':
      return true;
    case 'execute_sql':
      return op.statements.some(isSchemaStatement);
    case 'sql':
      return op.category === 'schema';
    default:
      return false;
  }
}

/** Does this operation change data (rows)? */
export function changesData(op: Operation): boolean {
  if (op.kind === 'data_change') return true;
  if (op.kind === 'sql') return op.category === 'data';
  if (op.kind === 'execute_sql') return op.statements.some(isDataStatement);
  return false;
}

/**
 * The tables whose rows an operation changes: null in the list means "a table we cannot name".
 * Empty when the operation changes no data.
 */
export function dataTargets(op: Operation): (string | null)[] {
  if (op.kind === 'data_change') return [op.table];
  if (op.kind === 'sql') return op.category === 'data' ? [op.table] : [];
  if (op.kind === 'execute_sql') return op.statements.filter(isDataStatement).map((s) => s.table);
  return [];
}

/**
 * Does `op` write values into `table.column`? Returns 'yes', 'no', or 'maybe' when the
 * operation changes data on a table or column we cannot name.
 */
export function writesColumn(op: Operation, table: string | null, column: string | null): 'yes' | 'no' | 'maybe' {
  if (op.kind === 'data_change') {
    if (op.action === 'insert' || op.action === 'bulk_insert' || op.action === 'delete' || op.action === 'truncate' || op.action === 'copy') {
      return op.table === null ? 'maybe' : 'no';
    }
    if (op.table === null) return 'maybe';
    if (!sameName(op.table, table)) return 'no';
    if (op.columns.length === 0) return 'maybe';
    return op.columns.some((c) => sameName(c, column)) ? 'yes' : 'no';
  }
  if (op.kind === 'execute_sql') {
    let result: 'yes' | 'no' | 'maybe' = 'no';
    for (const st of op.statements) {
      if (st.keyword !== 'UPDATE' && st.category === 'data') continue;
      if (st.keyword !== 'UPDATE') continue;
      if (st.table === null) {
        result = 'maybe';
        continue;
      }
      if (!sameName(st.table, table)) continue;
      if (column === null) return 'maybe';
      // The SET list is in the text; a word match is enough to tell a backfill of this column.
      const re = new RegExp(`\\bSET\\b[\\s\\S]*\\b"?${escapeRegExp(column)}"?\\s*=`, 'i');
      if (re.test(st.text)) return 'yes';
      result = result === 'no' ? 'no' : result;
    }
    if (result === 'no' && !op.textKnown) return 'maybe';
    return result;
  }
  return 'no';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A revision is a merge point when it has two or more parents. */
export function isMergeRevision(m: Migration): boolean {
  return (m.parents?.value.length ?? 0) > 1;
}

/** The revision id, or the file name when the id cannot be read. */
export function migrationLabel(m: Migration): string {
  return m.revision?.value ?? m.file.split(/[\\/]/).pop() ?? m.file;
}

/** The last segment of a path, for messages; rules do not import node:path. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** A migration with nothing read yet; front ends fill it in, the engine uses it for unreadable files. */
export function emptyMigration(file: string, framework: string, dialect: Migration['dialect']): Migration {
  const missing = (): Body => ({ shape: 'missing', loc: null, operations: [] });
  return {
    file,
    framework,
    dialect,
    revision: null,
    parents: null,
    branchLabels: null,
    dependsOn: null,
    message: null,
    upgrade: missing(),
    downgrade: missing(),
    imports: [],
    comments: [],
    autogenerateMarkers: [],
    parseError: null,
    source: '',
    companions: [],
    transaction: { mode: 'per-migration', reason: 'default', file: null, loc: null },
    runnerSettings: [],
  };
}

/**
 * Does `op` remove every row of `table` (DELETE without WHERE, TRUNCATE)? After that, adding a
 * NOT NULL column without a default is safe: there is no row to fill.
 */
export function emptiesTable(op: Operation, table: string | null): boolean {
  if (!table) return false;
  return emptiedTables(op).some((name) => sameName(name, table));
}

/** The tables whose every row `op` removes (DELETE without WHERE, TRUNCATE), as written. */
export function emptiedTables(op: Operation): string[] {
  if (op.kind === 'data_change') {
    return (op.action === 'truncate' || (op.action === 'delete' && op.hasWhere === false)) && op.table ? [op.table] : [];
  }
  if (op.kind !== 'execute_sql') return [];
  const out: string[] = [];
  for (const st of op.statements) {
    if (st.keyword === 'DELETE') {
      if (st.table && !/\bWHERE\b/i.test(st.text)) out.push(st.table);
    } else if (st.keyword === 'TRUNCATE') {
      const m = /^\s*TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?([^;]*)/i.exec(st.text);
      const names = (m?.[1] ?? '').split(/\s+(?:RESTART|CONTINUE|CASCADE|RESTRICT)\b/i)[0]!.split(',');
      for (const n of names) out.push(n.trim().split('.').pop()!.replace(/\*$/, '').trim());
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Column types

/** A column type reduced to PostgreSQL's own name, from its SQL or SQLAlchemy spelling. */
export interface CanonicalType {
  /**
   * PostgreSQL's name, lower case: integer, smallint, bigint, serial, smallserial, bigserial,
   * varchar, char, text, timestamp, timestamptz, time, timetz, date, interval, json, jsonb,
   * boolean, numeric, real, double precision, uuid, bytea, enum. Any other type keeps its
   * written name, lower case, without module prefix or arguments (`mytypes.Money()` → `money`).
   */
  name: string;
  /** Literal numeric modifiers: varchar(50) → [50], numeric(10, 2) → [10, 2], timestamptz(3) → [3]; [] when none. */
  params: number[];
  /** An array of `name` (`integer[]`, `int ARRAY`, `sa.ARRAY(sa.Integer)`). */
  array: boolean;
  /** Written as a SQLAlchemy type (`sa.String(50)`) rather than in SQL (`varchar(50)`). */
  sqlalchemy: boolean;
}

// Lower-cased SQL names, aliases and SQLAlchemy class names → PostgreSQL's name.
const TYPE_NAMES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  smallint: 'smallint',
  int2: 'smallint',
  smallinteger: 'smallint',
  bigint: 'bigint',
  int8: 'bigint',
  biginteger: 'bigint',
  serial: 'serial',
  serial4: 'serial',
  smallserial: 'smallserial',
  serial2: 'smallserial',
  bigserial: 'bigserial',
  serial8: 'bigserial',
  varchar: 'varchar',
  'character varying': 'varchar',
  'char varying': 'varchar',
  'national character varying': 'varchar',
  string: 'varchar',
  unicode: 'varchar',
  nvarchar: 'varchar',
  char: 'char',
  character: 'char',
  nchar: 'char',
  bpchar: 'char',
  text: 'text',
  unicodetext: 'text',
  clob: 'text',
  timestamp: 'timestamp',
  datetime: 'timestamp',
  timestamptz: 'timestamptz',
  time: 'time',
  timetz: 'timetz',
  date: 'date',
  interval: 'interval',
  json: 'json',
  jsonb: 'jsonb',
  boolean: 'boolean',
  bool: 'boolean',
  numeric: 'numeric',
  decimal: 'numeric',
  real: 'real',
  float4: 'real',
  float: 'double precision',
  float8: 'double precision',
  double: 'double precision',
  'double precision': 'double precision',
  double_precision: 'double precision',
  uuid: 'uuid',
  bytea: 'bytea',
  largebinary: 'bytea',
  enum: 'enum',
};

/** SQLAlchemy types whose first positional argument is `timezone`. */
const TZ_TYPES = new Set(['datetime', 'timestamp', 'time']);
/** SQLAlchemy types whose first positional argument is `length`. */
const LENGTH_TYPES = new Set(['string', 'unicode', 'varchar', 'nvarchar', 'char', 'nchar', 'text', 'unicodetext']);

/**
 * Reduces a column type as written (SQL: `character varying(50)`, `int4`, `timestamp without
 * time zone`, `integer[]`; SQLAlchemy: `sa.String(length=50)`, `sa.Integer()`,
 * `sa.DateTime(timezone=True)`, `postgresql.TIMESTAMP(timezone=True)`, `postgresql.JSON()`,
 * `sa.ARRAY(sa.Integer)`, `sa.JSON().with_variant(postgresql.JSONB(), "postgresql")`) to
 * PostgreSQL's name for it. `dialect` picks the `with_variant` that applies. Null when there is
 * no type or it cannot be read (a variable is read as its name, lower case).
 */
export function canonicalType(written: string | null | undefined, dialect: import('./types.js').Dialect = 'postgresql'): CanonicalType | null {
  if (written == null) return null;
  let text = written.trim();
  if (text === '') return null;

  // `X.with_variant(Y, "postgresql")`: Y is the type on that dialect.
  const chain = splitCalls(text);
  text = chain.base;
  for (const v of chain.variants) {
    if (v.dialects.includes(dialect)) text = v.type;
  }

  const head = /^[A-Za-z_][\w.]*/.exec(text)?.[0] ?? '';
  const rest = text.slice(head.length).trim();
  const inner = rest.startsWith('(') ? rest.slice(1, matchingParen(rest, 0)).trim() : null;
  const sqlalchemy =
    head.includes('.') || // sa.Integer, postgresql.JSON
    (/[a-z]/.test(head) && /[A-Z]/.test(head)) || // Integer, DateTime
    (inner !== null && (inner === '' || /[=A-Za-z]/.test(inner))); // INTEGER(), TIMESTAMP(timezone=True)
  if (sqlalchemy) return sqlalchemyType(text, dialect);
  return sqlType(text);
}

function sqlType(text: string): CanonicalType | null {
  let s = text.toLowerCase().replace(/"/g, '').replace(/\s+/g, ' ').trim();
  let array = false;
  // integer[] / integer[3][] / integer ARRAY / integer ARRAY[4]
  const arr = /(?:\s*\[\s*\d*\s*\])+$|\s+array(?:\s*\[\s*\d*\s*\])?$/.exec(s);
  if (arr) {
    array = true;
    s = s.slice(0, arr.index).trim();
  }
  // timestamp(3) with time zone → timestamptz(3); time without time zone → time.
  const tz = /^(timestamp|time)\s*(\(\s*\d+\s*\))?\s+(with|without) time zone$/.exec(s);
  if (tz) s = `${tz[1]}${tz[3] === 'with' ? 'tz' : ''}${tz[2] ?? ''}`;
  const m = /^([a-z_][\w ]*?)\s*(?:\(([^)]*)\))?$/.exec(s);
  if (!m) return null;
  const base = m[1]!.split('.').pop()!.trim();
  const params = (m[2] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  return { name: TYPE_NAMES[base] ?? base, params, array, sqlalchemy: false };
}

function sqlalchemyType(text: string, dialect: import('./types.js').Dialect): CanonicalType | null {
  const m = /^([A-Za-z_][\w.]*)\s*(?:\(([\s\S]*)\))?\s*$/.exec(text);
  if (!m) return null;
  const base = m[1]!.split('.').pop()!.toLowerCase();
  const args = m[2] !== undefined ? splitArgs(m[2]) : [];
  const positional = args.filter((a) => a.key === null).map((a) => a.value);
  const kw = (k: string) => args.find((a) => a.key === k)?.value;

  if (base === 'array') {
    const inner = canonicalType(positional[0] ?? kw('item_type') ?? null, dialect);
    return inner ? { ...inner, array: true, sqlalchemy: true } : null;
  }

  let name = TYPE_NAMES[base] ?? base;
  const params: number[] = [];
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null);
  if (TZ_TYPES.has(base)) {
    const tzArg = kw('timezone') ?? positional[0];
    if (tzArg?.trim() === 'True') name = name === 'time' ? 'timetz' : 'timestamptz';
    const precision = int(kw('precision'));
    if (precision !== null) params.push(precision);
  } else if (LENGTH_TYPES.has(base)) {
    const length = int(kw('length') ?? positional[0]);
    if (length !== null) params.push(length);
  } else {
    for (const v of [kw('precision') ?? positional[0], kw('scale') ?? positional[1]]) {
      const n = int(v);
      if (n === null) break;
      params.push(n);
    }
  }
  return { name, params, array: false, sqlalchemy: true };
}

/** `base.with_variant(T, "d1", "d2").other()` → the base and its variants; other chained calls are dropped. */
function splitCalls(text: string): { base: string; variants: { type: string; dialects: string[] }[] } {
  const variants: { type: string; dialects: string[] }[] = [];
  let depth = 0;
  let quote: string | null = null;
  let baseEnd = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '.' && depth === 0 && i > 0 && text[i - 1] === ')') {
      // A method call on the constructed type.
      if (baseEnd < 0) baseEnd = i;
      const m = /^\.\s*(\w+)\s*\(/.exec(text.slice(i));
      if (!m) continue;
      const open = i + m[0].length - 1;
      const close = matchingParen(text, open);
      if (m[1] === 'with_variant') {
        const args = splitArgs(text.slice(open + 1, close)).map((a) => a.value);
        const dialects = args.slice(1).map((a) => a.trim().replace(/^['"]|['"]$/g, ''));
        if (args[0]) variants.push({ type: args[0].trim(), dialects });
      }
      i = close;
    }
  }
  return { base: baseEnd < 0 ? text : text.slice(0, baseEnd).trim(), variants };
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return text.length;
}

/** Splits call arguments at top-level commas into `key=value` / positional values. */
function splitArgs(inner: string): { key: string | null; value: string }[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(inner.slice(start));
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const m = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(p);
      return m ? { key: m[1]!, value: m[2]! } : { key: null, value: p };
    });
}

/**
 * Tables renamed in either direction among `ops` are the same table: an upgrade that renames
 * `block` to `block_document` and alters `block_document` is undone by a downgrade that renames
 * it back and alters `block`. Returns a comparison that also holds for equal names.
 */
export function tableAliases(ops: Operation[]): (a: string | null, b: string | null) => boolean {
  const key = tableAliasKey(ops);
  return (a, b) => a !== null && b !== null && key(a) === key(b);
}

/**
 * The same grouping as `tableAliases`, as a key: two names are aliases exactly when their keys
 * are equal, so a rule can look names up in a set instead of comparing every pair. Null for null.
 */
export function tableAliasKey(ops: Operation[]): (name: string | null) => string | null {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    // Path compression: a long chain of renames is walked once, not once per name in it.
    for (let n = x; n !== r; ) {
      const next = parent.get(n)!;
      parent.set(n, r);
      n = next;
    }
    return r;
  };
  for (const op of ops) {
    if (op.kind !== 'rename_table' || !op.table || !op.newName) continue;
    const a = find(normalizeName(op.table)!);
    const b = find(normalizeName(op.newName)!);
    if (a !== b) parent.set(a, b);
  }
  return (name) => (name === null ? null : find(normalizeName(name)!));
}

/** A column type an operation declares: each column of a CREATE TABLE, an added column, or the new type of ALTER COLUMN TYPE. */
export interface DeclaredType {
  table: string | null;
  column: string | null;
  /** The type as written. */
  type: string;
  /** The column definition (create_table, add_column); null for alter_column. */
  spec: import('./types.js').ColumnSpec | null;
  /** The column definition, or the alter_column call. */
  loc: import('./types.js').Loc;
}

export function declaredTypes(op: Operation): DeclaredType[] {
  switch (op.kind) {
    case 'create_table':
      return op.columns.filter((c) => c.type !== null).map((c) => ({ table: op.table, column: c.name, type: c.type!, spec: c, loc: c.loc }));
    case 'add_column':
      return op.column.type === null ? [] : [{ table: op.table, column: op.column.name, type: op.column.type, spec: op.column, loc: op.column.loc }];
    case 'alter_column':
      return op.type === undefined ? [] : [{ table: op.table, column: op.column, type: op.type, spec: null, loc: op.loc }];
    default:
      return [];
  }
}

/**
 * Transaction boundaries an operation contains: BEGIN, or COMMIT/ROLLBACK ('end'), as an
 * operation or inside an `execute()` string that was not read as operations (non-PostgreSQL).
 */
export function transactionBoundaries(op: Operation): ('begin' | 'end')[] {
  if (op.kind === 'transaction_control') {
    if (op.action === 'begin') return ['begin'];
    return op.action === 'commit' || op.action === 'rollback' ? ['end'] : [];
  }
  if (op.kind !== 'execute_sql') return [];
  return op.statements.flatMap((st): ('begin' | 'end')[] => {
    if (st.keyword === 'BEGIN' || st.keyword === 'START TRANSACTION') return ['begin'];
    if (st.keyword === 'COMMIT' || st.keyword === 'END' || st.keyword === 'ROLLBACK' || st.keyword === 'ABORT') return ['end'];
    return [];
  });
}

// Names and offsets PostgreSQL reads as UTC (pg_timezone_names with utc_offset 0 and no DST, plus
// the POSIX/ISO offset spellings).
const UTC_ZONES = /^(?:(?:etc\/)?(?:utc|uct|gmt|gmt[+-]?0|greenwich|universal|zulu)|z|[+-]?0{1,2}(?::?0{2})?)$/i;

/** Is a TimeZone setting's value (as written, maybe quoted) UTC? */
export function isUtcTimeZone(value: string | null | undefined): boolean {
  if (value == null) return false;
  const v = value.trim().replace(/^'(.*)'$/s, '$1').replace(/^"(.*)"$/s, '$1').trim();
  return UTC_ZONES.test(v);
}

/**
 * Is the session's TimeZone UTC when operation `index` of `body` runs? Set on the runner's
 * connection (env.py options or SET, `runner.timeZone` in the config), or by `SET timezone`,
 * `SET TIME ZONE`, `SET LOCAL ...` or `set_config('timezone', ...)` earlier in the body (a SET
 * LOCAL lasts until its transaction ends). A later SET to another zone, or RESET, undoes it.
 */
export function sessionTimeZoneIsUtc(migration: Migration, body: Body, index: number): boolean {
  // The answer before every index, computed in one pass per body (not a prefix scan per question).
  const states = memo(timeZoneCache, body.operations, (ops) => {
    const runner = migration.runnerSettings.filter((s) => s.name === 'timezone').pop();
    let session = runner ? isUtcTimeZone(runner.value) : false;
    let local: boolean | null = null;
    const out: boolean[] = [session];
    for (const op of ops) {
      if (op.kind === 'transaction_control' && (op.action === 'commit' || op.action === 'rollback')) local = null;
      if (op.kind === 'set_setting' && (op.name === 'timezone' || op.name === 'all')) {
        const utc = op.value === null ? (runner ? isUtcTimeZone(runner.value) : false) : isUtcTimeZone(op.value);
        if (op.local) local = utc;
        else {
          session = utc;
          local = null;
        }
      }
      out.push(local ?? session);
    }
    return out;
  });
  return states[Math.max(0, Math.min(index, states.length - 1))]!;
}

const timeZoneCache = new WeakMap<Operation[], { length: number; value: boolean[] }>();

// The words that name a database: in a directory name, a URL scheme (`mysql+pymysql://`), or a
// SQLAlchemy dialect name (`bind.dialect.name == "mariadb"`).
const DIALECT_WORDS: Record<string, import('./types.js').Dialect> = {
  postgres: 'postgresql',
  postgresql: 'postgresql',
  pg: 'postgresql',
  pgsql: 'postgresql',
  psql: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  h2: 'h2',
  mssql: 'mssql',
  sqlserver: 'mssql',
  oracle: 'oracle',
  cockroach: 'cockroachdb',
  cockroachdb: 'cockroachdb',
  crdb: 'cockroachdb',
};

/** The dialect a word names (case-insensitive), or null. */
export function dialectNamed(word: string): import('./types.js').Dialect | null {
  return DIALECT_WORDS[word.toLowerCase()] ?? null;
}

/** The dialect of a database URL (`postgresql+psycopg2://...`, `sqlite:///app.db`, `jdbc:h2:mem:`), or null. */
export function dialectOfUrl(url: string): import('./types.js').Dialect | null {
  const m = /^\s*(?:jdbc:)?([A-Za-z][\w]*)(?:\+[\w.]+)?:(?:\/\/|[A-Za-z\/])/.exec(url);
  return m ? dialectNamed(m[1]!) : null;
}

// The SQLAlchemy dialect name each dialect reports as `bind.dialect.name`.
const SQLALCHEMY_NAME: Record<import('./types.js').Dialect, string> = {
  postgresql: 'postgresql',
  mysql: 'mysql',
  sqlite: 'sqlite',
  h2: 'h2',
  mssql: 'mssql',
  oracle: 'oracle',
  cockroachdb: 'cockroachdb',
  unknown: '',
};

/**
 * May the operation run on a database of this dialect? Unguarded operations do, and so does
 * everything when the dialect is unknown. A guard naming a dialect admits it when any name means
 * it (`"mariadb"` for mysql); a negated guard excludes only the dialect's own SQLAlchemy name.
 */
export function runsOnDialect(op: import('./types.js').Operation, dialect: import('./types.js').Dialect): boolean {
  const g = op.dialectGuard;
  if (!g || dialect === 'unknown') return true;
  if (g.negated) return !g.names.includes(SQLALCHEMY_NAME[dialect]);
  return g.names.some((n) => dialectNamed(n) === dialect);
}

/** Both guards hold (a nested branch). */
export function guardAnd(a: import('./types.js').DialectGuard | null, b: import('./types.js').DialectGuard): import('./types.js').DialectGuard {
  if (!a) return b;
  if (!a.negated && !b.negated) return { names: a.names.filter((n) => b.names.includes(n)), negated: false };
  if (a.negated && b.negated) return { names: [...new Set([...a.names, ...b.names])], negated: true };
  const [pos, neg] = a.negated ? [b, a] : [a, b];
  return { names: pos.names.filter((n) => !neg.names.includes(n)), negated: false };
}

/** The guard of the other branch. */
export function guardNot(g: import('./types.js').DialectGuard): import('./types.js').DialectGuard {
  return { names: g.names, negated: !g.negated };
}
