// Reads the operations of an Alembic `upgrade()` / `downgrade()` body.
//
// The walker goes through the statements in order and classifies each call by what it is called
// on (its receiver's kind):
// - op: `op` (imported from alembic, a parameter named `op` as in quay's
//   `def upgrade(op, tables, tester)`, or any alias of them);
// - batch: the alias of `with op.batch_alter_table(...) as batch_op:`;
// - conn: `op.get_bind()`, `context.get_bind()`, `op.get_context().bind/.connection`,
//   `session.connection()`, a name bound from any of these, or a parameter named
//   conn/connection/bind/migrate_engine;
// - session: `Session(...)`, `orm.Session(...)`, `sessionmaker(...)()`, `scoped_session(...)`, a
//   name bound from them (also in `with Session(...) as session:`), `db.session`, and a free
//   or parameter name `session`/`db_session`;
// - migctx: `op.get_context()`; context: `alembic.context`.
// Names are followed through assignments when a name is assigned exactly once in its scope
// (a variable holding SQL text, a `sa.table(...)`, a Core statement, a Column...), and through
// the arguments of a followed helper.
//
// Module-level helper functions (and functions defined inside the body) called from the body are
// followed ONE level deep: their operations carry `via: '<helper>'` and their own locations.
// Calls made inside a followed helper to further helpers are not followed.
//
// What each call becomes:
// - op / batch_op: the Alembic operations (add_column … bulk_insert, execute); `get_bind`,
//   `get_context`, `f`, `inline_literal`, `implementation_for`, `register_operation` are values,
//   not operations; anything else (custom operations such as `op.sync_enum_values`,
//   `op.run_async`, `op.invoke`, table comments, `batch_alter_table` outside `with`) → unknown.
// - connection / session `.execute/.exec_driver_sql/.scalar/.scalars(x)`, `op.execute(x)`:
//   SQL text (string, f-string, `%`/`.format()` template, concatenation, `text()`/`DDL()`,
//   `dedent()`) → execute_sql with its statements; a Core DML statement → data_change; a Core
//   read (`select`, `exists`, `func.*`, `t.select()`) → nothing; anything else → execute_sql with
//   textKnown false (sql '').
// - `.commit()/.rollback()/.begin()` on a connection or session → transaction_control.
// - session writes (add, add_all, merge, delete, bulk_*) and `session.query(...).update/delete`
//   → data_change 'orm'; query reads (`.all()`, `.first()`, `.filter()`...) → nothing; other
//   query methods and unknown connection / session methods → unknown; connection management
//   (`close`, `connect`, `execution_options`...) and session bookkeeping (`flush`, `expire`...)
//   → nothing.
// - `<builder>.update(...)...execute()` with no argument (peewee models) → data_change.
// - `<object>.save()` with no argument (an ORM row) → data_change orm, table unknown.
// - calls on anything else (logging, print, inspectors, helpers not followed) → nothing, but their
//   arguments are still searched for the calls above.
import type {
  AddConstraintOp,
  ColumnSpec,
  ConstraintType,
  CreateTableOp,
  DataAction,
  DialectGuard,
  Operation,
  OperationBase,
} from '../../model/types.js';
import { guardAnd, guardNot } from '../../model/queries.js';
import { splitSql } from '../sql-text/split.js';
import { understood, unlisted, type Understood } from '../understood.js';
import { isColumnCall, opaqueColumn, readColumn, readDefault, type Reader } from './columns.js';
import { sqlTypeOf } from './types.js';
import {
  argument,
  boolConst,
  calleeName,
  calleeText,
  dotted,
  forEachChild,
  isNone,
  isStringConst,
  kwValue,
  rootName,
} from './expr.js';
import type { Expr, ExprNode, Module, Stmt, StmtNode } from './python.js';
import { appendJoinedStr, literalMap, locator, TextBuilder } from './strings.js';
import type { SourceText } from './text.js';

type FunctionNode = Stmt<'FunctionDef'> | Stmt<'AsyncFunctionDef'>;

type Kind =
  | { k: 'op' }
  | { k: 'batch'; table: string | null; schema: string | null }
  | { k: 'conn' }
  | { k: 'session' }
  | { k: 'sessionFactory' }
  | { k: 'migctx' }
  | { k: 'context' };

const OP: Kind = { k: 'op' };
const CONN: Kind = { k: 'conn' };
const SESSION: Kind = { k: 'session' };
const SESSION_FACTORY: Kind = { k: 'sessionFactory' };
const MIGCTX: Kind = { k: 'migctx' };
const CONTEXT: Kind = { k: 'context' };

interface Scope {
  parent: Scope | null;
  /** Values assigned to a plain name (Assign / AnnAssign with a value). */
  assigns: Map<string, ExprNode[]>;
  /** Names bound some other way (loop targets, tuple unpacking, imports...): never followed. */
  bound: Set<string>;
  /** Parameters, with the argument a followed call passed (in the caller's scope). */
  params: Map<string, { expr: ExprNode; scope: Scope } | null>;
  /** Names whose kind is known from the walk (with-aliases, imports of `op`). */
  special: Map<string, Kind>;
  /** Functions defined in this scope. */
  defs: Map<string, { def: FunctionNode; scope: Scope }>;
}

interface Ctx {
  conditional: boolean;
  repeated: boolean;
  transactional: boolean;
  via: string | null;
  /** 0 in the body itself, 1 inside a followed helper. */
  depth: number;
  /** The function being walked (not followed into itself). */
  fn: string;
  /** The databases the enclosing branches on `bind.dialect.name` admit; absent outside such branches. */
  guard?: DialectGuard;
}

function newScope(parent: Scope | null): Scope {
  return { parent, assigns: new Map(), bound: new Set(), params: new Map(), special: new Map(), defs: new Map() };
}

function bindTarget(scope: Scope, t: ExprNode): void {
  if (t.nodeType === 'Name') scope.bound.add(t.id);
  else if (t.nodeType === 'Tuple' || t.nodeType === 'List') for (const e of t.elts) bindTarget(scope, e);
  else if (t.nodeType === 'Starred') bindTarget(scope, t.value);
}

/** Records the bindings of a block of statements (not descending into nested defs/classes). */
function collectBindings(stmts: StmtNode[], scope: Scope): void {
  for (const s of stmts) {
    switch (s.nodeType) {
      case 'Assign':
        for (const t of s.targets) {
          if (t.nodeType === 'Name') {
            const list = scope.assigns.get(t.id);
            if (list) list.push(s.value);
            else scope.assigns.set(t.id, [s.value]);
          } else bindTarget(scope, t);
        }
        break;
      case 'AnnAssign':
        if (s.target.nodeType === 'Name') {
          if (s.value) {
            const list = scope.assigns.get(s.target.id);
            if (list) list.push(s.value);
            else scope.assigns.set(s.target.id, [s.value]);
          }
        }
        break;
      case 'AugAssign':
        bindTarget(scope, s.target);
        break;
      case 'For':
      case 'AsyncFor':
        bindTarget(scope, s.target);
        collectBindings(s.body, scope);
        collectBindings(s.orelse, scope);
        break;
      case 'While':
      case 'If':
        collectBindings(s.body, scope);
        collectBindings(s.orelse, scope);
        break;
      case 'With':
      case 'AsyncWith':
        for (const item of s.items) if (item.optional_vars) bindTarget(scope, item.optional_vars);
        collectBindings(s.body, scope);
        break;
      case 'Try':
      case 'TryStar':
        collectBindings(s.body, scope);
        for (const h of s.handlers) {
          if (h.name) scope.bound.add(h.name);
          collectBindings(h.body, scope);
        }
        collectBindings(s.orelse, scope);
        collectBindings(s.finalbody, scope);
        break;
      case 'Match':
        for (const c of s.cases) collectBindings(c.body, scope);
        break;
      case 'FunctionDef':
      case 'AsyncFunctionDef':
        scope.defs.set(s.name, { def: s, scope });
        scope.bound.add(s.name);
        break;
      case 'ClassDef':
        scope.bound.add(s.name);
        break;
      case 'Import':
        for (const a of s.names) scope.bound.add(a.asname ?? a.name.split('.')[0]!);
        break;
      case 'ImportFrom':
        for (const a of s.names) scope.bound.add(a.asname ?? a.name);
        break;
      default:
        break;
    }
  }
}

function paramNames(def: FunctionNode): string[] {
  const a = def.args;
  const names = [...a.posonlyargs, ...a.args].map((p) => p.arg);
  if (a.vararg) names.push(a.vararg.arg);
  for (const p of a.kwonlyargs) names.push(p.arg);
  if (a.kwarg) names.push(a.kwarg.arg);
  return names;
}

function functionScope(def: FunctionNode, parent: Scope): Scope {
  const scope = newScope(parent);
  for (const p of paramNames(def)) scope.params.set(p, null);
  collectBindings(def.body, scope);
  return scope;
}

// `migrate_engine`: sqlalchemy-migrate passes the engine to upgrade()/downgrade() (generic-python).
const CONN_PARAM_NAMES = new Set(['conn', 'connection', 'bind', 'connexion', 'db_conn', 'migrate_engine']);
const SESSION_NAMES = new Set(['session', 'db_session']);

