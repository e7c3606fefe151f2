// The schema as a chain's migrations build it, replayed from the model in history order, so a
// rule can ask what a column's type was, or whether a validated CHECK (col IS NOT NULL) already
// exists, before the migration it checks. Only what migrations said is known.
import { normalizeName } from '../model/index.js';
import type { Migration, Operation } from '../model/index.js';
import type { CatalogCheck, CatalogColumn, CatalogIndex, CatalogView } from '../rule-api/index.js';

interface TableState {
  exists: boolean;
  columns: Map<string, CatalogColumn>;
  checks: CatalogCheck[];
}

export class Catalog implements CatalogView {
  private readonly tables = new Map<string, TableState>();
  private readonly indexes = new Map<string, CatalogIndex & { table: string | null }>();

  hasTable(table: string | null): boolean | null {
    const t = this.tables.get(key(table));
    return t ? t.exists : null;
  }

  column(table: string | null, column: string | null): CatalogColumn | null {
    return this.tables.get(key(table))?.columns.get(key(column)) ?? null;
  }

  checks(table: string | null): CatalogCheck[] {
    return this.tables.get(key(table))?.checks ?? [];
  }

  index(name: string | null): (CatalogIndex & { table: string | null }) | null {
    return this.indexes.get(key(name)) ?? null;
  }

  private table(name: string | null): TableState {
    const k = key(name);
    let t = this.tables.get(k);
    if (!t) {
      t = { exists: true, columns: new Map(), checks: [] };
      this.tables.set(k, t);
    }
    return t;
  }

  /** Applies a migration's upgrade, as far as the model describes it. */
  applyUpgrade(m: Migration): void {
    for (const op of m.upgrade.operations) this.apply(op);
  }

  apply(op: Operation): void {
    switch (op.kind) {
      case 'create_table': {
        if (!op.table) return;
        const t: TableState = { exists: true, columns: new Map(), checks: [] };
        for (const c of op.columns) {
          if (!c.name) continue;
          t.columns.set(key(c.name), { type: c.type, nullable: c.nullable ?? (c.primaryKey ? false : true) });
        }
        this.tables.set(key(op.table), t);
        return;
      }
      case 'drop_table':
        if (op.table) this.tables.set(key(op.table), { exists: false, columns: new Map(), checks: [] });
        return;
      case 'rename_table': {
        if (!op.table || !op.newName) return;
        const t = this.tables.get(key(op.table));
        if (!t) return;
        this.tables.delete(key(op.table));
        this.tables.set(key(op.newName), t);
        for (const ix of this.indexes.values()) if (ix.table && key(ix.table) === key(op.table)) ix.table = op.newName;
        return;
      }
      case 'add_column':
        if (!op.table || !op.column.name) return;
        this.table(op.table).columns.set(key(op.column.name), {
          type: op.column.type,
          nullable: op.column.nullable ?? (op.column.primaryKey ? false : true),
        });
        return;
      case 'drop_column':
        if (op.table && op.column) this.table(op.table).columns.delete(key(op.column));
        return;
      case 'alter_column': {
        if (!op.table || !op.column) return;
        const t = this.table(op.table);
        const current = t.columns.get(key(op.column)) ?? { type: op.existingType, nullable: op.existingNullable };
        const next: CatalogColumn = {
          type: op.type ?? current.type,
          nullable: op.nullable ?? current.nullable,
        };
        if (op.newName) t.columns.delete(key(op.column));
        t.columns.set(key(op.newName ?? op.column), next);
        return;
      }
      case 'create_index':
        if (op.name) {
          this.indexes.set(key(op.name), {
            name: op.name,
            table: op.table,
            columns: op.columns,
            unique: op.unique,
            concurrently: op.concurrently,
          });
        }
        return;
      case 'drop_index':
        if (op.name) this.indexes.delete(key(op.name));
        return;
      case 'add_constraint':
        if (op.constraintType === 'check' && op.table && op.condition) {
          this.table(op.table).checks.push({ name: op.name, condition: op.condition, validated: !op.notValid });
        }
        return;
      case 'validate_constraint': {
        const c = this.tables.get(key(op.table))?.checks.find((x) => x.name !== null && key(x.name) === key(op.name));
        if (c) c.validated = true;
        return;
      }
      case 'drop_constraint': {
        const t = this.tables.get(key(op.table));
        if (t && op.name) t.checks = t.checks.filter((c) => c.name === null || key(c.name) !== key(op.name));
        return;
      }
      default:
        return;
    }
  }
}

function key(name: string | null | undefined): string {
  return normalizeName(name) ?? '';
}

// Alembic's own order (src/graph/order.ts) is the one history order; re-exported for the engine.
export { historyOrder } from '../graph/order.js';
