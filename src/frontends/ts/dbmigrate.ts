// db-migrate migrations: `exports.up = function (db, callback) { db.runSql(`...`, callback) }`,
// `async function (db)`, or a returned promise. db.runSql/db.all (SQL, template literals with
// holes), createTable (column specs), dropTable, renameTable, addColumn, removeColumn,
// renameColumn, changeColumn, addIndex, removeIndex, addForeignKey, removeForeignKey, insert, and
// `db.method.bind(db, ...)` (async.series style).
// Transactions: db-migrate calls the driver's startMigration()/endMigration() around every
// migration, and db-migrate-pg sends BEGIN/COMMIT there unless run with --non-transactional.
// A callback invoked where it should be passed (`db.runSql(sql, callback())`) tells the runner
// the migration is done before the SQL ran: recorded as an unknown op for callback-invoked-early.
import type { ColumnSpec, ConstraintType, DefaultSpec, Migration, Operation } from '../../model/types.js';
import {
  boolValue,
  exportedFn,
  firstParam,
  jsDefault,
  objectProps,
  paramNames,
  propName,
  readUpDown,
  stringList,
  stringValue,
  unwrap,
  Walker,
  type Chain,
  type Ctx,
  type Handler,
  type ModuleShape,
  type Src,
  type TsNs,
} from './core.js';
import { understood, unlisted, type Understood } from '../understood.js';

/** The db methods the db-migrate reader understands, with what each becomes; any other is an `unknown` operation. */
export const DBMIGRATE_METHODS = {
  runSql: 'SQL text',
  all: 'SQL text',
  createTable: 'create_table',
  dropTable: 'drop_table',
  renameTable: 'rename_table',
  addColumn: 'add_column, add_constraint',
  removeColumn: 'drop_column',
  renameColumn: 'alter_column (rename)',
  changeColumn: 'alter_column (type, nullable, default)',
  addIndex: 'create_index',
  removeIndex: 'drop_index',
  addForeignKey: 'add_constraint',
  removeForeignKey: 'drop_constraint',
  insert: 'data_change (insert)',
} as const satisfies Understood;

type Expression = TsNs.Expression;

/** Must equal EARLY_CALLBACK_PREFIX in rules/callback-invoked-early.ts (the model has no field for it). */
const EARLY_CALLBACK_PREFIX = 'callback invoked early:';

/** db-migrate type names → what db-migrate-pg creates. */
const TYPES: Record<string, string> = {
  string: 'varchar',
  char: 'char',
  text: 'text',
  int: 'integer',
  integer: 'integer',
  smallint: 'smallint',
  bigint: 'bigint',
  real: 'real',
  decimal: 'numeric',
  numeric: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
  date_time: 'timestamp',
  time: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  blob: 'bytea',
  binary: 'bytea',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
  serial: 'serial',
  bigserial: 'bigserial',
};

class DbMigrateHandler implements Handler {
  constructor(
    readonly src: Src,
    /** The name of the callback parameter (`cb`, `callback`), when the function takes one. */
    readonly callback: string | null,
  ) {}

  private typeOf(e: Expression | undefined, length: Expression | undefined, w: Walker): string | null {
    if (!e) return null;
    const t = this.src.t;
    const u = unwrap(t, e);
    const raw = stringValue(this.src, u, w.consts) ?? (t.isPropertyAccessExpression(u) ? u.name.text : null);
    if (raw === null) return this.src.textOf(u);
    const base = TYPES[raw.toLowerCase()] ?? raw.toLowerCase();
    const len = length ? this.src.textOf(unwrap(t, length)) : null;
    return len ? `${base}(${len})` : base;
  }

  private defaultOf(e: Expression, w: Walker): DefaultSpec {
    const t = this.src.t;
    const props = objectProps(t, e);
    if (props) {
      // { special: 'CURRENT_TIMESTAMP' } / { prep: 'now()' }: written as SQL.
      const sql = stringValue(this.src, props.get('special') ?? props.get('prep'), w.consts);
      return { text: this.src.textOf(unwrap(t, e)), sql, kind: sql === null ? 'unknown' : 'expression' };
    }
    return jsDefault(this.src, e, w.consts);
  }