/**
 * The `op.*` methods (and `batch_op.*` inside `batch_alter_table`) that opMethod() reads, with
 * what each becomes. Any other method is an `unknown` operation; the README lists this table.
 */
export const OP_METHODS = {
  add_column: 'add_column; an inline ForeignKey also adds a foreign key, index=True an index',
  drop_column: 'drop_column',
  alter_column: 'alter_column: nullable, type_, new_column_name, server_default, existing_type, existing_nullable',
  create_table: 'create_table with its sa.Column()s and constraints (not on batch_op)',
  drop_table: 'drop_table (not on batch_op)',
  rename_table: 'rename_table (not on batch_op)',
  create_index: 'create_index: unique, postgresql_concurrently, if_not_exists',
  drop_index: 'drop_index: postgresql_concurrently, if_exists',
  create_unique_constraint: 'add_constraint (unique)',
  create_primary_key: 'add_constraint (primary key)',
  create_foreign_key: 'add_constraint (foreign key): postgresql_not_valid',
  create_check_constraint: 'add_constraint (check): postgresql_not_valid',
  create_exclude_constraint: 'add_constraint (of a type the rules do not judge)',
  drop_constraint: 'drop_constraint: type_',
  execute: "SQL text: each statement read by PostgreSQL's parser; sa.text(), f-strings and %/.format templates, or a SQLAlchemy update/insert/delete",
  bulk_insert: 'data_change (bulk insert) (not on batch_op)',
  get_bind: 'the connection, whose calls are read in turn',
  get_context: 'the migration context (autocommit_block, execute)',
  f: 'a name, not an operation',
  inline_literal: 'a value, not an operation',
  implementation_for: 'a decorator, not an operation',
  register_operation: 'a decorator, not an operation',
} as const satisfies Understood;
const CONN_IGNORED = new Set([
  'close',
  'connect',
  'execution_options',
  'detach',
  'invalidate',
  'in_transaction',
  'in_nested_transaction',
  'get_isolation_level',
  'get_transaction',
  'get_nested_transaction',
  'get_execution_options',
]);
const SESSION_WRITES = new Set([
  'add',
  'add_all',
  'merge',
  'delete',
  'bulk_save_objects',
  'bulk_insert_mappings',
  'bulk_update_mappings',
]);
const SESSION_IGNORED = new Set([
  'flush',
  'close',
  'expunge',
  'expunge_all',
  'expire',
  'expire_all',
  'refresh',
  'get',
  'connection',
  'get_bind',
  'is_modified',
  'no_autoflush',
  'in_transaction',
  'close_all',
  'query',
]);
/** Methods of a `session.query(...)` chain that only read. */
const QUERY_READS = new Set([
  'query',
  'filter',
  'filter_by',
  'where',
  'all',
  'first',
  'one',
  'one_or_none',
  'scalar',
  'count',
  'get',
  'order_by',
  'group_by',
  'having',
  'limit',
  'offset',
  'join',
  'outerjoin',
  'options',
  'distinct',
  'yield_per',
  'with_entities',
  'exists',
  'select_from',
  'subquery',
  'params',
  'execution_options',
  'enable_eagerloads',
  'with_for_update',
  'populate_existing',
  'correlate',
  'cte',
  'as_scalar',
  'scalar_subquery',
  'union',
  'union_all',
  'slice',
  'values',
  'value',
  'autoflush',
  'statement',
]);
const WHERE_METHODS = new Set(['where', 'filter', 'filter_by']);
/** Statement-building methods (SQLAlchemy Core tables and functions, peewee models) → action. */
const DML_METHODS = new Map<string, DataAction>([
  ['update', 'update'],
  ['insert', 'insert'],
  ['delete', 'delete'],
  ['insert_many', 'insert'],
  ['insert_from', 'insert'],
]);
const DML_FUNCTIONS = new Set(['update', 'insert', 'delete']);
/** Keyword arguments of SQLAlchemy's update()/insert()/delete() that are not column values. */
const DML_OPTIONS = new Set(['whereclause', 'values', 'inline', 'bind', 'prefixes', 'returning', 'preserve_parameter_order']);
const READ_ROOTS = new Set(['select', 'exists', 'union', 'union_all', 'intersect', 'except_', 'lateral']);
const TEXT_CALLS = new Set(['text', 'DDL']);
const TEXT_PASSTHROUGH = new Set(['dedent', 'cleandoc']);
const TEXT_CHAIN = new Set(['bindparams', 'columns', 'execution_options', 'params']);
const STRIP_METHODS = new Set(['strip', 'lstrip', 'rstrip']);
const CONSTRAINT_TYPES: Record<string, ConstraintType> = {
  PrimaryKeyConstraint: 'primary_key',
  ForeignKeyConstraint: 'foreign_key',
  UniqueConstraint: 'unique',
  CheckConstraint: 'check',
};
const DROP_CONSTRAINT_TYPES: Record<string, ConstraintType> = {
  foreignkey: 'foreign_key',
  unique: 'unique',
  check: 'check',
  primary: 'primary_key',
};
const DEFAULT_SA_ALIASES = ['sa', 'sqlalchemy', 'sql', 'expression', 'dml'];

export interface ModuleContext {
  src: SourceText;
  scope: Scope;
  /** Local names of sqlalchemy modules (`sa`, `sqlalchemy`, `sql`...). */
  saAliases: Set<string>;
}

/** Builds the module scope: module-level bindings, helpers and import aliases. */
export function moduleContext(module: Module, src: SourceText): ModuleContext {
  const scope = newScope(null);
  collectBindings(module.body, scope);
  const saAliases = new Set(DEFAULT_SA_ALIASES);
  for (const s of module.body) {
    if (s.nodeType === 'Import') {
      for (const a of s.names) {
        if (a.name === 'sqlalchemy' || a.name.startsWith('sqlalchemy.')) saAliases.add(a.asname ?? 'sqlalchemy');
        if (a.name === 'alembic.op' && a.asname) scope.special.set(a.asname, OP);
      }
    } else if (s.nodeType === 'ImportFrom') {
      const mod = s.module ?? '';
      for (const a of s.names) {
        const local = a.asname ?? a.name;
        if (mod === 'alembic' && a.name === 'op') scope.special.set(local, OP);
        else if (mod === 'alembic' && a.name === 'context') scope.special.set(local, CONTEXT);
        else if (mod === 'sqlalchemy' || mod.startsWith('sqlalchemy.')) {
          if (a.name === 'sql' || a.name === 'expression' || a.name === 'dml') saAliases.add(local);
        }
      }
    }
  }
  return { src, scope, saAliases };
}

/** The top-level functions of a module, by name (the last definition wins, as in Python). */
export function topLevelFunctions(module: Module): Map<string, FunctionNode> {
  const out = new Map<string, FunctionNode>();
  for (const s of module.body) {
    if (s.nodeType === 'FunctionDef' || s.nodeType === 'AsyncFunctionDef') out.set(s.name, s);
  }
  return out;
}

/** Reads the operations of `def` (upgrade or downgrade). */
export function readOperations(def: FunctionNode, mc: ModuleContext): Operation[] {
  const w = new Walker(mc);
  const scope = functionScope(def, mc.scope);
  w.walkStmts(def.body, { conditional: false, repeated: false, transactional: true, via: null, depth: 0, fn: def.name }, scope);
  return w.ops;
}

interface Resolved {
  e: ExprNode;
  scope: Scope;
}

interface DmlInfo {
  action: DataAction;
  table: string | null;
  columns: string[];
  hasWhere: boolean | null;
}

class Walker {
  readonly ops: Operation[] = [];
  private readonly src: SourceText;

  constructor(private readonly mc: ModuleContext) {
    this.src = mc.src;
  }

  // -------------------------------------------------------------------------------------------
  // Name resolution

  /** Follows a Name to its single assigned value (or a followed call's argument). */
  deref(e: ExprNode, scope: Scope): Resolved {
    for (let step = 0; step < 8 && e.nodeType === 'Name'; step++) {
      const name = e.id;
      let s: Scope | null = scope;
      let next: Resolved | null = null;
      while (s) {
        if (s.special.has(name)) return { e, scope };
        if (s.params.has(name)) {
          const arg = s.params.get(name);
          if (arg) next = { e: arg.expr, scope: arg.scope };
          break;
        }
        if (s.bound.has(name)) break;
        const values = s.assigns.get(name);
        if (values) {
          if (values.length === 1) next = { e: values[0]!, scope: s };
          break;
        }
        s = s.parent;
      }
      if (!next) return { e, scope };
      e = next.e;
      scope = next.scope;
    }
    return { e, scope };
  }

