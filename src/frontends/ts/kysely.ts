// Kysely migrations: `export async function up(db: Kysely<any>)`. db.schema builders
// (createTable with addColumn(name, type, col => col.notNull()...) and add*Constraint, alterTable
// with addColumn/dropColumn/renameColumn/alterColumn/renameTo/add*Constraint/dropConstraint,
// createIndex(name).on(t).column(s)(...).unique().ifNotExists().where(), dropIndex, dropTable),
// `sql`...`.execute(db)` and sql.raw(...), db.updateTable/deleteFrom/insertInto, db.transaction().
// Transactions: on PostgreSQL (supportsTransactionalDdl) Kysely's Migrator runs the whole batch of
// pending migrations in ONE transaction unless configured with `disableTransactions: true`:
// mode 'single', so CONCURRENTLY cannot run in a Kysely migration by default.
import type { ColumnSpec, ConstraintType, DefaultSpec, Migration, Operation } from '../../model/types.js';
import {
  chainOf,
  exportedFn,
  firstParam,
  isFn,
  jsDefault,
  paramNames,
  readText,
  readUpDown,
  stringList,
  stringValue,
  unwrap,
  Walker,
  type Chain,
  type Ctx,
  type Handler,
  type Link,
  type ModuleShape,
  type Src,
  type TsNs,
} from './core.js';
import { understood, unlisted, type Understood } from '../understood.js';

/** The db methods the Kysely reader understands (besides db.schema and db.transaction), with what each becomes; any other is an `unknown` operation. */
export const KYSELY_DB_METHODS = {
  updateTable: 'data_change (update)',
  deleteFrom: 'data_change (delete)',
  insertInto: 'data_change (insert)',
  replaceInto: 'data_change (insert)',
  selectFrom: 'a read, no operation',
  selectNoFrom: 'a read, no operation',
  fn: 'a value, no operation',
  dynamic: 'a value, no operation',
  executeQuery: 'SQL text',
} as const satisfies Understood;

/** The db.schema builders the Kysely reader understands, with what each becomes; any other is an `unknown` operation. */
export const KYSELY_SCHEMA_METHODS = {
  createTable: 'create_table',
  alterTable: 'the alterTable() calls of its chain',
  dropTable: 'drop_table',
  createIndex: 'create_index',
  dropIndex: 'drop_index',
} as const satisfies Understood;

/** The alterTable() chain calls the Kysely reader understands, with what each becomes; any other is an `unknown` operation. */
export const KYSELY_ALTER_TABLE_METHODS = {
  execute: 'runs the chain',
  compile: 'builds the SQL, no operation',
  onDelete: 'a modifier of the call before it',
  onUpdate: 'a modifier of the call before it',
  deferrable: 'a modifier of the call before it',
  initiallyDeferred: 'a modifier of the call before it',
  initiallyImmediate: 'a modifier of the call before it',
  ifExists: 'a modifier of the call before it',
  cascade: 'a modifier of the call before it',
  addColumn: 'add_column',
  dropColumn: 'drop_column',
  renameColumn: 'alter_column (rename)',
  renameTo: 'rename_table',
  alterColumn: 'alter_column (type, nullable, default)',
  addPrimaryKeyConstraint: 'add_constraint (primary key)',
  addUniqueConstraint: 'add_constraint (unique)',
  addForeignKeyConstraint: 'add_constraint (foreign key)',
  addCheckConstraint: 'add_constraint (check)',
  dropConstraint: 'drop_constraint',
  addIndex: 'create_index',
  dropIndex: 'drop_index',
} as const satisfies Understood;

type Expression = TsNs.Expression;
type Base = ReturnType<Walker['base']>;
type AddConstraint = Extract<Operation, { kind: 'add_constraint' }>;

function constraintOp(base: Base, type: ConstraintType, name: string | null, table: string | null, schema: string | null, columns: string[], referredTable: string | null, referredColumns: string[]): AddConstraint {
  return { ...base, kind: 'add_constraint', constraintType: type, name, table, schema, columns, referredTable, referredColumns, condition: null, notValid: false };
}

class KyselyHandler implements Handler {
  constructor(readonly src: Src) {}

  private str(e: Expression | undefined, w: Walker): string | null {
    return stringValue(this.src, e, w.consts);
  }

