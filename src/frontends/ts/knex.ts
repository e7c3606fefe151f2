// knex migrations: `exports.up = (knex) => ...` / `export async function up(knex: Knex)`.
// knex.schema builders (createTable/alterTable/table with a table-builder callback, dropTable,
// renameTable, raw), knex.raw, knex(table).update/insert/del, knex.transaction(trx => ...), and
// `exports.config = { transaction: false }`. knex runs each migration in its own transaction.
import type { ColumnSpec, ConstraintType, Migration, Operation, TableConstraintSpec } from '../../model/types.js';
import {
  boolValue,
  exportedFn,
  firstParam,
  isFn,
  jsDefault,
  objectProps,
  paramNames,
  readUpDown,
  stringList,
  stringValue,
  unwrap,
  Walker,
  type Chain,
  type Ctx,
  type FnNode,
  type Handler,
  type Link,
  type ModuleShape,
  type Src,
  type TsNs,
} from './core.js';
import { understood, unlisted, type Understood } from '../understood.js';

/** Calls on the knex object (or a transaction) that call() reads; any other is an `unknown` operation. */
export const KNEX_CALLS = {
  '': 'knex(table)...: data_change (update, insert, del/delete, truncate, increment, decrement, upsert) or a read',
  table: 'as knex(table)',
  from: 'as knex(table)',
  into: 'as knex(table)',
  queryBuilder: 'as knex(table)',
  raw: 'SQL text',
  transaction: 'the calls of its callback, on the transaction object',
  fn: 'a value, no operation',
  client: 'a value, no operation',
  ref: 'a value, no operation',
  schema: 'the knex.schema methods (below)',
} as const satisfies Understood;

/** The knex.schema methods schemaCall() reads, with what each becomes; any other is an `unknown` operation. */
export const KNEX_SCHEMA_METHODS = {
  withSchema: 'sets the schema of the calls after it',
  hasTable: 'a read, no operation',
  hasColumn: 'a read, no operation',
  raw: 'SQL text',
  createTable: 'create_table with the columns and constraints of its callback',
  createTableIfNotExists: 'create_table with the columns and constraints of its callback',
  alterTable: 'the table builder calls of its callback',
  table: 'the table builder calls of its callback',
  dropTable: 'drop_table',
  dropTableIfExists: 'drop_table',
  renameTable: 'rename_table',
} as const satisfies Understood;

/** The table builder methods (the callback of createTable/alterTable) that tableCall() reads besides column types; any other is an `unknown` operation. */
export const KNEX_TABLE_METHODS = {
  dropColumn: 'drop_column',
  dropColumns: 'drop_column',
  dropTimestamps: 'drop_column (created_at, updated_at)',
  renameColumn: 'alter_column (rename)',
  setNullable: 'alter_column (nullable)',
  dropNullable: 'alter_column (nullable)',
  index: 'create_index',
  dropIndex: 'drop_index',
  unique: 'add_constraint (unique)',
  primary: 'add_constraint (primary key)',
  foreign: 'add_constraint (foreign key)',
  check: 'add_constraint (check)',
  dropForeign: 'drop_constraint',
  dropUnique: 'drop_constraint',
  dropPrimary: 'drop_constraint',
  dropChecks: 'drop_constraint',
  engine: 'a table option, no operation',
  charset: 'a table option, no operation',
  collate: 'a table option, no operation',
  comment: 'a table option, no operation',
} as const satisfies Understood;

type Expression = TsNs.Expression;

/** Column builders → the PostgreSQL type knex creates. */
function columnType(method: string, args: readonly Expression[], src: Src, w: Walker): string | null {
  const num = (i: number) => {
    const a = args[i];
    return a && src.t.isNumericLiteral(unwrap(src.t, a)) ? (unwrap(src.t, a) as TsNs.NumericLiteral).text : null;
  };
  const opts = objectProps(src.t, args[1]);
  switch (method) {
    case 'increments':
      return 'serial';
    case 'bigIncrements':
      return 'bigserial';
    case 'integer':
    case 'mediumint':
      return 'integer';
    case 'tinyint':
    case 'smallint':
      return 'smallint';
    case 'bigInteger':
    case 'bigint':
      return 'bigint';
    case 'string':
      return `varchar(${num(1) ?? 255})`;
    case 'text':
      return 'text';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
    case 'timestamp': {
      const useTz = opts ? boolValue(src.t, opts.get('useTz')) : boolValue(src.t, args[1]) === null ? null : !boolValue(src.t, args[1]);
      return useTz === false ? 'timestamp' : 'timestamptz';
    }
    case 'time':
      return 'time';
    case 'float':
      return 'real';
    case 'double':
      return 'double precision';
    case 'decimal':
      return num(1) ? `numeric(${num(1)}${num(2) ? `, ${num(2)}` : ''})` : 'numeric';
    case 'json':
      return 'json';
    case 'jsonb':
      return 'jsonb';
    case 'uuid':
      return 'uuid';
    case 'binary':
      return 'bytea';
    case 'enum':
    case 'enu':
      return 'text';
    case 'specificType':
      return stringValue(src, args[1], w.consts);
    default:
      return null;
  }
}

