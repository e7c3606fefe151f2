// The schema as a chain's migrations build it, replayed from the model in history order, so a
// rule can ask what a column's type was, or whether a validated CHECK (col IS NOT NULL) already
// exists, before the migration it checks. Only what migrations said is known.
import { normalizeName } from '../model/index.js';
import type { Migration, Operation } from '../model/index.js';
import type { CatalogCheck, CatalogColumn, CatalogIndex, CatalogTableSize, CatalogView } from '../rule-api/index.js';
import { redactName, SnapshotFormatError, type LazySnapshot, type LazyTable, type SnapshotTable } from '../snapshot/format.js';

interface TableState {
  exists: boolean;
  columns: Map<string, CatalogColumn>;
  checks: CatalogCheck[];
  /** Estimated rows and bytes, from a snapshot of production. */
  size?: CatalogTableSize;
  /** Created by a migration that has not run in production. */
  isNew?: boolean;
}

/** How the migrations replayed next relate to production. */
export interface ReplayMode {
  /**
   * true: not applied in production, so the tables it creates are new (empty, used by nobody).
   * null: unknown (a snapshot without the framework's version table): a table it creates is new
   * unless the snapshot has it.
   */
  pending: boolean | null;
}

export interface CatalogState {
  tables: Map<string, TableState>;
  indexes: Map<string, CatalogIndex & { table: string | null }>;
  droppedIndexes: Set<string>;
  mode: ReplayMode;
}

export class Catalog implements CatalogView {
  private readonly tables = new Map<string, TableState>();
  private readonly indexes = new Map<string, CatalogIndex & { table: string | null }>();
  /** Names are looked up hashed, as a redacted snapshot stores them. */
  private readonly hashed: boolean;
  private mode: ReplayMode = { pending: false };

  constructor(opts: { hashed?: boolean } = {}) {
    this.hashed = opts.hashed ?? false;
  }

  /**
   * The schema a snapshot of production holds: its tables (by name without the schema, `public`
   * first), their columns, CHECK constraints, indexes and sizes. Names are folded to lower case:
   * the model reads `"User"` in a migration as User, which the catalog folds (a redacted snapshot
   * hashed the name as the server spells it, so it is left alone).
   */
  static fromSnapshot(snapshot: LazySnapshot): Catalog {
    const c = new Catalog({ hashed: snapshot.redacted });
    c.source = snapshot;
    c.fold = (n: string) => (snapshot.redacted ? n : n.toLowerCase());
    // Public tables first, so that they win over a same-named table of another schema.
    for (const pass of [false, true]) {
      for (const t of snapshot.tables) {
        if (t.name.includes('.') !== pass) continue;
        const bare = c.fold(t.name.slice(t.name.lastIndexOf('.') + 1));
        if (!c.seed.has(bare)) c.seed.set(bare, t);
      }
    }
    return c;
  }

  private source: LazySnapshot | null = null;
  /** The first table of the snapshot that could not be read (the run reports it and exits 2). */
  failure: SnapshotFormatError | null = null;
  /** Indexes dropped by the replay: production's index of that name is gone. */
  private readonly droppedIndexes = new Set<string>();

  /** Production's index of that name, read in on first use. */
  private seededIndex(k: string): (CatalogIndex & { table: string | null }) | null {
    if (!this.source || this.droppedIndexes.has(k)) return null;
    let hit: ReturnType<LazySnapshot['findIndex']>;
    try {
      hit = this.source.findIndex(k);
    } catch (err) {
      if (!(err instanceof SnapshotFormatError)) throw err;
      this.failure ??= err;
      return null;
    }
    if (!hit) return null;
    const ix = { name: hit.index.name, table: this.fold(hit.table.slice(hit.table.lastIndexOf('.') + 1)), columns: hit.index.columns, unique: hit.index.unique, concurrently: false };
    this.indexes.set(k, ix);
    return ix;
  }

  /** Production's tables not yet looked at: a run touches a few of thousands, so each is read on first use. */
  private readonly seed = new Map<string, LazyTable>();
  private fold: (name: string) => string = (n) => n;

