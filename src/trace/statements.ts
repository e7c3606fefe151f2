// The statements a migration body sends to PostgreSQL, in order. Operations read from SQL (a
// .sql file, an op.execute string) keep their statement's text; several operations of one
// statement (the clauses of one ALTER TABLE) run once. Builder operations (op.add_column, knex)
// need the renderer; until one is given they are listed as not run, never guessed.
import type { Body, Loc, Migration, Operation } from '../model/index.js';

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
  /** The model operations this statement amounts to (what the lock model and the rules read). */
  ops: Operation[];
}

/** Renders a builder operation to SQL, or says why it cannot. */
export type OperationRenderer = (op: Operation, migration: Migration) => { sql: string[] } | { notRendered: string };

function statementKey(op: Operation): string | null {
  if (!op.fromSql) return null;
  const host = op.fromSql.host ? `${op.fromSql.host.line}:${op.fromSql.host.column}` : '';
  return `${op.loc.file ?? ''}|${host}|${op.fromSql.index}`;
}

export function bodyStatements(migration: Migration, body: Body, render?: OperationRenderer): TraceStatement[] {
  const out: TraceStatement[] = [];
  let lastKey: string | null = null;
  for (const op of body.operations) {
    const file = op.loc.file ?? migration.file;
    const key = statementKey(op);
    if (key !== null && key === lastKey) {
      out[out.length - 1]!.ops.push(op);
      continue;
    }
    lastKey = key;
    const loc = op.fromSql?.statementLoc ?? op.loc;
    if (op.kind === 'transaction_control') {
      const control = op.action === 'begin' || op.action === 'commit' || op.action === 'rollback' ? op.action : 'other';
      out.push({ sql: op.fromSql?.statement ?? null, control, file, loc, ops: [op] });
      continue;
    }
    if (op.fromSql) {
      if (op.fromSql.hasHoles) {
        out.push({ sql: null, notRun: 'the statement has values unknown until run time (placeholders, f-string fields)', file, loc, ops: [op] });
      } else {
        out.push({ sql: op.fromSql.statement, file, loc, ops: [op] });
      }
      continue;
    }
    if (op.kind === 'execute_sql') {
      if (!op.textKnown) out.push({ sql: null, notRun: 'the SQL is not a string literal', file, loc, ops: [op] });
      else if (op.hasHoles) out.push({ sql: null, notRun: 'the SQL has values unknown until run time', file, loc, ops: [op] });
      else out.push({ sql: op.sql, file, loc, ops: [op] });
      continue;
    }
    if (op.kind === 'unknown') {
      out.push({ sql: null, notRun: `not understood: ${op.reason}`, file, loc, ops: [op] });
      continue;
    }
    if (op.kind === 'sql_error') {
      // PostgreSQL's parser rejects it: running it reports the server's own error and position.
      out.push({ sql: null, notRun: `PostgreSQL's parser rejects it: ${op.message}`, file, loc, ops: [op] });
      continue;
    }
    const rendered = render ? render(op, migration) : { notRendered: `${op.callee} is not SQL and no renderer is available` };
    if ('notRendered' in rendered) {
      out.push({ sql: null, notRun: `not rendered: ${rendered.notRendered}`, file, loc, ops: [op] });
    } else {
      rendered.sql.forEach((sql, i) => out.push({ sql, file, loc, ops: i === 0 ? [op] : [] }));
    }
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
