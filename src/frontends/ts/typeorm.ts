// TypeORM migrations: `class X1700000000000 implements MigrationInterface { up(queryRunner) ... }`.
// queryRunner.query(...) (SQL, template literals with holes), createTable(new Table({...})),
// addColumn(s)(new TableColumn({...})), changeColumn, renameColumn, dropColumn(s), createIndex
// (new TableIndex), dropIndex, createForeignKey(s), dropForeignKey, unique/check/primary
// constraints, renameTable, dropTable, start/commit/rollbackTransaction.
// Transactions: TypeORM's default migrationsTransactionMode is "all": every pending migration runs
// in ONE transaction (mode 'single'); a `transaction = false` property opts a migration out (only
// allowed in "each"/"none" mode).
import type { ColumnSpec, ConstraintType, Migration, Operation } from '../../model/types.js';
import {
  boolValue,
  firstParam,
  jsDefault,
  objectProps,
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

/** The queryRunner methods the TypeORM reader understands, with what each becomes; any other is an `unknown` operation. */
export const TYPEORM_METHODS = {
  query: 'SQL text',
  hasTable: 'a read, no operation',
  hasColumn: 'a read, no operation',
  getTable: 'a read, no operation',
  getTables: 'a read, no operation',
  hasSchema: 'a read, no operation',
  release: 'releases the connection, no operation',
  startTransaction: 'transaction_control (begin)',
  commitTransaction: 'transaction_control (commit)',
  rollbackTransaction: 'transaction_control (rollback)',
  createTable: 'create_table',
  dropTable: 'drop_table',
  renameTable: 'rename_table',
  addColumn: 'add_column',
  addColumns: 'add_column',
  dropColumn: 'drop_column',
  dropColumns: 'drop_column',
  renameColumn: 'alter_column (rename)',
  changeColumn: 'alter_column (type, nullable, default)',
  createIndex: 'create_index (new TableIndex)',
  dropIndex: 'drop_index',
  createForeignKey: 'add_constraint (foreign key)',
  createForeignKeys: 'add_constraint (foreign key)',
  createUniqueConstraint: 'add_constraint (unique)',
  createCheckConstraint: 'add_constraint (check)',
  createPrimaryKey: 'add_constraint (primary key)',
  dropForeignKey: 'drop_constraint',
  dropUniqueConstraint: 'drop_constraint',
  dropCheckConstraint: 'drop_constraint',
  dropPrimaryKey: 'drop_constraint',
} as const satisfies Understood;

type Expression = TsNs.Expression;

/** `new TableColumn({...})` or a plain object → its properties. */
function ctorProps(src: Src, e: Expression | undefined, cls: string): Map<string, Expression> | null {
  if (!e) return null;
  const t = src.t;
  const u = unwrap(t, e);
  if (t.isNewExpression(u) && src.textOf(u.expression).endsWith(cls)) return objectProps(t, u.arguments?.[0]);
  return objectProps(t, u);
}

class TypeormHandler implements Handler {
  constructor(readonly src: Src) {}

  private column(props: Map<string, Expression>, w: Walker, loc: ColumnSpec['loc']): ColumnSpec {
    const src = this.src;
    const t = src.t;
    const s = (k: string) => stringValue(src, props.get(k), w.consts);
    const type = s('type');
    const length = s('length') ?? (props.get('length') ? src.textOf(props.get('length')!) : null);
    const primary = boolValue(t, props.get('isPrimary')) === true;
    const isNullable = boolValue(t, props.get('isNullable'));
    const def = props.get('default');
    return {
      name: s('name'),
      type: type === null ? null : length ? `${type}(${length})` : type,
      // TableColumn's isNullable defaults to false: a column is NOT NULL unless it says so.
      nullable: isNullable ?? false,
      serverDefault: def ? jsDefault(src, def, w.consts, { stringIsSql: true }) : null,
      clientDefault: false,
      primaryKey: primary,
      unique: boolValue(t, props.get('isUnique')) === true,
      generated: boolValue(t, props.get('isGenerated')) === true,
      loc,
    };
  }

  call(chain: Chain, _kind: string, ctx: Ctx, w: Walker): void {
    const src = this.src;
    const t = src.t;
    const l = chain.links[0];
    if (!l || !l.call || chain.links.length > 1) {
      if (l && !l.call && chain.links.length === 1) return;
      const last = chain.links[chain.links.length - 1];
      if (l && (l.name === 'connection' || l.name === 'manager') && last?.call) {
        w.unknown(chain.call, ctx, src.short(chain.call.expression), `queryRunner.${l.name}...${last.name}() is not an operation migralint understands`);
      } else if (l?.call) {
        w.unknown(chain.call, ctx, src.short(chain.call.expression), `queryRunner.${l.name}() is not an operation migralint understands`);
      }
      return;
    }
    const callee = `${chain.root}.${l.name}`;
    const base = w.base(l.call, ctx, callee);
    const a = l.args;
    const str = (i: number) => stringValue(src, a[i], w.consts);
    // A table given as a name or a Table object.
    const tableOf = (i: number) => str(i) ?? (a[i] ? stringValue(src, ctorProps(src, a[i], 'Table')?.get('name'), w.consts) : null);
    const colName = (i: number) => str(i) ?? (a[i] ? stringValue(src, ctorProps(src, a[i], 'TableColumn')?.get('name'), w.consts) : null);
    const table = tableOf(0);
    const constraint = (type: ConstraintType, props: Map<string, Expression> | null): Operation => ({
      ...base,
      kind: 'add_constraint',
      constraintType: type,
      name: props ? stringValue(src, props.get('name'), w.consts) : null,
      table,
      schema: null,
      columns: props ? stringList(src, props.get('columnNames'), w.consts) : [],
      referredTable: props ? stringValue(src, props.get('referencedTableName'), w.consts) : null,
      referredColumns: props ? stringList(src, props.get('referencedColumnNames'), w.consts) : [],
      condition: props ? stringValue(src, props.get('expression'), w.consts) : null,
      notValid: false,
    });
    const known = understood(TYPEORM_METHODS, l.name);
    switch (known) {
      case 'query':
        return w.sql(l.call, ctx, callee, a[0]);
      case 'hasTable':
      case 'hasColumn':
      case 'getTable':
      case 'getTables':
      case 'hasSchema':
      case 'release':
        return;
      case 'startTransaction':
      case 'commitTransaction':
      case 'rollbackTransaction':
        w.ops.push({ ...base, kind: 'transaction_control', action: l.name === 'startTransaction' ? 'begin' : l.name === 'commitTransaction' ? 'commit' : 'rollback' });
        return;
      case 'createTable': {
        const p = ctorProps(src, a[0], 'Table');
        const cols = p?.get('columns');
        const cu = cols ? unwrap(t, cols) : null;
        const columns = cu && t.isArrayLiteralExpression(cu) ? cu.elements.map((e) => this.column(ctorProps(src, e, 'TableColumn') ?? new Map(), w, src.loc(e))) : [];
        const constraints: { type: ConstraintType; name: string | null; loc: ColumnSpec['loc']; referredTable?: string | null }[] = [];
        for (const [k, type] of [['foreignKeys', 'foreign_key'], ['uniques', 'unique'], ['checks', 'check']] as const) {
          const arr = p?.get(k) ? unwrap(t, p.get(k)!) : null;
          if (arr && t.isArrayLiteralExpression(arr)) for (const e of arr.elements) constraints.push({ type, name: stringValue(src, ctorProps(src, e, '')?.get('name'), w.consts), loc: src.loc(e) });
        }
        w.ops.push({ ...base, kind: 'create_table', table: p ? stringValue(src, p.get('name'), w.consts) : null, schema: null, columns, constraints });
        const idx = p?.get('indices') ? unwrap(t, p.get('indices')!) : null;
        if (idx && t.isArrayLiteralExpression(idx)) for (const e of idx.elements) w.ops.push(this.index(ctorProps(src, e, 'TableIndex'), { ...base, loc: src.loc(e) }, p ? stringValue(src, p.get('name'), w.consts) : null, w));
        return;
      }
      case 'dropTable':
        w.ops.push({ ...base, kind: 'drop_table', table, schema: null });
        return;
      case 'renameTable':
        w.ops.push({ ...base, kind: 'rename_table', table, newName: str(1), schema: null });
        return;
      case 'addColumn':
      case 'addColumns': {
        const list = l.name === 'addColumn' ? [a[1]] : (() => {
          const u = a[1] ? unwrap(t, a[1]) : null;
          return u && t.isArrayLiteralExpression(u) ? [...u.elements] : [a[1]];
        })();
        for (const e of list) {
          const p = ctorProps(src, e, 'TableColumn');
          if (!p) {
            w.unknown(l.call, ctx, callee, 'the column is not a `new TableColumn({...})` literal');
            continue;
          }
          w.ops.push({ ...base, kind: 'add_column', table, schema: null, column: this.column(p, w, base.loc) });
        }
        return;
      }
      case 'dropColumn':
        w.ops.push({ ...base, kind: 'drop_column', table, schema: null, column: colName(1) });
        return;
      case 'dropColumns': {
        const u = a[1] ? unwrap(t, a[1]) : null;
        const els = u && t.isArrayLiteralExpression(u) ? [...u.elements] : [];
        for (const e of els) w.ops.push({ ...base, kind: 'drop_column', table, schema: null, column: stringValue(src, e, w.consts) ?? stringValue(src, ctorProps(src, e, 'TableColumn')?.get('name'), w.consts) });
        return;
      }
      case 'renameColumn':
        w.ops.push({ ...base, kind: 'alter_column', table, schema: null, column: colName(1), newName: colName(2), existingType: null, existingNullable: null });
        return;
      case 'changeColumn': {
        const p = ctorProps(src, a[2], 'TableColumn');
        if (!p) {
          w.unknown(l.call, ctx, callee, 'the new column is not a `new TableColumn({...})` literal');
          return;
        }
        const c = this.column(p, w, base.loc);
        const old = colName(1);
        w.ops.push({
          ...base,
          kind: 'alter_column',
          table,
          schema: null,
          column: old,
          ...(c.type !== null ? { type: c.type } : {}),
          nullable: c.nullable ?? false,
          ...(c.name !== null && c.name !== old ? { newName: c.name } : {}),
          existingType: null,
          existingNullable: null,
        });
        return;
      }
      case 'createIndex':
        w.ops.push(this.index(ctorProps(src, a[1], 'TableIndex'), base, table, w));
        return;
      case 'dropIndex':
        w.ops.push({ ...base, kind: 'drop_index', name: str(1) ?? stringValue(src, ctorProps(src, a[1], 'TableIndex')?.get('name'), w.consts), table, schema: null, concurrently: false, ifExists: false });
        return;
      case 'createForeignKey':
        w.ops.push(constraint('foreign_key', ctorProps(src, a[1], 'TableForeignKey')));
        return;
      case 'createForeignKeys': {
        const u = a[1] ? unwrap(t, a[1]) : null;
        for (const e of u && t.isArrayLiteralExpression(u) ? u.elements : []) w.ops.push({ ...constraint('foreign_key', ctorProps(src, e, 'TableForeignKey')), loc: src.loc(e) });
        return;
      }
      case 'createUniqueConstraint':
        w.ops.push(constraint('unique', ctorProps(src, a[1], 'TableUnique')));
        return;
      case 'createCheckConstraint':
        w.ops.push(constraint('check', ctorProps(src, a[1], 'TableCheck')));
        return;
      case 'createPrimaryKey': {
        const c = constraint('primary_key', null);
        if (c.kind === 'add_constraint') c.columns = stringList(src, a[1], w.consts);
        w.ops.push(c);
        return;
      }
      case 'dropForeignKey':
      case 'dropUniqueConstraint':
      case 'dropCheckConstraint':
      case 'dropPrimaryKey': {
        const type: ConstraintType = l.name === 'dropForeignKey' ? 'foreign_key' : l.name === 'dropUniqueConstraint' ? 'unique' : l.name === 'dropCheckConstraint' ? 'check' : 'primary_key';
        w.ops.push({ ...base, kind: 'drop_constraint', name: str(1), table, schema: null, constraintType: type });
        return;
      }
      case undefined:
        w.unknown(l.call, ctx, callee, `queryRunner.${l.name}() is not an operation migralint understands`);
        break;
      default:
        unlisted(known);
    }
  }

  private index(p: Map<string, Expression> | null, base: ReturnType<Walker['base']>, table: string | null, w: Walker): Operation {
    const src = this.src;
    return {
      ...base,
      kind: 'create_index',
      name: p ? stringValue(src, p.get('name'), w.consts) : null,
      table,
      schema: null,
      columns: p ? stringList(src, p.get('columnNames'), w.consts) : [],
      unique: p ? boolValue(src.t, p.get('isUnique')) === true : false,
      // TypeORM's TableIndex has no CONCURRENTLY: its CREATE INDEX is plain.
      concurrently: false,
      ifNotExists: false,
      where: p ? stringValue(src, p.get('where'), w.consts) : null,
    };
  }
}

export function readTypeorm(src: Src, shape: ModuleShape, m: Migration): void {
  const t = src.t;
  const cls = shape.classes.find((c) => c.methods.has('up') || c.methods.has('down'));
  const txProp = cls?.props.get('transaction');
  const tx = txProp?.initializer ? boolValue(t, txProp.initializer) : null;
  if (tx === false) {
    m.transaction = { mode: 'none', reason: 'TypeORM: transaction = false (migrationsTransactionMode "each" or "none")', file: m.file, loc: src.loc(txProp!) };
  } else {
    m.transaction = { mode: 'single', reason: 'TypeORM runs all pending migrations in one transaction (migrationsTransactionMode "all", the default)', file: null, loc: null };
  }
  const transactional = m.transaction.mode !== 'none';
  // TypeORM's name is the class name (it must end with a timestamp).
  if (cls?.name) m.message = cls.name.replace(/\d{13}$/, '').replace(/([a-z])([A-Z])/g, '$1 $2') || m.message;
  readUpDown(src, m, shape, { fnOf: (key) => cls?.methods.get(key) ?? null, handler: () => new TypeormHandler(src), roots: firstParam(t, 'queryRunner'), transactional });
}
