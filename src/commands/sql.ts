// `migralint sql`: the SQL each selected migration sends to PostgreSQL, in the order the runner
// applies them, without running any migration code (what `alembic upgrade --sql` prints, for every
// framework). Operations that cannot be told statically are comments saying why.
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { LintUsageError, loadMigrations } from '../engine/run.js';
import { ancestors, buildGraph } from '../graph/index.js';
import { historyOrder } from '../graph/order.js';
import type { Migration, MigrationSet } from '../model/index.js';
import { renderMigration, renderScript, type RenderedMigration } from '../render/index.js';

export interface SqlOptions {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  format: string;
  from?: string | undefined;
  to?: string | undefined;
  down: boolean;
  write: (s: string) => void;
}

export async function runSql(opts: SqlOptions): Promise<number> {
  if (opts.format !== 'sql' && opts.format !== 'stylish' && opts.format !== 'json') {
    throw new LintUsageError(`sql prints sql (default) or json, not "${opts.format}"`);
  }
  const { sets, missing, refusals } = await loadMigrations({ cwd: opts.cwd, paths: opts.paths, config: opts.config });
  if (missing.length > 0) throw new LintUsageError(`no such file or directory: ${missing.join(', ')}`);
  for (const r of refusals) process.stderr.write(`migralint: ${r}\n`);
  const chosen = selectRange(sets, opts.from, opts.to);
  const rel = (f: string) => path.relative(opts.cwd, f).split(path.sep).join('/') || '.';
  const rendered: RenderedMigration[] = [];
  for (const migrations of chosen) {
    const list = opts.down ? [...migrations].reverse() : migrations;
    for (const m of list) rendered.push(renderMigration(m, { direction: opts.down ? 'down' : 'up' }));
  }
  if (opts.format === 'json') {
    const view = rendered.map((r) => ({
      file: rel(r.migration.file),
      revision: r.migration.revision?.value ?? null,
      direction: r.direction,
      transaction: { mode: r.transaction.mode, implicit: r.transaction.implicit ?? false, reason: r.transaction.reason },
      notRendered: r.notRendered,
      items: r.items.map((i) => ({
        ...i,
        file: i.file === null ? null : rel(i.file),
        loc: i.loc === null ? null : { ...i.loc, ...(i.loc.file !== undefined ? { file: rel(i.loc.file) } : {}) },
      })),
    }));
    opts.write(JSON.stringify({ migrations: view }, null, 2) + '\n');
    return rendered.some((r) => r.migration.parseError) ? 1 : 0;
  }
  let unread = 0;
  for (const m of rendered) {
    if (m.migration.parseError) {
      const e = m.migration.parseError;
      process.stderr.write(`migralint: ${rel(m.migration.file)}:${e.loc.line}: ${e.message}\n`);
      unread++;
    }
  }
  opts.write(renderScript(rendered, { fileName: rel }));
  // The script misses what the unreadable files do: not a success.
  return unread > 0 ? 1 : 0;
}

/**
 * The migrations of each chain to render, in upgrade order: after `from` (exclusive) up to `to`
 * (inclusive), as `alembic upgrade from:to --sql` selects them. A revision is looked up in every
 * chain; chains that do not hold it are left out.
 */
export function selectRange(sets: MigrationSet[], from: string | undefined, to: string | undefined): Migration[][] {
  const out: Migration[][] = [];
  const unmatched = new Set([from, to].filter((r): r is string => r !== undefined && r !== 'base' && r !== 'head' && r !== 'heads'));
  for (const set of sets) {
    // The order the runner applies them (Alembic's own walk for branches and merges).
    const ordered = historyOrder(set.migrations);
    if (from === undefined && to === undefined) {
      out.push(ordered);
      continue;
    }
    const graph = buildGraph(set.migrations);
    const find = (rev: string | undefined): string | null | undefined => {
      if (rev === undefined || rev === 'base' || rev === 'head' || rev === 'heads') return undefined;
      const hits = [...graph.nodes.keys()].filter((id) => id === rev || id.startsWith(rev));
      const exact = hits.find((id) => id === rev);
      if (exact) return exact;
      if (hits.length > 1) throw new LintUsageError(`revision "${rev}" is ambiguous: ${hits.sort().join(', ')}`);
      return hits[0] ?? null;
    };
    const f = find(from);
    const t = find(to);
    if (f === null || t === null) continue;
    if (f !== undefined) unmatched.delete(from!);
    if (t !== undefined) unmatched.delete(to!);
    const below = f === undefined ? new Set<string>() : new Set([f, ...ancestors(graph, f)]);
    const upTo = t === undefined ? null : new Set([t, ...ancestors(graph, t)]);
    out.push(
      ordered.filter((m) => {
        const id = m.revision?.value;
        if (id === undefined) return upTo === null && f === undefined;
        return !below.has(id) && (upTo === null || upTo.has(id));
      }),
    );
  }
  if (unmatched.size > 0) throw new LintUsageError(`no migration has the revision ${[...unmatched].map((r) => `"${r}"`).join(', ')}`);
  return out.filter((l) => l.length > 0);
}