  private seeded(k: string): TableState | undefined {
    const lazy = this.seed.get(k);
    if (!lazy) return undefined;
    this.seed.delete(k);
    let t: SnapshotTable;
    try {
      t = lazy.load();
    } catch (err) {
      // A broken table block: the run ends with the error (exit 2) once the rules are done; a
      // rule asking meanwhile must not crash, so the table is unknown.
      if (!(err instanceof SnapshotFormatError)) throw err;
      this.failure ??= err;
      return undefined;
    }
    const columns = new Map<string, CatalogColumn>();
    for (const col of t.columns) columns.set(this.fold(col.name), { type: col.type, nullable: col.nullable });
    const checks: CatalogCheck[] = t.constraints
      .filter((x) => x.kind === 'check')
      .map((x) => ({ name: x.name, condition: x.definition.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, ''), validated: x.validated }));
    const state: TableState = { exists: true, columns, checks, size: { rows: t.rows, bytes: t.bytes } };
    this.tables.set(k, state);
    return state;
  }

  /** The tables map, with production's table read in on first use. */
  private get(k: string): TableState | undefined {
    return this.tables.get(k) ?? this.seeded(k);
  }

  /**
   * Every table the catalog holds (dropped ones left out), with its columns, CHECK constraints and
   * indexes: what the replay predicts a database built by the same migrations has (the test that
   * compares it with a snapshot of such a database reads it).
   */
  describe(): { name: string; columns: Map<string, CatalogColumn>; checks: CatalogCheck[]; indexes: (CatalogIndex & { table: string | null })[] }[] {
    return [...this.tables]
      .filter(([, t]) => t.exists)
      .map(([name, t]) => ({
        name,
        columns: t.columns,
        checks: t.checks,
        indexes: [...this.indexes.values()].filter((i) => i.table !== null && this.key(i.table) === name),
      }));
  }

  /**
   * What the replay built, for the cache to keep (engine/run.ts); null for a catalog seeded from
   * a snapshot, whose state is not only the replay's.
   */
  replayState(): CatalogState | null {
    if (this.source || this.hashed) return null;
    return { tables: this.tables, indexes: this.indexes, droppedIndexes: this.droppedIndexes, mode: this.mode };
  }

  /** A replay's catalog from a kept state (the state's maps become the catalog's own). */
  static fromReplayState(state: CatalogState): Catalog {
    const c = new Catalog();
    for (const [k, v] of state.tables) c.tables.set(k, v);
    for (const [k, v] of state.indexes) c.indexes.set(k, v);
    for (const k of state.droppedIndexes) c.droppedIndexes.add(k);
    c.mode = state.mode;
    return c;
  }

  /** Sets how the migrations applied next relate to production (see ReplayMode). */
  setMode(mode: ReplayMode): void {
    this.mode = mode;
  }

  hasTable(table: string | null): boolean | null {
    const t = this.get(this.key(table));
    return t ? t.exists : null;
  }

  tableSize(table: string | null): CatalogTableSize | null {
    const t = this.get(this.key(table));
    return t?.exists && t.size ? t.size : null;
  }

  isNewTable(table: string | null): boolean {
    const t = this.get(this.key(table));
    return Boolean(t?.exists && t.isNew);
  }

  column(table: string | null, column: string | null): CatalogColumn | null {
    return this.get(this.key(table))?.columns.get(this.key(column)) ?? null;
  }

  checks(table: string | null): CatalogCheck[] {
    return this.get(this.key(table))?.checks ?? [];
  }

  index(name: string | null): (CatalogIndex & { table: string | null }) | null {
    const k = this.key(name);
    return this.indexes.get(k) ?? this.seededIndex(k);
  }

  private key(name: string | null | undefined): string {
    const k = key(name);
    // Seeded names (and names the catalog stored from them) are hashes already.
    return this.hashed && k !== '' && !/^x[0-9a-f]{12}$/.test(k) ? redactName(k) : k;
  }

  private table(name: string | null): TableState {
    const k = this.key(name);
    let t = this.get(k);
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
        const before = this.get(this.key(op.table));
        // Production already has it, and which migrations ran is unknown: this is production's table.
        if (this.mode.pending === null && before?.exists && before.size) return;
        const t: TableState = { exists: true, columns: new Map(), checks: [] };
        if (this.mode.pending !== false) t.isNew = true;
        for (const c of op.columns) {
          if (!c.name) continue;
          t.columns.set(this.key(c.name), { type: c.type, nullable: c.nullable ?? (c.primaryKey ? false : true) });
        }
        this.tables.set(this.key(op.table), t);
        return;
      }
      case 'drop_table':
        if (op.table) this.tables.set(this.key(op.table), { exists: false, columns: new Map(), checks: [] });
        return;
      case 'rename_table': {
        if (!op.table || !op.newName) return;
        const t = this.get(this.key(op.table));
        if (!t) return;
        this.tables.delete(this.key(op.table));
        this.tables.set(this.key(op.newName), t);
        for (const ix of this.indexes.values()) if (ix.table && this.key(ix.table) === this.key(op.table)) ix.table = op.newName;
        return;
      }
      case 'add_column':
        if (!op.table || !op.column.name) return;
        this.table(op.table).columns.set(this.key(op.column.name), {
          type: op.column.type,
          nullable: op.column.nullable ?? (op.column.primaryKey ? false : true),
        });
        return;
      case 'drop_column':
        if (op.table && op.column) this.table(op.table).columns.delete(this.key(op.column));
        return;
      case 'alter_column': {
        if (!op.table || !op.column) return;
        const t = this.table(op.table);
        const current = t.columns.get(this.key(op.column)) ?? { type: op.existingType, nullable: op.existingNullable };
        const next: CatalogColumn = {
          type: op.type ?? current.type,
          nullable: op.nullable ?? current.nullable,
        };
        if (op.newName) {
          t.columns.delete(this.key(op.column));
          // An index keys the column, not its name: after the rename it lists the new name.
          for (const ix of this.indexes.values()) {
            if (!ix.table || this.key(ix.table) !== this.key(op.table)) continue;
            ix.columns = ix.columns.map((c) => (this.key(c) === this.key(op.column) ? op.newName! : c));
          }
        }
        t.columns.set(this.key(op.newName ?? op.column), next);
        return;
      }
      case 'create_index':
        if (op.name) {
          this.indexes.set(this.key(op.name), {
            name: op.name,
            table: op.table,
            columns: op.columns,
            unique: op.unique,
            concurrently: op.concurrently,
          });
        }
        return;
      case 'drop_index':
        if (op.name) {
          this.indexes.delete(this.key(op.name));
          this.droppedIndexes.add(this.key(op.name));
        }
        return;
      case 'add_constraint':
        if (op.constraintType === 'check' && op.table && op.condition) {
          this.table(op.table).checks.push({ name: op.name, condition: op.condition, validated: !op.notValid });
        }
        return;
      case 'validate_constraint': {
        const c = this.get(this.key(op.table))?.checks.find((x) => x.name !== null && this.key(x.name) === this.key(op.name));
        if (c) c.validated = true;
        return;
      }
      case 'drop_constraint': {
        const t = this.get(this.key(op.table));
        if (t && op.name) t.checks = t.checks.filter((c) => c.name === null || this.key(c.name) !== this.key(op.name));
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
