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
import { understood, unlisted, type Understood } from '../understood.js';

type Expression = TsNs.Expression;

const SQL_TEXT = 'SQL text (its first argument: a string, template, sql`...`, sql.raw/sql.unsafe(...) or { text })';
const VALUE = 'a value or housekeeping, no operation';

/**
 * What the generic reader understands on the migration's client (the first parameter of
 * up/down/beforeUp/beforeDown). The SQL methods are also read on any other receiver (an imported
 * pool) when their text starts like a SQL statement.
 */
export const GENERIC_METHODS = {
  // named in issue 10 and common to most clients (pg, slonik, mysql2, knex-like raw)
  query: SQL_TEXT,
  execute: SQL_TEXT,
  raw: SQL_TEXT,
  any: SQL_TEXT,
  many: SQL_TEXT,
  none: SQL_TEXT,
  one: SQL_TEXT,
  exec: SQL_TEXT,
  run: SQL_TEXT,
  unsafe: SQL_TEXT,
  // slonik
  maybeOne: SQL_TEXT,
  oneFirst: SQL_TEXT,
  manyFirst: SQL_TEXT,
  anyFirst: SQL_TEXT,
  maybeOneFirst: SQL_TEXT,
  // pg-promise
  oneOrNone: SQL_TEXT,
  manyOrNone: SQL_TEXT,
  result: SQL_TEXT,
  multi: SQL_TEXT,
  multiResult: SQL_TEXT,
  // node-sqlite3; better-sqlite3's db.prepare(sql).run()
  all: SQL_TEXT,
  get: SQL_TEXT,
  prepare: SQL_TEXT,
  // callbacks given a connection
  transaction: 'the calls of its callback, on its connection, in a transaction',
  begin: 'the calls of its callback (postgres.js), in a transaction',
  tx: 'the calls of its callback (pg-promise), in a transaction',
  txIf: 'the calls of its callback (pg-promise), in a transaction',
  withTransaction: 'the calls of its callback, in a transaction',
  connect: 'the calls of its callback, on its connection; without one, no operation',
  reserve: 'the calls of its callback, on its connection; without one, no operation',
  task: 'the calls of its callback (pg-promise), on its connection',
  taskIf: 'the calls of its callback (pg-promise), on its connection',
  serialize: 'the calls of its callback (node-sqlite3)',
  parallelize: 'the calls of its callback (node-sqlite3)',
  savepoint: 'the calls of its callback (postgres.js)',
  // values and housekeeping
  release: VALUE,
  end: VALUE,
  close: VALUE,
  escape: VALUE,
  escapeIdentifier: VALUE,
  escapeLiteral: VALUE,
  format: VALUE,
  identifier: VALUE,
  join: VALUE,
  fragment: VALUE,
  json: VALUE,
  jsonb: VALUE,
  array: VALUE,
  binary: VALUE,
  literalValue: VALUE,
  date: VALUE,
  timestamp: VALUE,
  interval: VALUE,
  uuid: VALUE,
  type: VALUE,
  typeAlias: VALUE,
  unnest: VALUE,
  on: VALUE,
  once: VALUE,
  off: VALUE,
  emit: VALUE,
  log: VALUE,
} as const satisfies Understood;

type Known = keyof typeof GENERIC_METHODS;
const SQL_NAMES = new Set<string>(Object.entries(GENERIC_METHODS).filter(([, v]) => v === SQL_TEXT).map(([k]) => k));
const TX_NAMES = new Set<Known>(['transaction', 'begin', 'tx', 'txIf', 'withTransaction']);

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
    const known = understood(GENERIC_METHODS, l.name);
    switch (known) {
      case undefined:
        w.unknown(l.call, ctx, callee, `${callee}() is not a call migralint reads SQL from (it reads query, execute, none, exec, unsafe..., and sql\`...\` templates)`);
        return;
      case 'query':
      case 'execute':
      case 'raw':
      case 'any':
      case 'many':
      case 'none':
      case 'one':
      case 'exec':
      case 'run':
      case 'unsafe':
      case 'maybeOne':
      case 'oneFirst':
      case 'manyFirst':
      case 'anyFirst':
      case 'maybeOneFirst':
      case 'oneOrNone':
      case 'manyOrNone':
      case 'result':
      case 'multi':
      case 'multiResult':
      case 'all':
      case 'get':
      case 'prepare':
        w.sql(l.call, ctx, callee, this.sqlArg(l.args[0]));
        return;
      case 'transaction':
      case 'begin':
      case 'tx':
      case 'txIf':
      case 'withTransaction':
      case 'connect':
      case 'reserve':
      case 'task':
      case 'taskIf':
      case 'serialize':
      case 'parallelize':
      case 'savepoint': {
        const inner = TX_NAMES.has(known) ? { ...ctx, transactional: true } : ctx;
        let followed = false;
        for (const a of l.args) {
          const f = unwrap(w.t, a);
          if (!isFn(w.t, f)) continue;
          w.consumed.add(f);
          const roots = new Map([...ctx.roots, ...firstParamRoots(src, f)]);
          w.fn(f, { ...inner, roots, via: ctx.via });
          followed = true;
        }
        // better-sqlite3: db.transaction(fn) returns the function to call; a bare pool.connect() is
        // housekeeping. A callback given by name is not followed: reported.
        if (!followed && known !== 'connect' && known !== 'reserve') w.unknown(l.call, ctx, callee, `${callee}() is given no function migralint can follow`);
        return;
      }
      case 'release':
      case 'end':
      case 'close':
      case 'escape':
      case 'escapeIdentifier':
      case 'escapeLiteral':
      case 'format':
      case 'identifier':
      case 'join':
      case 'fragment':
      case 'json':
      case 'jsonb':
      case 'array':
      case 'binary':
      case 'literalValue':
      case 'date':
      case 'timestamp':
      case 'interval':
      case 'uuid':
      case 'type':
      case 'typeAlias':
      case 'unnest':
      case 'on':
      case 'once':
      case 'off':
      case 'emit':
      case 'log':
        return;
      default:
        unlisted(known);
    }
  }

  /** pool.query(...) on a client the migration did not receive (an imported pool): SQL when the text reads as SQL. */
  other(call: TsNs.CallExpression, ctx: Ctx, w: Walker): boolean {
    const t = this.src.t;
    const e = call.expression;
    if (!t.isPropertyAccessExpression(e) || !SQL_NAMES.has(e.name.text)) return false;
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
