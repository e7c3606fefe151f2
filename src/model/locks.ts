// The PostgreSQL table lock each model operation takes, so lock rules (require-lock-timeout and
// others) agree on one table. Framework-neutral: only the model's shapes are read.
//
// Sources (PostgreSQL 12-18 documentation; the modes and conflicts have not changed since 9.5):
// - "Explicit Locking", 13.3.1 Table-Level Locks, and Table 13.2 "Conflicting Lock Modes"
//   (https://www.postgresql.org/docs/current/explicit-locking.html):
//     ROW EXCLUSIVE           UPDATE, DELETE, INSERT, MERGE (and COPY FROM)
//     SHARE UPDATE EXCLUSIVE  VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, CREATE STATISTICS,
//                             COMMENT ON, REINDEX CONCURRENTLY, ALTER TABLE VALIDATE CONSTRAINT
//                             and other ALTER TABLE variants (see ALTER TABLE)
//     SHARE                   CREATE INDEX (without CONCURRENTLY)
//     SHARE ROW EXCLUSIVE     CREATE TRIGGER and some forms of ALTER TABLE
//     EXCLUSIVE               REFRESH MATERIALIZED VIEW CONCURRENTLY
//     ACCESS EXCLUSIVE        DROP TABLE, TRUNCATE, REINDEX, CLUSTER, VACUUM FULL,
//                             REFRESH MATERIALIZED VIEW, many forms of ALTER TABLE and ALTER INDEX
// - "ALTER TABLE", Description and Notes (https://www.postgresql.org/docs/current/sql-altertable.html):
//   "An ACCESS EXCLUSIVE lock is acquired unless explicitly noted." ADD/DROP COLUMN, ALTER COLUMN
//   TYPE, SET/DROP NOT NULL, SET/DROP DEFAULT, RENAME (table and column) and DROP CONSTRAINT
//   are not noted, so they take ACCESS EXCLUSIVE. "ADD FOREIGN KEY requires only a SHARE ROW
//   EXCLUSIVE lock" on the altered table, and also a SHARE ROW EXCLUSIVE lock on the referenced
//   table. VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE (plus ROW SHARE on the table a
//   foreign key references). ADD CHECK, UNIQUE, PRIMARY KEY (also USING INDEX) and EXCLUDE take
//   ACCESS EXCLUSIVE; NOT VALID skips the scan, not the lock.
// - "DROP INDEX" (https://www.postgresql.org/docs/current/sql-dropindex.html): "A normal DROP
//   INDEX acquires an ACCESS EXCLUSIVE lock on the table"; CONCURRENTLY avoids it (it takes
//   SHARE UPDATE EXCLUSIVE, like CREATE INDEX CONCURRENTLY).
// - "CREATE INDEX" (https://www.postgresql.org/docs/current/sql-createindex.html): a normal build
//   locks the table against writes (SHARE); CONCURRENTLY takes SHARE UPDATE EXCLUSIVE.
//
// | operation                          | mode                                   | table             |
// |------------------------------------|----------------------------------------|-------------------|
// | create_table                       | none on an existing table (null)       |                   |
// | create_table with foreign keys     | SHARE ROW EXCLUSIVE (adds the FK       | each referenced   |
// |                                    |   triggers on the referenced table)    |   existing table  |
// | drop_table                         | ACCESS EXCLUSIVE                       | the table         |
// | rename_table                       | ACCESS EXCLUSIVE                       | the old name      |
// | add_column / drop_column           | ACCESS EXCLUSIVE                       | the table         |
// | alter_column (type, nullability,   | ACCESS EXCLUSIVE                       | the table         |
// |   rename, server default)          |                                        |                   |
// | alter_column changing none of them | null (a comment-only change is         |                   |
// |                                    |   COMMENT ON: SHARE UPDATE EXCLUSIVE)  |                   |
// | create_index                       | SHARE; CONCURRENTLY: SHARE UPDATE EXCL | the table         |
// | drop_index                         | ACCESS EXCLUSIVE; CONCURRENTLY: S.U.E. | the index's table |
// | add_constraint foreign key         | SHARE ROW EXCLUSIVE (also referenced)  | constrained table |
// | add_constraint check/unique/pk/... | ACCESS EXCLUSIVE                       | the table         |
// | drop_constraint                    | ACCESS EXCLUSIVE                       | the table         |
// | validate_constraint                | SHARE UPDATE EXCLUSIVE                 | the table         |
// | data_change truncate               | ACCESS EXCLUSIVE                       | the table         |
// | data_change other writes           | ROW EXCLUSIVE                          | the table         |
// | data_change unknown                | null                                   |                   |
// | sql                                | its `lock` field                       | its `table`       |
// |   (DROP VIEW / MATERIALIZED VIEW:  |   ACCESS EXCLUSIVE)                    |   (the view)      |
// | execute_sql, transaction_control,  | null                                   |                   |
// |   set_setting, sql_error, unknown  |                                        |                   |
import { sameName } from './queries.js';
import type { LockMode, Operation } from './types.js';

