// Shared machinery of the TypeScript/JavaScript front ends: loading ts-morph (lazily, only when a
// run meets TS/JS migrations), one in-memory Project reused across files, locations, string and
// template literals read as SQL with offsets and holes, the up/down functions in every export
// style, and a walker that hands each call on the framework object (knex, queryRunner, pgm...) to
// the framework's handler with its context (conditional, repeated, transactional, via).
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import type { ts as TsNs } from 'ts-morph';
import type { Body, Comment, DefaultSpec, Import, Loc, Migration, Operation, OperationBase, ParseError } from '../../model/types.js';
import { splitSql } from '../sql-text/split.js';

export type ts = typeof TsNs;
type Node = TsNs.Node;
type Expression = TsNs.Expression;
export type { TsNs };

let morph: typeof TsMorph | null = null;
let project: TsMorph.Project | null = null;

/** ts-morph (with its bundled TypeScript), loaded on first use. */
export function loadMorph(): typeof TsMorph {
  if (!morph) morph = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
  return morph;
}

function getProject(): TsMorph.Project {
  if (!project) {
    const m = loadMorph();
    project = new m.Project({
      useInMemoryFileSystem: true,
      skipAddingFilesFromTsConfig: true,
      compilerOptions: { allowJs: true, noLib: true },
    });
  }
  return project;
}

/** Parses `text`, hands the source file to `fn`, then removes it from the project (memory). */
export function withSource<T>(file: string, text: string, fn: (sf: TsNs.SourceFile, t: ts) => T): T {
  const p = getProject();
  // Any extension ts understands; the real name stays in the Migration.
  const ext = /\.(m|c)?js$/.test(file) ? '.js' : '.ts';
  const name = `/m${ext}`;
  const sf = p.createSourceFile(name, text, { overwrite: true });
  try {
    return fn(sf.compilerNode, loadMorph().ts);
  } finally {
    p.removeSourceFile(sf);
  }
}

// ---------------------------------------------------------------------------------------------
// Work budget

/** Thrown when reading one file takes longer than its budget; index.ts reports the file instead. */
export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
}

let deadline = Infinity;
let ticks = 0;

/** Runs `fn` with a deadline `ms` from now, which the walkers check (tick) as they go. */
export function withBudget<T>(ms: number, fn: () => T): T {
  const prev = deadline;
  deadline = Date.now() + ms;
  try {
    return fn();
  } finally {
    deadline = prev;
  }
}

/** Called once per node visited; checks the clock every 1024 calls. */
export function tick(): void {
  if ((++ticks & 1023) === 0 && Date.now() > deadline) throw new BudgetExceeded('reading the file took longer than its time budget');
}

// ---------------------------------------------------------------------------------------------
// Positions

export class Src {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly sf: TsNs.SourceFile,
    readonly t: ts,
  ) {}
  range(start: number, end: number): Loc {
    const a = this.sf.getLineAndCharacterOfPosition(start);
    const b = this.sf.getLineAndCharacterOfPosition(Math.max(start, end));
    return { line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
  }
  loc(node: Node): Loc {
    return this.range(node.getStart(this.sf), node.getEnd());
  }
  /** The source text of a node. */
  textOf(node: Node): string {
    return this.text.slice(node.getStart(this.sf), node.getEnd());
  }
  /** The text of a node shortened for messages (`knex.schema.alterTable`). */
  short(node: Node, max = 60): string {
    const s = this.textOf(node).replace(/\s+/g, ' ');
    return s.length > max ? s.slice(0, max - 1) + '…' : s;
  }
}

// ---------------------------------------------------------------------------------------------
// Strings and template literals

/** Text read from string literals, with the source offset of each character and the holes. */
export interface SqlText {
  sql: string;
  offsets: Int32Array;
  holes: [number, number][];
}

class TextBuilder {
  chars: string[] = [];
  offs: number[] = [];
  holes: [number, number][] = [];
  push(s: string, at: number): void {
    for (let i = 0; i < s.length; i++) {
      this.chars.push(s[i]!);
      this.offs.push(at);
    }
  }
  hole(at: number): void {
    const start = this.chars.length;
    this.chars.push('{', '}');
    this.offs.push(at, at + 1);
    this.holes.push([start, start + 2]);
  }
  done(): SqlText {
    return { sql: this.chars.join(''), offsets: Int32Array.from(this.offs), holes: this.holes };
  }
}

/** Appends the cooked value of the raw literal text [start, end) of `text` (escapes decoded). */
function scanRaw(text: string, start: number, end: number, b: TextBuilder): void {
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c !== '\\') {
      b.push(c, i);
      i++;
      continue;
    }
    const n = text[i + 1] ?? '';
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };
    if (n === '\n') {
      i += 2;
    } else if (n in simple) {
      b.push(simple[n]!, i);
      i += 2;
    } else if (n === 'x') {
      b.push(String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16) || 0), i);
      i += 4;
    } else if (n === 'u') {
      if (text[i + 2] === '{') {
        const close = text.indexOf('}', i);
        b.push(String.fromCodePoint(parseInt(text.slice(i + 3, close), 16) || 0), i);
        i = close + 1;
      } else {
        b.push(String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16) || 0), i);
        i += 6;
      }
    } else {
      b.push(n, i);
      i += 2;
    }
  }
}