  /** A column spec: a type name or `{ type, length, notNull, defaultValue, primaryKey, autoIncrement, unique }`. */
  private column(name: string | null, e: Expression | undefined, w: Walker, loc: ColumnSpec['loc']): ColumnSpec {
    const t = this.src.t;
    const props = objectProps(t, e);
    if (!props) {
      return { name, type: this.typeOf(e, undefined, w), nullable: null, serverDefault: null, clientDefault: false, primaryKey: false, unique: false, generated: false, loc };
    }
    const primary = boolValue(t, props.get('primaryKey')) === true;
    const auto = boolValue(t, props.get('autoIncrement')) === true;
    const notNull = boolValue(t, props.get('notNull'));
    const def = props.get('defaultValue');
    let type = this.typeOf(props.get('type'), props.get('length'), w);
    // db-migrate-pg: primaryKey + autoIncrement → SERIAL / BIGSERIAL.
    if (primary && auto) type = type === 'bigint' ? 'bigserial' : 'serial';
    return {
      name,
      type,
      nullable: notNull === true ? false : notNull === false ? true : primary ? false : null,
      serverDefault: def ? this.defaultOf(def, w) : null,
      clientDefault: false,
      primaryKey: primary,
      unique: boolValue(t, props.get('unique')) === true,
      generated: auto,
      loc,
    };
  }

