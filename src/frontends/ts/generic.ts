// Generic TS/JS migrations: a module exporting up/down (functions, or an object with them) for a
// runner migralint has no dedicated reader for (logto's alteration scripts, ley, umzug, a project's
// own runner), whose bodies hand SQL to a database client: pg and slonik (`pool.query(sql`...`)`),
// postgres.js (`sql`...``, `sql.unsafe(...)`), pg-promise (`db.none(...)`), better-sqlite3
// (`db.exec(...)`, `db.prepare(...).run()`), node-sqlite3, mysql2... Every SQL text found becomes an
// execute_sql operation (read later by PostgreSQL's parser); any other call on the client is an
// unknown operation.
// Hooks: logto runs `beforeUp(pool)` / `beforeDown(pool)` on the pool, OUTSIDE the transaction it
// opens for `up` / `down` (that is where CREATE INDEX CONCURRENTLY goes, with `up` left empty on
// purpose). Their operations come first in the upgrade/downgrade and are marked non-transactional.
// Transactions: the runner is not known. migralint assumes each up/down runs in a transaction of
// its own (logto, knex, node-pg-migrate and TypeORM do so by default): mode 'per-migration', so a
// CONCURRENTLY statement in `up` is reported and one in `beforeUp` is not.
import type { Body, Migration } from '../../model/types.js';
import {
  isFn,
  readBody,
  readText,
  unwrap,
  Walker,
  type Chain,
  type Ctx,
  type FnNode,
  type Handler,
  type ModuleShape,
  type Src,
  type TsNs,
} from './core.js';

type Expression = TsNs.Expression;

/** Methods that run the SQL text given as their first argument. */
export const SQL_METHODS = [
  // named in issue 10 and common to most clients
  'query', 'execute', 'raw', 'any', 'many', 'none', 'one', 'exec', 'run', 'unsafe',
  // slonik
  'maybeOne', 'oneFirst', 'manyFirst', 'anyFirst', 'maybeOneFirst',
  // pg-promise
  'oneOrNone', 'manyOrNone', 'result', 'multi', 'multiResult',
  // node-sqlite3, better-sqlite3 (`db.prepare(sql).run()`)
  'all', 'get', 'prepare',
] as const;
const SQL = new Set<string>(SQL_METHODS);

/** Client methods whose callback gets a connection running in a transaction. */
const TX_METHODS = new Set(['transaction', 'begin', 'tx', 'txIf', 'withTransaction']);
/** Client methods whose callback gets a connection (no transaction of their own). */
const CONN_METHODS = new Set(['connect', 'task', 'taskIf', 'serialize', 'parallelize', 'reserve', 'savepoint']);
/** Client methods that neither run SQL nor change the schema. */
const QUIET = new Set([
  'release', 'end', 'close', 'escape', 'escapeIdentifier', 'escapeLiteral', 'format', 'identifier', 'join',
  'fragment', 'json', 'jsonb', 'array', 'binary', 'literalValue', 'date', 'timestamp', 'interval', 'uuid',
  'type', 'typeAlias', 'unnest', 'on', 'once', 'off', 'emit', 'log',
]);

/** Statements a text may start with to be taken for SQL when the receiver is not the migration's client. */
const SQL_START = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(ALTER|ANALYZE|BEGIN|CALL|CLUSTER|COMMENT|COMMIT|COPY|CREATE|DELETE|DISCARD|DO|DROP|END|EXPLAIN|GRANT|IMPORT|INSERT|LOCK|MERGE|NOTIFY|PRAGMA|REFRESH|REINDEX|RELEASE|RENAME|RESET|REVOKE|ROLLBACK|SAVEPOINT|SELECT|SET|SHOW|START|TRUNCATE|UPDATE|UPSERT|VACUUM|VALUES|WITH)\b/i;

type Key = 'up' | 'down' | 'beforeUp' | 'beforeDown';

function fnOf(src: Src, shape: ModuleShape, key: Key): FnNode | null {
  const e = shape.exports.get(key);
  return e && isFn(src.t, e.value) ? e.value : null;
}

/** Names the first parameter binds: `pool`, or each name of `{ context: sequelize, sql }`. */
function firstParamRoots(src: Src, f: FnNode): Map<string, string> {
  const t = src.t;
  const roots = new Map<string, string>();
  const bind = (n: TsNs.BindingName) => {
    if (t.isIdentifier(n)) roots.set(n.text, 'client');
    else for (const el of n.elements) if (!t.isOmittedExpression(el)) bind(el.name);
  };
  const p = f.parameters[0];
  if (p) bind(p.name);
  return roots;
}

class GenericHandler implements Handler {
  constructor(readonly src: Src) {}

  /** The SQL an argument carries: the text itself, `sql.raw(text)`, `sql.unsafe(text)`, `{ text }` / `{ sql }`. */
  private sqlArg(e: Expression | undefined): Expression | undefined {
    if (!e) return undefined;
    const t = this.src.t;
    const u = unwrap(t, e);
    if (t.isCallExpression(u) && /(^|\.)(raw|unsafe|sql)$/.test(this.src.textOf(u.expression).replace(/\s+/g, ''))) return this.sqlArg(u.arguments[0]);
    if (t.isObjectLiteralExpression(u)) {
      for (const p of u.properties) {
        if (t.isPropertyAssignment(p) && t.isIdentifier(p.name) && (p.name.text === 'text' || p.name.text === 'sql')) return p.initializer;
      }
    }
    return u;
  }

