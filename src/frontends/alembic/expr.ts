// Small readers over Python expression nodes, shared by the Alembic front end's modules.
import type { Expr, ExprNode, Keyword } from './python.js';

/** `a.b.c` for a Name/Attribute chain; null for anything else. */
export function dotted(e: ExprNode | undefined): string | null {
  if (!e) return null;
  if (e.nodeType === 'Name') return e.id;
  if (e.nodeType === 'Attribute') {
    const base = dotted(e.value);
    return base === null ? null : `${base}.${e.attr}`;
  }
  return null;
}

/** The last name of a callee: `c` for `a.b.c`, `x()` → `x`, and `attr` for `(expr).attr`. */
export function calleeName(func: ExprNode): string | null {
  if (func.nodeType === 'Name') return func.id;
  if (func.nodeType === 'Attribute') return func.attr;
  return null;
}

/** The root Name of a Name/Attribute chain (`sa` for `sa.orm.Session`). */
export function rootName(e: ExprNode): string | null {
  let cur: ExprNode = e;
  while (cur.nodeType === 'Attribute') cur = cur.value;
  return cur.nodeType === 'Name' ? cur.id : null;
}

/** A short rendering of a callee: `op.add_column`, `session.query().filter().update`. */
export function calleeText(e: ExprNode, depth = 0): string {
  if (depth > 8) return '…';
  switch (e.nodeType) {
    case 'Name':
      return e.id;
    case 'Attribute':
      return `${calleeText(e.value, depth + 1)}.${e.attr}`;
    case 'Call':
      return `${calleeText(e.func, depth + 1)}()`;
    case 'Subscript':
      return `${calleeText(e.value, depth + 1)}[…]`;
    default:
      return '…';
  }
}

/** A string Constant (the brand keeps TypeScript from narrowing Constant away in the false branch). */
export type StringConst = Expr<'Constant'> & { readonly __stringConst: true };

export function isStringConst(e: ExprNode | null | undefined): e is StringConst {
  return !!e && e.nodeType === 'Constant' && typeof e.value === 'string' && e.quote_style !== undefined;
}

export function isNone(e: ExprNode | undefined): boolean {
  return !!e && e.nodeType === 'Constant' && e.value === null;
}

/** `...` (py-ast gives a Constant '...' with no quote style). */
export function isEllipsis(e: ExprNode | undefined): boolean {
  return !!e && e.nodeType === 'Constant' && e.value === '...' && e.quote_style === undefined;
}

export function boolConst(e: ExprNode | undefined): boolean | null {
  if (e && e.nodeType === 'Constant' && typeof e.value === 'boolean') return e.value;
  return null;
}

export function keyword(call: Expr<'Call'>, name: string): Keyword | undefined {
  for (const k of call.keywords) if (k.arg === name) return k;
  return undefined;
}

export function kwValue(call: Expr<'Call'>, name: string): ExprNode | undefined {
  return keyword(call, name)?.value;
}

/**
 * The argument bound to parameter `name` at position `index` (or passed by keyword). Positional
 * arguments after a `*args` starred argument are not trusted.
 */
export function argument(call: Expr<'Call'>, index: number, name: string): ExprNode | undefined {
  const byName = kwValue(call, name);
  if (byName) return byName;
  if (index < 0) return undefined;
  for (let k = 0; k <= index && k < call.args.length; k++) {
    if (call.args[k]!.nodeType === 'Starred') return undefined;
  }
  return call.args[index];
}

/** Calls `fn` for each child node of any node (fields holding a node or a list of nodes). */
export function forEachChild(node: object, fn: (child: ExprNode) => void): void {
  const rec = node as Record<string, unknown>;
  for (const key in rec) {
    if (key === 'nodeType' || key === 'ctx' || key === 'inlineComment') continue;
    const v = rec[key];
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const item of v) if (item && typeof item === 'object' && 'nodeType' in item) fn(item as ExprNode);
    } else if ('nodeType' in (v as object)) {
      fn(v as ExprNode);
    }
  }
}