/** Every lock mode, weakest first (the order of the documentation's list). */
export const LOCK_MODES: readonly LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

/** Position in LOCK_MODES: a larger number is a stronger lock. */
export function lockStrength(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode);
}

// Table 13.2 "Conflicting Lock Modes": for each mode, the modes it conflicts with.
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': LOCK_MODES,
};

/** Do two lock modes conflict (Table 13.2)? Symmetric. */
export function locksConflict(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/** What application traffic a lock held (or queued for) on a table stops. */
export function lockBlocks(mode: LockMode): 'reads and writes' | 'writes' | 'schema changes' {
  if (locksConflict(mode, 'ACCESS SHARE')) return 'reads and writes'; // plain SELECT
  if (locksConflict(mode, 'ROW EXCLUSIVE')) return 'writes'; // INSERT / UPDATE / DELETE
  return 'schema changes';
}

export interface TableLock {
  mode: LockMode;
  /** The table locked; null when the operation names it in a way we cannot read. */
  table: string | null;
  /** Other tables locked by the same statement (the referenced tables of foreign keys), with their modes. */
  also?: { mode: LockMode; table: string | null }[];
}

export interface LockOfOptions {
  /** The table of an index, for `drop_index` calls that do not name it (from the schema catalog). */
  indexTable?: (index: string | null) => string | null;
}

/** The table lock an operation takes in PostgreSQL, or null when it takes none on an existing table (or we cannot tell). */
export function lockOf(op: Operation, opts: LockOfOptions = {}): TableLock | null {
  switch (op.kind) {
    case 'create_table': {
      // CREATE TABLE ... REFERENCES t adds the foreign key's triggers on t under SHARE ROW EXCLUSIVE.
      const referred: string[] = [];
      for (const c of op.constraints) {
        const t = c.type === 'foreign_key' ? c.referredTable : null;
        if (t && !sameName(t, op.table) && !referred.some((r) => sameName(r, t))) referred.push(t);
      }
      if (referred.length === 0) return null;
      const [first, ...rest] = referred;
      const lock: TableLock = { mode: 'SHARE ROW EXCLUSIVE', table: first! };
      if (rest.length > 0) lock.also = rest.map((table) => ({ mode: 'SHARE ROW EXCLUSIVE' as const, table }));
      return lock;
    }
    case 'drop_table':
    case 'rename_table':
    case 'add_column':
    case 'drop_column':
    case 'drop_constraint':
      return { mode: 'ACCESS EXCLUSIVE', table: op.table };
    case 'alter_column':
      if (op.type === undefined && op.nullable === undefined && !op.newName && op.serverDefault === undefined) return null;
      return { mode: 'ACCESS EXCLUSIVE', table: op.table };
    case 'create_index':
      return { mode: op.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', table: op.table };
    case 'drop_index':
      return {
        mode: op.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE',
        table: op.table ?? opts.indexTable?.(op.name) ?? null,
      };
    case 'add_constraint':
      if (op.constraintType === 'foreign_key') {
        return { mode: 'SHARE ROW EXCLUSIVE', table: op.table, also: [{ mode: 'SHARE ROW EXCLUSIVE', table: op.referredTable }] };
      }
      return { mode: 'ACCESS EXCLUSIVE', table: op.table };
    case 'validate_constraint':
      return { mode: 'SHARE UPDATE EXCLUSIVE', table: op.table };
    case 'data_change':
      if (op.action === 'truncate') return { mode: 'ACCESS EXCLUSIVE', table: op.table };
      if (op.action === 'unknown') return null;
      return { mode: 'ROW EXCLUSIVE', table: op.table };
    case 'sql':
      return op.lock ? { mode: op.lock, table: op.table } : null;
    case 'execute_sql':
    case 'transaction_control':
    case 'set_setting':
    case 'sql_error':
    case 'unknown':
      return null;
    default: {
      const never: never = op;
      return never;
    }
  }
}

// Functions that make a column default volatile: every existing row gets its own value, so
// ADD COLUMN ... DEFAULT f() rewrites the table (PostgreSQL 11+ stores constant and stable
// defaults, now() included, in the catalog instead).
const VOLATILE_DEFAULT = /\b(?:nextval|random|gen_random_uuid|uuid_generate_v[14]\w*|uuidv[47]|clock_timestamp|timeofday|txid_current|setseed)\s*\(/i;

/**
 * Whether PostgreSQL (11+) rewrites the operation's table: a new file for the table and its
 * indexes, every row copied under ACCESS EXCLUSIVE. null when it cannot be told from the model
 * (a type change to a type we cannot compare, a default we cannot read).
 * - add_column: with a volatile default, a serial, identity or stored generated column.
 * - alter_column with a new type: unless the change is binary-coercible with no check
 *   (varchar(n) to a longer varchar or text, numeric(p,s) to a larger precision, the same type);
 *   timestamp <-> timestamptz skips the rewrite only when the session time zone is UTC (null).
 * - sql: VACUUM FULL and CLUSTER (node VacuumStmt / ClusterStmt) rewrite; ALTER TABLE SET
 *   TABLESPACE / SET LOGGED / SET UNLOGGED / SET ACCESS METHOD too.
 */
export function rewritesTable(op: Operation): boolean | null {
  switch (op.kind) {
    case 'add_column': {
      const c = op.column;
      if (c.generated) return true;
      const type = (c.type ?? '').toLowerCase();
      if (/\bserial\b|serial[248]?\b|generated\s+always\s+as\s*\(/.test(type)) return true;
      if (!c.serverDefault) return false;
      if (c.serverDefault.kind === 'literal') return false;
      const sql = c.serverDefault.sql ?? c.serverDefault.text;
      if (VOLATILE_DEFAULT.test(sql)) return true;
      return c.serverDefault.kind === 'unknown' ? null : false;
    }
    case 'alter_column': {
      if (op.type === undefined) return false;
      return typeChangeRewrites(op.existingType, op.type);
    }
    case 'sql':
      if (op.node === 'ClusterStmt') return true;
      if (op.node === 'VacuumStmt') return /\bFULL\b/i.test(op.fromSql?.statement ?? '') ? true : false;
      if (/^AT_(SetTableSpace|SetLogged|SetUnLogged|SetAccessMethod)$/.test(op.node)) return true;
      return false;
    default:
      return false;
  }
}

function typeChangeRewrites(from: string | null, to: string): boolean | null {
  const a = from ? parseType(from) : null;
  const b = parseType(to);
  if (!b) return null;
  if (!a) return null;
  if (a.array !== b.array) return true;
  if (a.name === b.name) {
    if (a.name === 'varchar' || a.name === 'char' || a.name === 'bit varying') {
      if (b.params.length === 0) return a.name === 'char' && b.name === 'char' ? true : false;
      return a.params.length === 0 || b.params[0]! < a.params[0]! ? null : false;
    }
    if (a.name === 'numeric') {
      if (b.params.length === 0) return false;
      if (a.params.length === 0) return true;
      return (b.params[1] ?? 0) === (a.params[1] ?? 0) && b.params[0]! >= a.params[0]! ? false : true;
    }
    return a.params.join(',') === b.params.join(',') ? false : null;
  }
  if (a.name === 'varchar' && b.name === 'text') return false;
  if (a.name === 'text' && b.name === 'varchar') return b.params.length === 0 ? false : null;
  if ((a.name === 'timestamp' && b.name === 'timestamptz') || (a.name === 'timestamptz' && b.name === 'timestamp')) return null;
  if (a.name === 'cidr' && b.name === 'inet') return false;
  return true;
}

const TYPE_ALIASES: Record<string, string> = {
  'character varying': 'varchar',
  character: 'char',
  bpchar: 'char',
  int: 'integer',
  int4: 'integer',
  int8: 'bigint',
  int2: 'smallint',
  decimal: 'numeric',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  bool: 'boolean',
  float8: 'double precision',
  float4: 'real',
};

/** A SQL type name as PostgreSQL writes it; SQLAlchemy spellings (`sa.String(20)`) too. */
function parseType(written: string): { name: string; params: number[]; array: boolean } | null {
  let t = written.trim().toLowerCase().replace(/^(?:sa|sqlalchemy|postgresql|types)\./, '');
  const array = /\[\]$|\barray\b/.test(t);
  t = t.replace(/\[\]$/, '').trim();
  const m = /^([a-z_][a-z0-9_ ]*?)\s*(?:\(([^)]*)\))?\s*$/.exec(t);
  if (!m) return null;
  const sa: Record<string, string> = { string: 'varchar', unicode: 'varchar', biginteger: 'bigint', smallinteger: 'smallint', datetime: 'timestamp', unicodetext: 'text' };
  const name = TYPE_ALIASES[m[1]!.trim()] ?? sa[m[1]!.trim()] ?? m[1]!.trim();
  const params = (m[2] ?? '')
    .split(',')
    .map((p) => p.replace(/^\s*\w+\s*=\s*/, '').trim())
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  return { name, params, array };
}
