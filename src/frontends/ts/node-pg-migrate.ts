// node-pg-migrate migrations: `exports.up = (pgm) => {...}` / `export async function up(pgm:
// MigrationBuilder)` / `export const up = ...`. pgm.createTable (column definitions and the 'id'
// shorthand, plus `exports.shorthands`), dropTable, renameTable, addColumn(s), alterColumn,
// dropColumn(s), renameColumn, createIndex/addIndex, dropIndex, addConstraint/createConstraint
// (spec object or raw string), dropConstraint, sql (with `{name}` arguments as holes), db.query,
// noTransaction(); `exports.down = false` declares the migration irreversible. Without a `down`,
// node-pg-migrate reverses `up` itself: the reversed operations become the downgrade (or 'raises'
// when one of them cannot be reversed, as node-pg-migrate then fails).
// Transactions: node-pg-migrate's `singleTransaction` option defaults to true (CLI and runner()):
// every pending migration runs in ONE transaction (mode 'single'); `--no-single-transaction` makes
// it one per migration. `pgm.noTransaction()` commits before the migration and runs it outside any
// transaction (mode 'none').
import type { Body, ColumnSpec, ConstraintType, DefaultSpec, Migration, Operation } from '../../model/types.js';
import {
  boolValue,
  chainOf,
  isFn,
  jsDefault,
  objectProps,
  paramNames,
  propName,
  readBody,
  readText,
  stringList,
  stringValue,
  unwrap,
  Walker,
  type Chain,
  type Consts,
  type Ctx,
  type FnNode,
  type Handler,
  type ModuleShape,
  type Src,
  type TsNs,
} from './core.js';
import { understood, unlisted, type Understood } from '../understood.js';

/** The pgm methods the node-pg-migrate reader understands, with what each becomes; any other is an `unknown` operation. */
export const PGM_METHODS = {
  func: 'a SQL expression value, not an operation',
  noTransaction: 'runs the migration without a transaction',
  sql: 'SQL text',
  createTable: 'create_table',
  dropTable: 'drop_table',
  renameTable: 'rename_table',
  addColumn: 'add_column',
  addColumns: 'add_column',
  alterColumn: 'alter_column (type, nullable, default)',
  dropColumn: 'drop_column',
  dropColumns: 'drop_column',
  renameColumn: 'alter_column (rename)',
  createIndex: 'create_index',
  addIndex: 'create_index',
  dropIndex: 'drop_index',
  addConstraint: 'add_constraint',
  createConstraint: 'add_constraint',
  dropConstraint: 'drop_constraint',
} as const satisfies Understood;

type Expression = TsNs.Expression;
type Base = ReturnType<Walker['base']>;

interface Named {
  table: string | null;
  schema: string | null;
}

/** A table name: a string or `{ schema, name }`. */
function tableName(src: Src, e: Expression | undefined, consts: Consts): Named {
  const s = stringValue(src, e, consts);
  if (s !== null) return { table: s, schema: null };
  const p = objectProps(src.t, e);
  if (p) return { table: stringValue(src, p.get('name'), consts), schema: stringValue(src, p.get('schema'), consts) };
  return { table: null, schema: null };
}

/** `references: 'users'`, `'users(id)'`, `'"app"."users"'`, `{ schema, name }`. */
function reference(src: Src, e: Expression | undefined, consts: Consts): { table: string | null; columns: string[] } {
  const s = stringValue(src, e, consts);
  if (s === null) return { table: tableName(src, e, consts).table, columns: [] };
  const m = /^\s*([^()]+?)\s*(?:\(([^)]*)\))?\s*$/.exec(s);
  if (!m) return { table: s, columns: [] };
  const strip = (x: string) => x.trim().replace(/"/g, '');
  return { table: strip(m[1]!), columns: m[2] ? m[2].split(',').map(strip) : [] };
}

const SERIAL = /^(small|big)?serial\d?$/i;

class PgmHandler implements Handler {
  constructor(
    readonly src: Src,
    readonly shorthands: Map<string, Expression>,
  ) {}