/** Table builder column types (`t.string('name')`...); tableCall() reads these as columns. */
export const COLUMN_TYPES = new Set([
  'increments', 'bigIncrements', 'integer', 'mediumint', 'tinyint', 'smallint', 'bigInteger', 'bigint', 'string', 'text',
  'boolean', 'date', 'datetime', 'timestamp', 'time', 'float', 'double', 'decimal', 'json', 'jsonb', 'uuid', 'binary', 'enum',
  'enu', 'specificType',
]);

/** Modifiers of a column builder chain that change nothing the model records. */
const NEUTRAL_MODIFIERS = new Set(['unsigned', 'comment', 'collate', 'first', 'after', 'onDelete', 'onUpdate', 'deferrable', 'withKeyName', 'checkPositive', 'checkNegative', 'checkIn', 'checkNotIn', 'checkBetween', 'checkLength', 'checkRegex', 'inTable', 'primary']);

interface TableCtx {
  table: string | null;
  schema: string | null;
  create: boolean;
  columns: ColumnSpec[];
  constraints: TableConstraintSpec[];
  after: Operation[];
}

class KnexHandler implements Handler {
  constructor(readonly src: Src) {}

  call(chain: Chain, kind: string, ctx: Ctx, w: Walker): void {
    if (kind === 'table') return this.tableCall(chain, ctx, w);
    const links = chain.links;
    const callee = (upto: Link) => this.src.short(upto.node.kind === this.src.t.SyntaxKind.CallExpression ? (upto.node as TsNs.CallExpression).expression : upto.node);
    // knex(table)... / knex.table(table)... / knex.from(table)...
    const first = links[0];
    if (!first) return;
    if (understood(KNEX_CALLS, first.name) === undefined) {
      return w.unknown(chain.call, ctx, callee(links[links.length - 1]!), `${callee(first)} is not a knex call migralint understands`);
    }
    if (first.name === '' || ((first.name === 'table' || first.name === 'from' || first.name === 'into' || first.name === 'queryBuilder') && first.call)) {
      return this.query(chain, first, links.slice(1), ctx, w);
    }
    if (first.name === 'raw' && first.call) return w.sql(first.call, ctx, callee(first), first.args[0]);
    if (first.name === 'transaction' && first.call) {
      const cb = first.args[0] && unwrap(w.t, first.args[0]);
      if (cb && isFn(w.t, cb)) {
        w.consumed.add(cb);
        const p = paramNames(w.t, cb)[0];
        const roots = new Map(ctx.roots);
        if (p) roots.set(p, 'knex');
        w.fn(cb, { ...ctx, roots });
        return;
      }
    }
    if (first.name === 'fn' || first.name === 'client' || first.name === 'ref') return; // values
    if (first.name === 'schema') {
      let schema: string | null = null;
      for (const l of links.slice(1)) {
        if (!l.call) continue;
        this.schemaCall(l, schema, ctx, w, callee(l));
        if (l.name === 'withSchema') schema = stringValue(this.src, l.args[0], w.consts);
      }
      return;
    }
    w.unknown(chain.call, ctx, callee(links[links.length - 1]!), `${callee(first)} is not a knex call migralint understands`);
  }