/** Local `const NAME = '...'` declarations, for reading a string passed by name. */
export type Consts = Map<string, Expression>;

/**
 * `bound`: the template is tagged (sql`...` of slonik, Kysely, postgres.js): its `${value}`s are
 * bound parameters, not text, so even a constant string is a hole; a nested sql`...` fragment is
 * SQL and read as such.
 */
function appendText(src: Src, node: Expression, b: TextBuilder, consts: Consts, depth: number, bound = false): boolean {
  const t = src.t;
  const SK = t.SyntaxKind;
  const start = node.getStart(src.sf);
  switch (node.kind) {
    case SK.StringLiteral:
    case SK.NoSubstitutionTemplateLiteral:
      scanRaw(src.text, start + 1, node.getEnd() - 1, b);
      return true;
    case SK.TemplateExpression: {
      const te = node as TsNs.TemplateExpression;
      scanRaw(src.text, start + 1, te.head.getEnd() - 2, b);
      for (const span of te.templateSpans) {
        const e = span.expression;
        const lit = span.literal;
        // A constant string interpolated is read as its text; anything else is a hole.
        const inline = bound ? t.isTaggedTemplateExpression(e) && depth < 8 : isStringish(t, e) || t.isIdentifier(e);
        if (!(inline && appendText(src, e, b, consts, depth + 1))) b.hole(e.getStart(src.sf) - 2);
        const ls = lit.getStart(src.sf);
        const tail = lit.kind === SK.TemplateTail;
        scanRaw(src.text, ls + 1, lit.getEnd() - (tail ? 1 : 2), b);
      }
      return true;
    }
    case SK.TaggedTemplateExpression:
      return appendText(src, (node as TsNs.TaggedTemplateExpression).template, b, consts, depth, true);
    case SK.ParenthesizedExpression:
    case SK.AsExpression:
    case SK.SatisfiesExpression:
      return appendText(src, (node as TsNs.ParenthesizedExpression).expression, b, consts, depth);
    case SK.BinaryExpression: {
      // `'a' + 'b' + ...` is left-deep: its operands are read along the spine, not by recursion.
      const parts: Expression[] = [];
      let e: Expression = node;
      while (e.kind === SK.BinaryExpression) {
        const be = e as TsNs.BinaryExpression;
        if (be.operatorToken.kind !== SK.PlusToken) {
          if (e === node) return false;
          break;
        }
        parts.push(be.right);
        e = be.left;
      }
      parts.push(e);
      for (let i = parts.length - 1; i >= 0; i--) {
        const part = parts[i]!;
        tick();
        if (!appendText(src, part, b, consts, depth + 1)) b.hole(part.getStart(src.sf));
      }
      return true;
    }
    case SK.Identifier: {
      const init = consts.get((node as TsNs.Identifier).text);
      if (!init || depth > 4) return false;
      return appendText(src, init, b, consts, depth + 1);
    }
    default:
      return false;
  }
}

function isStringish(t: ts, e: Expression): boolean {
  const SK = t.SyntaxKind;
  return e.kind === SK.StringLiteral || e.kind === SK.NoSubstitutionTemplateLiteral;
}

/** The text of a string/template literal (or `+` concatenation, or a local constant); null when not text. */
export function readText(src: Src, node: Expression | undefined, consts: Consts): SqlText | null {
  if (!node) return null;
  const b = new TextBuilder();
  if (!appendText(src, node, b, consts, 0)) return null;
  return b.done();
}

/** A plain string value (no holes), e.g. a table name; null when not a literal. */
export function stringValue(src: Src, node: Expression | undefined, consts: Consts): string | null {
  const r = readText(src, node, consts);
  return r && r.holes.length === 0 ? r.sql : null;
}

// ---------------------------------------------------------------------------------------------
// Values

/** Unwraps parentheses, `as`, `!`, `await` and `satisfies`. */
export function unwrap(t: ts, e: Expression): Expression {
  const SK = t.SyntaxKind;
  for (;;) {
    if (e.kind === SK.ParenthesizedExpression || e.kind === SK.AsExpression || e.kind === SK.NonNullExpression || e.kind === SK.SatisfiesExpression || e.kind === SK.AwaitExpression || e.kind === SK.TypeAssertionExpression) {
      e = (e as TsNs.ParenthesizedExpression).expression;
    } else return e;
  }
}

export function boolValue(t: ts, e: Expression | undefined): boolean | null {
  if (!e) return null;
  const u = unwrap(t, e);
  if (u.kind === t.SyntaxKind.TrueKeyword) return true;
  if (u.kind === t.SyntaxKind.FalseKeyword) return false;
  return null;
}

