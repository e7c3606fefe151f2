// The schema a snapshot describes, as DDL for a fresh database (`trace --snapshot`): schemas,
// the sequences column defaults call, tables with their columns, constraints (keys first, so that
// foreign keys find their targets; NOT VALID where production has not validated them), then
// indexes. Types, defaults and definitions are emitted as the server printed them. What the
// snapshot does not describe well enough to rebuild exactly is said, never silently dropped: an
// object that cannot be created is a note, and so is one created differently from production.
import type { Operation } from '../model/index.js';
import { normalizeName, operationTable, sameName } from '../model/queries.js';
import type { Snapshot, SnapshotConstraint, SnapshotTable } from '../snapshot/format.js';
import type { PgFailure } from './db.js';

/** Something of the snapshot the trace database lacks or has differently; shown as `-- migralint: <kind>: <object>: <reason>`. */
export interface SnapshotNote {
  kind: 'not created' | 'created differently';
  /** `table orders`, `column orders.mood`, `index orders_open_idx on orders`. */
  object: string;
  reason: string;
}

export interface DdlStep {
  object: string;
  sql: string;
}

export interface TableDdl {
  name: string;
  /** CREATE TABLE with every column, its type, NOT NULL and default. */
  create: string;
  /** The same without defaults, when a default cannot be created (a missing function). */
  bare: string;
  /** ALTER TABLE ... SET DEFAULT per column, run after `bare`. */
  defaults: DdlStep[];
  /** ALTER SEQUENCE ... OWNED BY for serial columns, as PostgreSQL would have them. */
  owned: DdlStep[];
}

export interface SnapshotDdl {
  schemas: DdlStep[];
  sequences: DdlStep[];
  tables: TableDdl[];
  constraints: DdlStep[];
  indexes: DdlStep[];
  /** Known before running anything: unknown types, partial and invalid indexes. */
  notes: SnapshotNote[];
  /** Table names (as the snapshot spells them) in the order to fill them: referenced tables first. */
  fillOrder: string[];
}

/** Always quoted: a name such as `order` or `User` must reach PostgreSQL as written. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `events` -> `"events"`, `audit.events` -> `"audit"."events"` (the snapshot qualifies names outside public). */
export function tableSql(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? quoteIdent(name) : `${quoteIdent(name.slice(0, dot))}.${quoteIdent(name.slice(dot + 1))}`;
}

const NEXTVAL = /nextval\('((?:[^']|'')+)'::regclass\)/g;
const KEY_KINDS: SnapshotConstraint['kind'][] = ['primary_key', 'unique', 'exclude'];
/** Statements sent at once while building a snapshot's schema. */
const BATCH = 200;

/**
 * The DDL for a snapshot. `unknownTypes` are the column types the target database does not have
 * (asked of it beforehand with to_regtype): their columns are not created, and said so.
 */
