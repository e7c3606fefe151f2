// libpg-query statement trees -> model operations.
//
// One statement gives one operation, except: ALTER TABLE gives one per subcommand (all at the
// statement's loc; an added column's inline REFERENCES / CHECK also gives an add_constraint),
// DROP TABLE / DROP INDEX / TRUNCATE / LOCK give one per object, CREATE TABLE AS and SELECT INTO
// give a create_table and a data_change insert, a data-modifying CTE gives its own data_change
// before the main statement's, and `SELECT set_config(...)` gives one set_setting per call.
// Statements with no dedicated operation become `sql` operations (keyword, category, table, lock;
// see ./locks.ts).
//
// Names are PostgreSQL's (unquoted identifiers folded to lower case, quotes removed), without
// schema (kept in `schema` where the operation has one). A name that holds a stand-in for a hole
// is null (unknown). Expression texts (defaults, CHECK conditions, USING, index expressions and
// predicates) are sliced from the ORIGINAL text, so they show holes as written (`{}`, `:n`).
import type {
  AlterTableCmd,
  ColumnDef,
  Constraint,
  Node,
  RangeVar,
  TypeName,
  WithClause,
} from '@pgsql/types';
import type {
  AddConstraintOp,
  ColumnSpec,
  ConstraintType,
  DataAction,
  DefaultSpec,
  Loc,
  LockMode,
  Operation,
  OperationBase,
  SqlStatementOp,
  TableConstraintSpec,
} from '../../model/types.js';
import { classifySql } from '../sql-text/split.js';
import { hasStandIn, nextToken, STAND_IN, trimStart, type Prepared, type Tok } from './lexer.js';
import type { ByteMap, Locator } from './locate.js';
import { alterTableLock, lockModeFromNumber } from './locks.js';
import { renderTypeName } from './types.js';
import { understood, unlisted, type Understood } from '../understood.js';

/** What the converter knows about the statement being converted. */
export interface StatementContext {
  p: Prepared;
  /** The original text (same length as p.sql): expressions are sliced from it. */
  original: string;
  bytes: ByteMap;
  /** JS index in p.sql where the string given to the parser starts (node locations are relative to it, in bytes). */
  base: number;
  /** The statement's trimmed range in p.sql. */
  start: number;
  end: number;
  head: OperationBase;
  locate: Locator;
}

type Body = Omit<Operation, keyof OperationBase>;
type Draft<K extends Operation['kind']> = Omit<Extract<Operation, { kind: K }>, keyof OperationBase>;

function make<K extends Operation['kind']>(ctx: StatementContext, draft: Draft<K> & { kind: K }): Operation {
  return { ...ctx.head, ...(draft as Body) } as Operation;
}

// ---------------------------------------------------------------------------------------------
// Small readers

function clean(name: string | undefined | null): string | null {
  if (name === undefined || name === null || name === '' || name.includes(STAND_IN)) return null;
  return name;
}

function rel(rv: RangeVar | undefined): { table: string | null; schema: string | null } {
  return { table: clean(rv?.relname), schema: rv?.schemaname ? clean(rv.schemaname) : null };
}

function str(n: Node | undefined): string | null {
  return n && 'String' in n ? (n.String.sval ?? '') : null;
}

function strings(list: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of list ?? []) {
    const s = str(n);
    if (s !== null) out.push(s);
  }
  return out;
}

/** Names from a list that may hold holes: null when any is unknown. */
function knownNames(list: (string | null | undefined)[]): string[] | null {
  const out: string[] = [];
  for (const x of list) {
    const c = clean(x);
    if (c === null) return null;
    out.push(c);
  }
  return out;
}

/** The parts of a qualified object name (`List` of `String`). */
function nameParts(n: Node | undefined): string[] {
  if (!n) return [];
  if ('List' in n) return strings(n.List.items);
  if ('String' in n) return [n.String.sval ?? ''];
  return [];
}

function objectWords(t: string | undefined): string {
  switch (t) {
    case 'OBJECT_MATVIEW':
      return 'MATERIALIZED VIEW';
    case 'OBJECT_TABCONSTRAINT':
      return 'TABLE';
    case 'OBJECT_DOMCONSTRAINT':
      return 'DOMAIN';
    case 'OBJECT_ATTRIBUTE':
      return 'TYPE';
    case 'OBJECT_FDW':
      return 'FOREIGN DATA WRAPPER';
    case 'OBJECT_FOREIGN_SERVER':
      return 'SERVER';
    case 'OBJECT_OPCLASS':
      return 'OPERATOR CLASS';
    case 'OBJECT_OPFAMILY':
      return 'OPERATOR FAMILY';
    case 'OBJECT_STATISTIC_EXT':
      return 'STATISTICS';
    case 'OBJECT_TSCONFIGURATION':
      return 'TEXT SEARCH CONFIGURATION';
    case 'OBJECT_TSDICTIONARY':
      return 'TEXT SEARCH DICTIONARY';
    case 'OBJECT_TSPARSER':
      return 'TEXT SEARCH PARSER';
    case 'OBJECT_TSTEMPLATE':
      return 'TEXT SEARCH TEMPLATE';
    case 'OBJECT_LARGEOBJECT':
      return 'LARGE OBJECT';
    default:
      return (t ?? 'OBJECT_').slice('OBJECT_'.length).replace(/_/g, ' ');
  }
}

/** The smallest node location in a subtree (bytes), or -1. */
function minLocation(node: unknown): number {
  let min = -1;
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    for (const [k, v] of Object.entries(x)) {
      if (k === 'location' && typeof v === 'number') {
        if (v >= 0 && (min < 0 || v < min)) min = v;
      } else if (typeof v === 'object') visit(v);
    }
  };
  visit(node);
  return min;
}

