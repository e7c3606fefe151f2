// `sa.Column(...)` → ColumnSpec, and server defaults → DefaultSpec.
import type { ColumnSpec, DefaultSpec, Loc } from '../../model/types.js';
import { boolConst, calleeName, dotted, isNone, isStringConst, kwValue } from './expr.js';
import type { Expr, ExprNode } from './python.js';
import type { SourceText } from './text.js';
import { sqlTypeOf } from './types.js';

/** What the column reader needs from the body walker. */
export interface Reader {
  src: SourceText;
  /** Follows a Name to the one expression assigned to it, when there is exactly one. */
  deref(e: ExprNode): ExprNode;
  /** A literal name: a string, `op.f('x')`, `conv('x')`, or a variable holding one. */
  name(e: ExprNode | undefined): string | null;
}

/** Positional arguments of `Column(...)` that are not its type. */
const NON_TYPE_ARGS = new Set([
  'ForeignKey',
  'Sequence',
  'Identity',
  'Computed',
  'CheckConstraint',
  'DefaultClause',
  'FetchedValue',
  'UniqueConstraint',
]);

const SERIAL = /^(?:[\w.]*\.)?(?:BIG|SMALL)?SERIAL\b/i;

/** `sa.Column(...)` / `Column(...)` / `sqlalchemy.Column(...)`. */
export function isColumnCall(e: ExprNode): boolean {
  return e.nodeType === 'Call' && calleeName(e.func) === 'Column';
}

export interface ColumnRead {
  spec: ColumnSpec;
  /** Inline `sa.ForeignKey(...)` arguments; `target` is the referenced `table.column` as written. */
  foreignKeys: { name: string | null; target: string | null; loc: Loc; onDelete: string | null; onUpdate: string | null }[];
  /** `index=True`: SQLAlchemy creates a separate index for the column. */
  index: boolean;
}

/** Reads `sa.Column(...)`; `loc` is the call's. */
export function readColumn(call: Expr<'Call'>, r: Reader): ColumnRead {
  const src = r.src;
  const args = call.args.filter((a) => a.nodeType !== 'Starred');
  let name: string | null = null;
  let idx = 0;
  const first = args[0];
  if (first) {
    const d = r.deref(first);
    if (isStringConst(d)) {
      name = d.value as string;
      idx = 1;
    } else if (args.length >= 2 || first.nodeType === 'Name') {
      // `Column(col_name, sa.Integer)`: a variable name.
      name = r.name(first);
      idx = 1;
    }
  }
  let typeNode: ExprNode | undefined = kwValue(call, 'type_');
  let generated = false;
  let generatedSql: string | null | undefined;
  const foreignKeys: ColumnRead['foreignKeys'] = [];
  for (let k = idx; k < args.length; k++) {
    const a = args[k]!;
    const callee = a.nodeType === 'Call' ? calleeName(a.func) : null;
    if (callee && NON_TYPE_ARGS.has(callee)) {
      if (callee === 'Identity' || callee === 'Computed') {
        generated = true;
        if (a.nodeType === 'Call') generatedSql = callee === 'Identity' ? identitySql(a, r) : computedSql(a, r);
      }
      if (callee === 'ForeignKey' && a.nodeType === 'Call') {
        const t = a.args[0] ? r.deref(a.args[0]) : undefined;
        foreignKeys.push({
          name: r.name(kwValue(a, 'name')),
          target: t && isStringConst(t) ? (t.value as string) : null,
          loc: src.loc(a),
          onDelete: r.name(kwValue(a, 'ondelete')),
          onUpdate: r.name(kwValue(a, 'onupdate')),
        });
      }
      continue;
    }
    if (!typeNode) typeNode = a;
  }
  const type = typeNode ? src.segment(typeNode) : null;
  const sqlType = typeNode ? sqlTypeOf(typeNode, r.deref) : { sql: null, enumType: null };
  if (type && SERIAL.test(type)) generated = true;

  const primaryKey = boolConst(deref(r, kwValue(call, 'primary_key'))) === true;
  const nullableNode = kwValue(call, 'nullable');
  let nullable: boolean | null = nullableNode ? boolConst(deref(r, nullableNode)) : null;
  if (!nullableNode && primaryKey) nullable = false;
  const unique = boolConst(deref(r, kwValue(call, 'unique'))) === true;
  const sd = kwValue(call, 'server_default');
  const serverDefault = sd ? readDefault(sd, r) : null;
  const def = kwValue(call, 'default');
  const clientDefault = !!def && !isNone(def);
  const auto = kwValue(call, 'autoincrement');
  const autoValue = auto ? boolConst(deref(r, auto)) : null;
  if (autoValue === true) generated = true;
  // An integer primary key without autoincrement=False is rendered as SERIAL on PostgreSQL.
  if (primaryKey && autoValue !== false && type && /\b(?:Small|Big)?Integer\b|\bINTEGER\b|\bBIGINT\b/.test(type)) generated = true;
  return {
    spec: {
      name,
      type,
      sqlType: sqlType.sql,
      ...(sqlType.enumType ? { enumType: sqlType.enumType } : {}),
      ...(generatedSql !== undefined ? { generatedSql } : {}),
      ...(kwValue(call, 'comment') ? { comment: literalString(kwValue(call, 'comment'), r) } : {}),
      nullable,
      serverDefault,
      clientDefault,
      primaryKey,
      unique,
      generated,
      loc: src.loc(call),
    },
    foreignKeys,
    index: boolConst(deref(r, kwValue(call, 'index'))) === true,
  };
}