export function snapshotDdl(snapshot: Pick<Snapshot, 'tables'>, unknownTypes: ReadonlySet<string> = new Set()): SnapshotDdl {
  const out: SnapshotDdl = { schemas: [], sequences: [], tables: [], constraints: [], indexes: [], notes: [], fillOrder: [] };
  const schemas = new Set<string>();
  const sequences = new Set<string>();
  const laterConstraints: DdlStep[] = [];
  const foreignKeys: DdlStep[] = [];
  for (const t of snapshot.tables) {
    const dot = t.name.indexOf('.');
    if (dot >= 0) schemas.add(t.name.slice(0, dot));
    const table = tableSql(t.name);
    // A NOT NULL that production has not validated (PostgreSQL 18) is added as a constraint below.
    const notNull = new Map(t.constraints.filter((c) => c.kind === 'not_null' && c.columns.length === 1).map((c) => [c.columns[0]!, c]));
    const columns: string[] = [];
    const bare: string[] = [];
    const defaults: DdlStep[] = [];
    const owned: DdlStep[] = [];
    for (const c of t.columns) {
      if (unknownTypes.has(c.type)) {
        out.notes.push({
          kind: 'not created',
          object: `column ${t.name}.${c.name}`,
          reason: `type ${c.type} does not exist here (an enum, domain or extension type: the snapshot does not describe types)`,
        });
        continue;
      }
      const nn = notNull.get(c.name);
      const nullability = c.nullable || (nn && nn.validated === false) ? '' : nn ? ` CONSTRAINT ${quoteIdent(nn.name)} NOT NULL` : ' NOT NULL';
      const col = `${quoteIdent(c.name)} ${c.type}${nullability}`;
      bare.push(col);
      columns.push(c.default === null ? col : `${col} DEFAULT ${c.default}`);
      if (c.default !== null) {
        defaults.push({ object: `default of ${t.name}.${c.name}`, sql: `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(c.name)} SET DEFAULT ${c.default}` });
        for (const m of c.default.matchAll(NEXTVAL)) {
          const seq = m[1]!.replace(/''/g, "'");
          if (!sequences.has(seq)) {
            sequences.add(seq);
            out.sequences.push({ object: `sequence ${seq}`, sql: `CREATE SEQUENCE IF NOT EXISTS ${seq}` });
          }
          owned.push({ object: `sequence ${seq}`, sql: `ALTER SEQUENCE ${seq} OWNED BY ${table}.${quoteIdent(c.name)}` });
        }
      }
    }
    out.tables.push({
      name: t.name,
      create: `CREATE TABLE ${table} (${columns.join(', ')})`,
      bare: `CREATE TABLE ${table} (${bare.join(', ')})`,
      defaults,
      owned,
    });
    for (const k of t.constraints) {
      const object = `constraint ${k.name} on ${t.name}`;
      if (k.kind === 'not_null') {
        if (k.validated === false && k.columns.length === 1) {
          laterConstraints.push({ object, sql: `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(k.name)} NOT NULL ${quoteIdent(k.columns[0]!)} NOT VALID` });
        }
        continue;
      }
      // pg_get_constraintdef already says NOT VALID for an unvalidated check or foreign key.
      const def = k.validated === false && !/\bNOT VALID\s*$/i.test(k.definition) ? `${k.definition} NOT VALID` : k.definition;
      const step = { object, sql: `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(k.name)} ${def}` };
      if (KEY_KINDS.includes(k.kind)) out.constraints.push(step);
      else if (k.kind === 'foreign_key') foreignKeys.push(step);
      else laterConstraints.push(step);
    }
    // An index behind a primary key, unique or exclusion constraint comes with the constraint.
    const byConstraint = new Set(t.constraints.filter((k) => KEY_KINDS.includes(k.kind)).map((k) => k.name));
    for (const i of t.indexes) {
      if (byConstraint.has(i.name)) continue;
      const object = `index ${i.name} on ${t.name}`;
      // An index must live in its table's schema: qualify it as the table is.
      const unique = i.unique && !i.partial;
      out.indexes.push({
        object,
        sql: `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(i.name)} ON ${table} USING ${i.method} (${i.columns.join(', ')})`,
      });
      if (i.partial) {
        out.notes.push({
          kind: 'created differently',
          object,
          reason: `partial in production; the snapshot does not keep its WHERE, so it covers every row${i.unique ? ' and is not unique (it would reject rows production accepts)' : ''}`,
        });
      }
      if (!i.valid) {
        out.notes.push({ kind: 'created differently', object, reason: 'invalid in production (a failed CREATE INDEX CONCURRENTLY); created valid, as plain SQL cannot create an invalid index' });
      }
    }
  }
  out.schemas = [...schemas].sort().map((s) => ({ object: `schema ${s}`, sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}` }));
  out.constraints.push(...laterConstraints, ...foreignKeys);
  out.fillOrder = fillOrder(snapshot.tables);
  return out;
}

/** The tables a foreign key of this table references, as the snapshot names tables. */
function references(t: SnapshotTable): string[] {
  return t.constraints
    .filter((k) => k.kind === 'foreign_key')
    .map((k) => /REFERENCES\s+((?:"(?:[^"]|"")+"|[^\s(]+)(?:\.(?:"(?:[^"]|"")+"|[^\s(]+))?)\s*\(/i.exec(k.definition)?.[1])
    .filter((r): r is string => r !== undefined)
    .map((r) => r.replace(/"((?:[^"]|"")+)"/g, (_, n: string) => n.replace(/""/g, '"')).replace(/^public\./, ''));
}

/** Referenced tables before the tables that reference them (a filled foreign key points at a row). */
export function fillOrder(tables: readonly SnapshotTable[]): string[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const refs = references;
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (t: SnapshotTable, stack: Set<string>) => {
    if (done.has(t.name) || stack.has(t.name)) return;
    stack.add(t.name);
    for (const r of refs(t)) {
      const target = byName.get(r);
      if (target) visit(target, stack);
    }
    stack.delete(t.name);
    done.add(t.name);
    out.push(t.name);
  };
  for (const t of tables) visit(t, new Set());
  return out;
}

/** Runs one statement, its failure returned (inside the caller's transaction handling). */
export type RunStatement = (sql: string) => Promise<PgFailure | null>;

export interface BuiltSchema {
  tables: number;
  /** Tables created (of `tables`). */
  created: number;
  notes: SnapshotNote[];
  fillOrder: string[];
}

/**
 * Creates the snapshot's schema through `run`. `typeExists` says which column types the database
 * has. Each object stands alone: one that fails is a note, and the rest is still built.
 */
export async function buildSnapshotSchema(
  snapshot: Pick<Snapshot, 'tables'>,
  run: RunStatement,
  typeExists: (types: string[]) => Promise<Set<string>>,
): Promise<BuiltSchema> {
  const types = [...new Set(snapshot.tables.flatMap((t) => t.columns.map((c) => c.type)))];
  const known = await typeExists(types);
  const ddl = snapshotDdl(snapshot, new Set(types.filter((t) => !known.has(t))));
  const notes = [...ddl.notes];
  const step = async (s: DdlStep): Promise<boolean> => {
    const failure = await run(s.sql);
    if (failure) notes.push({ kind: 'not created', object: s.object, reason: failure.message });
    return failure === null;
  };
  // Statements go in batches: a 2,000-table snapshot is some 14,000 statements, each a round trip
  // to a server (on PGlite batching measured no faster: the catalog work dominates). A batch
  // that fails is rolled back whole and run again one by one, so only what fails is missing, and said.
  const batched = async <T>(items: readonly T[], sql: (x: T) => string[], one: (x: T) => Promise<void>) => {
    for (let i = 0; i < items.length; i += BATCH) {
      const chunk = items.slice(i, i + BATCH);
      const text = chunk.flatMap(sql);
      if (text.length > 0 && (await run(text.join(';\n'))) === null) continue;
      for (const x of chunk) await one(x);
    }
  };
  const steps = async (xs: DdlStep[]) => batched(xs, (s) => [s.sql], async (s) => void (await step(s)));
  await steps([...ddl.schemas, ...ddl.sequences]);
  const failed = new Set<string>();
  await batched(
    ddl.tables,
    (t) => [t.create, ...t.owned.map((o) => o.sql)],
    async (t) => {
      if ((await run(t.create)) === null) {
        for (const o of t.owned) await step(o);
        return;
      }
      // Usually a default calling a function this database lacks: the table without defaults,
      // then each default on its own, so only the one that fails is missing.
      const failure = await run(t.bare);
      if (failure) {
        failed.add(t.name);
        notes.push({ kind: 'not created', object: `table ${t.name}`, reason: failure.message });
        return;
      }
      for (const d of t.defaults) await step(d);
      for (const o of t.owned) await step(o);
    },
  );
  await steps([...ddl.constraints, ...ddl.indexes]);
  return { tables: ddl.tables.length, created: ddl.tables.length - failed.size, notes, fillOrder: ddl.fillOrder };
}

/** `public.Orders`, `"Orders"`, `audit.events` -> the snapshot's spelling: `orders`, `Orders`, `audit.events`. */
function snapshotName(name: string, schema?: string | null): string {
  const parts = name.split('.').map((p) => normalizeName(p)!);
  if (schema && parts.length === 1) parts.unshift(normalizeName(schema)!);
  if (parts.length === 2 && parts[0] === 'public') parts.shift();
  return parts.join('.');
}

/** The tables operations name: the table they act on, the table a foreign key references, the tables of SQL statements. */
export function namedTables(ops: readonly Operation[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops) {
    const t = operationTable(op);
    if (t) out.add(snapshotName(t, 'schema' in op ? (op.schema as string | null) : null));
    if (op.kind === 'add_constraint' && op.referredTable) out.add(snapshotName(op.referredTable));
    if (op.kind === 'execute_sql') for (const st of op.statements) if (st.table) out.add(snapshotName(st.table));
  }
  return out;
}

/**
 * The tables to fill: those the pending migrations name, and every table their foreign keys
 * reference (a filled row points at a referenced row). Rewrites and scans show on empty tables
 * too; rows matter where a migration meets them (a NOT NULL column, a validation), so the other
 * tables of a 2,000-table snapshot stay empty rather than cost minutes.
 */
export function tablesToFill(tables: readonly SnapshotTable[], named: ReadonlySet<string>): Set<string> {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out = new Set<string>();
  const todo = [...named].filter((n) => byName.has(n));
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    for (const r of references(byName.get(n)!)) if (byName.has(r)) todo.push(r);
  }
  return out;
}

/** Which snapshot tables to build: a subset (names as the snapshot spells them), or the whole schema and why. */
export type SnapshotSubset = { tables: Set<string>; whole: null } | { tables: null; whole: string };

/** Statements of no table that change no table: they need nothing of the snapshot. */
const NO_TABLE = /^(SET|RESET|BEGIN|COMMIT|END|START TRANSACTION|SAVEPOINT|RELEASE|ROLLBACK|CREATE EXTENSION|CREATE SCHEMA)\b/;
/** Statement kinds (`sql` operations and execute() strings) that act on the one table they name and read no other. */
const ONE_TABLE = /^(ALTER TABLE|CREATE (UNIQUE )?INDEX|DROP TABLE|TRUNCATE|UPDATE|DELETE|INSERT|CLUSTER|VACUUM|ANALYZE|REINDEX|LOCK|COMMENT)\b/;
/** Operations on a table that cannot reach the tables whose foreign keys reference it (no lock on them, no failure because of them). */
const KEEPS_TO_ITSELF = new Set(['add_column', 'create_index', 'validate_constraint', 'rename_table', 'set_setting', 'transaction_control']);

/** DDL text naming tables the operation does not carry: AS SELECT, LIKE, INHERITS, PARTITION OF, ATTACH PARTITION. */
const TIES_TO_OTHERS = /\b(SELECT|LIKE|INHERITS?|PARTITION)\b/i;

/** Text of a data statement that reads another table (a subquery, UPDATE ... FROM, DELETE ... USING, a join). */
function readsOthers(text: string): boolean {
  return /\b(SELECT|JOIN|USING)\b/i.test(text) || /\bFROM\b/i.test(text.replace(/^\s*DELETE\s+FROM\b/i, ''));
}

const REFERENCES = /\bREFERENCES\s+((?:"(?:[^"]|"")+"|[\w$]+)(?:\.(?:"(?:[^"]|"")+"|[\w$]+))?)/gi;
const SEQUENCE_CALL = /nextval\('((?:[^']|'')+)'(?:::regclass)?\)/gi;

/** `FOREIGN KEY (a) REFERENCES t(id, b)` -> [`id`, `b`] (unquoted as the snapshot spells column names). */
function referencedColumns(definition: string): string[] {
  const cols = /REFERENCES\s+(?:"(?:[^"]|"")+"|[^\s(]+)(?:\.(?:"(?:[^"]|"")+"|[^\s(]+))?\s*\(([^)]*)\)/i.exec(definition)?.[1];
  return cols ? cols.split(',').map((c) => normalizeName(c)!) : [];
}

/**
 * The tables a trace on this snapshot needs: those the operations name (and `also`: --rows, the
 * version tables), every table their foreign keys reference (transitively, so the keys can be
 * created), and, for a table an operation may reach through its referencing foreign keys (a drop,
 * a key's type change, a delete), the tables whose foreign keys reference it, with their own
 * targets. Whole schema when an operation's tables cannot be known: an unknown operation, SQL of
 * unknown text, a function call, a DO block, a view, trigger or function that could read anything.
 */
export function snapshotSubset(tables: readonly SnapshotTable[], ops: readonly { op: Operation; file: string }[], also: Iterable<string> = []): SnapshotSubset {
  const byName = new Map(tables.map((t) => [t.name, t]));
  let file = '';
  const whole = (why: string, op: Operation): SnapshotSubset => ({ tables: null, whole: `${why} (${op.loc.file ?? file}:${op.loc.line})` });
  const named = new Set<string>();
  /** Named tables whose referencing tables must be built too, with the columns touched (null: any). */
  const reaching = new Map<string, Set<string> | null>();
  const reach = (t: string, column: string | null) => {
    if (reaching.get(t) === null) return;
    if (column === null) reaching.set(t, null);
    else reaching.set(t, new Set([...(reaching.get(t) ?? []), normalizeName(column)!]));
  };
  const refsIn = (text: string) => {
    for (const m of text.matchAll(REFERENCES)) named.add(snapshotName(m[1]!));
  };
  const sequences = new Set<string>();
  const defaults = (d: { sql: string | null; text: string } | null | undefined) => {
    for (const m of (d?.sql ?? d?.text ?? '').matchAll(SEQUENCE_CALL)) sequences.add(m[1]!.replace(/''/g, "'"));
  };
  for (const n of also) named.add(snapshotName(n));
  for (const item of ops) {
    const op = item.op;
    file = item.file;
    if (op.kind === 'unknown') return whole(`an operation migralint does not understand: ${op.reason}`, op);
    if (op.kind === 'sql_error') return whole('a statement PostgreSQL cannot parse', op);
    if (op.kind === 'set_setting' || op.kind === 'transaction_control') continue;
    if (op.kind === 'execute_sql') {
      if (!op.textKnown || op.hasHoles) return whole('SQL whose text is not known statically', op);
      for (const st of op.statements) {
        const kw = st.keyword.toUpperCase();
        if (NO_TABLE.test(kw)) continue;
        if (!ONE_TABLE.test(kw) || !st.table) return whole(`${kw || 'a statement'} that may read any table`, op);
        if (st.category !== 'data' && TIES_TO_OTHERS.test(st.text)) return whole('a statement that reads or ties to other tables', op);
        if (st.category === 'data' && readsOthers(st.text)) return whole(`${kw} that reads other tables`, op);
        const t = snapshotName(st.table);
        named.add(t);
        refsIn(st.text);
        if (!/^(CREATE|ANALYZE|VACUUM|CLUSTER|COMMENT|INSERT)/.test(kw)) reach(t, null);
      }
      continue;
    }
    if (op.kind === 'sql') {
      const kw = op.keyword.toUpperCase();
      if (NO_TABLE.test(kw) && !op.table) continue;
      if (!ONE_TABLE.test(kw) || !op.table) return whole(`${kw || 'a statement'} that may read any table`, op);
      if (op.fromSql && TIES_TO_OTHERS.test(op.fromSql.statement)) return whole('a statement that reads or ties to other tables', op);
      const t = snapshotName(op.table);
      named.add(t);
      if (op.fromSql) refsIn(op.fromSql.statement);
      if (!/^(ANALYZE|VACUUM|CLUSTER|COMMENT)/.test(kw)) reach(t, null);
      continue;
    }
    if (op.kind === 'drop_index' && !op.table) {
      // DROP INDEX names no table: the snapshot says whose index it is (none: a pending migration made it).
      const owner = tables.find((t) => t.indexes.some((i) => sameName(i.name, op.name)));
      if (owner) {
        named.add(owner.name);
        reach(owner.name, null);
      }
      continue;
    }
    const table = op.table;
    if (!table) return whole(`${op.kind.replace(/_/g, ' ')} on a table whose name is not known statically`, op);
    // CREATE TABLE ... AS SELECT / LIKE / INHERITS / PARTITION OF, ATTACH PARTITION: other tables, not all of them named.
    if (op.kind !== 'data_change' && op.fromSql && TIES_TO_OTHERS.test(op.fromSql.statement)) return whole('a statement that reads or ties to other tables', op);
    if (
      (op.kind === 'add_constraint' && op.constraintType === 'foreign_key' && !op.referredTable) ||
      (op.kind === 'create_table' && op.constraints.some((k) => k.type === 'foreign_key' && !k.referredTable))
    ) {
      return whole('a foreign key whose referenced table is not known statically', op);
    }
    const t = snapshotName(table, 'schema' in op ? (op.schema as string | null) : null);
    named.add(t);
    if (op.fromSql) refsIn(op.fromSql.statement);
    switch (op.kind) {
      case 'create_table':
        for (const k of op.constraints) if (k.referredTable) named.add(snapshotName(k.referredTable));
        for (const c of op.columns) defaults(c.serverDefault);
        break;
      case 'add_column':
        defaults(op.column.serverDefault);
        break;
      case 'alter_column':
        defaults(op.serverDefault);
        // A type change of a referenced key rebuilds the referencing foreign keys; other columns stay in their table.
        if (op.column) reach(t, op.column);
        else reach(t, null);
        break;
      case 'add_constraint':
        if (op.referredTable) named.add(snapshotName(op.referredTable));
        break;
      case 'data_change':
        if (op.action === 'orm' || op.action === 'unknown' || op.action === 'merge' || op.action === 'copy') return whole(`a data change (${op.action}) that may read other tables`, op);
        if (op.fromSql && readsOthers(op.fromSql.statement)) return whole(`${op.action.toUpperCase()} that reads other tables`, op);
        if (op.action !== 'insert' && op.action !== 'bulk_insert') reach(t, null);
        break;
      default:
        if (!KEEPS_TO_ITSELF.has(op.kind)) reach(t, null);
    }
  }
  // Sequences the operations call belong to the snapshot table whose default calls them.
  if (sequences.size > 0) {
    for (const st of tables) {
      for (const c of st.columns) for (const m of (c.default ?? '').matchAll(NEXTVAL)) if (sequences.has(m[1]!.replace(/''/g, "'"))) named.add(st.name);
    }
  }
  const out = new Set<string>();
  const withTargets = (n: string) => {
    const todo = [n];
    while (todo.length > 0) {
      const x = todo.pop()!;
      if (out.has(x) || !byName.has(x)) continue;
      out.add(x);
      todo.push(...references(byName.get(x)!));
    }
  };
  for (const n of named) withTargets(n);
  for (const [target, columns] of reaching) {
    if (!byName.has(target)) continue;
    for (const t of tables) {
      const fks = t.constraints.filter((k) => k.kind === 'foreign_key' && references({ ...t, constraints: [k] }).includes(target));
      if (fks.some((k) => columns === null || referencedColumns(k.definition).some((c) => columns.has(c)))) withTargets(t.name);
    }
  }
  return { tables: out, whole: null };
}