/** The properties of an object literal, by name. */
export function objectProps(t: ts, e: Expression | undefined): Map<string, Expression> | null {
  if (!e) return null;
  const u = unwrap(t, e);
  if (!t.isObjectLiteralExpression(u)) return null;
  const out = new Map<string, Expression>();
  for (const p of u.properties) {
    if (t.isPropertyAssignment(p)) {
      const n = propName(t, p.name);
      if (n !== null) out.set(n, p.initializer);
    } else if (t.isShorthandPropertyAssignment(p)) out.set(p.name.text, p.name);
  }
  return out;
}

export function propName(t: ts, n: TsNs.PropertyName): string | null {
  if (t.isIdentifier(n) || t.isStringLiteral(n) || t.isNumericLiteral(n) || t.isPrivateIdentifier(n)) return n.text;
  return null;
}

/** The elements of an array literal as strings (non-literals as their source text); a lone string as one. */
export function stringList(src: Src, e: Expression | undefined, consts: Consts): string[] {
  if (!e) return [];
  const u = unwrap(src.t, e);
  if (src.t.isArrayLiteralExpression(u)) return u.elements.map((x) => stringValue(src, x, consts) ?? src.textOf(x));
  const s = stringValue(src, u, consts);
  return s === null ? [src.textOf(u)] : [s];
}

/** A default written as a JS value: a string/number/boolean literal, or something else. */
export function jsDefault(src: Src, e: Expression, consts: Consts, opts: { stringIsSql?: boolean } = {}): DefaultSpec {
  const t = src.t;
  const u = unwrap(t, e);
  const text = src.textOf(u);
  const s = stringValue(src, u, consts);
  if (s !== null) {
    if (opts.stringIsSql) return { text, sql: s, kind: /^\s*'.*'\s*$|^-?\d+(\.\d+)?$|^(true|false|null)$/i.test(s) ? 'literal' : 'expression' };
    return { text, sql: `'${s.replace(/'/g, "''")}'`, kind: 'literal' };
  }
  if (t.isNumericLiteral(u)) return { text, sql: u.text, kind: 'literal' };
  if (t.isPrefixUnaryExpression(u) && t.isNumericLiteral(u.operand)) return { text, sql: text, kind: 'literal' };
  if (u.kind === t.SyntaxKind.TrueKeyword || u.kind === t.SyntaxKind.FalseKeyword) return { text, sql: text, kind: 'literal' };
  if (u.kind === t.SyntaxKind.NullKeyword) return { text, sql: 'NULL', kind: 'literal' };
  return { text, sql: null, kind: 'unknown' };
}

// ---------------------------------------------------------------------------------------------
// Call chains

/** One step of a chain: `.name` (a property) or `.name(args)` (a call); the root call has name ''. */
export interface Link {
  name: string;
  call: TsNs.CallExpression | null;
  args: readonly Expression[];
  /** The expression up to and including this step. */
  node: Expression;
}

export interface Chain {
  /** The root identifier's name, or `this`. */
  root: string;
  rootNode: Expression;
  links: Link[];
  /** The outermost call. */
  call: TsNs.CallExpression;
}