/** A string literal (or a name holding one); null otherwise. */
export function literalString(e: ExprNode | undefined, r: Reader): string | null {
  const d = e ? r.deref(e) : undefined;
  return isStringConst(d) ? (d.value as string) : null;
}

/** `sa.Identity(always=..., start=..., increment=...)` as SQLAlchemy writes it; null for options it does not read. */
function identitySql(call: Expr<'Call'>, r: Reader): string | null {
  if (call.args.length > 0) return null;
  let always = false;
  const options: string[] = [];
  const num = (e: ExprNode): string | null => {
    const d = r.deref(e);
    if (d.nodeType === 'Constant' && typeof d.value === 'number') return String(d.value);
    if (d.nodeType === 'UnaryOp' && d.op.nodeType === 'USub' && d.operand.nodeType === 'Constant' && typeof d.operand.value === 'number') return `-${d.operand.value}`;
    return null;
  };
  const values: Record<string, string> = {};
  for (const k of call.keywords) {
    if (k.arg === 'always') {
      const b = boolConst(r.deref(k.value));
      if (b === null) return null;
      always = b;
    } else if (k.arg === 'increment' || k.arg === 'start') {
      const n = num(k.value);
      if (n === null) return null;
      values[k.arg] = n;
    } else return null;
  }
  // SQLAlchemy's order: INCREMENT BY before START WITH.
  if (values.increment !== undefined) options.push(`INCREMENT BY ${values.increment}`);
  if (values.start !== undefined) options.push(`START WITH ${values.start}`);
  return `GENERATED ${always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${options.length > 0 ? ` (${options.join(' ')})` : ''}`;
}

/** `sa.Computed("a + b", persisted=True)`: PostgreSQL stores every generated column. */
function computedSql(call: Expr<'Call'>, r: Reader): string | null {
  const text = call.args[0] ?? kwValue(call, 'sqltext');
  const d = text ? r.deref(text) : undefined;
  let sql: string | null = null;
  if (isStringConst(d)) sql = d.value as string;
  else if (d && d.nodeType === 'Call' && calleeName(d.func) === 'text' && d.args[0]) sql = literalString(d.args[0], r);
  return sql === null ? null : `GENERATED ALWAYS AS (${sql}) STORED`;
}

function deref(r: Reader, e: ExprNode | undefined): ExprNode | undefined {
  return e ? r.deref(e) : undefined;
}

