// A run of rendered migrations as one SQL script, with the transactions the runner opens: BEGIN
// and COMMIT are written where the runner sends them (as `alembic upgrade --sql` does), each
// under a comment saying why, and statements that must run outside a transaction (an autocommit
// block) get the COMMIT before and the BEGIN after them that the runner sends.
import type { Migration } from '../model/index.js';
import type { RenderedItem, RenderedMigration } from './types.js';

export interface ScriptOptions {
  /** Turns a file into the name shown in comments (e.g. relative to the working directory). */
  fileName?: (file: string) => string;
}

function label(m: Migration): string {
  const rev = m.revision?.value ?? null;
  const parents = m.parents?.value ?? [];
  return rev === null ? '' : parents.length > 0 ? `${parents.join(', ')} -> ${rev}` : `-> ${rev}`;
}

function heading(r: RenderedMigration, name: string): string {
  const m = r.migration;
  const rev = m.revision?.value ?? null;
  const parents = m.parents?.value ?? [];
  const what = rev === null ? '' : r.direction === 'up' ? ` ${label(m)}` : ` ${rev} -> ${parents.join(', ') || '(base)'}`;
  const message = m.message?.split('\n')[0]?.trim();
  return `-- Running ${r.direction === 'up' ? 'upgrade' : 'downgrade'}${what} (${name})${message ? `: ${message}` : ''}`;
}

/** One item as script text: a statement with its semicolon, or a comment with its position. */
export function formatItem(item: RenderedItem, fileName: (file: string) => string = (f) => f): string {
  if (item.kind === 'sql') return `${item.sql};`;
  const where = item.loc && item.file ? ` (${fileName(item.file)}:${item.loc.line})` : '';
  return `-- ${item.text.replace(/\n/g, ' ')}${item.notRendered ? where : ''}`;
}

/**
 * One step of a run as the runner executes it: a migration begins (`start`), the runner sends
 * BEGIN or COMMIT (`runner`, with why), a note about how the runner sends the migration (`note`),
 * or an item of the migration (a statement or a comment). `migration` indexes `rendered`.
 */
export type RunStep =
  | { kind: 'start'; migration: number }
  | { kind: 'runner'; sql: 'BEGIN' | 'COMMIT'; why: string; migration: number }
  | { kind: 'note'; text: string; migration: number }
  | { kind: 'item'; item: RenderedItem; migration: number };

/**
 * The steps of running `rendered` in order, with the runner's transactions: BEGIN/COMMIT per
 * migration or around the run, COMMIT before and BEGIN after an autocommit block, nothing for a
 * file the runner sends as one query (PostgreSQL's implicit transaction) or runs without one.
 */
export function runSteps(rendered: RenderedMigration[]): RunStep[] {
  const out: RunStep[] = [];
  let open = false;
  let at = 0;
  const begin = (why: string) => {
    out.push({ kind: 'runner', sql: 'BEGIN', why, migration: at });
    open = true;
  };
  const commit = (why: string) => {
    out.push({ kind: 'runner', sql: 'COMMIT', why, migration: at });
    open = false;
  };
  rendered.forEach((r, index) => {
    at = index;
    const t = r.transaction;
    // The whole file goes to PostgreSQL as one query: no BEGIN is sent, PostgreSQL wraps the
    // statements in an implicit transaction (unless the file says BEGIN itself).
    const implicit = t.implicit === true;
    out.push({ kind: 'start', migration: index });
    if ((t.mode === 'none' || implicit) && open) commit('the previous transaction ends: this migration runs without one');
    if (implicit) out.push({ kind: 'note', text: `${t.reason} (no BEGIN is sent)`, migration: index });
    else if (t.mode === 'single' && !open) begin(`the runner opens one transaction for the whole run (${t.reason})`);
    else if (t.mode === 'per-migration') begin(`the runner opens a transaction for this migration (${t.reason})`);
    else if (t.mode === 'none') out.push({ kind: 'note', text: `the runner opens no transaction: each statement commits on its own (${t.reason})`, migration: index });
    let outside = false;
    for (const item of r.items) {
      if (!implicit && item.kind === 'sql' && !item.transactional && open && !outside) {
        outside = true;
        commit('an autocommit block: the runner commits before it');
      } else if (!implicit && item.kind === 'sql' && item.transactional && outside) {
        outside = false;
        begin('the autocommit block ends: the runner opens a new transaction');
      }
      out.push({ kind: 'item', item, migration: index });
    }
    if (outside && t.mode !== 'none' && !implicit) begin('the autocommit block ends: the runner opens a new transaction');
    if (t.mode === 'per-migration' && open && !implicit) commit('the runner commits the migration');
  });
  if (open) commit('the runner commits the run');
  return out;
}

/** The run as one SQL script: runSteps written out, each runner statement under a comment saying why. */
export function renderScript(rendered: RenderedMigration[], opts: ScriptOptions = {}): string {
  const name = opts.fileName ?? ((f: string) => f);
  const out: string[] = [];
  for (const step of runSteps(rendered)) {
    switch (step.kind) {
      case 'start': {
        const r = rendered[step.migration]!;
        // A downgrade kept in a file of its own (a .down.sql) is named by that file.
        const down = r.direction === 'down' ? r.migration.companions.find((c) => c.role === 'down') : undefined;
        out.push(heading(r, name(down?.file ?? r.migration.file)), '');
        break;
      }
      case 'runner':
        out.push(`-- migralint: ${step.why}`, `${step.sql};`, '');
        break;
      case 'note':
        out.push(`-- migralint: ${step.text}`, '');
        break;
      case 'item':
        out.push(formatItem(step.item, name), '');
        break;
    }
  }
  return out.join('\n');
}
