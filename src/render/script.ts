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

export function renderScript(rendered: RenderedMigration[], opts: ScriptOptions = {}): string {
  const name = opts.fileName ?? ((f: string) => f);
  const out: string[] = [];
  let open = false;
  const begin = (why: string) => {
    out.push(`-- migralint: ${why}`, 'BEGIN;', '');
    open = true;
  };
  const commit = (why: string) => {
    out.push(`-- migralint: ${why}`, 'COMMIT;', '');
    open = false;
  };
  for (const r of rendered) {
    const t = r.transaction;
    out.push(heading(r, name(r.migration.file)), '');
    if (t.mode === 'none' && open) commit('the previous transaction ends: this migration runs without one');
    if (t.mode === 'single' && !open) begin(`the runner opens one transaction for the whole run (${t.reason})`);
    if (t.mode === 'per-migration') begin(`the runner opens a transaction for this migration (${t.reason})`);
    if (t.mode === 'none') {
      const how = t.implicit
        ? `the runner sends the file as one query: PostgreSQL runs it as one implicit transaction unless it says BEGIN (${t.reason})`
        : `the runner opens no transaction: each statement commits on its own (${t.reason})`;
      out.push(`-- migralint: ${how}`, '');
    }
    let outside = false;
    for (const item of r.items) {
      if (item.kind === 'sql' && !item.transactional && open && !outside) {
        outside = true;
        commit('an autocommit block: the runner commits before it');
      } else if (item.kind === 'sql' && item.transactional && outside) {
        outside = false;
        begin('the autocommit block ends: the runner opens a new transaction');
      }
      out.push(formatItem(item, name), '');
    }
    if (outside && t.mode !== 'none') begin('the autocommit block ends: the runner opens a new transaction');
    if (t.mode === 'per-migration' && open) commit('the runner commits the migration');
  }
  if (open) commit('the runner commits the run');
  return out.join('\n');
}