function idx(ctx: StatementContext, loc: number | undefined): number {
  return ctx.bytes.index(ctx.base, loc ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Expression texts

const DEFAULT_STOPS = new Set([
  'NOT',
  'NULL',
  'CONSTRAINT',
  'CHECK',
  'DEFAULT',
  'PRIMARY',
  'UNIQUE',
  'REFERENCES',
  'GENERATED',
  'COLLATE',
  'DEFERRABLE',
  'INITIALLY',
]);
const INDEX_STOPS = new Set(['ASC', 'DESC', 'NULLS', 'COLLATE']);
const CONTINUING = new Set(['AND', 'OR', 'IS', 'NOT', 'IN', 'LIKE', 'ILIKE', 'BETWEEN', 'AT', 'SIMILAR', 'OVERLAPS', 'ISNULL', 'NOTNULL', 'COLLATE', 'OPERATOR']);

/**
 * The end of an expression starting at `from`: at a `,` or `;` outside parentheses, at an
 * unmatched `)`, at `limit`, at a stop word (not the first token), or (index elements) at a word
 * right after a closing parenthesis (an operator class).
 */
function expressionEnd(ctx: StatementContext, from: number, limit: number, stops: Set<string> | null, opclassStop = false): number {
  let depth = 0;
  let end = from;
  let prev: Tok | null = null;
  for (let t = nextToken(ctx.p, from, limit); t; t = nextToken(ctx.p, t.end, limit)) {
    if (t.kind === 'punct') {
      if (t.upper === '(' || t.upper === '[') depth++;
      else if (t.upper === ')' || t.upper === ']') {
        if (depth === 0) break;
        depth--;
      } else if ((t.upper === ',' || t.upper === ';') && depth === 0) break;
    } else if (t.kind === 'word' && depth === 0 && prev !== null) {
      if (stops?.has(t.upper) && !(t.upper === 'NOT' && prev.upper === 'IS')) break;
      if (opclassStop && prev.upper === ')' && !CONTINUING.has(t.upper)) break;
    }
    end = t.end;
    prev = t;
  }
  return end;
}

/** If the word before `pos` (skipping whitespace, comments and opening parentheses) is `kw`, the index after it; else `pos`. */
function afterKeyword(ctx: StatementContext, pos: number, kw: string): number {
  const { sql, mask } = ctx.p;
  let i = pos;
  while (i > ctx.start && (mask[i - 1] === 1 || mask[i - 1] === 2 || (mask[i - 1] === 0 && sql.charCodeAt(i - 1) === 40))) i--;
  const end = i;
  while (i > ctx.start && mask[i - 1] === 0 && /[A-Za-z_]/.test(sql[i - 1]!)) i--;
  return sql.slice(i, end).toUpperCase() === kw ? end : pos;
}

function slice(ctx: StatementContext, start: number, end: number): string {
  return ctx.original.slice(start, end).trim();
}

/** The text of an expression node that follows `keyword` (DEFAULT, USING, WHERE): from the keyword to the expression's end. */
function keywordExpression(ctx: StatementContext, node: Node, keyword: string, stops: Set<string> | null, toEnd = false): { start: number; end: number } {
  const loc = minLocation(node);
  const at = loc >= 0 ? idx(ctx, loc) : ctx.start;
  const start = trimStart(ctx.p, afterKeyword(ctx, at, keyword), ctx.end);
  const end = toEnd ? ctx.end : expressionEnd(ctx, start, ctx.end, stops);
  return { start, end: Math.max(start, end) };
}

function isLiteral(n: Node | undefined): boolean {
  if (!n) return false;
  if ('A_Const' in n) return true;
  if ('TypeCast' in n) return isLiteral(n.TypeCast.arg);
  return false;
}

function defaultSpec(ctx: StatementContext, expr: Node): DefaultSpec {
  const { start, end } = keywordExpression(ctx, expr, 'DEFAULT', DEFAULT_STOPS);
  const text = slice(ctx, start, end);
  if (hasStandIn(ctx.p, start, end)) return { text, sql: null, kind: 'unknown' };
  return { text, sql: text, kind: isLiteral(expr) ? 'literal' : 'expression' };
}

/** The text inside the first parentheses at or after `from` (a CHECK condition). */
function parenthesised(ctx: StatementContext, from: number, word: string): string | null {
  let t = nextToken(ctx.p, from, ctx.end);
  while (t && !(t.kind === 'word' && t.upper === word)) t = nextToken(ctx.p, t.end, ctx.end);
  if (!t) return null;
  const open = nextToken(ctx.p, t.end, ctx.end);
  if (!open || open.upper !== '(') return null;
  const end = expressionEnd(ctx, open.end, ctx.end, null);
  return slice(ctx, open.end, end);
}

/** The Loc of a list element (column or constraint definition) starting at a node location. */
function elementLoc(ctx: StatementContext, loc: number | undefined): Loc {
  if (loc === undefined || loc < 0) return ctx.head.loc;
  const start = idx(ctx, loc);
  const end = expressionEnd(ctx, start, ctx.end, null);
  return end > start ? ctx.locate.range(start, end) : ctx.head.loc;
}

// ---------------------------------------------------------------------------------------------
// Columns and constraints

const SERIAL = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8']);

function constraintsOf(list: Node[] | undefined): Constraint[] {
  const out: Constraint[] = [];
  for (const n of list ?? []) if ('Constraint' in n) out.push(n.Constraint);
  return out;
}

function typeText(ctx: StatementContext, t: TypeName | undefined): string | null {
  const rendered = renderTypeName(t, STAND_IN);
  if (rendered !== null || !t) return rendered;
  // A type that is a hole: the token as written.
  const at = idx(ctx, t.location);
  const tok = nextToken(ctx.p, at, ctx.end);
  return tok ? ctx.original.slice(tok.start, tok.end) : null;
}

function columnSpec(ctx: StatementContext, cd: ColumnDef): ColumnSpec {
  const typeName = cd.typeName;
  const names = strings(typeName?.names);
  const serial = names.length === 1 && SERIAL.has(names[0]!);
  let nullable: boolean | null = serial ? false : null;
  let primaryKey = false;
  let unique = false;
  let generated = serial;
  let serverDefault: DefaultSpec | null = null;
  for (const c of constraintsOf(cd.constraints)) {
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
        nullable = false;
        break;
      case 'CONSTR_NULL':
        nullable = true;
        break;
      case 'CONSTR_PRIMARY':
        primaryKey = true;
        break;
      case 'CONSTR_UNIQUE':
        unique = true;
        break;
      case 'CONSTR_DEFAULT':
        if (c.raw_expr) serverDefault = defaultSpec(ctx, c.raw_expr);
        break;
      case 'CONSTR_IDENTITY':
      case 'CONSTR_GENERATED':
        generated = true;
        break;
      default:
        break;
    }
  }
  if (primaryKey && nullable === null) nullable = false;
  return {
    name: clean(cd.colname),
    type: typeText(ctx, typeName),
    nullable,
    serverDefault,
    clientDefault: false,
    primaryKey,
    unique,
    generated,
    loc: elementLoc(ctx, cd.location),
  };
}

function constraintType(c: Constraint): ConstraintType {
  switch (c.contype) {
    case 'CONSTR_FOREIGN':
      return 'foreign_key';
    case 'CONSTR_CHECK':
      return 'check';
    case 'CONSTR_UNIQUE':
      return 'unique';
    case 'CONSTR_PRIMARY':
      return 'primary_key';
    default:
      return 'unknown';
  }
}

function addConstraint(
  ctx: StatementContext,
  c: Constraint,
  target: { table: string | null; schema: string | null },
  column: string | null = null,
): Operation {
  const type = constraintType(c);
  let columns: string[];
  if (type === 'foreign_key') columns = c.fk_attrs ? strings(c.fk_attrs) : column ? [column] : [];
  else if (type === 'unique' || type === 'primary_key') columns = c.keys ? strings(c.keys) : column ? [column] : [];
  else columns = column ? [column] : type === 'check' ? columnRefs(c.raw_expr) : [];
  const known = knownNames(columns) ?? [];
  const draft: Draft<'add_constraint'> & { kind: 'add_constraint' } = {
    kind: 'add_constraint',
    constraintType: type,
    name: clean(c.conname) ?? defaultConstraintName(type, target.table, known),
    table: target.table,
    schema: target.schema,
    columns: known,
    referredTable: type === 'foreign_key' ? clean(c.pktable?.relname) : null,
    referredColumns: type === 'foreign_key' ? (knownNames(strings(c.pk_attrs)) ?? []) : [],
    condition: type === 'check' ? parenthesised(ctx, idx(ctx, c.location), 'CHECK') : null,
    notValid: c.skip_validation === true,
    usingIndex: c.indexname ? clean(c.indexname) : null,
  };
  return make(ctx, draft);
}

/** Column names a CHECK expression reads, in order of appearance. */
function columnRefs(expr: unknown): string[] {
  const out: string[] = [];
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    if (!n || typeof n !== 'object') return;
    const ref = (n as { ColumnRef?: { fields?: unknown[] } }).ColumnRef;
    if (ref) {
      const names = strings(ref.fields as Parameters<typeof strings>[0]);
      const last = names[names.length - 1];
      if (last && !out.includes(last)) out.push(last);
      return;
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(expr);
  return out;
}

/**
 * The name PostgreSQL gives a constraint added without one (ChooseConstraintName): `<table>_pkey`,
 * `<table>_<columns>_key`, `<table>_<columns>_fkey`, `<table>_<column>_check`, so that a later
 * `DROP CONSTRAINT accounts_pkey` is matched. Null when a part is unknown; names longer than
 * PostgreSQL's 63 bytes are truncated by it in ways not reproduced here.
 */
function defaultConstraintName(type: ConstraintType, table: string | null, columns: string[]): string | null {
  if (!table) return null;
  switch (type) {
    case 'primary_key':
      return `${table}_pkey`;
    case 'unique':
      return columns.length > 0 ? `${table}_${columns.join('_')}_key` : null;
    case 'foreign_key':
      return columns.length > 0 ? `${table}_${columns.join('_')}_fkey` : null;
    case 'check':
      return columns.length > 0 ? `${table}_${columns[0]}_check` : `${table}_check`;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Generic statements

function sqlOp(
  ctx: StatementContext,
  fields: { keyword: string; category: SqlStatementOp['category']; node: string; table?: string | null; lock?: LockMode | null; concurrently?: boolean },
): Operation {
  const draft: Draft<'sql'> & { kind: 'sql' } = {
    kind: 'sql',
    keyword: fields.keyword,
    category: fields.category,
    table: fields.table ?? null,
    lock: fields.lock ?? null,
    node: fields.node,
  };
  if (fields.concurrently !== undefined) draft.concurrently = fields.concurrently;
  return make(ctx, draft);
}

function statementText(ctx: StatementContext): string {
  return ctx.p.sql.slice(ctx.start, ctx.end);
}

/** A `sql` operation classified from the statement's leading words (for statements without a rule of their own). */
function classified(ctx: StatementContext, node: string): Operation {
  const c = classifySql(statementText(ctx));
  return sqlOp(ctx, { keyword: c.keyword || node, category: c.category, node, table: clean(c.table) });
}

function dataChange(
  ctx: StatementContext,
  action: DataAction,
  rv: RangeVar | undefined,
  columns: string[],
  hasWhere: boolean | null,
): Operation {
  return make(ctx, { kind: 'data_change', action, table: rel(rv).table, columns, hasWhere });
}

function resTargetNames(list: Node[] | undefined): string[] {
  const names: (string | undefined)[] = [];
  for (const n of list ?? []) if ('ResTarget' in n) names.push(n.ResTarget.name);
  // A column we cannot name makes the list unknown (writesColumn answers 'maybe').
  return knownNames(names) ?? [];
}

function withOps(ctx: StatementContext, w: WithClause | undefined): Operation[] {
  const out: Operation[] = [];
  for (const cte of w?.ctes ?? []) {
    if (!('CommonTableExpr' in cte)) continue;
    const q = cte.CommonTableExpr.ctequery;
    if (q && ('UpdateStmt' in q || 'DeleteStmt' in q || 'InsertStmt' in q || 'MergeStmt' in q)) out.push(...dml(ctx, q));
  }
  return out;
}

/** INSERT / UPDATE / DELETE / MERGE, with their data-modifying CTEs first. */
function dml(ctx: StatementContext, n: Node): Operation[] {
  if ('UpdateStmt' in n) {
    const s = n.UpdateStmt;
    return [...withOps(ctx, s.withClause), dataChange(ctx, 'update', s.relation, resTargetNames(s.targetList), s.whereClause !== undefined)];
  }
  if ('DeleteStmt' in n) {
    const s = n.DeleteStmt;
    return [...withOps(ctx, s.withClause), dataChange(ctx, 'delete', s.relation, [], s.whereClause !== undefined)];
  }
  if ('InsertStmt' in n) {
    const s = n.InsertStmt;
    return [...withOps(ctx, s.withClause), dataChange(ctx, 'insert', s.relation, resTargetNames(s.cols), null)];
  }
  if ('MergeStmt' in n) {
    const s = n.MergeStmt;
    const updated: Node[] = [];
    for (const w of s.mergeWhenClauses ?? []) {
      if ('MergeWhenClause' in w && w.MergeWhenClause.commandType === 'CMD_UPDATE') updated.push(...(w.MergeWhenClause.targetList ?? []));
    }
    return [...withOps(ctx, s.withClause), dataChange(ctx, 'merge', s.relation, resTargetNames(updated), null)];
  }
  return [];
}

function constValue(n: Node | undefined): string | null {
  if (!n) return null;
  if ('A_Const' in n) {
    const c = n.A_Const;
    if (c.isnull) return null;
    if (c.sval) return c.sval.sval ?? '';
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return c.fval.fval ?? '0';
    if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
    return null;
  }
  if ('TypeCast' in n) return constValue(n.TypeCast.arg);
  return null;
}

const TRUE_WORDS = new Set(['true', 't', 'on', 'yes', 'y', '1']);

/** `SELECT set_config('name', 'value', is_local)` calls of a plain SELECT (no FROM); null when it is anything else. */
function setConfigCalls(ctx: StatementContext, targets: Node[]): Operation[] | null {
  const out: Operation[] = [];
  for (const t of targets) {
    if (!('ResTarget' in t)) return null;
    const v = t.ResTarget.val;
    if (!v || !('FuncCall' in v)) return null;
    const f = v.FuncCall;
    const fname = strings(f.funcname);
    if (fname[fname.length - 1] !== 'set_config' || (fname.length === 2 && fname[0] !== 'pg_catalog')) return null;
    const args = f.args ?? [];
    if (args.length !== 3) return null;
    const name = constValue(args[0]);
    if (name === null || name.includes(STAND_IN)) return null;
    let value = constValue(args[1]);
    if (value === null || value.includes(STAND_IN)) {
      const a = args[1]!;
      const at = idx(ctx, minLocation(a));
      value = slice(ctx, at, expressionEnd(ctx, at, ctx.end, null));
    }
    const local = TRUE_WORDS.has((constValue(args[2]) ?? '').toLowerCase());
    out.push(make(ctx, { kind: 'set_setting', name: name.toLowerCase(), value, local }));
  }
  return out.length > 0 ? out : null;
}

// ---------------------------------------------------------------------------------------------
// The statement switch

/**
 * The statements convertStatement() models, keyed by libpg-query's node type, each with its
 * keywords, an example and what it becomes. A statement of another type becomes a `sql` operation named by its
 * leading keywords (see SIMPLE), which only the lock and transaction rules judge. The docs list
 * this table, and a test runs every example through the reader.
 */
export const SQL_STATEMENTS = {
  CreateStmt: { statement: 'CREATE TABLE', example: "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL DEFAULT 'x')", becomes: 'create_table: columns (type, NOT NULL, DEFAULT, identity, PRIMARY KEY, UNIQUE) and constraints' },
  CreateTableAsStmt: { statement: 'CREATE TABLE AS, CREATE MATERIALIZED VIEW', example: 'CREATE TABLE t2 AS SELECT * FROM t', becomes: 'create_table, then data_change (insert) unless WITH NO DATA; CREATE MATERIALIZED VIEW: a statement' },
  AlterTableStmt: { statement: 'ALTER TABLE', example: 'ALTER TABLE t ADD COLUMN b int, ALTER COLUMN a SET NOT NULL', becomes: 'one operation per clause: add_column, alter_column, add_constraint... (ALTER_TABLE_CLAUSES); ALTER of a view, sequence or index: a statement' },
  RenameStmt: { statement: 'ALTER ... RENAME', example: 'ALTER TABLE t RENAME COLUMN a TO b', becomes: 'rename_table or alter_column (rename); renaming a constraint or trigger: ACCESS EXCLUSIVE on the table; other renames: a statement' },
  IndexStmt: { statement: 'CREATE INDEX', example: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON t USING btree (a, lower(b)) WHERE a > 0', becomes: 'create_index: name, columns and expressions, UNIQUE, CONCURRENTLY, IF NOT EXISTS, USING, WHERE' },
  DropStmt: { statement: 'DROP', example: 'DROP TABLE t, u', becomes: 'drop_table per table, drop_index (CONCURRENTLY, IF EXISTS); DROP TRIGGER/POLICY/RULE: ACCESS EXCLUSIVE on the table; other drops: a statement' },
  UpdateStmt: { statement: 'UPDATE', example: 'UPDATE t SET a = 1 WHERE id = 2', becomes: 'data_change (update): table, columns set, WHERE or not' },
  DeleteStmt: { statement: 'DELETE', example: 'DELETE FROM t', becomes: 'data_change (delete): table, WHERE or not' },
  InsertStmt: { statement: 'INSERT', example: 'INSERT INTO t (a) VALUES (1)', becomes: 'data_change (insert): table, columns' },
  MergeStmt: { statement: 'MERGE', example: 'MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE', becomes: 'data_change (merge)' },
  TruncateStmt: { statement: 'TRUNCATE', example: 'TRUNCATE t, u', becomes: 'data_change (truncate) per table' },
  CopyStmt: { statement: 'COPY', example: 'COPY t (a) FROM STDIN', becomes: 'COPY ... FROM: data_change (copy); COPY ... TO: a statement' },
  SelectStmt: { statement: 'SELECT, VALUES', example: "SELECT set_config('lock_timeout', '5s', false)", becomes: 'set_config(): set_setting; SELECT ... INTO: create_table and data_change; data-changing WITH: data_change; other reads: a statement' },
  VariableSetStmt: { statement: 'SET, RESET', example: "SET LOCAL lock_timeout = '5s'", becomes: 'set_setting: name, value, LOCAL (RESET ALL too)' },
  TransactionStmt: { statement: 'BEGIN, COMMIT, ROLLBACK, SAVEPOINT', example: 'BEGIN', becomes: 'transaction_control: BEGIN/START, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK TO' },
  ClusterStmt: { statement: 'CLUSTER', example: 'CLUSTER t USING ix', becomes: 'a statement taking ACCESS EXCLUSIVE on the table' },
  VacuumStmt: { statement: 'VACUUM, ANALYZE', example: 'VACUUM (FULL) t', becomes: 'a statement taking ACCESS EXCLUSIVE on the table with FULL, else SHARE UPDATE EXCLUSIVE (ANALYZE too)' },
  ReindexStmt: { statement: 'REINDEX', example: 'REINDEX TABLE CONCURRENTLY t', becomes: 'a statement taking SHARE UPDATE EXCLUSIVE with CONCURRENTLY, else SHARE' },
  LockStmt: { statement: 'LOCK', example: 'LOCK TABLE t IN SHARE MODE', becomes: 'a statement taking the mode it names (ACCESS EXCLUSIVE when none; SHARE in the example), per table' },
  RefreshMatViewStmt: { statement: 'REFRESH MATERIALIZED VIEW', example: 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv', becomes: 'a statement taking EXCLUSIVE with CONCURRENTLY, else ACCESS EXCLUSIVE' },
  CreateTrigStmt: { statement: 'CREATE TRIGGER', example: 'CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()', becomes: 'a statement taking SHARE ROW EXCLUSIVE on the table' },
  CreatePolicyStmt: { statement: 'CREATE POLICY', example: 'CREATE POLICY p ON t USING (true)', becomes: 'a statement taking ACCESS EXCLUSIVE on the table' },
  AlterPolicyStmt: { statement: 'ALTER POLICY', example: 'ALTER POLICY p ON t USING (false)', becomes: 'a statement taking ACCESS EXCLUSIVE on the table' },
  RuleStmt: { statement: 'CREATE RULE', example: 'CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING', becomes: 'a statement taking ACCESS EXCLUSIVE on the table' },
  CreateStatsStmt: { statement: 'CREATE STATISTICS', example: 'CREATE STATISTICS s ON a, b FROM t', becomes: 'a statement taking SHARE UPDATE EXCLUSIVE on the table' },
  CommentStmt: { statement: 'COMMENT ON', example: "COMMENT ON COLUMN t.a IS 'x'", becomes: 'a statement taking SHARE UPDATE EXCLUSIVE on the table' },
  ExplainStmt: { statement: 'EXPLAIN', example: 'EXPLAIN ANALYZE DELETE FROM t', becomes: 'EXPLAIN ANALYZE of a data change: that data_change; other EXPLAIN: a statement' },
  CreateFunctionStmt: { statement: 'CREATE FUNCTION, CREATE PROCEDURE', example: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', becomes: 'a schema statement (CREATE FUNCTION or CREATE PROCEDURE)' },
  GrantStmt: { statement: 'GRANT, REVOKE (privileges)', example: 'GRANT SELECT ON t TO r', becomes: 'a schema statement (GRANT or REVOKE)' },
  GrantRoleStmt: { statement: 'GRANT, REVOKE (roles)', example: 'GRANT r TO s', becomes: 'a schema statement (GRANT or REVOKE)' },
  DefineStmt: { statement: 'CREATE AGGREGATE, OPERATOR, TYPE...', example: 'CREATE AGGREGATE agg (int) (SFUNC = int4pl, STYPE = int)', becomes: 'a schema statement (CREATE AGGREGATE, OPERATOR, TYPE...)' },
  AlterObjectSchemaStmt: { statement: 'ALTER ... SET SCHEMA', example: 'ALTER TABLE t SET SCHEMA s', becomes: 'a schema statement (ALTER ... SET SCHEMA)' },
  AlterOwnerStmt: { statement: 'ALTER ... OWNER TO', example: 'ALTER FUNCTION f() OWNER TO r', becomes: 'a schema statement (ALTER ... OWNER TO)' },
} as const satisfies Record<string, { statement: string; example: string; becomes: string }>;

export function convertStatement(ctx: StatementContext, n: Node): Operation[] {
  const type = Object.keys(n)[0] ?? 'Unknown';
  if (!Object.hasOwn(SQL_STATEMENTS, type)) {
    const simple = SIMPLE[type];
    // A view's name, so that dropping a view created earlier in the migration counts as dropping a new object.
    const table = 'ViewStmt' in n ? (rel(n.ViewStmt.view).table ?? null) : null;
    return [simple ? sqlOp(ctx, { keyword: simple[0], category: simple[1], node: type, table }) : classified(ctx, type)];
  }

  if ('CreateStmt' in n) {
    const s = n.CreateStmt;
    const target = rel(s.relation);
    const columns: ColumnSpec[] = [];
    const constraints: TableConstraintSpec[] = [];
    const tableConstraints: Constraint[] = [];
    const spec = (c: Constraint): TableConstraintSpec => {
      const out: TableConstraintSpec = { type: constraintType(c), name: clean(c.conname), loc: elementLoc(ctx, c.location) };
      if (c.contype === 'CONSTR_FOREIGN') out.referredTable = clean(c.pktable?.relname);
      return out;
    };
    for (const e of s.tableElts ?? []) {
      if ('ColumnDef' in e) {
        columns.push(columnSpec(ctx, e.ColumnDef));
        for (const c of constraintsOf(e.ColumnDef.constraints)) {
          if (c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') constraints.push(spec(c));
        }
      } else if ('Constraint' in e) {
        tableConstraints.push(e.Constraint);
        constraints.push(spec(e.Constraint));
      }
    }
    // PRIMARY KEY (a) / UNIQUE (a) declared for the table mark their columns.
    for (const c of tableConstraints) {
      if (c.contype !== 'CONSTR_PRIMARY' && c.contype !== 'CONSTR_UNIQUE') continue;
      const keys = strings(c.keys);
      for (const col of columns) {
        if (col.name === null || !keys.includes(col.name)) continue;
        if (c.contype === 'CONSTR_PRIMARY') {
          col.primaryKey = true;
          if (col.nullable === null) col.nullable = false;
        } else if (keys.length === 1) col.unique = true;
      }
    }
    return [make(ctx, { kind: 'create_table', table: target.table, schema: target.schema, columns, constraints })];
  }

  if ('CreateTableAsStmt' in n) {
    const s = n.CreateTableAsStmt;
    const target = rel(s.into?.rel);
    if (s.objtype === 'OBJECT_MATVIEW') return [sqlOp(ctx, { keyword: 'CREATE MATERIALIZED VIEW', category: 'schema', node: type, table: target.table })];
    const out = [make(ctx, { kind: 'create_table', table: target.table, schema: target.schema, columns: [], constraints: [] })];
    if (!s.into?.skipData) out.push(dataChange(ctx, 'insert', s.into?.rel, [], null));
    return out;
  }

  if ('AlterTableStmt' in n) return alterTable(ctx, n.AlterTableStmt.relation, n.AlterTableStmt.objtype, n.AlterTableStmt.cmds);

  if ('RenameStmt' in n) {
    const s = n.RenameStmt;
    const target = rel(s.relation);
    if (s.renameType === 'OBJECT_TABLE') {
      return [make(ctx, { kind: 'rename_table', table: target.table, newName: clean(s.newname), schema: target.schema })];
    }
    if (s.renameType === 'OBJECT_COLUMN' && s.relationType === 'OBJECT_TABLE') {
      return [
        make(ctx, {
          kind: 'alter_column',
          table: target.table,
          schema: target.schema,
          column: clean(s.subname),
          newName: clean(s.newname),
          existingType: null,
          existingNullable: null,
        }),
      ];
    }
    if (s.renameType === 'OBJECT_TABCONSTRAINT' || s.renameType === 'OBJECT_TRIGGER') {
      const keyword = s.renameType === 'OBJECT_TRIGGER' ? 'ALTER TRIGGER' : 'ALTER TABLE';
      return [sqlOp(ctx, { keyword, category: 'schema', node: type, table: target.table, lock: target.table ? 'ACCESS EXCLUSIVE' : null })];
    }
    const what = s.renameType === 'OBJECT_COLUMN' ? s.relationType : s.renameType;
    return [sqlOp(ctx, { keyword: `ALTER ${objectWords(what)}`, category: 'schema', node: type })];
  }

  if ('IndexStmt' in n) {
    const s = n.IndexStmt;
    const target = rel(s.relation);
    const columns: string[] = [];
    for (const e of s.indexParams ?? []) {
      if (!('IndexElem' in e)) continue;
      const el = e.IndexElem;
      if (el.name !== undefined) {
        const name = clean(el.name);
        if (name !== null) columns.push(name);
      } else if (el.expr) {
        const at = idx(ctx, minLocation(el.expr));
        columns.push(slice(ctx, at, expressionEnd(ctx, at, ctx.end, INDEX_STOPS, true)));
      }
    }
    let where: string | null = null;
    if (s.whereClause) {
      const r = keywordExpression(ctx, s.whereClause, 'WHERE', null, true);
      where = slice(ctx, r.start, r.end);
    }
    return [
      make(ctx, {
        kind: 'create_index',
        name: clean(s.idxname),
        table: target.table,
        schema: target.schema,
        columns: columns.filter((c) => c !== ''),
        unique: s.unique === true,
        concurrently: s.concurrent === true,
        ifNotExists: s.if_not_exists === true,
        method: methodGiven(ctx, s.relation) ? (s.accessMethod ?? null) : null,
        where,
      }),
    ];
  }

  if ('DropStmt' in n) {
    const s = n.DropStmt;
    const objects = (s.objects ?? []).map(nameParts);
    // DROP TABLE a, b: each object's operation points at its name.
    const each = clauseContexts(ctx, objects.length, () => dropItems(ctx));
    const at = (i: number) => each[i]!;
    if (s.removeType === 'OBJECT_TABLE') {
      return objects.map((parts, i) =>
        make(at(i), { kind: 'drop_table', table: clean(parts[parts.length - 1]), schema: parts.length > 1 ? clean(parts[parts.length - 2]) : null }),
      );
    }
    if (s.removeType === 'OBJECT_INDEX') {
      return objects.map((parts, i) =>
        make(at(i), {
          kind: 'drop_index',
          name: clean(parts[parts.length - 1]),
          table: null,
          schema: parts.length > 1 ? clean(parts[parts.length - 2]) : null,
          concurrently: s.concurrent === true,
          ifExists: s.missing_ok === true,
        }),
      );
    }
    const keyword = `DROP ${objectWords(s.removeType)}`;
    if (s.removeType === 'OBJECT_VIEW' || s.removeType === 'OBJECT_MATVIEW') {
      // Dropping a view takes ACCESS EXCLUSIVE on it: queries the application runs on the view queue behind it.
      return objects.map((parts, i) => {
        const view = clean(parts[parts.length - 1]);
        return sqlOp(at(i), { keyword, category: 'schema', node: type, table: view, lock: view ? 'ACCESS EXCLUSIVE' : null });
      });
    }
    if (s.removeType === 'OBJECT_TRIGGER' || s.removeType === 'OBJECT_POLICY' || s.removeType === 'OBJECT_RULE') {
      return objects.map((parts, i) => {
        const table = parts.length >= 2 ? clean(parts[parts.length - 2]) : null;
        return sqlOp(at(i), { keyword, category: 'schema', node: type, table, lock: table ? 'ACCESS EXCLUSIVE' : null });
      });
    }
    return [sqlOp(ctx, { keyword, category: 'schema', node: type })];
  }

  if ('UpdateStmt' in n || 'DeleteStmt' in n || 'InsertStmt' in n || 'MergeStmt' in n) return dml(ctx, n);

  if ('TruncateStmt' in n) {
    return (n.TruncateStmt.relations ?? []).flatMap((r) => ('RangeVar' in r ? [dataChange(ctx, 'truncate', r.RangeVar, [], null)] : []));
  }

  if ('CopyStmt' in n) {
    const s = n.CopyStmt;
    if (s.is_from && s.relation) return [dataChange(ctx, 'copy', s.relation, knownNames(strings(s.attlist)) ?? [], null)];
    return [sqlOp(ctx, { keyword: 'COPY', category: 'other', node: type, table: rel(s.relation).table })];
  }

  if ('SelectStmt' in n) {
    const s = n.SelectStmt;
    if (s.intoClause) {
      const target = rel(s.intoClause.rel);
      return [
        make(ctx, { kind: 'create_table', table: target.table, schema: target.schema, columns: [], constraints: [] }),
        dataChange(ctx, 'insert', s.intoClause.rel, [], null),
      ];
    }
    const ctes = withOps(ctx, s.withClause);
    if (ctes.length > 0) return ctes;
    if (!s.fromClause && !s.whereClause && s.targetList && s.op === 'SETOP_NONE') {
      const settings = setConfigCalls(ctx, s.targetList);
      if (settings) return settings;
    }
    return [sqlOp(ctx, { keyword: s.valuesLists ? 'VALUES' : 'SELECT', category: 'other', node: type })];
  }

  if ('VariableSetStmt' in n) {
    const s = n.VariableSetStmt;
    if (s.kind === 'VAR_SET_MULTI') return [sqlOp(ctx, { keyword: 'SET', category: 'other', node: type })];
    if (s.kind === 'VAR_RESET_ALL') return [make(ctx, { kind: 'set_setting', name: 'all', value: null, local: false })];
    let value: string | null = null;
    if (s.kind === 'VAR_SET_VALUE') {
      const args = s.args ?? [];
      const values = args.map(constValue);
      if (values.every((v) => v !== null && !v.includes(STAND_IN))) value = values.join(', ');
      else {
        const at = idx(ctx, minLocation(args));
        value = slice(ctx, at, ctx.end);
      }
    }
    return [make(ctx, { kind: 'set_setting', name: (s.name ?? '').toLowerCase(), value, local: s.is_local === true })];
  }

  if ('TransactionStmt' in n) {
    const kind = n.TransactionStmt.kind;
    const action =
      kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START'
        ? 'begin'
        : kind === 'TRANS_STMT_COMMIT'
          ? 'commit'
          : kind === 'TRANS_STMT_ROLLBACK'
            ? 'rollback'
            : kind === 'TRANS_STMT_SAVEPOINT'
              ? 'savepoint'
              : kind === 'TRANS_STMT_RELEASE'
                ? 'release'
                : kind === 'TRANS_STMT_ROLLBACK_TO'
                  ? 'rollback_to'
                  : null;
    if (action) return [make(ctx, { kind: 'transaction_control', action })];
    return [classified(ctx, type)];
  }

  if ('ClusterStmt' in n) {
    const table = rel(n.ClusterStmt.relation).table;
    return [sqlOp(ctx, { keyword: 'CLUSTER', category: 'schema', node: type, table, lock: 'ACCESS EXCLUSIVE' })];
  }

  if ('VacuumStmt' in n) {
    const s = n.VacuumStmt;
    const full = (s.options ?? []).some((o) => 'DefElem' in o && o.DefElem.defname === 'full' && constValue(o.DefElem.arg) !== 'false');
    const first = s.rels?.[0];
    const table = first && 'VacuumRelation' in first ? rel(first.VacuumRelation.relation).table : null;
    return [
      sqlOp(ctx, {
        keyword: s.is_vacuumcmd ? 'VACUUM' : 'ANALYZE',
        category: 'other',
        node: type,
        table,
        lock: s.is_vacuumcmd && full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE',
      }),
    ];
  }

  if ('ReindexStmt' in n) {
    const s = n.ReindexStmt;
    const concurrently = (s.params ?? []).some((o) => 'DefElem' in o && o.DefElem.defname === 'concurrently' && constValue(o.DefElem.arg) !== 'false');
    const table = s.kind === 'REINDEX_OBJECT_TABLE' ? rel(s.relation).table : null;
    return [
      sqlOp(ctx, { keyword: 'REINDEX', category: 'schema', node: type, table, lock: concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', concurrently }),
    ];
  }

  if ('LockStmt' in n) {
    const lock = lockModeFromNumber(n.LockStmt.mode);
    return (n.LockStmt.relations ?? []).flatMap((r) =>
      'RangeVar' in r ? [sqlOp(ctx, { keyword: 'LOCK TABLE', category: 'other', node: type, table: rel(r.RangeVar).table, lock })] : [],
    );
  }

  if ('RefreshMatViewStmt' in n) {
    const s = n.RefreshMatViewStmt;
    const concurrently = s.concurrent === true;
    return [
      sqlOp(ctx, {
        keyword: 'REFRESH MATERIALIZED VIEW',
        category: 'schema',
        node: type,
        table: rel(s.relation).table,
        lock: concurrently ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE',
        concurrently,
      }),
    ];
  }

  if ('CreateTrigStmt' in n) {
    return [sqlOp(ctx, { keyword: 'CREATE TRIGGER', category: 'schema', node: type, table: rel(n.CreateTrigStmt.relation).table, lock: 'SHARE ROW EXCLUSIVE' })];
  }
  if ('CreatePolicyStmt' in n || 'AlterPolicyStmt' in n) {
    const rv = 'CreatePolicyStmt' in n ? n.CreatePolicyStmt.table : n.AlterPolicyStmt.table;
    const keyword = 'CreatePolicyStmt' in n ? 'CREATE POLICY' : 'ALTER POLICY';
    return [sqlOp(ctx, { keyword, category: 'schema', node: type, table: rel(rv).table, lock: 'ACCESS EXCLUSIVE' })];
  }
  if ('RuleStmt' in n) {
    return [sqlOp(ctx, { keyword: 'CREATE RULE', category: 'schema', node: type, table: rel(n.RuleStmt.relation).table, lock: 'ACCESS EXCLUSIVE' })];
  }
  if ('CreateStatsStmt' in n) {
    const first = n.CreateStatsStmt.relations?.[0];
    const table = first && 'RangeVar' in first ? rel(first.RangeVar).table : null;
    return [sqlOp(ctx, { keyword: 'CREATE STATISTICS', category: 'schema', node: type, table, lock: table ? 'SHARE UPDATE EXCLUSIVE' : null })];
  }
  if ('CommentStmt' in n) {
    const s = n.CommentStmt;
    const parts = nameParts(s.object);
    let table: string | null = null;
    if (s.objtype === 'OBJECT_TABLE') table = clean(parts[parts.length - 1]);
    else if (s.objtype === 'OBJECT_COLUMN' && parts.length >= 2) table = clean(parts[parts.length - 2]);
    return [sqlOp(ctx, { keyword: 'COMMENT ON', category: 'schema', node: type, table, lock: table ? 'SHARE UPDATE EXCLUSIVE' : null })];
  }
  if ('ExplainStmt' in n) {
    const s = n.ExplainStmt;
    const analyze = (s.options ?? []).some((o) => 'DefElem' in o && o.DefElem.defname === 'analyze' && constValue(o.DefElem.arg) !== 'false');
    const inner = s.query ? dml(ctx, s.query) : [];
    // EXPLAIN ANALYZE runs the statement: a data change.
    if (analyze && inner.length > 0) return inner;
    return [sqlOp(ctx, { keyword: 'EXPLAIN', category: 'other', node: type })];
  }

  if ('CreateFunctionStmt' in n) {
    return [sqlOp(ctx, { keyword: n.CreateFunctionStmt.is_procedure ? 'CREATE PROCEDURE' : 'CREATE FUNCTION', category: 'schema', node: type })];
  }
  if ('GrantStmt' in n) return [sqlOp(ctx, { keyword: n.GrantStmt.is_grant ? 'GRANT' : 'REVOKE', category: 'schema', node: type })];
  if ('GrantRoleStmt' in n) return [sqlOp(ctx, { keyword: n.GrantRoleStmt.is_grant ? 'GRANT' : 'REVOKE', category: 'schema', node: type })];
  if ('DefineStmt' in n) return [sqlOp(ctx, { keyword: `CREATE ${objectWords(n.DefineStmt.kind)}`, category: 'schema', node: type })];
  if ('AlterObjectSchemaStmt' in n) {
    return [sqlOp(ctx, { keyword: `ALTER ${objectWords(n.AlterObjectSchemaStmt.objectType)}`, category: 'schema', node: type })];
  }
  if ('AlterOwnerStmt' in n) return [sqlOp(ctx, { keyword: `ALTER ${objectWords(n.AlterOwnerStmt.objectType)}`, category: 'schema', node: type })];
  return [classified(ctx, type)];
}

/** Statements known by name only: their keywords and category, no lock on an existing table. */
export const SIMPLE: Record<string, [string, SqlStatementOp['category']]> = {
  DoStmt: ['DO', 'other'],
  CallStmt: ['CALL', 'other'],
  VariableShowStmt: ['SHOW', 'other'],
  CreateExtensionStmt: ['CREATE EXTENSION', 'schema'],
  AlterExtensionStmt: ['ALTER EXTENSION', 'schema'],
  AlterEnumStmt: ['ALTER TYPE', 'schema'],
  AlterTypeStmt: ['ALTER TYPE', 'schema'],
  CreateEnumStmt: ['CREATE TYPE', 'schema'],
  CompositeTypeStmt: ['CREATE TYPE', 'schema'],
  CreateRangeStmt: ['CREATE TYPE', 'schema'],
  ViewStmt: ['CREATE VIEW', 'schema'],
  CreateSeqStmt: ['CREATE SEQUENCE', 'schema'],
  AlterSeqStmt: ['ALTER SEQUENCE', 'schema'],
  CreateSchemaStmt: ['CREATE SCHEMA', 'schema'],
  CreateDomainStmt: ['CREATE DOMAIN', 'schema'],
  AlterDomainStmt: ['ALTER DOMAIN', 'schema'],
  AlterFunctionStmt: ['ALTER FUNCTION', 'schema'],
  CreateEventTrigStmt: ['CREATE EVENT TRIGGER', 'schema'],
  AlterDefaultPrivilegesStmt: ['ALTER DEFAULT PRIVILEGES', 'schema'],
  CreateRoleStmt: ['CREATE ROLE', 'schema'],
  AlterRoleStmt: ['ALTER ROLE', 'schema'],
  DropRoleStmt: ['DROP ROLE', 'schema'],
  CreateCastStmt: ['CREATE CAST', 'schema'],
  CreateConversionStmt: ['CREATE CONVERSION', 'schema'],
  CreateOpClassStmt: ['CREATE OPERATOR CLASS', 'schema'],
  CreatePublicationStmt: ['CREATE PUBLICATION', 'schema'],
  AlterPublicationStmt: ['ALTER PUBLICATION', 'schema'],
  CreateSubscriptionStmt: ['CREATE SUBSCRIPTION', 'schema'],
  CreateForeignTableStmt: ['CREATE FOREIGN TABLE', 'schema'],
  ImportForeignSchemaStmt: ['IMPORT FOREIGN SCHEMA', 'schema'],
  SecLabelStmt: ['SECURITY LABEL', 'schema'],
  NotifyStmt: ['NOTIFY', 'other'],
  ListenStmt: ['LISTEN', 'other'],
  UnlistenStmt: ['UNLISTEN', 'other'],
  CheckPointStmt: ['CHECKPOINT', 'other'],
  DiscardStmt: ['DISCARD', 'other'],
  LoadStmt: ['LOAD', 'other'],
  PrepareStmt: ['PREPARE', 'other'],
  ExecuteStmt: ['EXECUTE', 'other'],
  DeallocateStmt: ['DEALLOCATE', 'other'],
  DeclareCursorStmt: ['DECLARE', 'other'],
  FetchStmt: ['FETCH', 'other'],
  ClosePortalStmt: ['CLOSE', 'other'],
  ConstraintsSetStmt: ['SET CONSTRAINTS', 'other'],
};

/** Was `USING method` written after the index's table name? (The parser fills in btree otherwise.) */
function methodGiven(ctx: StatementContext, rv: RangeVar | undefined): boolean {
  if (!rv || rv.location === undefined) return false;
  let t = nextToken(ctx.p, idx(ctx, rv.location), ctx.end);
  while (t) {
    const next = nextToken(ctx.p, t.end, ctx.end);
    if (next && next.upper === '.') {
      t = nextToken(ctx.p, next.end, ctx.end);
      continue;
    }
    return next !== null && next.kind === 'word' && next.upper === 'USING';
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// ALTER TABLE

// ---------------------------------------------------------------------------------------------
// Clause positions: a finding about one clause of a multi-clause statement points at the clause.

/** [start, end) of each top-level comma-separated item from `from` to the statement's end. */
function commaItems(ctx: StatementContext, from: number): [number, number][] {
  const items: [number, number][] = [];
  let depth = 0;
  let start = -1;
  let last = from;
  for (let t = nextToken(ctx.p, from, ctx.end); t; t = nextToken(ctx.p, t.end, ctx.end)) {
    if (t.kind === 'punct') {
      if (t.upper === '(' || t.upper === '[') depth++;
      else if (t.upper === ')' || t.upper === ']') depth--;
      else if (depth === 0 && t.upper === ',') {
        if (start >= 0) items.push([start, last]);
        start = -1;
        continue;
      } else if (depth === 0 && t.upper === ';') break;
    }
    if (start < 0) start = t.start;
    last = t.end;
  }
  if (start >= 0) items.push([start, last]);
  return items;
}

/** The end of a (possibly qualified, possibly ONLY-prefixed) relation name starting at `from`. */
function afterRelationName(ctx: StatementContext, from: number): number {
  let t = nextToken(ctx.p, from, ctx.end);
  if (t && t.kind === 'word' && t.upper === 'ONLY') t = nextToken(ctx.p, t.end, ctx.end);
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) return -1;
  let end = t.end;
  for (let dot = nextToken(ctx.p, end, ctx.end); dot && dot.upper === '.'; dot = nextToken(ctx.p, end, ctx.end)) {
    const part = nextToken(ctx.p, dot.end, ctx.end);
    if (!part) return -1;
    end = part.end;
  }
  const star = nextToken(ctx.p, end, ctx.end);
  return star && star.upper === '*' ? star.end : end;
}

/** The object names of DROP <kind> [CONCURRENTLY] [IF EXISTS] a, b [CASCADE | RESTRICT]. */
function dropItems(ctx: StatementContext): [number, number][] {
  let t = nextToken(ctx.p, ctx.start, ctx.end);
  // The leading keywords: DROP, the object kind (one to three words), CONCURRENTLY, IF EXISTS.
  const LEAD = new Set(['DROP', 'TABLE', 'INDEX', 'VIEW', 'MATERIALIZED', 'FOREIGN', 'SEQUENCE', 'TYPE', 'CONCURRENTLY', 'IF', 'EXISTS']);
  while (t && t.kind === 'word' && LEAD.has(t.upper)) t = nextToken(ctx.p, t.end, ctx.end);
  if (!t) return [];
  const items = commaItems(ctx, t.start);
  const lastItem = items[items.length - 1];
  if (lastItem) {
    // CASCADE / RESTRICT after the last name belongs to the statement.
    let end = lastItem[0];
    for (let w = nextToken(ctx.p, lastItem[0], lastItem[1]); w; w = nextToken(ctx.p, w.end, lastItem[1])) {
      if (w.kind === 'word' && (w.upper === 'CASCADE' || w.upper === 'RESTRICT')) break;
      end = w.end;
    }
    lastItem[1] = end;
  }
  return items;
}

/** The statement context narrowed to one clause: operations made with it point at [start, end). */
function clauseContext(ctx: StatementContext, [start, end]: [number, number]): StatementContext {
  const head: OperationBase = { ...ctx.head, loc: ctx.locate.range(start, end) };
  if (ctx.head.fromSql) head.fromSql = { ...ctx.head.fromSql, statementLoc: ctx.head.loc };
  return { ...ctx, head };
}

/** One context per clause when the statement has `count` > 1 clauses and they can be found; else the statement's for each. */
function clauseContexts(ctx: StatementContext, count: number, items: () => [number, number][]): StatementContext[] {
  const found = count > 1 ? items() : [];
  return found.length === count ? found.map((r) => clauseContext(ctx, r)) : new Array<StatementContext>(count).fill(ctx);
}

function alterTable(statement: StatementContext, rv: RangeVar | undefined, objtype: string | undefined, cmds: Node[] | undefined): Operation[] {
  const target = rel(rv);
  const out: Operation[] = [];
  const isTable = objtype === undefined || objtype === 'OBJECT_TABLE';
  const list = (cmds ?? []).filter((c): c is { AlterTableCmd: AlterTableCmd } => 'AlterTableCmd' in c);
  const contexts = clauseContexts(statement, list.length, () => {
    const from = rv?.location !== undefined && rv.location >= 0 ? afterRelationName(statement, idx(statement, rv.location)) : -1;
    return from < 0 ? [] : commaItems(statement, from);
  });
  for (const [i, c] of list.entries()) {
    const cmd = c.AlterTableCmd;
    const ctx = contexts[i]!;
    if (!isTable) {
      const tableLike = objtype === 'OBJECT_MATVIEW' || objtype === 'OBJECT_FOREIGN_TABLE';
      const table = tableLike ? target.table : null;
      out.push(
        sqlOp(ctx, {
          keyword: `ALTER ${objectWords(objtype)}`,
          category: 'schema',
          node: cmd.subtype ?? 'AlterTableCmd',
          table,
          lock: table ? alterTableLock(cmd) : null,
        }),
      );
      continue;
    }
    out.push(...alterTableCmd(ctx, target, cmd));
  }
  return out;
}

/**
 * The ALTER TABLE clauses alterTableCmd() models, keyed by libpg-query's subtype. Any other clause
 * is a statement with the lock PostgreSQL takes for it (src/frontends/sql/locks.ts).
 */
export const ALTER_TABLE_CLAUSES = {
  AT_AddColumn: 'ADD COLUMN: add_column (an inline REFERENCES or CHECK also adds the constraint)',
  AT_DropColumn: 'DROP COLUMN: drop_column',
  AT_AlterColumnType: 'ALTER COLUMN ... TYPE ... [USING]: alter_column (type)',
  AT_SetNotNull: 'ALTER COLUMN ... SET NOT NULL: alter_column (nullable)',
  AT_DropNotNull: 'ALTER COLUMN ... DROP NOT NULL: alter_column (nullable)',
  AT_ColumnDefault: 'ALTER COLUMN ... SET/DROP DEFAULT: alter_column (server default)',
  AT_AddConstraint: 'ADD CONSTRAINT: add_constraint (FOREIGN KEY, CHECK, UNIQUE, PRIMARY KEY, NOT VALID); a validated NOT NULL one: alter_column (nullable)',
  AT_ValidateConstraint: 'VALIDATE CONSTRAINT: validate_constraint',
  AT_DropConstraint: 'DROP CONSTRAINT: drop_constraint',
} as const satisfies Understood;

function alterTableCmd(ctx: StatementContext, target: { table: string | null; schema: string | null }, cmd: AlterTableCmd): Operation[] {
  const column = clean(cmd.name);
  const alter = (fields: Partial<Draft<'alter_column'>>): Operation =>
    make(ctx, { kind: 'alter_column', table: target.table, schema: target.schema, column, existingType: null, existingNullable: null, ...fields });
  const def = cmd.def;
  const known = understood(ALTER_TABLE_CLAUSES, cmd.subtype ?? '');
  switch (known) {
    case 'AT_AddColumn': {
      if (!def || !('ColumnDef' in def)) break;
      const spec = columnSpec(ctx, def.ColumnDef);
      const out = [make(ctx, { kind: 'add_column', table: target.table, schema: target.schema, column: spec })];
      for (const con of constraintsOf(def.ColumnDef.constraints)) {
        if (con.contype === 'CONSTR_FOREIGN' || con.contype === 'CONSTR_CHECK') out.push(addConstraint(ctx, con, target, spec.name));
      }
      return out;
    }
    case 'AT_DropColumn':
      return [make(ctx, { kind: 'drop_column', table: target.table, schema: target.schema, column })];
    case 'AT_AlterColumnType': {
      if (!def || !('ColumnDef' in def)) break;
      const cd = def.ColumnDef;
      let using: string | null = null;
      if (cd.raw_default) {
        const r = keywordExpression(ctx, cd.raw_default, 'USING', null);
        using = slice(ctx, r.start, r.end);
      }
      return [alter({ type: typeText(ctx, cd.typeName) ?? '?', using })];
    }
    case 'AT_SetNotNull':
      return [alter({ nullable: false })];
    case 'AT_DropNotNull':
      return [alter({ nullable: true })];
    case 'AT_ColumnDefault':
      return [alter({ serverDefault: def ? defaultSpec(ctx, def) : null })];
    case 'AT_AddConstraint': {
      if (!def || !('Constraint' in def)) break;
      const con = def.Constraint;
      // PostgreSQL 18: ADD CONSTRAINT name NOT NULL col: a validated one is SET NOT NULL.
      if (con.contype === 'CONSTR_NOTNULL' && !con.skip_validation) {
        const col = strings(con.keys)[0];
        return [make(ctx, { kind: 'alter_column', table: target.table, schema: target.schema, column: clean(col), nullable: false, existingType: null, existingNullable: null })];
      }
      return [addConstraint(ctx, con, target)];
    }
    case 'AT_ValidateConstraint':
      return [make(ctx, { kind: 'validate_constraint', table: target.table, schema: target.schema, name: column })];
    case 'AT_DropConstraint':
      return [make(ctx, { kind: 'drop_constraint', name: column, table: target.table, schema: target.schema, constraintType: null })];
    case undefined:
      break;
    default:
      unlisted(known);
  }
  const fields: Parameters<typeof sqlOp>[1] = {
    keyword: 'ALTER TABLE',
    category: 'schema',
    node: cmd.subtype ?? 'AlterTableCmd',
    table: target.table,
    lock: alterTableLock(cmd),
  };
  if (cmd.subtype === 'AT_DetachPartition' && def && 'PartitionCmd' in def) fields.concurrently = def.PartitionCmd.concurrent === true;
  return [sqlOp(ctx, fields)];
}