  private schemaCall(l: Link, schema: string | null, ctx: Ctx, w: Walker, callee: string): void {
    const call = l.call!;
    const str = (i: number) => stringValue(this.src, l.args[i], w.consts);
    const base = w.base(call, ctx, callee);
    const known = understood(KNEX_SCHEMA_METHODS, l.name);
    switch (known) {
      case 'withSchema':
      case 'hasTable':
      case 'hasColumn':
        return;
      case 'raw':
        return w.sql(call, ctx, callee, l.args[0]);
      case 'createTable':
      case 'createTableIfNotExists':
      case 'alterTable':
      case 'table': {
        const create = l.name.startsWith('createTable');
        const tc: TableCtx = { table: str(0), schema, create, columns: [], constraints: [], after: [] };
        const before = w.ops.length;
        const cb = l.args[1] && unwrap(w.t, l.args[1]);
        if (cb && isFn(w.t, cb)) {
          w.consumed.add(cb);
          const p = paramNames(w.t, cb)[0];
          const roots = new Map(ctx.roots);
          if (p) roots.set(p, 'table');
          this.tables.set(cb, tc);
          const sub = { ...ctx, roots };
          this.current.push(tc);
          w.fn(cb as FnNode, sub);
          this.current.pop();
        }
        if (create) {
          const op: Operation = { ...base, kind: 'create_table', table: tc.table, schema, columns: tc.columns, constraints: tc.constraints };
          if (l.name === 'createTableIfNotExists') op.ifNotExists = true;
          w.ops.splice(before, 0, op);
        }
        w.ops.push(...tc.after);
        return;
      }
      case 'dropTable':
      case 'dropTableIfExists':
        w.ops.push({ ...base, kind: 'drop_table', table: str(0), schema, ...(l.name === 'dropTableIfExists' ? { ifExists: true } : {}) });
        return;
      case 'renameTable':
        w.ops.push({ ...base, kind: 'rename_table', table: str(0), newName: str(1), schema });
        return;
      case undefined:
        w.unknown(call, ctx, callee, `knex.schema.${l.name}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  private readonly tables = new Map<unknown, TableCtx>();
  private readonly current: TableCtx[] = [];

  /** A call on the table builder `t` inside createTable/alterTable. */
  private tableCall(chain: Chain, ctx: Ctx, w: Walker): void {
    const tc = this.current[this.current.length - 1];
    const src = this.src;
    const links = chain.links;
    const first = links[0];
    if (!tc || !first || !first.call) {
      w.unknown(chain.call, ctx, src.short(chain.call.expression), 'a table builder call outside its createTable/alterTable callback');
      return;
    }
    const callee = `${chain.root}.${first.name}`;
    const base = w.base(chain.call, ctx, callee);
    const str = (i: number) => stringValue(src, first.args[i], w.consts);
    const mods = links.slice(1).filter((l) => l.call);
    const mod = (n: string) => mods.find((l) => l.name === n);
    const { table, schema } = tc;
    const push = (op: Operation) => (tc.create ? tc.after.push(op) : w.ops.push(op));
    if (COLUMN_TYPES.has(first.name) || first.name === 'timestamps') {
      const specs: ColumnSpec[] = [];
      if (first.name === 'timestamps') {
        const useTz = boolValue(w.t, first.args[0]);
        const def = boolValue(w.t, first.args[1]) === true;
        for (const n of ['created_at', 'updated_at']) {
          specs.push({
            name: n,
            type: useTz === false ? 'timestamp' : 'timestamptz',
            nullable: def ? false : true,
            serverDefault: def ? { text: 'knex.fn.now()', sql: 'CURRENT_TIMESTAMP', kind: 'expression' } : null,
            clientDefault: false,
            primaryKey: false,
            unique: false,
            generated: false,
            loc: base.loc,
          });
        }
      } else {
        const inc = first.name === 'increments' || first.name === 'bigIncrements';
        let nullable: boolean | null = inc ? false : null;
        if (mod('notNullable')) nullable = false;
        if (mod('nullable')) nullable = true;
        const d = mod('defaultTo');
        const prim = !!mod('primary') || inc;
        specs.push({
          name: str(0),
          type: columnType(first.name, first.args, src, w),
          nullable: prim && nullable === null ? false : nullable,
          serverDefault: d && d.args[0] ? this.defaultOf(d.args[0], w) : null,
          clientDefault: false,
          primaryKey: prim,
          // Altering a table, knex adds the UNIQUE constraint with a statement of its own (the op pushed below).
          unique: !!mod('unique') && tc.create,
          generated: inc,
          loc: base.loc,
        });
      }
      for (const l of mods) {
        if (NEUTRAL_MODIFIERS.has(l.name) || ['notNullable', 'nullable', 'defaultTo', 'unique', 'index', 'references', 'alter'].includes(l.name)) continue;
        w.unknown(l.call!, ctx, `${callee}().${l.name}`, `column modifier .${l.name}() is not understood`);
      }
      const spec = specs[0]!;
      if (mod('alter')) {
        const d = mod('defaultTo');
        w.ops.push({
          ...base,
          kind: 'alter_column',
          table,
          schema,
          column: spec.name,
          ...(spec.nullable !== null ? { nullable: spec.nullable } : {}),
          ...(spec.type !== null ? { type: spec.type } : {}),
          ...(d ? { serverDefault: spec.serverDefault } : {}),
          existingType: null,
          existingNullable: null,
        });
      } else if (tc.create) tc.columns.push(...specs);
      else for (const s of specs) w.ops.push({ ...base, kind: 'add_column', table, schema, column: s });
      if (mod('index')) {
        const ix = mod('index')!;
        push({ ...w.base(ix.call!, ctx, `${callee}().index`), kind: 'create_index', name: stringValue(src, ix.args[0], w.consts), table, schema, columns: [spec.name ?? '?'], unique: false, concurrently: false, ifNotExists: false });
      }
      if (mod('unique') && !tc.create) {
        const u = mod('unique')!;
        w.ops.push(this.constraint(w.base(u.call!, ctx, `${callee}().unique`), 'unique', table, schema, [spec.name ?? '?'], null, []));
      }
      const ref = mod('references');
      if (ref) {
        const target = stringValue(src, ref.args[0], w.consts) ?? '';
        const inTable = mod('inTable');
        const rt = inTable ? stringValue(src, inTable.args[0], w.consts) : target.includes('.') ? target.split('.')[0]! : null;
        const rc = target.includes('.') ? target.split('.').pop()! : target;
        if (tc.create) {
          const loc = w.base(ref.call!, ctx, '').loc;
          tc.constraints.push({ type: 'foreign_key', name: null, loc, referredTable: rt, columns: spec.name === null ? [] : [spec.name], referredColumns: rc === '' ? [] : [rc], inline: true });
        }
        else w.ops.push(this.constraint(w.base(ref.call!, ctx, `${callee}().references`), 'foreign_key', table, schema, [spec.name ?? '?'], rt, [rc]));
      }
      return;
    }
    const known = understood(KNEX_TABLE_METHODS, first.name);
    switch (known) {
      case 'dropColumn':
      case 'dropColumns':
        for (const a of first.args) for (const c of stringList(src, a, w.consts)) w.ops.push({ ...base, kind: 'drop_column', table, schema, column: c });
        return;
      case 'dropTimestamps':
        for (const c of ['created_at', 'updated_at']) w.ops.push({ ...base, kind: 'drop_column', table, schema, column: c });
        return;
      case 'renameColumn':
        w.ops.push({ ...base, kind: 'alter_column', table, schema, column: str(0), newName: str(1), existingType: null, existingNullable: null });
        return;
      case 'setNullable':
      case 'dropNullable':
        w.ops.push({ ...base, kind: 'alter_column', table, schema, column: str(0), nullable: first.name === 'setNullable', existingType: null, existingNullable: null });
        return;
      case 'index': {
        const opts = objectProps(w.t, first.args[2]);
        const name = stringValue(src, first.args[1], w.consts) ?? (opts ? stringValue(src, opts.get('indexName'), w.consts) : null);
        const method = opts ? stringValue(src, opts.get('indexType'), w.consts) : stringValue(src, first.args[2], w.consts);
        push({ ...base, kind: 'create_index', name, table, schema, columns: stringList(src, first.args[0], w.consts), unique: false, concurrently: false, ifNotExists: false, method: method ?? null });
        return;
      }
      case 'dropIndex':
        w.ops.push({ ...base, kind: 'drop_index', name: str(1), table, schema, concurrently: false, ifExists: false });
        return;
      case 'unique':
      case 'primary': {
        const type: ConstraintType = first.name === 'unique' ? 'unique' : 'primary_key';
        const opts = objectProps(w.t, first.args[1]);
        const name = stringValue(src, first.args[1], w.consts) ?? (opts ? stringValue(src, opts.get('indexName') ?? opts.get('constraintName'), w.consts) : null);
        if (tc.create) tc.constraints.push({ type, name, loc: base.loc, columns: stringList(src, first.args[0], w.consts) });
        else w.ops.push(this.constraint(base, type, table, schema, stringList(src, first.args[0], w.consts), null, []));
        return;
      }
      case 'foreign': {
        const ref = mods.find((l) => l.name === 'references');
        const inTable = mods.find((l) => l.name === 'inTable');
        const target = ref ? (stringValue(src, ref.args[0], w.consts) ?? '') : '';
        const rt = inTable ? stringValue(src, inTable.args[0], w.consts) : target.includes('.') ? target.split('.')[0]! : null;
        if (tc.create) {
          const rc = target.split('.').pop()!;
          tc.constraints.push({ type: 'foreign_key', name: str(1), loc: base.loc, referredTable: rt, columns: stringList(src, first.args[0], w.consts), referredColumns: rc === '' ? [] : [rc] });
        }
        else w.ops.push(this.constraint(base, 'foreign_key', table, schema, stringList(src, first.args[0], w.consts), rt, [target.split('.').pop()!]));
        return;
      }
      case 'check': {
        const c = this.constraint(base, 'check', table, schema, [], null, []);
        c.condition = str(0);
        c.name = str(2);
        if (tc.create) tc.constraints.push({ type: 'check', name: c.name, loc: base.loc });
        else w.ops.push(c);
        return;
      }
      case 'dropForeign':
      case 'dropUnique':
      case 'dropPrimary':
      case 'dropChecks': {
        const type: ConstraintType = first.name === 'dropForeign' ? 'foreign_key' : first.name === 'dropUnique' ? 'unique' : first.name === 'dropPrimary' ? 'primary_key' : 'check';
        w.ops.push({ ...base, kind: 'drop_constraint', name: first.name === 'dropPrimary' ? str(0) : str(1), table, schema, constraintType: type });
        return;
      }
      case 'engine':
      case 'charset':
      case 'collate':
      case 'comment':
        return;
      case undefined:
        w.unknown(chain.call, ctx, callee, `table builder .${first.name}() is not understood`);
        break;
      default:
        unlisted(known);
    }
  }

  private constraint(base: ReturnType<Walker['base']>, type: ConstraintType, table: string | null, schema: string | null, columns: string[], referredTable: string | null, referredColumns: string[]): Extract<Operation, { kind: 'add_constraint' }> {
    return { ...base, kind: 'add_constraint', constraintType: type, name: null, table, schema, columns, referredTable, referredColumns, condition: null, notValid: false };
  }

  private defaultOf(e: Expression, w: Walker) {
    const t = w.t;
    const u = unwrap(t, e);
    if (t.isCallExpression(u)) {
      const text = this.src.textOf(u);
      if (/\.fn\.now\(\)$/.test(text)) return { text, sql: 'CURRENT_TIMESTAMP', kind: 'expression' as const };
      if (/\.raw\(/.test(text)) {
        const s = stringValue(this.src, u.arguments[0], w.consts);
        return { text, sql: s, kind: s === null ? ('unknown' as const) : ('expression' as const) };
      }
    }
    return jsDefault(this.src, e, w.consts);
  }

  /** knex(table).where(...).update({...}) and the like. */
  private query(chain: Chain, first: Link, rest: Link[], ctx: Ctx, w: Walker): void {
    const src = this.src;
    const table = first.call ? stringValue(src, first.args[0], w.consts) : null;
    const names = rest.map((l) => l.name);
    const action = names.find((n) => ['update', 'insert', 'del', 'delete', 'truncate', 'increment', 'decrement', 'upsert'].includes(n));
    const last = rest[rest.length - 1] ?? first;
    const callee = src.short(chain.call.expression);
    if (!action) {
      // A read (select, first, pluck...) changes nothing.
      if (names.some((n) => /^(select|first|pluck|count|where\w*|from|orderBy|limit|join|\w*Join|columns|then)$/.test(n)) || names.length === 0) return;
      w.unknown(chain.call, ctx, callee, `knex query .${last.name}() is not understood`);
      return;
    }
    const hasWhere = names.some((n) => /^(where|andWhere|orWhere|whereIn|whereNot|whereNull|whereNotNull|whereRaw|whereExists|whereBetween|whereLike)/.test(n));
    const link = rest.find((l) => l.name === action)!;
    const cols = action === 'update' ? [...(objectProps(w.t, link.args[0])?.keys() ?? [])] : [];
    const kind = action === 'del' || action === 'delete' ? 'delete' : action === 'truncate' ? 'truncate' : action === 'insert' || action === 'upsert' ? 'insert' : 'update';
    w.ops.push({ ...w.base(chain.call, ctx, callee), kind: 'data_change', action: kind, table, columns: cols, hasWhere: kind === 'insert' ? null : hasWhere });
  }
}

export function readKnex(src: Src, shape: ModuleShape, m: Migration): void {
  const t = src.t;
  const config = shape.exports.get('config');
  const props = config && !isFn(t, config.value) ? objectProps(t, config.value as Expression) : null;
  if (props && boolValue(t, props.get('transaction')) === false) {
    m.transaction = { mode: 'none', reason: 'knex: exports.config = { transaction: false }', file: m.file, loc: src.loc(config!.at) };
  } else {
    m.transaction = { mode: 'per-migration', reason: 'knex runs each migration in a transaction', file: null, loc: null };
  }
  const transactional = m.transaction.mode !== 'none';
  readUpDown(src, m, shape, { fnOf: exportedFn(t, shape), handler: () => new KnexHandler(src), roots: firstParam(t, 'knex'), transactional });
}