  /** What a receiver expression is (op, batch, connection, session...), or null. */
  kindOf(e: ExprNode, scope: Scope, depth = 0): Kind | null {
    if (depth > 8) return null;
    switch (e.nodeType) {
      case 'Name': {
        const name = e.id;
        let s: Scope | null = scope;
        while (s) {
          const sp = s.special.get(name);
          if (sp) return sp;
          if (s.params.has(name)) {
            const arg = s.params.get(name);
            if (arg) return this.kindOf(arg.expr, arg.scope, depth + 1) ?? defaultKind(name);
            return defaultKind(name);
          }
          const values = s.assigns.get(name);
          if (values) {
            for (const v of values) {
              const k = this.kindOf(v, s, depth + 1);
              if (k) return k;
            }
            return null;
          }
          // Bound some other way (a `with ... as conn:` we could not read, a loop target): trust
          // a conventional name rather than drop the calls made on it.
          if (s.bound.has(name)) return defaultKind(name);
          s = s.parent;
        }
        if (name === 'op') return OP;
        if (SESSION_NAMES.has(name)) return SESSION;
        return null;
      }
      case 'Attribute': {
        const base = this.kindOf(e.value, scope, depth + 1);
        if (base?.k === 'migctx' && (e.attr === 'bind' || e.attr === 'connection')) return CONN;
        // `op.get_bind().engine`: executing on the engine runs SQL too.
        if (base?.k === 'conn' && e.attr === 'engine') return CONN;
        if (base?.k === 'session' && e.attr === 'bind') return CONN;
        if (base === null && e.value.nodeType === 'Name') {
          if (e.attr === 'op' && e.value.id === 'alembic') return OP; // `import alembic; alembic.op.add_column(...)`
          if (e.attr === 'session') return SESSION; // `db.session` (Flask-SQLAlchemy)
        }
        return null;
      }
      case 'Call': {
        const f = e.func;
        if (f.nodeType === 'Attribute') {
          const recv = this.kindOf(f.value, scope, depth + 1);
          if (recv) {
            switch (recv.k) {
              case 'op':
              case 'context':
                if (f.attr === 'get_bind') return CONN;
                if (f.attr === 'get_context') return MIGCTX;
                return null;
              case 'conn':
                return f.attr === 'execution_options' || f.attr === 'connect' || f.attr === 'begin' ? CONN : null;
              case 'session':
                return f.attr === 'connection' || f.attr === 'get_bind' ? CONN : null;
              case 'sessionFactory':
                return null;
              default:
                return null;
            }
          }
        }
        const fk = this.kindOf(f, scope, depth + 1);
        if (fk?.k === 'sessionFactory') return SESSION;
        const name = calleeName(f);
        if (name === 'Session' || name === 'scoped_session') return SESSION;
        if (name === 'sessionmaker') return SESSION_FACTORY;
        return null;
      }
      default:
        return null;
    }
  }

  /** A literal name: string, `op.f('x')`, `conv('x')`, `quoted_name('x', ...)`, or a variable holding one. */
  name(e: ExprNode | undefined, scope: Scope): string | null {
    if (!e) return null;
    const r = this.deref(e, scope);
    const d = r.e;
    if (isStringConst(d)) return d.value as string;
    if (d.nodeType === 'Call' && d.args[0]) {
      const callee = calleeName(d.func);
      if (callee === 'f' || callee === 'conv' || callee === 'quoted_name') return this.name(d.args[0], r.scope);
    }
    return null;
  }

  reader(scope: Scope): Reader {
    return {
      src: this.src,
      deref: (e) => this.deref(e, scope).e,
      name: (e) => this.name(e, scope),
    };
  }

  /** Column names: a list of strings / `sa.text(...)` expressions, or a single string. */
  columnList(e: ExprNode | undefined, scope: Scope): string[] {
    if (!e) return [];
    const r = this.deref(e, scope);
    const d = r.e;
    if (d.nodeType === 'List' || d.nodeType === 'Tuple') {
      return d.elts.map((el) => this.columnName(el, r.scope));
    }
    const single = this.name(d, r.scope);
    return single === null ? [] : [single];
  }

  private columnName(el: ExprNode, scope: Scope): string {
    const r = this.deref(el, scope);
    const d = r.e;
    if (isStringConst(d)) return d.value as string;
    if (d.nodeType === 'Call') {
      const callee = calleeName(d.func);
      if ((callee === 'text' || callee === 'literal_column') && d.args[0]) {
        const a = this.deref(d.args[0], r.scope).e;
        if (isStringConst(a)) return a.value as string;
      }
      if (callee === 'f' || callee === 'conv') {
        const n = this.name(d, r.scope);
        if (n !== null) return n;
      }
    }
    if (d.nodeType === 'Attribute') return d.attr;
    return this.src.segment(el);
  }