  /** A column definition (object or type/shorthand string) → its spec and its REFERENCES, if any. */
  column(name: string | null, e: Expression, w: Walker, loc: ColumnSpec['loc'], depth = 0): { spec: ColumnSpec; ref: (ReturnType<typeof reference> & { onDelete: string | null; onUpdate: string | null }) | null } {
    const src = this.src;
    const t = src.t;
    const s = stringValue(src, e, w.consts);
    if (s !== null) {
      const sh = this.shorthands.get(s);
      if (sh && depth < 4) return this.column(name, sh, w, loc, depth + 1);
      if (s === 'id') return { spec: { name, type: 'serial', nullable: false, serverDefault: null, clientDefault: false, primaryKey: true, unique: false, generated: true, loc }, ref: null };
      return { spec: { name, type: s, nullable: SERIAL.test(s) ? false : null, serverDefault: null, clientDefault: false, primaryKey: false, unique: false, generated: SERIAL.test(s), loc }, ref: null };
    }
    const p = objectProps(t, e) ?? new Map<string, Expression>();
    let type = p.get('type') ? (stringValue(src, p.get('type'), w.consts) ?? src.textOf(p.get('type')!)) : null;
    // A shorthand used as a type: its definition, overridden by the properties given here.
    let inherited: ColumnSpec | null = null;
    if (type !== null && this.shorthands.has(type) && depth < 4) {
      inherited = this.column(name, this.shorthands.get(type)!, w, loc, depth + 1).spec;
      type = inherited.type;
    }
    const primary = boolValue(t, p.get('primaryKey')) ?? inherited?.primaryKey ?? false;
    const notNull = boolValue(t, p.get('notNull'));
    const serial = type !== null && SERIAL.test(type);
    const generated = serial || p.has('sequenceGenerated') || p.has('generated') || (inherited?.generated ?? false);
    const def = p.get('default');
    return {
      spec: {
        name,
        type,
        nullable: notNull !== null ? !notNull : primary || serial ? false : (inherited?.nullable ?? null),
        serverDefault: def ? this.defaultOf(def, w) : (inherited?.serverDefault ?? null),
        clientDefault: false,
        primaryKey: primary,
        unique: boolValue(t, p.get('unique')) ?? inherited?.unique ?? false,
        generated,
        loc,
      },
      ref: p.has('references')
        ? { ...reference(src, p.get('references'), w.consts), onDelete: stringValue(src, p.get('onDelete'), w.consts), onUpdate: stringValue(src, p.get('onUpdate'), w.consts) }
        : null,
    };
  }

  /** `default: pgm.func('now()')` is SQL; a JS value is a literal (node-pg-migrate escapes it). */
  defaultOf(e: Expression, w: Walker): DefaultSpec {
    const t = this.src.t;
    const u = unwrap(t, e);
    if (t.isCallExpression(u) && /(^|\.)(func|create)$/.test(this.src.textOf(u.expression))) {
      const sql = stringValue(this.src, u.arguments[0], w.consts);
      return { text: this.src.textOf(u), sql, kind: sql === null ? 'unknown' : 'expression' };
    }
    return jsDefault(this.src, e, w.consts);
  }

  /** The entries of a columns object: name, definition, location. */
  private columns(e: Expression | undefined): { name: string | null; def: Expression; node: TsNs.Node }[] {
    const t = this.src.t;
    if (!e) return [];
    const u = unwrap(t, e);
    if (!t.isObjectLiteralExpression(u)) return [];
    const out: { name: string | null; def: Expression; node: TsNs.Node }[] = [];
    for (const p of u.properties) {
      if (t.isPropertyAssignment(p)) out.push({ name: propName(t, p.name), def: p.initializer, node: p });
      else if (t.isShorthandPropertyAssignment(p)) out.push({ name: p.name.text, def: p.name, node: p });
    }
    return out;
  }