  /** A SQL fragment: a string or sql`...` (holes as `{}`). */
  private sqlText(e: Expression | undefined, w: Walker): string | null {
    if (!e) return null;
    const t = this.src.t;
    const u = unwrap(t, e);
    if (t.isCallExpression(u) && /(^|\.)(raw|lit)$/.test(this.src.textOf(u.expression))) return this.sqlText(u.arguments[0], w);
    return readText(this.src, u, w.consts)?.sql ?? null;
  }

  private defaultOf(e: Expression, w: Walker): DefaultSpec {
    const t = this.src.t;
    const u = unwrap(t, e);
    if (t.isTaggedTemplateExpression(u) || t.isCallExpression(u)) {
      const sql = this.sqlText(u, w);
      return { text: this.src.textOf(u), sql, kind: sql === null ? 'unknown' : 'expression' };
    }
    return jsDefault(this.src, e, w.consts);
  }

  /** The column-builder callback `(col) => col.notNull().primaryKey()...`: its calls, by name. */
  private modifiers(cb: Expression | undefined, w: Walker): Link[] {
    const t = this.src.t;
    if (!cb) return [];
    const f = unwrap(t, cb);
    if (!isFn(t, f)) return [];
    w.consumed.add(f);
    let body: TsNs.Node | undefined = f.body;
    if (body && t.isBlock(body)) {
      const ret = body.statements.find((s) => t.isReturnStatement(s)) as TsNs.ReturnStatement | undefined;
      body = ret?.expression;
    }
    const e = body && unwrap(t, body as Expression);
    if (!e || !t.isCallExpression(e)) return [];
    return chainOf(t, e)?.links.filter((l) => l.call) ?? [];
  }

  private column(name: string | null, typeArg: Expression | undefined, cb: Expression | undefined, w: Walker, loc: ColumnSpec['loc']): { spec: ColumnSpec; ref: { table: string | null; columns: string[] } | null; unknown: Link[] } {
    const type = typeArg ? (this.sqlText(typeArg, w) ?? this.src.textOf(typeArg)) : null;
    const mods = this.modifiers(cb, w);
    const has = (n: string) => mods.some((m) => m.name === n);
    const def = mods.find((m) => m.name === 'defaultTo');
    const refLink = mods.find((m) => m.name === 'references');
    const target = refLink ? (this.str(refLink.args[0], w) ?? '') : '';
    const serial = type !== null && /serial/i.test(type);
    const generated = serial || has('autoIncrement') || has('generatedAlwaysAsIdentity') || has('generatedByDefaultAsIdentity') || has('identity');
    const primary = has('primaryKey');
    const known = new Set(['notNull', 'primaryKey', 'defaultTo', 'references', 'unique', 'onDelete', 'onUpdate', 'autoIncrement', 'generatedAlwaysAsIdentity', 'generatedByDefaultAsIdentity', 'identity', 'unsigned', 'nullsNotDistinct', 'check', 'generatedAlwaysAs', 'stored', 'modifyFront', 'modifyEnd']);
    return {
      spec: {
        name,
        type,
        nullable: has('notNull') || primary || generated ? false : null,
        serverDefault: def?.args[0] ? this.defaultOf(def.args[0], w) : null,
        clientDefault: false,
        primaryKey: primary,
        unique: has('unique'),
        generated,
        loc,
      },
      ref: refLink ? { table: target.includes('.') ? target.split('.').slice(0, -1).join('.') : target, columns: target.includes('.') ? [target.split('.').pop()!] : [] } : null,
      unknown: mods.filter((m) => !known.has(m.name)),
    };
  }