  call(chain: Chain, _kind: string, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const t = src.t;
    let l = chain.links[0];
    if (!l) return;
    let args: readonly Expression[] = l.args;
    let call = l.call;
    // db.createTable.bind(db, 'x', {...}) (async.series([...])).
    const next = chain.links[1];
    if (!l.call && next?.name === 'bind' && next.call) {
      args = next.args.slice(1);
      call = next.call;
    }
    if (!call) {
      const last = chain.links[chain.links.length - 1];
      if (last?.call) w.unknown(chain.call, ctx, src.short(chain.call.expression), `db.${l.name}...${last.name}() is not an operation migralint understands`);
      return;
    }
    const method = l.name;
    const callee = `${chain.root}.${method}`;
    this.earlyCallback(args, method, ctx, w);
    const base = w.base(call, ctx, callee);
    const str = (i: number) => stringValue(src, args[i], w.consts);
    const table = str(0);
    const known = understood(DBMIGRATE_METHODS, method);
    switch (known) {
      case 'runSql':
      case 'all':
        return w.sql(call, ctx, callee, args[0]);
      case 'createTable': {
        // createTable(name, columns) or createTable(name, { columns, ifNotExists }).
        const spec = objectProps(t, args[1]);
        const colsExpr = spec?.has('columns') && objectProps(t, spec.get('columns')) ? spec.get('columns') : args[1];
        const cols = colsExpr ? unwrap(t, colsExpr) : null;
        const columns: ColumnSpec[] = [];
        const constraints: { type: ConstraintType; name: string | null; loc: ColumnSpec['loc']; referredTable?: string | null }[] = [];
        if (cols && t.isObjectLiteralExpression(cols)) {
          for (const p of cols.properties) {
            if (!t.isPropertyAssignment(p)) continue;
            columns.push(this.column(propName(t, p.name), p.initializer, w, src.loc(p)));
            const fk = objectProps(t, p.initializer)?.get('foreignKey');
            if (fk) {
              const fp = objectProps(t, fk);
              constraints.push({ type: 'foreign_key', name: stringValue(src, fp?.get('name'), w.consts), loc: src.loc(fk), referredTable: stringValue(src, fp?.get('table'), w.consts) });
            }
          }
        } else w.unknown(call, ctx, callee, 'the column specs are not an object literal');
        w.ops.push({ ...base, kind: 'create_table', table, schema: null, columns, constraints });
        return;
      }
      case 'dropTable':
        w.ops.push({ ...base, kind: 'drop_table', table, schema: null });
        return;
      case 'renameTable':
        w.ops.push({ ...base, kind: 'rename_table', table, newName: str(1), schema: null });
        return;
      case 'addColumn': {
        const col = this.column(str(1), args[2], w, base.loc);
        w.ops.push({ ...base, kind: 'add_column', table, schema: null, column: col });
        const fk = objectProps(t, args[2])?.get('foreignKey');
        if (fk) {
          const fp = objectProps(t, fk);
          const mapping = objectProps(t, fp?.get('mapping'));
          w.ops.push({
            ...base,
            kind: 'add_constraint',
            constraintType: 'foreign_key',
            name: stringValue(src, fp?.get('name'), w.consts),
            table,
            schema: null,
            columns: [col.name ?? '?'],
            referredTable: stringValue(src, fp?.get('table'), w.consts),
            referredColumns: mapping ? [...mapping.values()].map((v) => stringValue(src, v, w.consts) ?? src.textOf(v)) : stringList(src, fp?.get('mapping'), w.consts),
            condition: null,
            notValid: false,
          });
        }
        return;
      }
      case 'removeColumn':
        w.ops.push({ ...base, kind: 'drop_column', table, schema: null, column: str(1) });
        return;
      case 'renameColumn':
        w.ops.push({ ...base, kind: 'alter_column', table, schema: null, column: str(1), newName: str(2), existingType: null, existingNullable: null });
        return;
      case 'changeColumn': {
        const props = objectProps(t, args[2]);
        if (!props) {
          w.unknown(call, ctx, callee, 'the column spec is not an object literal');
          return;
        }
        const col = this.column(str(1), args[2], w, base.loc);
        // db-migrate-pg always SETs or DROPs NOT NULL, and sets or DROPs the default.
        w.ops.push({
          ...base,
          kind: 'alter_column',
          table,
          schema: null,
          column: str(1),
          nullable: boolValue(t, props.get('notNull')) !== true,
          ...(props.has('type') && col.type !== null ? { type: col.type } : {}),
          serverDefault: col.serverDefault,
          existingType: null,
          existingNullable: null,
        });
        return;
      }
      case 'addIndex':
        w.ops.push({ ...base, kind: 'create_index', name: str(1), table, schema: null, columns: stringList(src, args[2], w.consts), unique: boolValue(t, args[3]) === true, concurrently: false, ifNotExists: false });
        return;
      case 'removeIndex': {
        // removeIndex([table,] name, callback)
        const two = args[1] !== undefined && stringValue(src, args[1], w.consts) !== null;
        w.ops.push({ ...base, kind: 'drop_index', name: two ? str(1) : str(0), table: two ? table : null, schema: null, concurrently: false, ifExists: false });
        return;
      }
      case 'addForeignKey': {
        // addForeignKey(table, referencedTable, keyName, { column: 'referencedColumn' }, rules, callback)
        const mapping = objectProps(t, args[3]);
        w.ops.push({
          ...base,
          kind: 'add_constraint',
          constraintType: 'foreign_key',
          name: str(2),
          table,
          schema: null,
          columns: mapping ? [...mapping.keys()] : [],
          referredTable: str(1),
          referredColumns: mapping ? [...mapping.values()].map((v) => stringValue(src, v, w.consts) ?? src.textOf(v)) : [],
          condition: null,
          notValid: false,
        });
        return;
      }
      case 'removeForeignKey':
        w.ops.push({ ...base, kind: 'drop_constraint', name: str(1), table, schema: null, constraintType: 'foreign_key' });
        return;
      case 'insert':
        w.ops.push({ ...base, kind: 'data_change', action: 'insert', table, columns: stringList(src, args[1], w.consts), hasWhere: null });
        return;
      case undefined:
        w.unknown(call, ctx, callee, `db.${method}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  /** `db.runSql(sql, callback())`: the callback runs now, not when the SQL has finished. */
  private earlyCallback(args: readonly Expression[], method: string, ctx: Ctx, w: Walker): void {
    const t = this.src.t;
    if (!this.callback) return;
    for (const a of args) {
      const u = unwrap(t, a);
      if (t.isCallExpression(u) && t.isIdentifier(u.expression) && u.expression.text === this.callback) {
        w.unknown(u, ctx, `${this.callback}()`, `${EARLY_CALLBACK_PREFIX} ${this.callback}() is called and its result passed to db.${method}(), so db-migrate moves on before the call has finished; pass ${this.callback} itself`);
      }
    }
  }
}

export function readDbMigrate(src: Src, shape: ModuleShape, m: Migration): void {
  const t = src.t;
  m.transaction = { mode: 'per-migration', reason: 'db-migrate (db-migrate-pg) runs each migration in BEGIN ... COMMIT unless --non-transactional', file: null, loc: null };
  readUpDown(src, m, shape, {
    fnOf: exportedFn(t, shape),
    // The second parameter is the callback, watched for being invoked early.
    handler: (f) => new DbMigrateHandler(src, paramNames(t, f)[1] || null),
    roots: firstParam(t, 'db'),
    transactional: true,
  });
}