  call(chain: Chain, _kind: string, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const t = src.t;
    const links = chain.links;
    const l = links[0];
    if (!l) return;
    // pgm.db.query(...) / pgm.db.select(...): SQL run at once.
    if (l.name === 'db' && !l.call) {
      const q = links[1];
      if (q?.call && (q.name === 'query' || q.name === 'select')) return w.sql(q.call, ctx, `${chain.root}.db.${q.name}`, q.args[0]);
      if (q?.call) w.unknown(q.call, ctx, src.short(q.call.expression), `${chain.root}.db.${q.name}() is not an operation migralint understands`);
      return;
    }
    if (!l.call) return;
    if (links.length > 1 && l.name !== 'func') {
      w.unknown(chain.call, ctx, src.short(chain.call.expression), `${chain.root}.${l.name}(...).${links[links.length - 1]!.name} is not an operation migralint understands`);
      return;
    }
    const a = l.args;
    const callee = `${chain.root}.${l.name}`;
    const base = w.base(l.call, ctx, callee);
    const str = (i: number) => stringValue(src, a[i], w.consts);
    const opts = (i: number) => objectProps(t, a[i]) ?? new Map<string, Expression>();
    const { table, schema } = tableName(src, a[0], w.consts);
    const known = understood(PGM_METHODS, l.name);
    switch (known) {
      case 'func':
      case 'noTransaction':
        return; // a value; the transaction mode is read before the walk
      case 'sql':
        return this.sql(l.call, ctx, callee, a, w);
      case 'createTable': {
        const constraints: Extract<Operation, { kind: 'create_table' }>['constraints'] = [];
        const columns: ColumnSpec[] = [];
        for (const c of this.columns(a[1])) {
          const { spec, ref } = this.column(c.name, c.def, w, src.loc(c.node));
          columns.push(spec);
          if (ref) {
            constraints.push({ type: 'foreign_key', name: null, loc: spec.loc, referredTable: ref.table, columns: spec.name === null ? [] : [spec.name], referredColumns: ref.columns, onDelete: ref.onDelete, onUpdate: ref.onUpdate, inline: true });
          }
        }
        const cons = objectProps(t, opts(2).get('constraints'));
        for (const c of this.constraintSpec(cons, base, table, schema, null, w)) {
          constraints.push({ type: c.constraintType, name: c.name, loc: c.loc, columns: c.columns, referredTable: c.referredTable, referredColumns: c.referredColumns, condition: c.condition });
        }
        w.ops.push({ ...base, kind: 'create_table', table, schema, columns, constraints, ...(boolValue(t, opts(2).get('ifNotExists')) === true ? { ifNotExists: true } : {}) });
        return;
      }
      case 'dropTable':
        w.ops.push({
          ...base,
          kind: 'drop_table',
          table,
          schema,
          ...(boolValue(t, opts(1).get('ifExists')) === true ? { ifExists: true } : {}),
          ...(boolValue(t, opts(1).get('cascade')) === true ? { cascade: true } : {}),
        });
        return;
      case 'renameTable':
        w.ops.push({ ...base, kind: 'rename_table', table, schema, newName: str(1) });
        return;
      case 'addColumn':
      case 'addColumns':
        for (const c of this.columns(a[1])) {
          const { spec, ref } = this.column(c.name, c.def, w, src.loc(c.node));
          const at = { ...base, loc: spec.loc };
          w.ops.push({ ...at, kind: 'add_column', table, schema, column: spec });
          if (ref) {
            const fk = constraintOp(at, 'foreign_key', null, table, schema, [spec.name ?? '?'], ref.table, ref.columns);
            if (ref.onDelete) fk.onDelete = ref.onDelete;
            if (ref.onUpdate) fk.onUpdate = ref.onUpdate;
            w.ops.push(fk);
          }
        }
        return;
      case 'alterColumn': {
        const p = opts(2);
        const notNull = boolValue(t, p.get('notNull'));
        const allowNull = boolValue(t, p.get('allowNull'));
        const nullable = notNull !== null ? !notNull : allowNull;
        const type = p.get('type') ? (stringValue(src, p.get('type'), w.consts) ?? src.textOf(p.get('type')!)) : null;
        const def = p.get('default');
        w.ops.push({
          ...base,
          kind: 'alter_column',
          table,
          schema,
          column: str(1),
          ...(nullable !== null ? { nullable } : {}),
          ...(type !== null ? { type } : {}),
          ...(def ? { serverDefault: unwrap(t, def).kind === t.SyntaxKind.NullKeyword ? null : this.defaultOf(def, w) } : {}),
          ...(p.has('using') ? { using: stringValue(src, p.get('using'), w.consts) } : {}),
          existingType: null,
          existingNullable: null,
        });
        return;
      }
      case 'dropColumn':
      case 'dropColumns': {
        const u = a[1] ? unwrap(t, a[1]) : null;
        const cols = u && t.isObjectLiteralExpression(u) ? this.columns(u).map((c) => c.name ?? '?') : stringList(src, a[1], w.consts);
        for (const c of cols) w.ops.push({ ...base, kind: 'drop_column', table, schema, column: c });
        return;
      }
      case 'renameColumn':
        w.ops.push({ ...base, kind: 'alter_column', table, schema, column: str(1), newName: str(2), existingType: null, existingNullable: null });
        return;
      case 'createIndex':
      case 'addIndex': {
        const p = opts(2);
        const columns = this.indexColumns(a[1], w);
        const unique = boolValue(t, p.get('unique')) === true;
        w.ops.push({
          ...base,
          kind: 'create_index',
          name: this.indexName(p, table, columns, unique, w),
          table,
          schema,
          columns,
          unique,
          concurrently: boolValue(t, p.get('concurrently')) === true,
          ifNotExists: boolValue(t, p.get('ifNotExists')) === true,
          method: stringValue(src, p.get('method'), w.consts),
          where: stringValue(src, p.get('where'), w.consts),
        });
        return;
      }
      case 'dropIndex': {
        const p = opts(2);
        const columns = this.indexColumns(a[1], w);
        w.ops.push({
          ...base,
          kind: 'drop_index',
          name: this.indexName(p, table, columns, boolValue(t, p.get('unique')) === true, w),
          table,
          schema,
          concurrently: boolValue(t, p.get('concurrently')) === true,
          ifExists: boolValue(t, p.get('ifExists')) === true,
        });
        return;
      }
      case 'addConstraint':
      case 'createConstraint': {
        const name = str(1);
        const spec = a[2] ? unwrap(t, a[2]) : undefined;
        const raw = spec ? readText(src, spec, w.consts) : null;
        if (raw) {
          const s = raw.sql;
          const type: ConstraintType = /^\s*FOREIGN\s+KEY/i.test(s) ? 'foreign_key' : /^\s*CHECK/i.test(s) ? 'check' : /^\s*UNIQUE/i.test(s) ? 'unique' : /^\s*PRIMARY\s+KEY/i.test(s) ? 'primary_key' : 'unknown';
          const cols = /^[^(]*\(([^)]*)\)/.exec(s)?.[1]?.split(',').map((x) => x.trim().replace(/"/g, '')) ?? [];
          const ref = /REFERENCES\s+([^\s(]+)\s*(?:\(([^)]*)\))?/i.exec(s);
          const op = constraintOp(base, type, name, table, schema, type === 'check' ? [] : cols, ref ? ref[1]!.replace(/"/g, '') : null, ref?.[2] ? ref[2].split(',').map((x) => x.trim().replace(/"/g, '')) : []);
          op.condition = type === 'check' ? (/^\s*CHECK\s*\(([\s\S]*)\)[^)]*$/i.exec(s)?.[1] ?? s) : null;
          op.notValid = /\bNOT\s+VALID\b/i.test(s);
          w.ops.push(op);
          return;
        }
        const ops = this.constraintSpec(objectProps(t, spec), base, table, schema, name, w, false);
        if (ops.length === 0) w.unknown(l.call, ctx, callee, `${callee}() with a specification migralint cannot read`);
        w.ops.push(...ops);
        return;
      }
      case 'dropConstraint':
        w.ops.push({ ...base, kind: 'drop_constraint', name: str(1), table, schema, constraintType: null });
        return;
      case undefined:
        w.unknown(l.call, ctx, callee, `${callee}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  /** `{ primaryKey, unique, foreignKeys, check }` → one add_constraint each. */
  private constraintSpec(p: Map<string, Expression> | null, base: Base, table: string | null, schema: string | null, name: string | null, w: Walker, locate = true): Extract<Operation, { kind: 'add_constraint' }>[] {
    if (!p) return [];
    const src = this.src;
    const t = src.t;
    const out: Extract<Operation, { kind: 'add_constraint' }>[] = [];
    const items = (e: Expression | undefined): Expression[] => {
      if (!e) return [];
      const u = unwrap(t, e);
      return t.isArrayLiteralExpression(u) ? [...u.elements] : [u];
    };
    const at = (e: Expression) => (locate ? { ...base, loc: src.loc(e) } : base);
    if (p.has('primaryKey')) out.push(constraintOp(at(p.get('primaryKey')!), 'primary_key', name, table, schema, stringList(src, p.get('primaryKey'), w.consts), null, []));
    const uniq = p.get('unique');
    if (uniq) {
      const u = unwrap(t, uniq);
      // `unique: ['a', 'b']` is one constraint on two columns; `unique: [['a'], ['b']]` two.
      const groups = t.isArrayLiteralExpression(u) && u.elements.some((x) => t.isArrayLiteralExpression(unwrap(t, x))) ? [...u.elements] : [u];
      for (const g of groups) out.push(constraintOp(at(g), 'unique', name, table, schema, stringList(src, g, w.consts), null, []));
    }
    for (const fk of items(p.get('foreignKeys'))) {
      const f = objectProps(t, fk);
      const ref = reference(src, f?.get('references'), w.consts);
      const cols = f?.get('referencesColumns') ? stringList(src, f.get('referencesColumns'), w.consts) : ref.columns;
      out.push(constraintOp(at(fk), 'foreign_key', name, table, schema, stringList(src, f?.get('columns'), w.consts), ref.table, cols));
    }
    for (const c of items(p.get('check'))) {
      const op = constraintOp(at(c), 'check', name, table, schema, [], null, []);
      op.condition = stringValue(src, c, w.consts) ?? src.textOf(c);
      out.push(op);
    }
    return out;
  }

  private indexColumns(e: Expression | undefined, w: Walker): string[] {
    const t = this.src.t;
    if (!e) return [];
    const u = unwrap(t, e);
    const one = (x: Expression) => {
      const p = objectProps(t, x);
      return p ? (stringValue(this.src, p.get('name'), w.consts) ?? this.src.textOf(x)) : (stringValue(this.src, x, w.consts) ?? this.src.textOf(x));
    };
    return t.isArrayLiteralExpression(u) ? u.elements.map(one) : [one(u)];
  }

  /** The name node-pg-migrate gives an index: `name`, or `<table>_<cols>[_unique]_index`. */
  private indexName(p: Map<string, Expression>, table: string | null, columns: string[], unique: boolean, w: Walker): string | null {
    if (p.has('name')) return stringValue(this.src, p.get('name'), w.consts);
    if (table === null || columns.length === 0) return null;
    return `${table}_${columns.join('_')}${unique ? '_unique' : ''}_index`;
  }

  /** pgm.sql(text, args): `{name}` placeholders replaced from args are holes. */
  private sql(call: TsNs.CallExpression, ctx: Ctx, callee: string, a: readonly Expression[], w: Walker): void {
    const before = w.ops.length;
    w.sql(call, ctx, callee, a[0]);
    const op = w.ops[before];
    if (!a[1] || !op || op.kind !== 'execute_sql' || !op.offsets) return;
    const names = new Set(objectProps(this.src.t, a[1])?.keys() ?? []);
    let sql = '';
    const offs: number[] = [];
    const holes: [number, number][] = [];
    const oldHoles = op.holes ?? [];
    let i = 0;
    const re = /\{(\w+)\}/g;
    for (let m = re.exec(op.sql); m; m = re.exec(op.sql)) {
      if (!names.has(m[1]!)) continue;
      for (; i < m.index; i++) {
        if (oldHoles.some(([s]) => s === i)) holes.push([sql.length, sql.length + 2]);
        sql += op.sql[i];
        offs.push(op.offsets[i]!);
      }
      holes.push([sql.length, sql.length + 2]);
      sql += '{}';
      offs.push(op.offsets[m.index]!, op.offsets[m.index + m[0].length - 1]!);
      i = m.index + m[0].length;
    }
    for (; i < op.sql.length; i++) {
      if (oldHoles.some(([s]) => s === i)) holes.push([sql.length, sql.length + 2]);
      sql += op.sql[i];
      offs.push(op.offsets[i]!);
    }
    op.sql = sql;
    op.offsets = Int32Array.from(offs);
    op.holes = holes;
    op.hasHoles = holes.length > 0;
  }
}

function constraintOp(base: Base, type: ConstraintType, name: string | null, table: string | null, schema: string | null, columns: string[], referredTable: string | null, referredColumns: string[]): Extract<Operation, { kind: 'add_constraint' }> {
  return { ...base, kind: 'add_constraint', constraintType: type, name, table, schema, columns, referredTable, referredColumns, condition: null, notValid: false };
}

/** `<param>.noTransaction()` anywhere in the function. */
function callsNoTransaction(src: Src, f: FnNode): TsNs.Node | null {
  const t = src.t;
  const p = paramNames(t, f)[0];
  if (!p) return null;
  let found: TsNs.Node | null = null;
  const visit = (n: TsNs.Node) => {
    if (found) return;
    if (t.isCallExpression(n)) {
      const c = chainOf(t, n);
      if (c && c.root === p && c.links.length === 1 && c.links[0]!.name === 'noTransaction') found = n;
    }
    t.forEachChild(n, visit);
  };
  if (f.body) visit(f.body);
  return found;
}

/** What node-pg-migrate runs for `down` when none is exported: each reversible step undone, last first. */
function reversed(ups: Operation[]): Operation[] | null {
  const out: Operation[] = [];
  for (const op of [...ups].reverse()) {
    const base = { ...op, callee: `${op.callee} (reversed)` };
    switch (op.kind) {
      case 'create_table':
        out.push({ ...pick(base), kind: 'drop_table', table: op.table, schema: op.schema });
        break;
      case 'rename_table':
        out.push({ ...pick(base), kind: 'rename_table', table: op.newName, newName: op.table, schema: op.schema });
        break;
      case 'add_column':
        out.push({ ...pick(base), kind: 'drop_column', table: op.table, schema: op.schema, column: op.column.name });
        break;
      case 'alter_column':
        if (op.newName === undefined || op.nullable !== undefined || op.type !== undefined || op.serverDefault !== undefined) return null;
        out.push({ ...pick(base), kind: 'alter_column', table: op.table, schema: op.schema, column: op.newName, newName: op.column, existingType: null, existingNullable: null });
        break;
      case 'create_index':
        out.push({ ...pick(base), kind: 'drop_index', name: op.name, table: op.table, schema: op.schema, concurrently: op.concurrently, ifExists: op.ifNotExists });
        break;
      case 'add_constraint':
        // add_column's inline REFERENCES goes with its column.
        if (ups.some((u) => u.kind === 'add_column' && u.loc === op.loc)) break;
        out.push({ ...pick(base), kind: 'drop_constraint', name: op.name, table: op.table, schema: op.schema, constraintType: op.constraintType });
        break;
      default:
        return null;
    }
  }
  return out;
}

function pick(o: Operation) {
  return { loc: o.loc, conditional: o.conditional, repeated: o.repeated, transactional: o.transactional, batch: o.batch, via: o.via, callee: o.callee };
}

export function readNodePgMigrate(src: Src, shape: ModuleShape, m: Migration): void {
  const t = src.t;
  const fnOf = (key: string) => {
    const e = shape.exports.get(key);
    return e && isFn(t, e.value) ? e.value : null;
  };
  const up = fnOf('up');
  const down = fnOf('down');
  const noTx = up ? callsNoTransaction(src, up) : null;
  if (noTx) {
    m.transaction = { mode: 'none', reason: 'node-pg-migrate: pgm.noTransaction() (the migration runs outside any transaction)', file: m.file, loc: src.loc(noTx) };
  } else {
    m.transaction = { mode: 'single', reason: 'node-pg-migrate runs all pending migrations in one transaction (singleTransaction, the default)', file: null, loc: null };
  }
  const shorthands = new Map<string, Expression>();
  const sh = shape.exports.get('shorthands');
  const shProps = sh && !isFn(t, sh.value) ? objectProps(t, sh.value as Expression) : null;
  for (const [k, v] of shProps ?? []) shorthands.set(k, v);
  const read = (f: FnNode) => (fn: FnNode) => {
    const w = new Walker(src, new PgmHandler(src, shorthands), shape.consts, shape.functions);
    const p = paramNames(t, fn)[0];
    const roots = new Map<string, string>();
    if (p) roots.set(p, 'pgm');
    const transactional = callsNoTransaction(src, f) === null && m.transaction.mode !== 'none';
    w.fn(fn, { conditional: false, repeated: false, transactional, via: null, roots, depth: 0 });
    return w.ops;
  };
  m.upgrade = readBody(src, up, up, up ? read(up) : () => []);
  const d = shape.exports.get('down');
  if (d && !down && boolValue(t, d.value as Expression) === false) {
    // `exports.down = false`: declared irreversible; node-pg-migrate refuses to migrate down.
    m.downgrade = { shape: 'raises', loc: src.loc(d.at), operations: [] };
  } else if (down) {
    m.downgrade = readBody(src, down, down, read(down));
  } else if (!d && m.upgrade.shape === 'operations') {
    const ops = reversed(m.upgrade.operations);
    const body: Body = ops ? { shape: 'operations', loc: m.upgrade.loc, operations: ops } : { shape: 'raises', loc: m.upgrade.loc, operations: [] };
    m.downgrade = body;
  } else {
    m.downgrade = readBody(src, null, null, () => []);
  }
}
