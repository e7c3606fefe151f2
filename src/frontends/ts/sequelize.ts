// Sequelize (sequelize-cli / umzug) migrations: `module.exports = { async up(queryInterface,
// Sequelize) {...}, async down(...) {...} }`. queryInterface.createTable (attributes: type,
// allowNull, defaultValue, primaryKey, autoIncrement, unique, references), dropTable, renameTable,
// addColumn, removeColumn, changeColumn, renameColumn, addIndex, removeIndex, addConstraint,
// removeConstraint, bulkInsert/bulkUpdate/bulkDelete, queryInterface.sequelize.query (SQL).
// Transactions: sequelize-cli runs migrations WITHOUT a transaction. Calls inside
// `queryInterface.sequelize.transaction(async (t) => ...)`, or given `{ transaction }`, run in
// one; a migration whose whole up() is such a callback is per-migration, any other 'none'.
import type { ColumnSpec, ConstraintType, DefaultSpec, Migration, TableConstraintSpec } from '../../model/types.js';
import {
  boolValue,
  exportedFn,
  firstParam,
  isFn,
  jsDefault,
  objectProps,
  propName,
  readUpDown,
  stringList,
  stringValue,
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

/** The queryInterface methods the Sequelize reader understands, with what each becomes; any other is an `unknown` operation. */
export const SEQUELIZE_METHODS = {
  describeTable: 'a read, no operation',
  showAllTables: 'a read, no operation',
  showAllSchemas: 'a read, no operation',
  showIndex: 'a read, no operation',
  getForeignKeysForTables: 'a read, no operation',
  getForeignKeyReferencesForTable: 'a read, no operation',
  tableExists: 'a read, no operation',
  createTable: 'create_table',
  dropTable: 'drop_table',
  renameTable: 'rename_table',
  addColumn: 'add_column, add_constraint',
  removeColumn: 'drop_column',
  renameColumn: 'alter_column (rename)',
  changeColumn: 'alter_column (type, nullable, default)',
  addIndex: 'create_index',
  removeIndex: 'drop_index',
  addConstraint: 'add_constraint',
  removeConstraint: 'drop_constraint',
  bulkInsert: 'data_change (insert)',
  bulkUpdate: 'data_change (update)',
  bulkDelete: 'data_change (delete)',
} as const satisfies Understood;

type Expression = TsNs.Expression;

/** Sequelize DataTypes → PostgreSQL. */
const TYPES: Record<string, string> = {
  STRING: 'varchar',
  CHAR: 'char',
  TEXT: 'text',
  CITEXT: 'citext',
  INTEGER: 'integer',
  SMALLINT: 'smallint',
  TINYINT: 'smallint',
  MEDIUMINT: 'integer',
  BIGINT: 'bigint',
  FLOAT: 'double precision',
  REAL: 'real',
  DOUBLE: 'double precision',
  DECIMAL: 'numeric',
  BOOLEAN: 'boolean',
  DATE: 'timestamptz',
  DATEONLY: 'date',
  TIME: 'time',
  UUID: 'uuid',
  JSON: 'json',
  JSONB: 'jsonb',
  BLOB: 'bytea',
  ENUM: 'enum',
  INET: 'inet',
  CIDR: 'cidr',
};

class SequelizeHandler implements Handler {
  constructor(readonly src: Src) {}

  /** `Sequelize.STRING`, `DataTypes.STRING(64)`, `Sequelize.ARRAY(Sequelize.TEXT)`, `'varchar(10)'`. */
  private typeOf(e: Expression | undefined, w: Walker): string | null {
    if (!e) return null;
    const t = this.src.t;
    const u = unwrap(t, e);
    const s = stringValue(this.src, u, w.consts);
    if (s !== null) return s.toLowerCase();
    const callee = t.isCallExpression(u) ? u.expression : u;
    const name = t.isPropertyAccessExpression(callee) ? callee.name.text : t.isIdentifier(callee) ? callee.text : null;
    if (name === null) return this.src.textOf(u);
    if (name === 'ARRAY' && t.isCallExpression(u)) return `${this.typeOf(u.arguments[0], w) ?? '?'}[]`;
    const base = TYPES[name] ?? name.toLowerCase();
    if (t.isCallExpression(u) && u.arguments.length > 0 && name !== 'ENUM') return `${base}(${u.arguments.map((a) => this.src.textOf(a)).join(', ')})`;
    return name === 'STRING' ? 'varchar(255)' : base;
  }

  private defaultOf(e: Expression, w: Walker): { server: DefaultSpec | null; client: boolean } {
    const t = this.src.t;
    const u = unwrap(t, e);
    const text = this.src.textOf(u);
    // UUIDV4/UUIDV1 are filled in by models in JS: the database gets no default.
    if (/\.(UUIDV4|UUIDV1)$/.test(text)) return { server: null, client: true };
    if (/\.NOW$/.test(text)) return { server: { text, sql: 'now()', kind: 'expression' }, client: false };
    if (t.isCallExpression(u) && t.isPropertyAccessExpression(u.expression)) {
      const m = u.expression.name.text;
      if (m === 'literal') {
        const s = stringValue(this.src, u.arguments[0], w.consts);
        return { server: { text, sql: s, kind: s === null ? 'unknown' : 'expression' }, client: false };
      }
      if (m === 'fn') {
        const f = stringValue(this.src, u.arguments[0], w.consts);
        return { server: { text, sql: f === null ? null : `${f}()`, kind: f === null ? 'unknown' : 'expression' }, client: false };
      }
    }
    return { server: jsDefault(this.src, e, w.consts), client: false };
  }

  /** An attribute: a bare type or `{ type, allowNull, defaultValue, primaryKey, autoIncrement, unique }`. */
  private column(name: string | null, e: Expression | undefined, w: Walker, loc: ColumnSpec['loc']): ColumnSpec {
    const t = this.src.t;
    const props = objectProps(t, e);
    if (!props) return { name, type: this.typeOf(e, w), nullable: true, serverDefault: null, clientDefault: false, primaryKey: false, unique: false, generated: false, loc };
    const primary = boolValue(t, props.get('primaryKey')) === true;
    const auto = boolValue(t, props.get('autoIncrement')) === true;
    const allowNull = boolValue(t, props.get('allowNull'));
    const def = props.get('defaultValue');
    const d = def ? this.defaultOf(def, w) : { server: null, client: false };
    let type = this.typeOf(props.get('type'), w);
    if (auto) type = type === 'bigint' ? 'bigserial' : 'serial';
    return {
      name,
      type,
      // Sequelize's allowNull defaults to true; a primary key is NOT NULL.
      nullable: allowNull === false || primary ? false : allowNull === true ? true : true,
      serverDefault: d.server,
      clientDefault: d.client,
      primaryKey: primary,
      unique: props.has('unique') && boolValue(t, props.get('unique')) !== false,
      generated: auto,
      loc,
    };
  }

  call(chain: Chain, _kind: string, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const t = src.t;
    const l = chain.links[0];
    if (!l) return;
    // queryInterface.sequelize.query(...) / .transaction(...)
    if (l.name === 'sequelize' && !l.call) {
      const m = chain.links[1];
      if (m?.name === 'query' && m.call) return w.sql(m.call, this.inTx(ctx, m.args), `${chain.root}.sequelize.query`, m.args[0]);
      if (m?.name === 'transaction' && m.call) {
        const cb = m.args.map((a) => unwrap(t, a)).find((a) => isFn(t, a));
        if (cb && isFn(t, cb)) {
          w.consumed.add(cb);
          w.fn(cb as FnNode, { ...ctx, transactional: true });
        }
        return;
      }
      if (m?.call && m.name !== 'literal' && m.name !== 'fn' && m.name !== 'col') w.unknown(chain.call, ctx, src.short(chain.call.expression), `queryInterface.sequelize.${m.name}() is not an operation migralint understands`);
      return;
    }
    if (!l.call) return;
    const method = l.name;
    const callee = `${chain.root}.${method}`;
    const a = l.args;
    const c = this.inTx(ctx, a);
    const base = w.base(l.call, c, callee);
    const str = (i: number) => stringValue(src, a[i], w.consts);
    // A table given as a name or `{ tableName, schema }`.
    const tableProps = objectProps(t, a[0]);
    const table = str(0) ?? (tableProps ? stringValue(src, tableProps.get('tableName'), w.consts) : null);
    const schema = tableProps ? stringValue(src, tableProps.get('schema'), w.consts) : null;
    const known = understood(SEQUELIZE_METHODS, method);
    switch (known) {
      case 'describeTable':
      case 'showAllTables':
      case 'showAllSchemas':
      case 'showIndex':
      case 'getForeignKeysForTables':
      case 'getForeignKeyReferencesForTable':
      case 'tableExists':
        return;
      case 'createTable': {
        const attrs = a[1] ? unwrap(t, a[1]) : null;
        const columns: ColumnSpec[] = [];
        const constraints: TableConstraintSpec[] = [];
        if (attrs && t.isObjectLiteralExpression(attrs)) {
          for (const p of attrs.properties) {
            if (!t.isPropertyAssignment(p)) continue;
            const col = this.column(propName(t, p.name), p.initializer, w, src.loc(p));
            columns.push(col);
            const props = objectProps(t, p.initializer);
            const ref = props?.get('references');
            if (ref) {
              const model = objectProps(t, ref)?.get('model');
              const mp = objectProps(t, model);
              const referredTable = stringValue(src, model, w.consts) ?? (mp ? stringValue(src, mp.get('tableName'), w.consts) : null);
              const key = stringValue(src, objectProps(t, ref)?.get('key'), w.consts);
              constraints.push({
                type: 'foreign_key',
                name: null,
                loc: src.loc(ref),
                referredTable,
                columns: col.name === null ? [] : [col.name],
                referredColumns: key === null ? [] : [key],
                onDelete: stringValue(src, props?.get('onDelete'), w.consts),
                onUpdate: stringValue(src, props?.get('onUpdate'), w.consts),
                inline: true,
              });
            }
          }
        } else w.unknown(l.call, c, callee, 'the attributes are not an object literal');
        w.ops.push({ ...base, kind: 'create_table', table, schema, columns, constraints });
        return;
      }
      case 'dropTable':
        w.ops.push({ ...base, kind: 'drop_table', table, schema });
        return;
      case 'renameTable':
        w.ops.push({ ...base, kind: 'rename_table', table, newName: str(1), schema });
        return;
      case 'addColumn': {
        const col = this.column(str(1), a[2], w, base.loc);
        w.ops.push({ ...base, kind: 'add_column', table, schema, column: col });
        const ref = objectProps(t, objectProps(t, a[2])?.get('references'));
        if (ref) {
          const model = ref.get('model');
          const mp = objectProps(t, model);
          w.ops.push({
            ...base,
            kind: 'add_constraint',
            constraintType: 'foreign_key',
            name: null,
            table,
            schema,
            columns: [col.name ?? '?'],
            referredTable: stringValue(src, model, w.consts) ?? (mp ? stringValue(src, mp.get('tableName'), w.consts) : null),
            referredColumns: stringList(src, ref.get('key'), w.consts),
            condition: null,
            notValid: false,
          });
        }
        return;
      }
      case 'removeColumn':
        w.ops.push({ ...base, kind: 'drop_column', table, schema, column: str(1) });
        return;
      case 'renameColumn':
        w.ops.push({ ...base, kind: 'alter_column', table, schema, column: str(1), newName: str(2), existingType: null, existingNullable: null });
        return;
      case 'changeColumn': {
        const props = objectProps(t, a[2]);
        const col = this.column(str(1), a[2], w, base.loc);
        w.ops.push({
          ...base,
          kind: 'alter_column',
          table,
          schema,
          column: str(1),
          ...(col.type !== null ? { type: col.type } : {}),
          // PostgreSQL's changeColumn sets NOT NULL when allowNull is false and drops it otherwise.
          nullable: col.nullable !== false,
          ...(props?.has('defaultValue') ? { serverDefault: col.serverDefault } : {}),
          existingType: null,
          existingNullable: null,
        });
        return;
      }
      case 'addIndex': {
        // addIndex(table, fields, options) or addIndex(table, { fields, ... }).
        const first = objectProps(t, a[1]);
        const opts = first ?? objectProps(t, a[2]);
        const fields = first ? first.get('fields') : a[1];
        const cols = stringList(src, fields, w.consts).map((f) => f);
        const fu = fields ? unwrap(t, fields) : null;
        if (fu && t.isArrayLiteralExpression(fu)) {
          fu.elements.forEach((e, i) => {
            const n = objectProps(t, e)?.get('name') ?? objectProps(t, e)?.get('attribute');
            if (n) cols[i] = stringValue(src, n, w.consts) ?? cols[i]!;
          });
        }
        const where = opts?.get('where');
        w.ops.push({
          ...base,
          kind: 'create_index',
          name: opts ? stringValue(src, opts.get('name'), w.consts) : null,
          table,
          schema,
          columns: cols,
          unique: opts ? boolValue(t, opts.get('unique')) === true || stringValue(src, opts.get('type'), w.consts)?.toUpperCase() === 'UNIQUE' : false,
          concurrently: opts ? boolValue(t, opts.get('concurrently')) === true : false,
          ifNotExists: false,
          method: opts ? (stringValue(src, opts.get('using'), w.consts)?.toLowerCase() ?? null) : null,
          where: where ? src.textOf(where) : null,
        });
        return;
      }
      case 'removeIndex': {
        const opts = objectProps(t, a[2]);
        w.ops.push({ ...base, kind: 'drop_index', name: str(1), table, schema, concurrently: opts ? boolValue(t, opts.get('concurrently')) === true : false, ifExists: false });
        return;
      }
      case 'addConstraint': {
        // addConstraint(table, { type, fields, name, references, where }) or (table, fields, options).
        const opts = objectProps(t, a[1]) ?? objectProps(t, a[2]);
        const fields = objectProps(t, a[1]) ? opts?.get('fields') : a[1];
        const typeText = (opts ? stringValue(src, opts.get('type'), w.consts) : null)?.toLowerCase().replace(/\s+/g, ' ') ?? null;
        const type: ConstraintType = typeText === 'foreign key' ? 'foreign_key' : typeText === 'unique' ? 'unique' : typeText === 'check' ? 'check' : typeText === 'primary key' ? 'primary_key' : 'unknown';
        const ref = objectProps(t, opts?.get('references'));
        const where = opts?.get('where');
        w.ops.push({
          ...base,
          kind: 'add_constraint',
          constraintType: type,
          name: opts ? stringValue(src, opts.get('name'), w.consts) : null,
          table,
          schema,
          columns: stringList(src, fields, w.consts),
          referredTable: ref ? stringValue(src, ref.get('table'), w.consts) : null,
          referredColumns: ref ? stringList(src, ref.get('field'), w.consts) : [],
          condition: type === 'check' && where ? src.textOf(where) : null,
          notValid: false,
        });
        return;
      }
      case 'removeConstraint':
        w.ops.push({ ...base, kind: 'drop_constraint', name: str(1), table, schema, constraintType: null });
        return;
      case 'bulkInsert':
        w.ops.push({ ...base, kind: 'data_change', action: 'insert', table, columns: [], hasWhere: null });
        return;
      case 'bulkUpdate': {
        const values = objectProps(t, a[1]);
        w.ops.push({ ...base, kind: 'data_change', action: 'update', table, columns: values ? [...values.keys()] : [], hasWhere: this.hasWhere(a[2]) });
        return;
      }
      case 'bulkDelete':
        w.ops.push({ ...base, kind: 'data_change', action: 'delete', table, columns: [], hasWhere: this.hasWhere(a[1]) });
        return;
      case undefined:
        w.unknown(l.call, c, callee, `queryInterface.${method}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  /** A where argument: absent, null or `{}` is no WHERE; anything else restricts (or may). */
  private hasWhere(e: Expression | undefined): boolean {
    if (!e) return false;
    const t = this.src.t;
    const u = unwrap(t, e);
    if (u.kind === t.SyntaxKind.NullKeyword || (t.isIdentifier(u) && u.text === 'undefined')) return false;
    if (t.isObjectLiteralExpression(u)) return u.properties.length > 0;
    return true;
  }

  /** Calls given `{ transaction: t }` run in that transaction. */
  private inTx(ctx: Ctx, args: readonly Expression[]): Ctx {
    if (ctx.transactional) return ctx;
    const t = this.src.t;
    return args.some((a) => objectProps(t, a)?.has('transaction')) ? { ...ctx, transactional: true } : ctx;
  }
}

/** The up() body is one `queryInterface.sequelize.transaction(...)` call (awaited or returned). */
function wholeBodyInTransaction(src: Src, f: FnNode): boolean {
  const t = src.t;
  const body = f.body;
  if (!body) return false;
  let e: Expression | undefined;
  if (t.isBlock(body)) {
    const sts = body.statements;
    if (sts.length !== 1) return false;
    const st = sts[0]!;
    if (t.isReturnStatement(st)) e = st.expression;
    else if (t.isExpressionStatement(st)) e = st.expression;
  } else e = body as Expression;
  if (!e) return false;
  const u = unwrap(t, e);
  return t.isCallExpression(u) && /\.sequelize\.transaction$/.test(src.textOf(u.expression).replace(/\s+/g, ''));
}

export function readSequelize(src: Src, shape: ModuleShape, m: Migration): void {
  const t = src.t;
  const up = shape.exports.get('up');
  const upFn = up && isFn(t, up.value) ? up.value : null;
  if (upFn && wholeBodyInTransaction(src, upFn)) {
    m.transaction = { mode: 'per-migration', reason: 'the whole up() runs in queryInterface.sequelize.transaction(...)', file: m.file, loc: src.loc(upFn) };
  } else {
    m.transaction = { mode: 'none', reason: 'sequelize-cli does not run migrations in a transaction', file: null, loc: null };
  }
  readUpDown(src, m, shape, { fnOf: exportedFn(t, shape), handler: () => new SequelizeHandler(src), roots: firstParam(t, 'queryInterface'), transactional: false });
}