  call(chain: Chain, _kind: string, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const links = chain.links;
    const first = links[0];
    if (!first) return;
    const callee = src.short(chain.call.expression);
    if (first.name === 'schema' && !first.call) {
      let schema: string | null = null;
      let i = 1;
      if (links[i]?.name === 'withSchema') {
        schema = this.str(links[i]!.args[0], w);
        i++;
      }
      const op = links[i];
      if (!op?.call) return;
      return this.schemaCall(op, links.slice(i + 1), schema, chain, ctx, w);
    }
    if (first.name === 'transaction' || first.name === 'connection') {
      const exec = links.find((l) => l.name === 'execute');
      const cb = exec?.args[0] && unwrap(w.t, exec.args[0]);
      if (cb && isFn(w.t, cb)) {
        w.consumed.add(cb);
        const p = paramNames(w.t, cb)[0];
        const roots = new Map(ctx.roots);
        if (p) roots.set(p, 'db');
        w.fn(cb, { ...ctx, roots });
      }
      return;
    }
    const table = first.call ? this.str(first.args[0], w) : null;
    const names = links.map((l) => l.name);
    const hasWhere = names.some((n) => /^where/.test(n));
    const base = w.base(chain.call, ctx, callee);
    const known = understood(KYSELY_DB_METHODS, first.name);
    switch (known) {
      case 'updateTable': {
        const set = links.find((l) => l.name === 'set');
        const p = set?.args[0] && unwrap(w.t, set.args[0]);
        const cols = p && w.t.isObjectLiteralExpression(p) ? p.properties.map((x) => (x.name && w.t.isIdentifier(x.name) ? x.name.text : x.name ? src.textOf(x.name) : '?')) : set?.args[0] ? [this.str(set.args[0], w) ?? '?'] : [];
        w.ops.push({ ...base, kind: 'data_change', action: 'update', table, columns: cols, hasWhere });
        return;
      }
      case 'deleteFrom':
        w.ops.push({ ...base, kind: 'data_change', action: 'delete', table, columns: [], hasWhere });
        return;
      case 'insertInto':
      case 'replaceInto':
        w.ops.push({ ...base, kind: 'data_change', action: 'insert', table, columns: [], hasWhere: null });
        return;
      case 'selectFrom':
      case 'selectNoFrom':
      case 'fn':
      case 'dynamic':
        return; // reads and values
      case 'executeQuery':
        return w.sql(first.call!, ctx, callee, first.args[0]);
      case undefined:
        w.unknown(chain.call, ctx, callee, `${chain.root}.${first.name}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  private schemaCall(op: Link, rest: Link[], schema: string | null, chain: Chain, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const callee = `${chain.root}.schema.${op.name}`;
    const base = w.base(chain.call, ctx, callee);
    const name = this.str(op.args[0], w);
    const has = (n: string) => rest.some((l) => l.name === n);
    const find = (n: string) => rest.find((l) => l.name === n);
    const at = (l: Link) => ({ ...base, loc: this.linkLoc(l) }) as Base;
    const known = understood(KYSELY_SCHEMA_METHODS, op.name);
    switch (known) {
      case 'createTable': {
        const columns: ColumnSpec[] = [];
        const constraints: Extract<Operation, { kind: 'create_table' }>['constraints'] = [];
        for (const l of rest) {
          const loc = this.linkLoc(l);
          if (l.name === 'addColumn') {
            const c = this.column(this.str(l.args[0], w), l.args[1], l.args[2], w, loc);
            columns.push(c.spec);
            if (c.ref) {
              constraints.push({ type: 'foreign_key', name: null, loc, referredTable: c.ref.table, columns: c.spec.name === null ? [] : [c.spec.name], referredColumns: c.ref.columns, inline: true });
            }
            for (const u of c.unknown) w.unknown(u.call!, ctx, `${callee}().addColumn().${u.name}`, `column modifier .${u.name}() is not understood`);
          } else if (/^add\w+Constraint$/.test(l.name)) {
            const type = this.constraintType(l.name);
            const spec: Extract<Operation, { kind: 'create_table' }>['constraints'][number] = { type, name: this.str(l.args[0], w), loc };
            if (type === 'check') spec.condition = this.sqlText(l.args[1], w);
            else spec.columns = stringList(this.src, l.args[1], w.consts);
            if (type === 'foreign_key') {
              spec.referredTable = this.str(l.args[2], w);
              spec.referredColumns = stringList(this.src, l.args[3], w.consts);
            }
            constraints.push(spec);
          } else if (!['ifNotExists', 'execute', 'temporary', 'onCommit', 'modifyEnd', 'modifyFront', 'compile', 'as'].includes(l.name) && l.call) {
            w.unknown(l.call, ctx, `${callee}().${l.name}`, `createTable().${l.name}() is not understood`);
          }
        }
        const loc = src.loc(op.node);
        w.ops.push({ ...base, loc: { ...loc, endLine: src.loc(chain.call).endLine, endColumn: src.loc(chain.call).endColumn }, kind: 'create_table', table: name, schema, columns, constraints, ...(has('ifNotExists') ? { ifNotExists: true } : {}) });
        return;
      }
      case 'alterTable':
        for (const l of rest) this.alterCall(l, name, schema, at(l), ctx, w, callee);
        return;
      case 'dropTable':
        w.ops.push({ ...base, kind: 'drop_table', table: name, schema, ...(has('ifExists') ? { ifExists: true } : {}), ...(has('cascade') ? { cascade: true } : {}) });
        return;
      case 'createIndex': {
        const on = find('on');
        const cols: string[] = [];
        for (const l of rest) {
          if (l.name === 'column') cols.push(this.str(l.args[0], w) ?? src.textOf(l.args[0]!));
          else if (l.name === 'columns') cols.push(...stringList(src, l.args[0], w.consts));
          else if (l.name === 'expression') cols.push(this.sqlText(l.args[0], w) ?? src.textOf(l.args[0]!));
        }
        const where = find('where');
        w.ops.push({
          ...base,
          kind: 'create_index',
          name,
          table: on ? this.str(on.args[0], w) : null,
          schema,
          columns: cols,
          unique: has('unique'),
          // Kysely's builder has no CONCURRENTLY: its CREATE INDEX is plain.
          concurrently: false,
          ifNotExists: has('ifNotExists'),
          method: find('using') ? this.str(find('using')!.args[0], w) : null,
          where: where ? (where.args.length === 1 ? (this.sqlText(where.args[0], w) ?? src.textOf(where.args[0]!)) : [this.str(where.args[0], w) ?? src.textOf(where.args[0]!), this.str(where.args[1], w) ?? src.textOf(where.args[1]!), where.args[2] ? (jsDefault(src, where.args[2], w.consts).sql ?? src.textOf(where.args[2])) : ''].join(' ')) : null,
        });
        return;
      }
      case 'dropIndex': {
        const on = find('on');
        w.ops.push({ ...base, kind: 'drop_index', name, table: on ? this.str(on.args[0], w) : null, schema, concurrently: false, ifExists: has('ifExists') });
        return;
      }
      case undefined:
        w.unknown(op.call!, ctx, callee, `db.schema.${op.name}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  /** `.name(args)` of a chain link, from the method name to the closing parenthesis. */
  private linkLoc(l: Link) {
    const t = this.src.t;
    const e = l.call?.expression;
    if (l.call && e && t.isPropertyAccessExpression(e)) return this.src.range(e.name.getStart(this.src.sf), l.call.getEnd());
    return this.src.loc(l.node);
  }

  private constraintType(method: string): ConstraintType {
    return method === 'addPrimaryKeyConstraint' ? 'primary_key' : method === 'addUniqueConstraint' ? 'unique' : method === 'addForeignKeyConstraint' ? 'foreign_key' : method === 'addCheckConstraint' ? 'check' : 'unknown';
  }

  private alterCall(l: Link, table: string | null, schema: string | null, base: Base, ctx: Ctx, w: Walker, callee: string): void {
    const src = this.src;
    if (!l.call) return;
    const a = l.args;
    const str = (i: number) => this.str(a[i], w);
    const cb = { ...base, callee: `${callee}().${l.name}` };
    const known = understood(KYSELY_ALTER_TABLE_METHODS, l.name);
    switch (known) {
      case 'execute':
      case 'compile':
      case 'onDelete':
      case 'onUpdate':
      case 'deferrable':
      case 'initiallyDeferred':
      case 'initiallyImmediate':
      case 'ifExists':
      case 'cascade':
        return;
      case 'addColumn': {
        const c = this.column(str(0), a[1], a[2], w, base.loc);
        w.ops.push({ ...cb, kind: 'add_column', table, schema, column: c.spec });
        if (c.ref) w.ops.push(constraintOp(cb, 'foreign_key', null, table, schema, [c.spec.name ?? '?'], c.ref.table, c.ref.columns));
        for (const u of c.unknown) w.unknown(u.call!, ctx, `${cb.callee}().${u.name}`, `column modifier .${u.name}() is not understood`);
        return;
      }
      case 'dropColumn':
        w.ops.push({ ...cb, kind: 'drop_column', table, schema, column: str(0) });
        return;
      case 'renameColumn':
        w.ops.push({ ...cb, kind: 'alter_column', table, schema, column: str(0), newName: str(1), existingType: null, existingNullable: null });
        return;
      case 'renameTo':
        w.ops.push({ ...cb, kind: 'rename_table', table, schema, newName: str(0) });
        return;
      case 'alterColumn': {
        const mods = this.modifiers(a[1], w);
        const op: Extract<Operation, { kind: 'alter_column' }> = { ...cb, kind: 'alter_column', table, schema, column: str(0), existingType: null, existingNullable: null };
        for (const m of mods) {
          if (m.name === 'setDataType') op.type = this.sqlText(m.args[0], w) ?? src.textOf(m.args[0]!);
          else if (m.name === 'setNotNull') op.nullable = false;
          else if (m.name === 'dropNotNull') op.nullable = true;
          else if (m.name === 'setDefault') op.serverDefault = m.args[0] ? this.defaultOf(m.args[0], w) : null;
          else if (m.name === 'dropDefault') op.serverDefault = null;
          else w.unknown(m.call!, ctx, `${cb.callee}().${m.name}`, `alterColumn().${m.name}() is not understood`);
        }
        w.ops.push(op);
        return;
      }
      case 'addPrimaryKeyConstraint':
      case 'addUniqueConstraint':
        w.ops.push(constraintOp(cb, this.constraintType(l.name), str(0), table, schema, stringList(src, a[1], w.consts), null, []));
        return;
      case 'addForeignKeyConstraint':
        w.ops.push(constraintOp(cb, 'foreign_key', str(0), table, schema, stringList(src, a[1], w.consts), str(2), stringList(src, a[3], w.consts)));
        return;
      case 'addCheckConstraint': {
        const op = constraintOp(cb, 'check', str(0), table, schema, [], null, []);
        op.condition = this.sqlText(a[1], w);
        w.ops.push(op);
        return;
      }
      case 'dropConstraint':
        w.ops.push({ ...cb, kind: 'drop_constraint', name: str(0), table, schema, constraintType: null });
        return;
      case 'addIndex':
        // alterTable().addIndex(name) (MySQL-only in Kysely); read as a plain index.
        w.ops.push({ ...cb, kind: 'create_index', name: str(0), table, schema, columns: [], unique: false, concurrently: false, ifNotExists: false });
        return;
      case 'dropIndex':
        w.ops.push({ ...cb, kind: 'drop_index', name: str(0), table, schema, concurrently: false, ifExists: false });
        return;
      case undefined:
        w.unknown(l.call, ctx, cb.callee, `alterTable().${l.name}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  /** sql`...`.execute(db), sql.raw('...').execute(db). */
  other(call: TsNs.CallExpression, ctx: Ctx, w: Walker): boolean {
    const t = this.src.t;
    const e = call.expression;
    if (!t.isPropertyAccessExpression(e) || e.name.text !== 'execute') return false;
    const target = unwrap(t, e.expression);
    const arg = call.arguments[0];
    if (!arg || !t.isIdentifier(unwrap(t, arg)) || !ctx.roots.has((unwrap(t, arg) as TsNs.Identifier).text)) return false;
    if (t.isTaggedTemplateExpression(target) && t.isIdentifier(target.tag) && target.tag.text === 'sql') {
      w.sql(call, ctx, 'sql`...`.execute', target.template);
      return true;
    }
    if (t.isCallExpression(target) && /^sql\.raw$/.test(this.src.textOf(target.expression).replace(/\s+/g, ''))) {
      w.sql(call, ctx, 'sql.raw(...).execute', target.arguments[0]);
      return true;
    }
    w.unknown(call, ctx, this.src.short(e), `${this.src.short(e.expression, 40)}.execute(db) is not an operation migralint understands`);
    return true;
  }
}

export function readKysely(src: Src, shape: ModuleShape, m: Migration): void {
  const t = src.t;
  m.transaction = { mode: 'single', reason: 'Kysely\'s Migrator runs all pending migrations in one transaction on PostgreSQL (unless disableTransactions)', file: null, loc: null };
  readUpDown(src, m, shape, { fnOf: exportedFn(t, shape), handler: () => new KyselyHandler(src), roots: firstParam(t, 'db'), transactional: true });
}
