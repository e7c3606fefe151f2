// The statements a migration body sends to PostgreSQL, in order. Operations read from SQL (a
// .sql file, an op.execute string) keep their statement's text; several operations of one
// statement (the clauses of one ALTER TABLE) run once. Builder operations (op.add_column, knex)
// are rendered by src/render; what it cannot render is listed as not run, never guessed.
import type { Body, Loc, Migration, Operation } from '../model/index.js';
import { renderMigration } from '../render/index.js';

export interface TraceStatement {
  /** The SQL to run; null when it cannot be run (holes, an unknown operation, nothing rendered). */
  sql: string | null;
  /** Why `sql` is null. */
  notRun?: string;
  /** BEGIN/COMMIT/ROLLBACK written in the migration: it shapes the transaction, the trace runs its own. */
  control?: 'begin' | 'commit' | 'rollback' | 'other';
  /** Absolute path of the file the statement is in (a down.sql for golang-migrate downgrades). */
  file: string;
  loc: Loc;
  /** Runs outside the migration's transaction (an Alembic autocommit block). */
  autocommit?: boolean;
  /** The model operations this statement amounts to (what the lock model and the rules read). */
  ops: Operation[];
}

/**
 * The statements of a migration's upgrade or downgrade, from the renderer (src/render): SQL read
 * from files and strings as written, builder operations rendered, what cannot be rendered kept
 * as a statement that is not run, with the renderer's reason.
 */
export function bodyStatements(migration: Migration, direction: 'up' | 'down'): TraceStatement[] {
  const body: Body = direction === 'up' ? migration.upgrade : migration.downgrade;
  const rendered = renderMigration(migration, { direction });
  const out: TraceStatement[] = [];
  for (const item of rendered.items) {
    if (item.kind === 'comment') {
      if (!item.notRendered || item.opIndex === null) continue;
      const op = body.operations[item.opIndex]!;
      out.push({
        sql: null,
        notRun: item.text.replace(/^migralint: /, ''),
        file: item.file ?? op.loc.file ?? migration.file,
        loc: item.loc ?? op.loc,
        ops: [op],
      });
      continue;
    }
    const ops = item.opIndexes.map((i) => body.operations[i]!);
    const first = ops[0];
    const st: TraceStatement = { sql: item.sql, file: item.file, loc: item.loc, ops };
    if (first?.kind === 'transaction_control') {
      st.control = first.action === 'begin' || first.action === 'commit' || first.action === 'rollback' ? first.action : 'other';
    }
    if (!item.transactional) st.autocommit = true;
    out.push(st);
  }
  return out;
}

/** Migrations of a chain in the order they run: parents first (file order among equals). */
export function chainOrder(migrations: readonly Migration[]): Migration[] {
  const byRev = new Map<string, Migration>();
  for (const m of migrations) if (m.revision) byRev.set(m.revision.value, m);
  const done = new Set<Migration>();
  const out: Migration[] = [];
  const visit = (m: Migration, stack: Set<Migration>) => {
    if (done.has(m) || stack.has(m)) return;
    stack.add(m);
    for (const p of m.parents?.value ?? []) {
      const parent = byRev.get(p);
      if (parent) visit(parent, stack);
    }
    stack.delete(m);
    done.add(m);
    out.push(m);
  };
  for (const m of migrations) visit(m, new Set());
  return out;
}