  call(chain: Chain, _kind: string, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const links = chain.links;
    const first = links[0];
    if (!first) return;
    if (first.name === '') {
      // `query('CREATE ...')` when the client is a function; `sql(table)`, `sql(rows)` (postgres.js
      // helpers) are values.
      const text = first.call ? readText(src, this.sqlArg(first.args[0]), w.consts) : null;
      if (text && SQL_START.test(text.sql)) w.sql(first.call!, ctx, `${chain.root}()`, this.sqlArg(first.args[0]));
      return;
    }
    // The first call of the chain says what happens: pool.query(...).then(...), db.prepare(sql).run().
    const l = links.find((x) => x.call);
    if (!l?.call) return;
    const callee = `${chain.root}.${links.slice(0, links.indexOf(l) + 1).map((x) => x.name).join('.')}`;
    if (SQL.has(l.name)) {
      w.sql(l.call, ctx, callee, this.sqlArg(l.args[0]));
      return;
    }
    if (TX_METHODS.has(l.name) || CONN_METHODS.has(l.name)) {
      const inner = TX_METHODS.has(l.name) ? { ...ctx, transactional: true } : ctx;
      let followed = false;
      for (const a of l.args) {
        const f = unwrap(w.t, a);
        if (!isFn(w.t, f)) continue;
        w.consumed.add(f);
        const roots = new Map([...ctx.roots, ...firstParamRoots(src, f)]);
        w.fn(f, { ...inner, roots, via: ctx.via });
        followed = true;
      }
      // better-sqlite3: db.transaction(fn) returns the function to call; a bare pool.connect() is housekeeping.
      if (followed || l.name === 'connect' || l.name === 'reserve') return;
    }
    if (QUIET.has(l.name)) return;
    w.unknown(l.call, ctx, callee, `${callee}() is not a call migralint reads SQL from (it reads ${['query', 'execute', 'none', 'exec', 'unsafe'].join(', ')}..., and sql\`...\` templates)`);
  }

  /** pool.query(...) on a client the migration did not receive (an imported pool): SQL when the text reads as SQL. */
  other(call: TsNs.CallExpression, ctx: Ctx, w: Walker): boolean {
    const t = this.src.t;
    const e = call.expression;
    if (!t.isPropertyAccessExpression(e) || !SQL.has(e.name.text)) return false;
    const arg = this.sqlArg(call.arguments[0]);
    const text = readText(this.src, arg, w.consts);
    if (!text || !SQL_START.test(text.sql)) return false;
    // The receiver may still hold calls to walk (getPool().query(...)).
    w.walk(e.expression, ctx);
    w.sql(call, ctx, this.src.short(e), arg);
    return true;
  }

  /** sql`...` on the migration's client (postgres.js runs it when awaited), tx`...` in sql.begin(). */
  tagged(node: TsNs.TaggedTemplateExpression, ctx: Ctx, w: Walker): boolean {
    const t = this.src.t;
    let tag: Expression = node.tag;
    // sql.unsafe`...`, sql.typeAlias('void')`...`: the client is the root of the tag.
    while (t.isPropertyAccessExpression(tag) || t.isCallExpression(tag)) tag = tag.expression;
    if (!t.isIdentifier(tag) || !ctx.roots.has(tag.text)) return false;
    w.sql(node, ctx, `${this.src.short(node.tag, 30)}\`...\``, node.template);
    return true;
  }
}

/**
 * Whether the generic reader finds SQL in the module's up/down/beforeUp/beforeDown: text that
 * starts like a SQL statement, given to a SQL method of the function's client (or of any receiver)
 * or written as a template on the client.
 */
export function genericReadable(src: Src, shape: ModuleShape): boolean {
  return (['up', 'down', 'beforeUp', 'beforeDown'] as const).some((key) => {
    const f = fnOf(src, shape, key);
    if (!f) return false;
    return readFn(src, shape, f, true).some((op) => op.kind === 'execute_sql' && op.textKnown && SQL_START.test(op.sql));
  });
}

function readFn(src: Src, shape: ModuleShape, f: FnNode, transactional: boolean) {
  const w = new Walker(src, new GenericHandler(src), shape.consts, shape.functions);
  w.fn(f, { conditional: false, repeated: false, transactional, via: null, roots: firstParamRoots(src, f), depth: 0 });
  return w.ops;
}

/** up (in the runner's transaction) after its hook (outside it), as one body. */
function readSide(src: Src, shape: ModuleShape, key: 'up' | 'down', hook: 'beforeUp' | 'beforeDown'): Body {
  const main = fnOf(src, shape, key);
  const body = readBody(src, main, main, (f) => readFn(src, shape, f, true));
  const h = fnOf(src, shape, hook);
  if (!h) return body;
  const before = readBody(src, h, h, (f) => readFn(src, shape, f, false));
  if (before.shape !== 'operations') return body;
  return { shape: 'operations', loc: body.loc ?? before.loc, operations: [...before.operations, ...body.operations] };
}

export function readGeneric(src: Src, shape: ModuleShape, m: Migration): void {
  const hooks = shape.exports.has('beforeUp') || shape.exports.has('beforeDown');
  m.transaction = {
    mode: 'per-migration',
    reason: `the generic reader assumes the runner wraps each up()/down() in a transaction${hooks ? ' (beforeUp/beforeDown run outside it)' : ''}`,
    file: null,
    loc: null,
  };
  m.upgrade = readSide(src, shape, 'up', 'beforeUp');
  m.downgrade = readSide(src, shape, 'down', 'beforeDown');
}