/** `a.b(x).c.d(y)` → root `a`, links [b(x), c, d(y)]; null when the chain does not start at a name or `this`. */
export function chainOf(t: ts, call: TsNs.CallExpression): Chain | null {
  const links: Link[] = [];
  let e: Expression = call;
  for (;;) {
    if (t.isCallExpression(e)) {
      const callee: Expression = e.expression;
      if (t.isPropertyAccessExpression(callee)) {
        links.push({ name: callee.name.text, call: e, args: e.arguments, node: e });
        e = callee.expression;
      } else if (t.isIdentifier(callee) || callee.kind === t.SyntaxKind.ThisKeyword) {
        links.push({ name: '', call: e, args: e.arguments, node: e });
        e = callee;
      } else return null;
    } else if (t.isPropertyAccessExpression(e)) {
      links.push({ name: e.name.text, call: null, args: [], node: e });
      e = e.expression;
    } else if (t.isNonNullExpression(e) || t.isParenthesizedExpression(e)) {
      e = e.expression;
    } else if (t.isIdentifier(e)) {
      return { root: e.text, rootNode: e, links: links.reverse(), call };
    } else if (e.kind === t.SyntaxKind.ThisKeyword) {
      return { root: 'this', rootNode: e, links: links.reverse(), call };
    } else return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Walking a function body

export interface Ctx {
  conditional: boolean;
  repeated: boolean;
  transactional: boolean;
  via: string | null;
  /** Root names → kind (`knex`, `table`...), as the framework defines them. */
  roots: Map<string, string>;
  depth: number;
}

export interface Handler {
  /** A call whose chain starts at one of ctx.roots. */
  call(chain: Chain, kind: string, ctx: Ctx, w: Walker): void;
  /** Any other call; true when handled (e.g. sql`...`.execute(db)). */
  other?(call: TsNs.CallExpression, ctx: Ctx, w: Walker): boolean;
  /** A tagged template (postgres.js runs sql`...` when awaited); true when handled. */
  tagged?(node: TsNs.TaggedTemplateExpression, ctx: Ctx, w: Walker): boolean;
}

const LOOP_METHODS = new Set(['map', 'forEach', 'flatMap', 'reduce', 'filter', 'some', 'every', 'each', 'mapSeries']);

export class Walker {
  readonly ops: Operation[] = [];
  /** Function arguments a handler read itself (builder callbacks): not walked again. */
  readonly consumed = new Set<Node>();
  constructor(
    readonly src: Src,
    readonly handler: Handler,
    readonly consts: Consts,
    /** Functions declared at module level, for following helpers one level. */
    readonly functions: Map<string, TsNs.FunctionLikeDeclaration>,
  ) {}

  get t(): ts {
    return this.src.t;
  }

  base(node: Node, ctx: Ctx, callee: string): OperationBase {
    return {
      loc: this.src.loc(node),
      conditional: ctx.conditional,
      repeated: ctx.repeated,
      transactional: ctx.transactional,
      batch: false,
      via: ctx.via,
      callee,
    };
  }

  unknown(node: Node, ctx: Ctx, callee: string, reason: string): void {
    this.ops.push({ ...this.base(node, ctx, callee), kind: 'unknown', reason });
  }

  /** An execute_sql op for a string argument (unknown text when it is not a literal). */
  sql(node: Node, ctx: Ctx, callee: string, arg: Expression | undefined): void {
    const text = readText(this.src, arg, this.consts);
    const base = this.base(node, ctx, callee);
    if (!text) {
      this.ops.push({ ...base, kind: 'execute_sql', sql: arg ? this.src.textOf(arg) : '', hasHoles: true, textKnown: false, statements: [] });
      return;
    }
    const fallback = base.loc;
    const map = text.offsets;
    this.ops.push({
      ...base,
      kind: 'execute_sql',
      sql: text.sql,
      hasHoles: text.holes.length > 0,
      textKnown: true,
      // Classified without PostgreSQL's parser, for SQLite and MySQL migrations (PostgreSQL ones
      // are replaced by the parser's operations later).
      statements: splitSql(text.sql, (start, end) => {
        if (end <= start || end > map.length) return fallback;
        const a = map[start]!;
        const b = map[end - 1]!;
        return a < 0 || b < a ? fallback : this.src.range(a, b + 1);
      }),
      offsets: text.offsets,
      holes: text.holes,
    });
  }

  /** Walks the body of a function (block or expression). */
  fn(f: TsNs.FunctionLikeDeclaration | TsNs.ArrowFunction | TsNs.FunctionExpression, ctx: Ctx): void {
    if (f.body) this.walk(f.body, ctx);
  }

  walk(node: Node, ctx: Ctx): void {
    tick();
    const t = this.t;
    const SK = t.SyntaxKind;
    const cond = { ...ctx, conditional: true };
    switch (node.kind) {
      case SK.IfStatement: {
        const s = node as TsNs.IfStatement;
        this.walk(s.expression, ctx);
        this.walk(s.thenStatement, cond);
        if (s.elseStatement) this.walk(s.elseStatement, cond);
        return;
      }
      case SK.ForStatement:
      case SK.ForOfStatement:
      case SK.ForInStatement:
      case SK.WhileStatement:
      case SK.DoStatement: {
        const loop = { ...ctx, conditional: true, repeated: true };
        t.forEachChild(node, (c) => this.walk(c, loop));
        return;
      }
      case SK.TryStatement:
      case SK.SwitchStatement:
      case SK.ConditionalExpression:
        t.forEachChild(node, (c) => this.walk(c, cond));
        return;
      case SK.BinaryExpression: {
        // Chains (`a + b + c ...`, thousands long in generated code) are left-deep: walked along
        // the spine, not by recursion. The right side of &&, || and ?? may not run.
        const rights: [Node, Ctx][] = [];
        let e: Node = node;
        while (e.kind === SK.BinaryExpression) {
          const be = e as TsNs.BinaryExpression;
          const op = be.operatorToken.kind;
          const logical = op === SK.AmpersandAmpersandToken || op === SK.BarBarToken || op === SK.QuestionQuestionToken;
          rights.push([be.right, logical ? cond : ctx]);
          e = be.left;
        }
        this.walk(e, ctx);
        for (let i = rights.length - 1; i >= 0; i--) this.walk(rights[i]![0], rights[i]![1]);
        return;
      }
      case SK.CallExpression:
        this.call(node as TsNs.CallExpression, ctx);
        return;
      case SK.TaggedTemplateExpression:
        if (this.handler.tagged?.(node as TsNs.TaggedTemplateExpression, ctx, this)) return;
        break;
      case SK.FunctionDeclaration:
      case SK.ClassDeclaration:
        // Declared, not run here (a nested helper is reached through its call).
        return;
    }
    t.forEachChild(node, (c) => this.walk(c, ctx));
  }

  private call(call: TsNs.CallExpression, ctx: Ctx): void {
    const chain = chainOf(this.t, call);
    const kind = chain ? ctx.roots.get(chain.root) : undefined;
    if (chain && kind !== undefined) {
      this.handler.call(chain, kind, ctx, this);
      // Callbacks the handler did not read are walked (e.g. `.then(() => knex.raw(...))`).
      for (const l of chain.links) for (const a of l.args) this.walkCallbacks(a, ctx, l.name);
      return;
    }
    if (!chain) {
      if (this.handler.other?.(call, ctx, this)) return;
      this.walk(call.expression, ctx);
      this.callArgs(call, ctx);
      return;
    }
    // A chain on something that is not a framework object (`x.a().b().c()`): its calls, innermost
    // first, in a loop rather than one recursion per call (generated chains run thousands long).
    // The outermost call a handler takes (other) takes the calls inside it too.
    const calls = chain.links.filter((l) => l.call).map((l) => l.call!);
    let from = 0;
    for (let i = calls.length - 1; i >= 0; i--) {
      if (this.handler.other?.(calls[i]!, ctx, this)) {
        from = i + 1;
        break;
      }
    }
    for (let i = from; i < calls.length; i++) {
      tick();
      const c = calls[i]!;
      if (i === 0 && this.t.isIdentifier(c.expression) && this.helper(c, c.expression, ctx)) continue;
      this.callArgs(c, ctx);
    }
  }

  /** A helper declared in the module, given the framework object: followed one level. True when followed. */
  private helper(call: TsNs.CallExpression, name: TsNs.Identifier, ctx: Ctx): boolean {
    const t = this.t;
    if (ctx.depth !== 0) return false;
    const f = this.functions.get(name.text);
    if (f && call.arguments.some((a) => t.isIdentifier(a) && ctx.roots.has(a.text))) {
      const roots = new Map<string, string>();
      f.parameters.forEach((p, i) => {
        const a = call.arguments[i];
        if (a && t.isIdentifier(a) && t.isIdentifier(p.name) && ctx.roots.has(a.text)) roots.set(p.name.text, ctx.roots.get(a.text)!);
      });
      for (const a of call.arguments) this.walk(a, ctx);
      this.fn(f, { ...ctx, roots, via: name.text, depth: ctx.depth + 1 });
      return true;
    }
    if (!f && call.arguments.some((a) => t.isIdentifier(a) && ctx.roots.has(a.text))) {
      const who = call.arguments.find((a) => t.isIdentifier(a) && ctx.roots.has(a.text)) as TsNs.Identifier;
      this.unknown(call, ctx, this.src.short(call.expression), `${who.text} is passed to ${name.text}(), which migralint cannot follow`);
    }
    return false;
  }

  /** The arguments of a call the walker does not understand; a loop method's callback may run many times. */
  private callArgs(call: TsNs.CallExpression, ctx: Ctx): void {
    const t = this.t;
    const method = t.isPropertyAccessExpression(call.expression) ? call.expression.name.text : '';
    for (const a of call.arguments) {
      const u = unwrap(t, a);
      if (LOOP_METHODS.has(method) && (t.isArrowFunction(u) || t.isFunctionExpression(u))) this.walk(u, { ...ctx, repeated: true, conditional: true });
      else this.walk(a, ctx);
    }
  }

  private walkCallbacks(a: Expression, ctx: Ctx, method: string): void {
    const t = this.t;
    const u = unwrap(t, a);
    if ((t.isArrowFunction(u) || t.isFunctionExpression(u)) && !this.consumed.has(u)) {
      this.fn(u, LOOP_METHODS.has(method) ? { ...ctx, repeated: true, conditional: true } : ctx);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Module shape: up/down functions, classes, imports, constants

export type FnNode = TsNs.FunctionLikeDeclaration | TsNs.ArrowFunction | TsNs.FunctionExpression;

export interface Exported {
  /** The value assigned/declared (a function, `false`, an object...). */
  value: Expression | FnNode;
  /** The statement or member, for locations. */
  at: Node;
}

export interface ClassInfo {
  node: TsNs.ClassDeclaration | TsNs.ClassExpression;
  name: string | null;
  heritage: string[];
  methods: Map<string, TsNs.MethodDeclaration>;
  props: Map<string, TsNs.PropertyDeclaration>;
}

export interface ModuleShape {
  exports: Map<string, Exported>;
  classes: ClassInfo[];
  functions: Map<string, TsNs.FunctionLikeDeclaration>;
  consts: Consts;
  imports: Import[];
  /** Modules imported/required, as written. */
  modules: string[];
}

const FRAMEWORK_MODULES = /^(knex|typeorm|node-pg-migrate|kysely|sequelize|@mikro-orm\/|db-migrate|pg$|@types\/)/;
const NODE_BUILTIN = /^(node:|fs$|path$|util$|crypto$|os$|assert$|child_process$|url$|stream$|events$|buffer$)/;

export function moduleShape(src: Src): ModuleShape {
  const t = src.t;
  const shape: ModuleShape = { exports: new Map(), classes: [], functions: new Map(), consts: new Map(), imports: [], modules: [] };
  const addImport = (module: string, names: string[], node: Node) => {
    shape.modules.push(module);
    const origin: Import['origin'] = module.startsWith('.') || module.startsWith('/')
      ? 'application'
      : FRAMEWORK_MODULES.test(module)
        ? 'framework'
        : NODE_BUILTIN.test(module)
          ? 'stdlib'
          : 'third-party';
    shape.imports.push({ module, names, origin, loc: src.loc(node) });
  };
  const fnOf = (e: Expression | undefined): FnNode | null => {
    if (!e) return null;
    const u = unwrap(t, e);
    if (t.isArrowFunction(u) || t.isFunctionExpression(u)) return u;
    if (t.isIdentifier(u)) return shape.functions.get(u.text) ?? null;
    return null;
  };
  const addObjectExports = (obj: TsNs.ObjectLiteralExpression) => {
    for (const p of obj.properties) {
      if (t.isMethodDeclaration(p) && t.isIdentifier(p.name)) shape.exports.set(p.name.text, { value: p, at: p });
      else if (t.isPropertyAssignment(p)) {
        const n = propName(t, p.name);
        if (n !== null) shape.exports.set(n, { value: fnOf(p.initializer) ?? p.initializer, at: p });
      } else if (t.isShorthandPropertyAssignment(p)) {
        const f = shape.functions.get(p.name.text) ?? shape.consts.get(p.name.text);
        shape.exports.set(p.name.text, { value: f ? (fnOf(f as Expression) ?? (f as Expression)) : p.name, at: p });
      }
    }
  };
  /** `const alteration = { up, down }; export default alteration` (logto's alteration scripts). */
  const addNamedObject = (name: string) => {
    const init = shape.consts.get(name);
    const u = init && unwrap(t, init);
    if (u && t.isObjectLiteralExpression(u)) addObjectExports(u);
  };
  const addClass = (c: TsNs.ClassDeclaration | TsNs.ClassExpression) => {
    const info: ClassInfo = { node: c, name: c.name?.text ?? null, heritage: [], methods: new Map(), props: new Map() };
    for (const h of c.heritageClauses ?? []) for (const ty of h.types) info.heritage.push(src.textOf(ty.expression));
    for (const m of c.members) {
      if (t.isMethodDeclaration(m) && m.name && t.isIdentifier(m.name)) info.methods.set(m.name.text, m);
      else if (t.isPropertyDeclaration(m) && t.isIdentifier(m.name)) info.props.set(m.name.text, m);
    }
    shape.classes.push(info);
  };
  // First pass: declarations (so `module.exports = { up }` finds `function up`).
  for (const st of src.sf.statements) {
    if (t.isFunctionDeclaration(st) && st.name) shape.functions.set(st.name.text, st);
    else if (t.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!t.isIdentifier(d.name) || !d.initializer) continue;
        const init = unwrap(t, d.initializer);
        if (t.isArrowFunction(init) || t.isFunctionExpression(init)) shape.functions.set(d.name.text, init);
        else shape.consts.set(d.name.text, d.initializer);
        // require('x')
        if (t.isCallExpression(init) && t.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments[0] && t.isStringLiteral(init.arguments[0])) {
          addImport(init.arguments[0].text, [], st);
        }
      }
    }
  }
  for (const st of src.sf.statements) {
    const exported = (n: Node) => (t.canHaveModifiers(n) ? (t.getModifiers(n) ?? []).some((m) => m.kind === t.SyntaxKind.ExportKeyword) : false);
    if (t.isImportDeclaration(st) && t.isStringLiteral(st.moduleSpecifier)) {
      if (st.importClause?.isTypeOnly) {
        shape.modules.push(st.moduleSpecifier.text);
        continue;
      }
      const names: string[] = [];
      const nb = st.importClause?.namedBindings;
      if (st.importClause?.name) names.push(st.importClause.name.text);
      if (nb && t.isNamedImports(nb)) for (const e of nb.elements) if (!e.isTypeOnly) names.push(e.name.text);
      // Only type imports (`import { MigrationInterface, QueryRunner } from 'typeorm'` is kept: it is the framework).
      addImport(st.moduleSpecifier.text, names, st);
    } else if (t.isFunctionDeclaration(st) && st.name && exported(st)) {
      shape.exports.set(st.name.text, { value: st, at: st });
    } else if (t.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations) {
        if (t.isIdentifier(d.name) && d.initializer) shape.exports.set(d.name.text, { value: fnOf(d.initializer) ?? d.initializer, at: d });
      }
    } else if (t.isClassDeclaration(st)) {
      addClass(st);
    } else if (t.isExportAssignment(st)) {
      const e = unwrap(t, st.expression);
      if (t.isObjectLiteralExpression(e)) addObjectExports(e);
      else if (t.isClassExpression(e)) addClass(e);
      else if (t.isIdentifier(e)) addNamedObject(e.text);
    } else if (t.isExportDeclaration(st) && !st.moduleSpecifier && !st.isTypeOnly && st.exportClause && t.isNamedExports(st.exportClause)) {
      // `export { up, down }`, `export { alteration as default }`
      for (const el of st.exportClause.elements) {
        const local = (el.propertyName ?? el.name).text;
        if (el.name.text === 'default') {
          addNamedObject(local);
          continue;
        }
        const f = shape.functions.get(local);
        const c = shape.consts.get(local);
        if (f) shape.exports.set(el.name.text, { value: f, at: el });
        else if (c) shape.exports.set(el.name.text, { value: fnOf(c) ?? c, at: el });
      }
    } else if (t.isExpressionStatement(st) && t.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const { left, right } = st.expression;
      const lhs = src.textOf(left).replace(/\s+/g, '');
      const r = unwrap(t, right);
      if (lhs === 'module.exports' || lhs === 'exports.default' || lhs === 'module.exports.default') {
        if (t.isObjectLiteralExpression(r)) addObjectExports(r);
        else if (t.isClassExpression(r)) addClass(r);
        else if (t.isIdentifier(r)) addNamedObject(r.text);
      } else {
        const m = /^(?:module\.)?exports\.(\w+)$/.exec(lhs);
        if (m) shape.exports.set(m[1]!, { value: fnOf(right) ?? right, at: st });
      }
    }
  }
  // `export default class X` is a ClassDeclaration with modifiers; already added above.
  return shape;
}

export function isFn(t: ts, v: Expression | FnNode | undefined): v is FnNode {
  return !!v && (t.isArrowFunction(v) || t.isFunctionExpression(v) || t.isFunctionDeclaration(v) || t.isMethodDeclaration(v));
}

/** The names of a function's parameters (destructured ones as ''). */
export function paramNames(t: ts, f: FnNode): string[] {
  return f.parameters.map((p) => (t.isIdentifier(p.name) ? p.name.text : ''));
}

/**
 * The body of an up/down function, read by `read` when it has statements: missing (no function),
 * empty (no statement), raises (only a `throw`), operations.
 */
export function readBody(src: Src, fn: FnNode | null, loc: Node | null, read: (f: FnNode) => Operation[]): Body {
  const t = src.t;
  if (!fn) return { shape: 'missing', loc: null, operations: [] };
  const at = src.loc(loc ?? fn);
  const body = fn.body;
  if (!body) return { shape: 'missing', loc: null, operations: [] };
  if (t.isBlock(body)) {
    const sts = body.statements.filter((s) => !t.isEmptyStatement(s));
    if (sts.length === 0) return { shape: 'empty', loc: at, operations: [] };
    if (sts.length === 1 && t.isThrowStatement(sts[0]!)) return { shape: 'raises', loc: at, operations: [] };
  }
  return { shape: 'operations', loc: at, operations: read(fn) };
}

/**
 * Reads up() and down() into `m.upgrade` / `m.downgrade`, the same way for every framework: each
 * function found by `fnOf` is walked by a fresh Walker with the framework's handler, from the
 * roots (framework objects) it names.
 */
export function readUpDown(
  src: Src,
  m: Migration,
  shape: ModuleShape,
  opts: {
    fnOf: (key: 'up' | 'down') => FnNode | null;
    handler: (f: FnNode) => Handler;
    roots: (f: FnNode) => Map<string, string>;
    transactional: boolean;
  },
): void {
  for (const key of ['up', 'down'] as const) {
    const fn = opts.fnOf(key);
    const body = readBody(src, fn, fn, (f) => {
      const w = new Walker(src, opts.handler(f), shape.consts, shape.functions);
      w.fn(f, { conditional: false, repeated: false, transactional: opts.transactional, via: null, roots: opts.roots(f), depth: 0 });
      return w.ops;
    });
    if (key === 'up') m.upgrade = body;
    else m.downgrade = body;
  }
}

/** The exported up/down function of a module (`exports.up`, `export function up`...). */
export function exportedFn(t: ts, shape: ModuleShape): (key: 'up' | 'down') => FnNode | null {
  return (key) => {
    const e = shape.exports.get(key);
    return e && isFn(t, e.value) ? e.value : null;
  };
}

/** Roots for a function whose first parameter is the framework object `name`. */
export function firstParam(t: ts, name: string): (f: FnNode) => Map<string, string> {
  return (f) => {
    const p = paramNames(t, f)[0];
    return p ? new Map([[p, name]]) : new Map();
  };
}

// ---------------------------------------------------------------------------------------------
// Comments and syntax errors

export function commentsOf(src: Src): Comment[] {
  const t = src.t;
  const text = src.text;
  const seen = new Set<number>();
  const out: Comment[] = [];
  const add = (ranges: TsNs.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) {
      if (seen.has(r.pos)) continue;
      seen.add(r.pos);
      const raw = text.slice(r.pos, r.end);
      const body = raw.startsWith('//') ? raw.slice(2) : raw.slice(2, -2).replace(/^\s*\*\s?/gm, '');
      out.push({ text: body.trim(), inline: codeBefore(text, r.pos), loc: src.range(r.pos, r.end) });
    }
  };
  // Iterative: a file nested thousands deep (a long `a + b + ...` chain) must not exhaust the stack.
  // Nested nodes often share a start, so each position is scanned once.
  const scanned = new Set<number>();
  const stack: Node[] = [src.sf];
  while (stack.length > 0) {
    const n = stack.pop()!;
    tick();
    if (!scanned.has(n.pos)) {
      scanned.add(n.pos);
      add(t.getLeadingCommentRanges(text, n.pos));
    }
    if (!scanned.has(-1 - n.end)) {
      scanned.add(-1 - n.end);
      add(t.getTrailingCommentRanges(text, n.end));
    }
    const children: Node[] = [];
    t.forEachChild(n, (c) => {
      children.push(c);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  add(t.getLeadingCommentRanges(text, 0));
  add(t.getLeadingCommentRanges(text, src.sf.endOfFileToken.pos));
  return out.sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
}

/**
 * Whether code precedes position `pos` on its line. Scans back over blanks only, so that many
 * comments on one very long line cost linear time, not a rescan of the line per comment.
 */
function codeBefore(text: string, pos: number): boolean {
  for (let i = pos - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === '\n') return false;
    if (!/\s/.test(c)) return true;
  }
  return false;
}

export function syntaxError(src: Src): ParseError | null {
  const diags = (src.sf as unknown as { parseDiagnostics?: TsNs.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const d = diags[0];
  if (!d) return null;
  const message = src.t.flattenDiagnosticMessageText(d.messageText, '\n');
  return { kind: 'syntax', message, loc: src.range(d.start, d.start + d.length) };
}

/** Decodes a file: BOM stripped, CRLF normalised; an encoding error when not UTF-8. */
export function decode(bytes: Uint8Array): { text: string; error: ParseError | null } {
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text: text.replace(/\r\n?/g, '\n'), error: null };
  } catch (err) {
    return { text: '', error: { kind: 'encoding', message: `not UTF-8: ${(err as Error).message}`, loc: { line: 1, column: 1, endLine: 1, endColumn: 1 } } };
  }
}

// ---------------------------------------------------------------------------------------------
// Framework detection

export const TS_FRAMEWORKS = ['knex', 'typeorm', 'node-pg-migrate', 'kysely', 'sequelize', 'mikro-orm', 'db-migrate'] as const;
export type TsFramework = (typeof TS_FRAMEWORKS)[number];

/** The framework a file is written for, from its imports and shape; null when it cannot be told. */
export function detectFramework(src: Src, shape: ModuleShape): TsFramework | null {
  const t = src.t;
  const mods = shape.modules;
  const has = (re: RegExp) => mods.some((m) => re.test(m));
  if (has(/^typeorm$/) || shape.classes.some((c) => c.heritage.includes('MigrationInterface'))) return 'typeorm';
  if (has(/^@mikro-orm\//) || shape.classes.some((c) => c.heritage.includes('Migration') && c.methods.has('up'))) return 'mikro-orm';
  if (has(/^node-pg-migrate/)) return 'node-pg-migrate';
  if (has(/^kysely$/)) return 'kysely';
  if (has(/^knex$/)) return 'knex';
  if (has(/^sequelize/)) return 'sequelize';
  if (has(/^db-migrate/) || shape.exports.has('_meta') || shape.exports.has('setup')) return 'db-migrate';
  const up = shape.exports.get('up')?.value;
  if (isFn(t, up)) {
    const ps = paramNames(t, up);
    const p0 = ps[0] ?? '';
    if (/^knex$/i.test(p0) || shape.exports.has('config')) return 'knex';
    if (p0 === 'pgm') return 'node-pg-migrate';
    if (/^queryInterface$/i.test(p0)) return 'sequelize';
    if (/^queryRunner$/i.test(p0)) return 'typeorm';
    if (p0 === 'db' && ps.length >= 2) return 'db-migrate';
    // async db-migrate migrations take only `db`: told from Kysely by db-migrate's own methods on it.
    if (p0 === 'db' && /\bdb\.(runSql|createTable|dropTable|renameTable|addColumn|removeColumn|renameColumn|changeColumn|addIndex|removeIndex|addForeignKey|removeForeignKey)\s*\(/.test(src.text)) return 'db-migrate';
    // `db` with a driver's query methods (pg-promise's db.none, better-sqlite3's db.exec...) is no
    // Kysely instance: left to the generic reader.
    if (p0 === 'db' && /\bdb\.(query|none|any|many|one|oneOrNone|manyOrNone|result|multi|tx|task|exec|prepare|run|unsafe|all|get)\s*\(/.test(src.text) && !/\bdb\.(schema|selectFrom|insertInto|updateTable|deleteFrom)\b/.test(src.text)) return null;
    if (p0 === 'db') return 'kysely';
  }
  return null;
}