  /** The table a `sa.table(...)`-like expression names: a string, null (a table we cannot name), or undefined (not a table). */
  tableOf(e: ExprNode, scope: Scope): string | null | undefined {
    const r = this.deref(e, scope);
    const d = r.e;
    if (d.nodeType === 'Call') {
      const callee = calleeName(d.func);
      if (callee === 'table' || callee === 'Table') {
        return this.name(argument(d, 0, 'name'), r.scope);
      }
      if (callee === 'create_table' && d.func.nodeType === 'Attribute' && this.kindOf(d.func.value, r.scope)?.k === 'op') {
        return this.name(argument(d, 0, 'table_name'), r.scope);
      }
      return undefined;
    }
    if (d.nodeType === 'Attribute' && d.attr === '__table__') return null;
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  walkStmts(stmts: StmtNode[], ctx: Ctx, scope: Scope): void {
    let c = ctx;
    for (const s of stmts) {
      this.walkStmt(s, c, scope);
      // `if bind.dialect.name != "postgresql": return` guards the rest of the body.
      if (s.nodeType === 'If' && s.orelse.length === 0 && exits(s.body)) {
        const g = this.dialectGuard(s.test, scope);
        if (g) c = { ...c, guard: guardAnd(c.guard ?? null, guardNot(g)) };
      }
    }
  }

  /**
   * The dialects a test on the database's name admits: `bind.dialect.name == "postgresql"`, `!=`,
   * `in (...)`, `not in`, `not (...)`, through names assigned once (`is_pg = ... == "postgresql"`);
   * null for any other test.
   */
  private dialectGuard(test: ExprNode, scope: Scope, depth = 0): DialectGuard | null {
    if (depth > 4) return null;
    const t = this.deref(test, scope).e;
    if (t.nodeType === 'UnaryOp' && t.op.nodeType === 'Not') {
      const g = this.dialectGuard(t.operand, scope, depth + 1);
      return g ? guardNot(g) : null;
    }
    if (t.nodeType !== 'Compare' || t.ops.length !== 1 || t.comparators.length !== 1) return null;
    const op = t.ops[0]!.nodeType;
    if (op !== 'Eq' && op !== 'NotEq' && op !== 'In' && op !== 'NotIn') return null;
    let [subject, value] = [t.left, t.comparators[0]!];
    if (!this.isDialectName(subject, scope)) [subject, value] = [value, subject];
    if (!this.isDialectName(subject, scope)) return null;
    const names = this.stringSet(value, scope, op === 'In' || op === 'NotIn');
    return names ? { names, negated: op === 'NotEq' || op === 'NotIn' } : null;
  }

  /** `<bind>.dialect.name`, `<conn>.engine.name` (`op.get_bind()`, `context.get_context()`, a connection). */
  private isDialectName(e: ExprNode, scope: Scope): boolean {
    const d = this.deref(e, scope).e;
    if (d.nodeType !== 'Attribute' || d.attr !== 'name' || d.value.nodeType !== 'Attribute') return false;
    if (d.value.attr === 'dialect') return true;
    const k = d.value.attr === 'engine' ? this.kindOf(d.value.value, scope) : null;
    return k !== null && (k.k === 'conn' || k.k === 'migctx' || k.k === 'session');
  }

  /** Lower-case string constants: one, or (for `in`) a tuple, list or set of them; null otherwise. */
  private stringSet(e: ExprNode, scope: Scope, collection: boolean): string[] | null {
    const d = this.deref(e, scope).e;
    if (!collection) return isStringConst(d) ? [(d.value as string).toLowerCase()] : null;
    if (d.nodeType !== 'Tuple' && d.nodeType !== 'List' && d.nodeType !== 'Set') return null;
    const out: string[] = [];
    for (const el of d.elts) {
      const v = this.deref(el, scope).e;
      if (!isStringConst(v)) return null;
      out.push((v.value as string).toLowerCase());
    }
    return out;
  }

  private walkStmt(s: StmtNode, ctx: Ctx, scope: Scope): void {
    const cond: Ctx = ctx.conditional ? ctx : { ...ctx, conditional: true };
    switch (s.nodeType) {
      case 'Expr':
        this.visit(s.value, ctx, scope);
        break;
      case 'Assign':
      case 'AugAssign':
        this.visit(s.value, ctx, scope);
        break;
      case 'AnnAssign':
      case 'Return':
        if (s.value) this.visit(s.value, ctx, scope);
        break;
      case 'If': {
        this.visit(s.test, ctx, scope);
        // A branch on the database's name is no condition on that database: the engine keeps its
        // operations for the dialect named and drops them for the others.
        const g = this.dialectGuard(s.test, scope);
        if (g) {
          this.walkStmts(s.body, { ...ctx, guard: guardAnd(ctx.guard ?? null, g) }, scope);
          this.walkStmts(s.orelse, { ...ctx, guard: guardAnd(ctx.guard ?? null, guardNot(g)) }, scope);
          break;
        }
        this.walkStmts(s.body, cond, scope);
        this.walkStmts(s.orelse, cond, scope);
        break;
      }
      case 'For':
      case 'AsyncFor':
        this.visit(s.iter, ctx, scope);
        this.walkStmts(s.body, { ...cond, repeated: true }, scope);
        this.walkStmts(s.orelse, cond, scope);
        break;
      case 'While':
        this.visit(s.test, ctx, scope);
        this.walkStmts(s.body, { ...cond, repeated: true }, scope);
        this.walkStmts(s.orelse, cond, scope);
        break;
      case 'Try':
      case 'TryStar':
        this.walkStmts(s.body, cond, scope);
        for (const h of s.handlers) this.walkStmts(h.body, cond, scope);
        this.walkStmts(s.orelse, cond, scope);
        this.walkStmts(s.finalbody, cond, scope);
        break;
      case 'With':
      case 'AsyncWith':
        this.walkWith(s, ctx, scope);
        break;
      case 'Match':
        this.visit(s.subject, ctx, scope);
        for (const c of s.cases) this.walkStmts(c.body, cond, scope);
        break;
      case 'Assert':
        this.visit(s.test, ctx, scope);
        break;
      default:
        // FunctionDef (followed when called), ClassDef, Raise, Pass, Import, Comment...: no operations.
        break;
    }
  }

  private walkWith(s: Stmt<'With'> | Stmt<'AsyncWith'>, ctx: Ctx, scope: Scope): void {
    let conditional = false;
    let transactional = ctx.transactional;
    for (const item of s.items) {
      const ce = item.context_expr;
      const alias = item.optional_vars?.nodeType === 'Name' ? item.optional_vars.id : null;
      if (ce.nodeType === 'Call' && ce.func.nodeType === 'Attribute') {
        const m = ce.func.attr;
        const recv = this.kindOf(ce.func.value, scope);
        if (m === 'batch_alter_table' && recv?.k === 'op') {
          const table = this.name(argument(ce, 0, 'table_name'), scope);
          const schema = this.name(kwValue(ce, 'schema'), scope);
          if (alias) scope.special.set(alias, { k: 'batch', table, schema });
          continue;
        }
        if (m === 'autocommit_block') {
          transactional = false;
          continue;
        }
        if ((m === 'begin' || m === 'begin_nested') && (recv?.k === 'conn' || recv?.k === 'session')) {
          // `with conn.begin():` opens a transaction and commits it at the end of the block.
          this.ops.push({ ...this.base(ce, ctx, false), kind: 'transaction_control', action: 'begin' });
          if (alias) scope.special.set(alias, CONN);
          continue;
        }
      }
      const k = this.kindOf(ce, scope);
      if (k && (k.k === 'session' || k.k === 'conn')) {
        if (alias) scope.special.set(alias, k);
        continue;
      }
      this.visit(ce, ctx, scope);
      conditional = true;
    }
    this.walkStmts(s.body, { ...ctx, conditional: ctx.conditional || conditional, transactional }, scope);
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private visit(e: ExprNode, ctx: Ctx, scope: Scope): void {
    switch (e.nodeType) {
      case 'Call':
        if (this.call(e, ctx, scope)) return;
        this.visit(e.func, ctx, scope);
        for (const a of e.args) this.visit(a, ctx, scope);
        for (const k of e.keywords) this.visit(k.value, ctx, scope);
        return;
      case 'Constant':
      case 'Name':
        return;
      case 'IfExp': {
        this.visit(e.test, ctx, scope);
        const cond = { ...ctx, conditional: true };
        this.visit(e.body, cond, scope);
        this.visit(e.orelse, cond, scope);
        return;
      }
      case 'BoolOp': {
        const cond = { ...ctx, conditional: true };
        e.values.forEach((v, i) => this.visit(v, i === 0 ? ctx : cond, scope));
        return;
      }
      case 'ListComp':
      case 'SetComp':
      case 'GeneratorExp':
      case 'DictComp':
      case 'Lambda': {
        const cond = { ...ctx, conditional: true, repeated: e.nodeType !== 'Lambda' || ctx.repeated };
        forEachChild(e, (c) => this.visit(c, cond, scope));
        return;
      }
      default:
        forEachChild(e, (c) => this.visit(c, ctx, scope));
    }
  }

  /** Handles a call; returns true when its arguments need no further visiting. */
  private call(call: Expr<'Call'>, ctx: Ctx, scope: Scope): boolean {
    const f = call.func;
    if (f.nodeType === 'Attribute') {
      if (this.queryChain(call, ctx, scope)) return true;
      // A query builder run by `.execute()` with no argument (peewee models, as in quay's data
      // migrations): `Model.update(x=1).where(...).execute()`.
      if (f.attr === 'execute' && call.args.length === 0 && call.keywords.length === 0) {
        const dml = this.dml(f.value, scope);
        if (dml) {
          this.ops.push({ ...this.base(call, ctx, false), kind: 'data_change', ...dml });
          return true;
        }
      }
      const kind = this.kindOf(f.value, scope);
      // `row.save()` on an ORM object (peewee, as quay's data migrations write rows): a data change
      // whose table we cannot name. Rules treat it as a possible backfill rather than miss it.
      if (!kind && f.attr === 'save' && call.args.length === 0 && call.keywords.length === 0) {
        this.ops.push({ ...this.base(call, ctx, false), kind: 'data_change', action: 'orm', table: null, columns: [], hasWhere: null });
        return true;
      }
      if (!kind) return false;
      switch (kind.k) {
        case 'op':
        case 'batch': {
          const before = this.ops.length;
          this.opMethod(call, f.attr, kind, ctx, scope);
          const unread = unreadOptions(f.attr, call);
          if (unread.length > 0) for (const o of this.ops.slice(before)) if (o.kind !== 'unknown') o.unreadOptions = unread;
          return true;
        }
        case 'conn':
          this.connMethod(call, f.attr, ctx, scope);
          return true;
        case 'session':
          this.sessionMethod(call, f.attr, ctx, scope);
          return true;
        case 'migctx':
          if (f.attr === 'execute') this.execute(call, argument(call, 0, 'sql'), ctx, scope, false);
          else if (f.attr === 'autocommit_block')
            this.unknown(call, ctx, false, 'autocommit_block() used outside a `with` statement');
          return true;
        case 'context':
          if (f.attr === 'execute') this.execute(call, argument(call, 0, 'sql'), ctx, scope, false);
          return true;
        default:
          return true;
      }
    }
    if (f.nodeType === 'Name') return this.helper(call, f.id, ctx, scope);
    return false;
  }

  /** Follows a call to a helper function defined in the module or in the body (one level). */
  private helper(call: Expr<'Call'>, name: string, ctx: Ctx, scope: Scope): boolean {
    if (ctx.depth > 0 || name === ctx.fn) return false;
    let s: Scope | null = scope;
    let found: { def: FunctionNode; scope: Scope } | undefined;
    while (s && !found) {
      found = s.defs.get(name);
      if (!found && (s.params.has(name) || s.bound.has(name) || s.assigns.has(name)) && !s.defs.has(name)) return false;
      s = s.parent;
    }
    if (!found) return false;
    for (const a of call.args) this.visit(a, ctx, scope);
    for (const k of call.keywords) this.visit(k.value, ctx, scope);
    const hs = functionScope(found.def, found.scope);
    const a = found.def.args;
    const positional = [...a.posonlyargs, ...a.args];
    call.args.forEach((arg, i) => {
      if (arg.nodeType === 'Starred') return;
      const p = positional[i];
      if (p) hs.params.set(p.arg, { expr: arg, scope });
    });
    for (const k of call.keywords) {
      if (k.arg && hs.params.has(k.arg)) hs.params.set(k.arg, { expr: k.value, scope });
    }
    this.walkStmts(found.def.body, { ...ctx, via: found.def.name, depth: ctx.depth + 1, fn: found.def.name }, hs);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Operations

  private base(call: Expr<'Call'>, ctx: Ctx, batch: boolean): OperationBase {
    const base: OperationBase = {
      loc: this.src.loc(call),
      conditional: ctx.conditional,
      repeated: ctx.repeated,
      transactional: ctx.transactional,
      batch,
      via: ctx.via,
      callee: calleeText(call.func),
    };
    if (ctx.guard) base.dialectGuard = { names: [...ctx.guard.names], negated: ctx.guard.negated };
    return base;
  }

  private unknown(call: Expr<'Call'>, ctx: Ctx, batch: boolean, reason: string): void {
    this.ops.push({ ...this.base(call, ctx, batch), kind: 'unknown', reason });
  }

  private opMethod(call: Expr<'Call'>, m: string, kind: Kind, ctx: Ctx, scope: Scope): void {
    const b = kind.k === 'batch';
    const bt = kind.k === 'batch' ? kind.table : null;
    const bs = kind.k === 'batch' ? kind.schema : null;
    const base = this.base(call, ctx, b);
    const arg = (i: number, n: string) => argument(call, i, n);
    const str = (e: ExprNode | undefined) => this.name(e, scope);
    const flag = (n: string) => boolConst(this.derefOpt(kwValue(call, n), scope)) === true;
    const table = (i: number, n: string) => (b ? bt : str(arg(i, n)));
    const schema = () => (b ? (str(kwValue(call, 'schema')) ?? bs) : str(kwValue(call, 'schema')));
    const p = (i: number) => (b ? i - 1 : i); // position of a parameter that follows the table argument

    const known = understood(OP_METHODS, m);
    switch (known) {
      case 'add_column': {
        const colExpr = arg(p(1), 'column');
        let column: ColumnSpec;
        let read: ReturnType<typeof readColumn> | null = null;
        if (!colExpr) column = opaqueColumn(call, this.src);
        else {
          const r = this.deref(colExpr, scope);
          read = r.e.nodeType === 'Call' && isColumnCall(r.e) ? readColumn(r.e, this.reader(r.scope)) : null;
          column = read ? read.spec : opaqueColumn(colExpr, this.src);
        }
        const tableName = table(0, 'table_name');
        this.ops.push({ ...base, kind: 'add_column', table: tableName, schema: schema(), column });
        // Alembic emits an inline ForeignKey as ALTER TABLE ... ADD CONSTRAINT, and index=True as
        // a separate CREATE INDEX (not concurrently): the rules must see both.
        for (const fk of read?.foreignKeys ?? []) {
          const [refTable, refColumn] = fk.target ? splitTarget(fk.target) : [null, null];
          this.ops.push(
            this.constraint(base, 'foreign_key', {
              name: fk.name,
              table: tableName,
              schema: schema(),
              columns: column.name ? [column.name] : [],
              referredTable: refTable,
              referredColumns: refColumn ? [refColumn] : [],
              onDelete: fk.onDelete,
              onUpdate: fk.onUpdate,
            }),
          );
        }
        if (read?.index && column.name) {
          // unique=True with index=True is a unique index, not a constraint.
          const unique = column.unique;
          column.unique = false;
          this.ops.push({
            ...base,
            kind: 'create_index',
            // SQLAlchemy's default name, ix_%(column_0_label)s: the label carries the schema.
            name: tableName ? `ix_${schema() ? `${schema()}_` : ''}${tableName}_${column.name}` : null,
            table: tableName,
            schema: schema(),
            columns: [column.name],
            unique,
            concurrently: false,
            ifNotExists: false,
          });
        }
        return;
      }
      case 'drop_column':
        this.ops.push({
          ...base,
          kind: 'drop_column',
          table: table(0, 'table_name'),
          schema: schema(),
          column: str(arg(p(1), 'column_name')),
        });
        return;
      case 'alter_column': {
        const op: Operation = {
          ...base,
          kind: 'alter_column',
          table: table(0, 'table_name'),
          schema: schema(),
          column: str(arg(p(1), 'column_name')),
          existingType: null,
          existingNullable: null,
        };
        const nullable = kwValue(call, 'nullable');
        if (nullable) {
          const v = boolConst(this.deref(nullable, scope).e);
          if (v !== null) op.nullable = v;
        }
        const type = kwValue(call, 'type_');
        if (type && !isNone(type)) {
          op.type = this.src.segment(type);
          op.sqlType = sqlTypeOf(type, (e) => this.deref(e, scope).e).sql;
        }
        const comment = kwValue(call, 'comment');
        if (comment) {
          const c = this.deref(comment, scope).e;
          if (isNone(c)) op.comment = null;
          else if (isStringConst(c)) op.comment = c.value as string;
          else op.unreadOptions = ['comment'];
        }
        const using = kwValue(call, 'postgresql_using');
        if (using && !isNone(using)) op.using = this.conditionText(using, scope);
        const newName = kwValue(call, 'new_column_name');
        if (newName && !isNone(newName)) op.newName = str(newName);
        const sd = kwValue(call, 'server_default');
        if (sd) {
          const d = this.deref(sd, scope).e;
          // server_default=False is Alembic's "not given".
          if (!(d.nodeType === 'Constant' && d.value === false)) op.serverDefault = readDefault(sd, this.reader(scope));
        }
        const et = kwValue(call, 'existing_type');
        if (et && !isNone(et)) op.existingType = this.src.segment(et);
        const en = kwValue(call, 'existing_nullable');
        if (en) op.existingNullable = boolConst(this.deref(en, scope).e);
        this.ops.push(op);
        return;
      }
      case 'create_table': {
        if (b) break;
        const created = this.createTable(call, base, scope);
        if (flag('if_not_exists')) created.op.ifNotExists = true;
        this.ops.push(created.op);
        // index=True on a column: SQLAlchemy creates the index right after the table.
        for (const c of created.indexed) {
          if (created.op.table === null || c.name === null) continue;
          const s = created.op.schema;
          this.ops.push({
            ...base,
            kind: 'create_index',
            name: `ix_${s ? `${s}_` : ''}${created.op.table}_${c.name}`,
            table: created.op.table,
            schema: s,
            columns: [c.name],
            unique: c.unique,
            concurrently: false,
            ifNotExists: false,
          });
        }
        return;
      }
      case 'drop_table':
        if (b) break;
        this.ops.push({ ...base, kind: 'drop_table', table: table(0, 'table_name'), schema: schema(), ...(flag('if_exists') ? { ifExists: true } : {}) });
        return;
      case 'rename_table':
        if (b) break;
        this.ops.push({
          ...base,
          kind: 'rename_table',
          table: str(arg(0, 'old_table_name')),
          newName: str(arg(1, 'new_table_name')),
          schema: schema(),
        });
        return;
      case 'create_index':
        this.ops.push({
          ...base,
          kind: 'create_index',
          name: str(arg(0, 'index_name')),
          table: b ? bt : str(arg(1, 'table_name')),
          schema: schema(),
          columns: this.columnList(arg(b ? 1 : 2, 'columns'), scope),
          unique: flag('unique'),
          concurrently: flag('postgresql_concurrently'),
          ifNotExists: flag('if_not_exists'),
          method: str(kwValue(call, 'postgresql_using')),
          where: kwValue(call, 'postgresql_where') ? this.conditionText(kwValue(call, 'postgresql_where'), scope) : null,
        });
        return;
      case 'drop_index':
        this.ops.push({
          ...base,
          kind: 'drop_index',
          name: str(arg(0, 'index_name')),
          table: b ? (str(kwValue(call, 'table_name')) ?? bt) : str(arg(1, 'table_name')),
          schema: schema(),
          concurrently: flag('postgresql_concurrently'),
          ifExists: flag('if_exists'),
        });
        return;
      case 'create_unique_constraint':
      case 'create_primary_key':
        this.ops.push(
          this.constraint(base, m === 'create_unique_constraint' ? 'unique' : 'primary_key', {
            name: str(arg(0, 'constraint_name')),
            table: b ? bt : str(arg(1, 'table_name')),
            schema: schema(),
            columns: this.columnList(arg(b ? 1 : 2, 'columns'), scope),
          }),
        );
        return;
      case 'create_foreign_key':
        this.ops.push(
          this.constraint(base, 'foreign_key', {
            name: str(arg(0, 'constraint_name')),
            table: b ? bt : str(arg(1, 'source_table')),
            schema: b ? bs : str(kwValue(call, 'source_schema')),
            referredTable: str(arg(b ? 1 : 2, 'referent_table')),
            columns: this.columnList(arg(b ? 2 : 3, 'local_cols'), scope),
            referredColumns: this.columnList(arg(b ? 3 : 4, 'remote_cols'), scope),
            notValid: flag('postgresql_not_valid'),
            onDelete: str(kwValue(call, 'ondelete')),
            onUpdate: str(kwValue(call, 'onupdate')),
            deferrable: kwValue(call, 'deferrable') ? boolConst(this.derefOpt(kwValue(call, 'deferrable'), scope)) : null,
            initially: str(kwValue(call, 'initially')),
          }),
        );
        return;
      case 'create_check_constraint':
        this.ops.push(
          this.constraint(base, 'check', {
            name: str(arg(0, 'constraint_name')),
            table: b ? bt : str(arg(1, 'table_name')),
            schema: schema(),
            condition: this.conditionText(arg(b ? 1 : 2, 'condition'), scope),
            notValid: flag('postgresql_not_valid'),
          }),
        );
        return;
      case 'create_exclude_constraint':
        this.ops.push(
          this.constraint(base, 'unknown', {
            name: str(arg(0, 'constraint_name')),
            table: b ? bt : str(arg(1, 'table_name')),
            schema: schema(),
          }),
        );
        return;
      case 'drop_constraint': {
        const typeArg = arg(b ? 1 : 2, 'type_');
        let constraintType: ConstraintType | null = null;
        if (typeArg && !isNone(typeArg)) {
          const t = str(typeArg);
          constraintType = t === null ? 'unknown' : (DROP_CONSTRAINT_TYPES[t] ?? 'unknown');
        }
        this.ops.push({
          ...base,
          kind: 'drop_constraint',
          name: str(arg(0, 'constraint_name')),
          table: b ? bt : str(arg(1, 'table_name')),
          schema: schema(),
          constraintType,
        });
        return;
      }
      case 'execute':
        this.execute(call, arg(0, 'sqltext'), ctx, scope, b);
        return;
      case 'bulk_insert': {
        if (b) break;
        const t = arg(0, 'table');
        const rows = arg(1, 'rows');
        this.ops.push({
          ...base,
          kind: 'data_change',
          action: 'bulk_insert',
          table: t ? (this.tableOf(t, scope) ?? null) : null,
          columns: rows ? this.rowKeys(rows, scope) : [],
          hasWhere: null,
          rows: t && rows ? this.literalRows(t, rows, scope) : null,
        });
        return;
      }
      case 'get_bind':
      case 'get_context':
      case 'f':
      case 'inline_literal':
      case 'implementation_for':
      case 'register_operation':
        return; // values, not operations
      case undefined:
        break;
      default:
        unlisted(known);
    }
    const who = b ? 'batch_op' : 'op';
    let reason: string;
    if (m === 'batch_alter_table') reason = 'op.batch_alter_table() used outside a `with` statement';
    else if (m === 'create_table_comment' || m === 'drop_table_comment')
      reason = `${who}.${m}() changes a table comment, which the model has no operation for`;
    else reason = `${who}.${m}() is not an operation migralint understands`;
    this.unknown(call, ctx, b, reason);
  }

  private derefOpt(e: ExprNode | undefined, scope: Scope): ExprNode | undefined {
    return e ? this.deref(e, scope).e : undefined;
  }

  private constraint(
    base: OperationBase,
    constraintType: ConstraintType,
    fields: Partial<Omit<AddConstraintOp, keyof OperationBase | 'kind' | 'constraintType'>>,
  ): AddConstraintOp {
    return {
      ...base,
      kind: 'add_constraint',
      constraintType,
      name: fields.name ?? null,
      table: fields.table ?? null,
      schema: fields.schema ?? null,
      columns: fields.columns ?? [],
      referredTable: fields.referredTable ?? null,
      referredColumns: fields.referredColumns ?? [],
      condition: fields.condition ?? null,
      notValid: fields.notValid ?? false,
      ...(fields.onDelete ? { onDelete: fields.onDelete } : {}),
      ...(fields.onUpdate ? { onUpdate: fields.onUpdate } : {}),
      ...(fields.deferrable !== undefined && fields.deferrable !== null ? { deferrable: fields.deferrable } : {}),
      ...(fields.initially ? { initially: fields.initially } : {}),
    };
  }

  private conditionText(e: ExprNode | undefined, scope: Scope): string | null {
    if (!e) return null;
    const r = this.deref(e, scope);
    const d = r.e;
    if (isStringConst(d)) return d.value as string;
    if (d.nodeType === 'Call' && calleeName(d.func) === 'text' && d.args[0]) {
      const a = this.deref(d.args[0], r.scope).e;
      if (isStringConst(a)) return a.value as string;
    }
    return this.src.segment(e);
  }

  private createTable(call: Expr<'Call'>, base: OperationBase, scope: Scope): { op: CreateTableOp; indexed: ColumnSpec[] } {
    const nameArg = argument(call, 0, 'table_name');
    const items = kwValue(call, 'table_name') ? call.args : call.args.slice(1);
    const columns: ColumnSpec[] = [];
    const constraints: CreateTableOp['constraints'] = [];
    const pkColumns: string[] = [];
    const indexed: ColumnSpec[] = [];
    for (const item of items) {
      if (item.nodeType === 'Starred') continue;
      const r = this.deref(item, scope);
      const d = r.e;
      if (d.nodeType !== 'Call') continue;
      if (isColumnCall(d)) {
        const col = readColumn(d, this.reader(r.scope));
        columns.push(col.spec);
        if (col.index) {
          // unique=True with index=True is a unique index, not a constraint.
          indexed.push({ ...col.spec });
          col.spec.unique = false;
        }
        for (const fk of col.foreignKeys) {
          const [refTable, refColumn] = fk.target ? splitTarget(fk.target) : [null, null];
          constraints.push({
            type: 'foreign_key',
            name: fk.name,
            loc: fk.loc,
            referredTable: refTable,
            columns: col.spec.name === null ? [] : [col.spec.name],
            referredColumns: refColumn === null ? [] : [refColumn],
            onDelete: fk.onDelete,
            onUpdate: fk.onUpdate,
            inline: true,
          });
        }
        continue;
      }
      const callee = calleeName(d.func);
      const type = callee ? CONSTRAINT_TYPES[callee] : undefined;
      if (!type) continue;
      const constraint: CreateTableOp['constraints'][number] = { type, name: this.name(kwValue(d, 'name'), r.scope), loc: this.src.loc(d) };
      if (type === 'foreign_key') {
        constraint.referredTable = this.referredTable(argument(d, 1, 'refcolumns'), r.scope);
        constraint.columns = this.columnList(argument(d, 0, 'columns'), r.scope);
        constraint.referredColumns = this.columnList(argument(d, 1, 'refcolumns'), r.scope).map((c) => splitTarget(c)[1] ?? c);
        constraint.onDelete = this.name(kwValue(d, 'ondelete'), r.scope);
        constraint.onUpdate = this.name(kwValue(d, 'onupdate'), r.scope);
      } else if (type === 'check') {
        constraint.condition = this.conditionText(argument(d, 0, 'sqltext'), r.scope);
      } else if (type === 'unique' || type === 'primary_key') {
        // A column that is not a literal leaves the list unknown (empty), never short.
        const names = d.args.map((a) => (a.nodeType === 'Starred' ? null : this.name(a, r.scope)));
        constraint.columns = names.every((n) => n !== null) ? (names as string[]) : [];
      }
      constraints.push(constraint);
      if (type === 'primary_key') {
        for (const a of d.args) {
          const n = this.name(a, r.scope);
          if (n !== null) pkColumns.push(n);
        }
      }
    }
    // Columns named by a PrimaryKeyConstraint are primary keys (and NOT NULL unless stated).
    for (const c of columns) {
      if (c.name !== null && pkColumns.includes(c.name)) {
        c.primaryKey = true;
        if (c.nullable === null) c.nullable = false;
      }
    }
    const comment = kwValue(call, 'comment');
    const commentText = comment ? this.derefOpt(comment, scope) : undefined;
    const op: CreateTableOp = {
      ...base,
      kind: 'create_table',
      table: this.name(nameArg, scope),
      schema: this.name(kwValue(call, 'schema'), scope),
      columns,
      constraints,
    };
    if (comment) op.comment = isStringConst(commentText) ? (commentText.value as string) : null;
    return { op, indexed };
  }

  /** The table of `ForeignKeyConstraint(..., ["accounts.id"])`'s referenced columns; null when unreadable or mixed. */
  private referredTable(refcolumns: ExprNode | undefined, scope: Scope): string | null {
    if (!refcolumns) return null;
    const d = this.deref(refcolumns, scope).e;
    if (d.nodeType !== 'List' && d.nodeType !== 'Tuple') return null;
    let table: string | null = null;
    for (const el of d.elts) {
      const t = this.deref(el, scope).e;
      if (!isStringConst(t)) return null;
      const [ref] = splitTarget(t.value as string);
      if (ref === null || (table !== null && ref !== table)) return null;
      table = ref;
    }
    return table;
  }

  /**
   * The rows of `op.bulk_insert(table, rows)` as SQL literals, as Alembic's offline mode writes
   * them: per row, the keys given, in the table's column order, each value rendered for its
   * column's type. Null when the table's columns, a key or a value cannot be read, or a value's
   * rendering depends on a type migralint does not render literals for.
   */
  private literalRows(tableExpr: ExprNode, rowsExpr: ExprNode, scope: Scope): { columns: string[]; values: string[] }[] | null {
    const t = this.deref(tableExpr, scope);
    if (t.e.nodeType !== 'Call') return null;
    const callee = calleeName(t.e.func);
    if (callee !== 'table' && callee !== 'Table' && callee !== 'create_table') return null;
    // The operation names the table without its schema: an INSERT into it would name another table.
    if (kwValue(t.e, 'schema')) return null;
    const types = new Map<string, string | null>();
    for (const a of t.e.args.slice(1)) {
      const c = this.deref(a, t.scope).e;
      if (c.nodeType !== 'Call') continue;
      const cn = calleeName(c.func);
      if (cn !== 'column' && cn !== 'Column') continue;
      const name = this.name(c.args[0], t.scope);
      if (name === null) return null;
      const typeNode = c.args[1] ?? kwValue(c, 'type_');
      types.set(name, typeNode ? sqlTypeOf(typeNode, (e) => this.deref(e, t.scope).e).sql : null);
    }
    const order = [...types.keys()];
    const r = this.deref(rowsExpr, scope);
    if (r.e.nodeType !== 'List' && r.e.nodeType !== 'Tuple') return null;
    const out: { columns: string[]; values: string[] }[] = [];
    for (const el of r.e.elts) {
      const row = this.deref(el, r.scope).e;
      if (row.nodeType !== 'Dict') return null;
      const given = new Map<string, string>();
      for (let i = 0; i < row.keys.length; i++) {
        const k = row.keys[i];
        if (!isStringConst(k)) return null;
        const key = k.value as string;
        if (!types.has(key)) return null;
        const v = literalFor(this.deref(row.values[i]!, r.scope).e, types.get(key) ?? null);
        if (v === null) return null;
        given.set(key, v);
      }
      const columns = order.filter((c) => given.has(c));
      out.push({ columns, values: columns.map((c) => given.get(c)!) });
    }
    return out;
  }

  /** Column names in the rows of a bulk insert (string keys of dict literals). */
  private rowKeys(rows: ExprNode, scope: Scope): string[] {
    const d = this.deref(rows, scope).e;
    if (d.nodeType !== 'List' && d.nodeType !== 'Tuple') return [];
    const keys: string[] = [];
    for (const el of d.elts) {
      if (el.nodeType !== 'Dict') continue;
      for (const k of el.keys) {
        if (isStringConst(k) && !keys.includes(k.value as string)) keys.push(k.value as string);
      }
    }
    return keys;
  }

  /** commit/rollback/begin on a connection or a session; false for any other method. */
  private transactionMethod(call: Expr<'Call'>, m: string, ctx: Ctx): boolean {
    const action = m === 'commit' || m === 'rollback' ? m : m === 'begin' || m === 'begin_nested' ? 'begin' : null;
    if (!action) return false;
    this.ops.push({ ...this.base(call, ctx, false), kind: 'transaction_control', action });
    return true;
  }

  private connMethod(call: Expr<'Call'>, m: string, ctx: Ctx, scope: Scope): void {
    if (this.transactionMethod(call, m, ctx)) return;
    switch (m) {
      case 'execute':
      case 'exec_driver_sql':
      case 'scalar':
      case 'scalars':
        this.execute(call, argument(call, 0, 'statement'), ctx, scope, false);
        return;
      default:
        if (CONN_IGNORED.has(m)) return;
        this.unknown(call, ctx, false, `${calleeText(call.func)}() on a database connection is not understood`);
    }
  }

  private sessionMethod(call: Expr<'Call'>, m: string, ctx: Ctx, scope: Scope): void {
    if (this.transactionMethod(call, m, ctx)) return;
    switch (m) {
      case 'execute':
      case 'scalar':
      case 'scalars':
        this.execute(call, argument(call, 0, 'statement'), ctx, scope, false);
        return;
      default:
        if (SESSION_WRITES.has(m)) {
          this.ops.push({
            ...this.base(call, ctx, false),
            kind: 'data_change',
            action: 'orm',
            table: null,
            columns: [],
            hasWhere: null,
          });
          return;
        }
        if (SESSION_IGNORED.has(m)) return;
        this.unknown(call, ctx, false, `${calleeText(call.func)}() on an ORM session is not understood`);
    }
  }

  /** `session.query(...)...` chains: `.update(...)`/`.delete()` write rows; reads are dropped. */
  private queryChain(call: Expr<'Call'>, ctx: Ctx, scope: Scope): boolean {
    const methods: { name: string; call: Expr<'Call'> }[] = [];
    let cur: ExprNode = call;
    let root = false;
    while (cur.nodeType === 'Call' && cur.func.nodeType === 'Attribute') {
      const attr = cur.func.attr;
      methods.push({ name: attr, call: cur });
      if (attr === 'query') {
        const k = this.kindOf(cur.func.value, scope);
        if (k?.k === 'session') {
          root = true;
          break;
        }
      }
      cur = cur.func.value;
    }
    if (!root || methods.length === 0) return false;
    const outer = methods[0]!;
    if (outer.name === 'update' || outer.name === 'delete') {
      const hasWhere = methods.some((x) => WHERE_METHODS.has(x.name));
      const columns: string[] = [];
      if (outer.name === 'update') {
        const values = outer.call.args[0] ? this.deref(outer.call.args[0], scope).e : undefined;
        if (values?.nodeType === 'Dict') {
          for (const k of values.keys) {
            if (!k) continue;
            if (isStringConst(k)) columns.push(k.value as string);
            else if (k.nodeType === 'Attribute') columns.push(k.attr);
          }
        }
      }
      this.ops.push({
        ...this.base(outer.call, ctx, false),
        kind: 'data_change',
        action: 'orm',
        table: null,
        columns,
        hasWhere,
      });
      return true;
    }
    if (methods.every((x) => QUERY_READS.has(x.name))) return true;
    this.unknown(call, ctx, false, `${calleeText(call.func)}() on an ORM query is not understood`);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Execute

  private execute(call: Expr<'Call'>, arg: ExprNode | undefined, ctx: Ctx, scope: Scope, batch: boolean): void {
    const base = this.base(call, ctx, batch);
    if (!arg) {
      this.unknown(call, ctx, batch, `${calleeText(call.func)}() without a statement`);
      return;
    }
    const r = this.deref(arg, scope);
    if (this.isStringish(r.e, r.scope, 0)) {
      const b = new TextBuilder();
      this.appendText(r.e, r.scope, b, 0);
      const { sql, map } = b.build();
      const fallback = this.src.loc(r.e);
      this.ops.push({
        ...base,
        kind: 'execute_sql',
        sql,
        hasHoles: b.hasHoles,
        textKnown: true,
        statements: splitSql(sql, locator(this.src, map, fallback)),
        offsets: map,
        holes: b.holes,
      });
      return;
    }
    const dml = this.dml(r.e, r.scope);
    if (dml) {
      this.ops.push({ ...base, kind: 'data_change', ...dml });
      return;
    }
    if (this.isRead(r.e, r.scope)) return;
    this.ops.push({ ...base, kind: 'execute_sql', sql: '', hasHoles: false, textKnown: false, statements: [] });
  }

  /** Is this expression SQL text we can read (a string, f-string, `text(...)`, formatted string...)? */
  private isStringish(e: ExprNode, scope: Scope, depth: number): boolean {
    if (depth > 8) return false;
    switch (e.nodeType) {
      case 'Constant':
        return isStringConst(e);
      case 'JoinedStr':
        return true;
      case 'Name': {
        const r = this.deref(e, scope);
        return r.e !== e && this.isStringish(r.e, r.scope, depth + 1);
      }
      case 'BinOp':
        if (e.op.nodeType === 'Mod') return this.isStringish(e.left, scope, depth + 1);
        if (e.op.nodeType === 'Add')
          return this.isStringish(e.left, scope, depth + 1) || this.isStringish(e.right, scope, depth + 1);
        return false;
      case 'Call': {
        const f = e.func;
        const callee = calleeName(f);
        if (f.nodeType === 'Attribute') {
          if ((f.attr === 'format' || STRIP_METHODS.has(f.attr)) && this.isStringish(f.value, scope, depth + 1)) return true;
          if (TEXT_CHAIN.has(f.attr) && f.value.nodeType === 'Call' && this.isTextCall(f.value))
            return this.isStringish(f.value, scope, depth + 1);
        }
        if (callee && (TEXT_CALLS.has(callee) || TEXT_PASSTHROUGH.has(callee)) && e.args[0]) {
          return this.isStringish(e.args[0], scope, depth + 1);
        }
        return false;
      }
      default:
        return false;
    }
  }

  private isTextCall(e: Expr<'Call'>): boolean {
    const callee = calleeName(e.func);
    return callee !== null && TEXT_CALLS.has(callee);
  }

  /** Appends the SQL text of a stringish expression (see isStringish) to `b`. */
  private appendText(e: ExprNode, scope: Scope, b: TextBuilder, depth: number): void {
    if (depth > 8 || !this.isStringish(e, scope, depth)) {
      b.hole(this.src.startIndex(e), this.src.endIndex(e));
      return;
    }
    switch (e.nodeType) {
      case 'Constant':
        b.append(e.value as string, literalMap(this.src, e));
        return;
      case 'JoinedStr':
        appendJoinedStr(this.src, e, b);
        return;
      case 'Name': {
        const r = this.deref(e, scope);
        this.appendText(r.e, r.scope, b, depth + 1);
        return;
      }
      case 'BinOp':
        if (e.op.nodeType === 'Mod') {
          const from = b.size;
          this.appendText(e.left, scope, b, depth + 1);
          b.markTemplateFields(from, 'percent');
          b.hasHoles = true;
        } else {
          this.appendText(e.left, scope, b, depth + 1);
          this.appendText(e.right, scope, b, depth + 1);
        }
        return;
      case 'Call': {
        const f = e.func;
        if (f.nodeType === 'Attribute' && (f.attr === 'format' || STRIP_METHODS.has(f.attr) || TEXT_CHAIN.has(f.attr))) {
          if (this.isStringish(f.value, scope, depth + 1)) {
            const from = b.size;
            this.appendText(f.value, scope, b, depth + 1);
            if (f.attr === 'format') {
              b.markTemplateFields(from, 'format');
              b.hasHoles = true;
            }
            return;
          }
        }
        if (e.args[0]) this.appendText(e.args[0], scope, b, depth + 1);
        return;
      }
      default:
        b.hole(this.src.startIndex(e), this.src.endIndex(e));
    }
  }

  /** A Core DML statement: `t.update()...`, `sa.insert(t).values(...)`, `delete(t).where(...)`. */
  private dml(e: ExprNode, scope: Scope): DmlInfo | null {
    const columns: string[] = [];
    let whereSeen = false;
    let cur: ExprNode = e;
    for (let guard = 0; guard < 50; guard++) {
      if (cur.nodeType !== 'Call') return null;
      const f: ExprNode = cur.func;
      let action: string | null = null;
      let table: string | null = null;
      let extraArgs: ExprNode[] = [];
      if (f.nodeType === 'Attribute') {
        const m = f.attr;
        if (DML_METHODS.has(m)) {
          const root = f.value.nodeType === 'Call' ? null : rootName(f.value);
          action = DML_METHODS.get(m)!;
          if (root !== null && this.mc.saAliases.has(root) && this.tableOf(f.value, scope) === undefined) {
            // `sa.update(t)`: a module function taking the table.
            table = cur.args[0] ? (this.tableOf(cur.args[0], scope) ?? null) : null;
            extraArgs = cur.args.slice(1);
          } else {
            // `t.update()`: a method of a table (a table we may not be able to name).
            table = this.tableOf(f.value, scope) ?? null;
            extraArgs = cur.args;
          }
        } else {
          if (WHERE_METHODS.has(m)) whereSeen = true;
          if (m === 'values' || m === 'ordered_values') this.valueColumns(cur, scope, columns);
          if (m === 'from_select' && cur.args[0]) columns.push(...this.columnList(cur.args[0], scope));
          cur = f.value;
          continue;
        }
      } else if (f.nodeType === 'Name' && DML_FUNCTIONS.has(f.id)) {
        action = f.id;
        table = cur.args[0] ? (this.tableOf(cur.args[0], scope) ?? null) : null;
        extraArgs = cur.args.slice(1);
      } else {
        return null;
      }
      const baseCall: Expr<'Call'> = cur;
      const valuesKw = kwValue(baseCall, 'values');
      if (valuesKw) this.dictColumns(valuesKw, scope, columns);
      if (action === 'update') {
        // peewee: `Model.update(col=value)` / `Model.update({Model.col: value})`.
        for (const k of baseCall.keywords) if (k.arg && !DML_OPTIONS.has(k.arg)) columns.push(k.arg);
        for (const a of extraArgs) this.dictColumns(a, scope, columns);
      }
      const hasWhereArg =
        extraArgs.some((a) => this.deref(a, scope).e.nodeType !== 'Dict') || kwValue(baseCall, 'whereclause') !== undefined;
      const unique = [...new Set(columns)];
      return {
        action: action as DataAction,
        table,
        columns: unique,
        hasWhere: action === 'insert' ? null : whereSeen || hasWhereArg,
      };
    }
    return null;
  }

  private valueColumns(call: Expr<'Call'>, scope: Scope, out: string[]): void {
    for (const k of call.keywords) if (k.arg) out.push(k.arg);
    for (const a of call.args) this.dictColumns(a, scope, out);
  }

  private dictColumns(e: ExprNode, scope: Scope, out: string[]): void {
    const d = this.deref(e, scope).e;
    if (d.nodeType !== 'Dict') return;
    for (const k of d.keys) {
      if (!k) continue;
      if (isStringConst(k)) out.push(k.value as string);
      else if (k.nodeType === 'Attribute') out.push(k.attr);
    }
  }

  /** A Core read: `sa.select(...)...`, `t.select()`, `sa.exists(...)`, `sa.func.count(...)`. */
  private isRead(e: ExprNode, scope: Scope): boolean {
    let cur: ExprNode = e;
    for (let guard = 0; guard < 50; guard++) {
      if (cur.nodeType === 'Call') {
        const f: ExprNode = cur.func;
        const callee = calleeName(f);
        // `select(...)`, `sa.select(...)`, `t.select()`; not `<call>.select()` (a method on a result).
        if (callee && READ_ROOTS.has(callee) && (f.nodeType === 'Name' || (f.nodeType === 'Attribute' && f.value.nodeType !== 'Call'))) {
          return true;
        }
        const name = dotted(f);
        if (name !== null && (name.startsWith('func.') || name.includes('.func.'))) return true;
        if (f.nodeType !== 'Attribute') return false;
        cur = f.value;
        continue;
      }
      if (cur.nodeType === 'Name') {
        const r = this.deref(cur, scope);
        if (r.e === cur) return false;
        cur = r.e;
        scope = r.scope;
        continue;
      }
      return false;
    }
    return false;
  }
}

function defaultKind(name: string): Kind | null {
  if (name === 'op') return OP;
  if (CONN_PARAM_NAMES.has(name)) return CONN;
  if (SESSION_NAMES.has(name)) return SESSION;
  return null;
}

export type { FunctionNode };

/** Does a block always leave the function (its last statement a `return` or `raise`)? */
function exits(body: StmtNode[]): boolean {
  const stmts = body.filter((s) => s.nodeType !== 'Comment');
  const last = stmts[stmts.length - 1];
  return last !== undefined && (last.nodeType === 'Return' || last.nodeType === 'Raise');
}

/** `"accounts.id"` or `"public.accounts.id"` -> ["accounts", "id"]. */
/**
 * The keyword options of an `op.*` call that the model keeps, per method. Any other option that
 * changes PostgreSQL's SQL (`postgresql_include=`, `referent_schema=`, `match=`...) is recorded on
 * the operation as unread, so that `migralint sql` says it cannot render it instead of dropping it.
 */
const READ_OPTIONS: Record<string, string[]> = {
  add_column: ['schema'],
  drop_column: ['schema'],
  alter_column: ['nullable', 'type_', 'new_column_name', 'server_default', 'schema', 'postgresql_using', 'comment'],
  create_table: ['schema', 'comment', 'if_not_exists'],
  drop_table: ['schema', 'if_exists'],
  rename_table: ['schema'],
  create_index: ['index_name', 'table_name', 'columns', 'unique', 'postgresql_concurrently', 'if_not_exists', 'postgresql_using', 'postgresql_where', 'schema'],
  drop_index: ['index_name', 'table_name', 'schema', 'postgresql_concurrently', 'if_exists'],
  create_unique_constraint: ['constraint_name', 'table_name', 'columns', 'schema'],
  create_primary_key: ['constraint_name', 'table_name', 'columns', 'schema'],
  create_foreign_key: ['constraint_name', 'source_table', 'referent_table', 'local_cols', 'remote_cols', 'source_schema', 'ondelete', 'onupdate', 'deferrable', 'initially', 'postgresql_not_valid'],
  create_check_constraint: ['constraint_name', 'table_name', 'condition', 'schema', 'postgresql_not_valid'],
  drop_constraint: ['constraint_name', 'table_name', 'type_', 'schema'],
  execute: ['sqltext', 'execution_options'],
  bulk_insert: ['table', 'rows', 'multiinsert'],
};

/** Options that never change PostgreSQL's SQL: other databases' options, what the column was, metadata. */
const NO_SQL_OPTION = /^(existing_|info$|mssql_|mysql_|mariadb_|sqlite_|oracle_|recreate$|table_kwargs$|table_args$|reflect_|copy_from$|partial_reordering$|insert_before$|insert_after$|autoincrement$)/;

function unreadOptions(method: string, call: Expr<'Call'>): string[] {
  const read = READ_OPTIONS[method];
  if (!read) return [];
  const out: string[] = [];
  for (const k of call.keywords) {
    if (k.arg === null || k.arg === undefined) out.push('**');
    else if (!read.includes(k.arg) && !NO_SQL_OPTION.test(k.arg)) out.push(k.arg);
  }
  return out;
}

/** A Python constant as a SQL literal for a column of the given (PostgreSQL) type; null when that is not certain. */
function literalFor(v: ExprNode, type: string | null): string | null {
  if (v.nodeType === 'UnaryOp' && v.op.nodeType === 'USub' && v.operand.nodeType === 'Constant' && typeof v.operand.value === 'number') {
    const n = literalFor(v.operand, type);
    return n === null ? null : `-${n}`;
  }
  if (type === null || v.nodeType !== 'Constant') return null;
  if (v.value === null) return 'NULL';
  if (typeof v.value === 'string' && isStringConst(v) && /^(VARCHAR|TEXT|CHAR)\b/.test(type)) return `'${v.value.replace(/'/g, "''")}'`;
  if (typeof v.value === 'boolean' && type === 'BOOLEAN') return v.value ? 'true' : 'false';
  if ((typeof v.value === 'number' || typeof v.value === 'bigint') && Number.isInteger(Number(v.value)) && /^(INTEGER|BIGINT|SMALLINT)$/.test(type)) return String(v.value);
  return null;
}

function splitTarget(target: string): [string | null, string | null] {
  const parts = target.split('.');
  if (parts.length < 2) return [null, null];
  return [parts[parts.length - 2]!, parts[parts.length - 1]!];
}