/** A column spec for something that is not a readable `Column(...)` call (a variable, a helper call). */
export function opaqueColumn(e: ExprNode, src: SourceText): ColumnSpec {
  return {
    name: null,
    type: null,
    sqlType: null,
    nullable: null,
    serverDefault: null,
    clientDefault: false,
    primaryKey: false,
    unique: false,
    generated: false,
    loc: src.loc(e),
  };
}

export function quoteSql(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const TEXT_FUNCS = new Set(['text', 'literal_column']);

/** A server default; null when the expression is `None` (no default / drop the default). */
export function readDefault(e: ExprNode, r: Reader): DefaultSpec | null {
  const text = r.src.segment(e);
  const d = r.deref(e);
  if (isNone(d)) return null;
  if (d.nodeType === 'Constant') {
    if (isStringConst(d)) return { text, sql: quoteSql(d.value as string), kind: 'literal' };
    if (typeof d.value === 'number' || typeof d.value === 'bigint') return { text, sql: String(d.value), kind: 'literal' };
    if (typeof d.value === 'boolean') return { text, sql: d.value ? 'true' : 'false', kind: 'literal' };
    return { text, sql: null, kind: 'unknown' };
  }
  if (d.nodeType === 'Call') {
    const callee = calleeName(d.func);
    if (callee && TEXT_FUNCS.has(callee)) {
      const a = d.args[0] ? r.deref(d.args[0]) : undefined;
      return { text, sql: isStringConst(a) ? (a.value as string) : null, kind: 'expression' };
    }
    if ((callee === 'false' || callee === 'true' || callee === 'null') && d.args.length === 0) {
      return { text, sql: callee, kind: 'literal' };
    }
    if ((callee === 'literal' || callee === 'inline_literal') && d.args[0]) {
      return { text, sql: renderSqlValue(r.deref(d.args[0]), r), kind: 'literal' };
    }
    if (callee === 'DefaultClause' && d.args[0]) {
      const inner = readDefault(d.args[0], r);
      return inner ? { ...inner, text } : null;
    }
    const fn = funcName(d.func);
    if (fn) return { text, sql: renderFunc(d, fn, r), kind: 'expression' };
  }
  return { text, sql: null, kind: 'unknown' };
}

/** `now` for `sa.func.now` / `func.now`, `current_timestamp` for `sa.func.current_timestamp`. */
function funcName(func: ExprNode): string | null {
  const name = dotted(func);
  if (!name) return null;
  let rest: string;
  if (name.startsWith('func.')) rest = name.slice(5);
  else {
    const i = name.indexOf('.func.');
    if (i < 0) return null;
    rest = name.slice(i + 6);
  }
  return rest.length > 0 ? rest : null;
}

function renderFunc(call: Expr<'Call'>, fn: string, r: Reader): string | null {
  const parts: string[] = [];
  for (const a of call.args) {
    const s = renderSqlValue(r.deref(a), r);
    if (s === null) return null;
    parts.push(s);
  }
  return `${fn}(${parts.join(', ')})`;
}

/** SQL for a simple Python value or SQLAlchemy construct; null when unknown. */
function renderSqlValue(e: ExprNode, r: Reader): string | null {
  if (e.nodeType === 'Constant') {
    if (isStringConst(e)) return quoteSql(e.value as string);
    if (e.value === null) return 'NULL';
    if (typeof e.value === 'boolean') return e.value ? 'true' : 'false';
    if (typeof e.value === 'number' || typeof e.value === 'bigint') return String(e.value);
    return null;
  }
  if (e.nodeType === 'UnaryOp' && e.op.nodeType === 'USub' && e.operand.nodeType === 'Constant') {
    const v = renderSqlValue(e.operand, r);
    return v === null ? null : `-${v}`;
  }
  if (e.nodeType === 'Call') {
    const callee = calleeName(e.func);
    if (callee && TEXT_FUNCS.has(callee)) {
      const a = e.args[0] ? r.deref(e.args[0]) : undefined;
      return isStringConst(a) ? (a.value as string) : null;
    }
    const fn = funcName(e.func);
    if (fn) return renderFunc(e, fn, r);
  }
  return null;
}
