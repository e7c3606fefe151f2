// `migralint graph`: the revision history of each directory, as Alembic would walk it.
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { buildGraph } from '../graph/index.js';
import { historyNewestFirst } from '../graph/order.js';
import { loadMigrations, LintUsageError } from '../engine/run.js';

export async function runGraph(opts: {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  format: string;
  write: (s: string) => void;
}): Promise<number> {
  const { sets, missing } = await loadMigrations({ cwd: opts.cwd, paths: opts.paths, config: opts.config });
  if (missing.length > 0) throw new LintUsageError(`no such file or directory: ${missing.join(', ')}`);
  const rel = (f: string) => path.relative(opts.cwd, f).split(path.sep).join('/') || '.';
  const views = sets.map((set) => {
    const graph = buildGraph(set.migrations);
    return {
      dir: rel(set.dir),
      revisions: graph.nodes.size,
      heads: graph.heads.sort(),
      roots: graph.roots.sort(),
      merges: graph.merges.sort().map((id) => ({ revision: id, parents: graph.nodes.get(id)!.parents })),
      branchPoints: graph.branchPoints.sort().map((id) => ({ revision: id, children: graph.nodes.get(id)!.children.sort() })),
      labels: Object.fromEntries([...graph.labels].sort()),
      missingParents: graph.missingParents.map((m) => ({ revision: m.migration.revision?.value ?? null, parent: m.parent })),
      duplicates: [...graph.duplicates.keys()].sort(),
      cycles: graph.cycles,
      history: historyNewestFirst(graph).map((id) => {
        const m = graph.nodes.get(id)!.migration;
        return { revision: id, parents: graph.nodes.get(id)!.parents, message: m.message, file: rel(m.file) };
      }),
    };
  });
  if (opts.format === 'json') {
    opts.write(JSON.stringify({ directories: views }, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  for (const v of views) {
    out.push(`${v.dir} (${v.revisions} revision${v.revisions === 1 ? '' : 's'})`);
    out.push(`  heads:    ${v.heads.join(', ') || '(none)'}${v.heads.length > 1 ? '   <- more than one head' : ''}`);
    out.push(`  roots:    ${v.roots.join(', ') || '(none)'}`);
    for (const mg of v.merges) out.push(`  merge:    ${mg.revision} <- ${mg.parents.join(', ')}`);
    for (const bp of v.branchPoints) out.push(`  branches: ${bp.revision} -> ${bp.children.join(', ')}`);
    for (const [label, id] of Object.entries(v.labels)) out.push(`  label:    ${label} @ ${id}`);
    for (const m of v.missingParents) out.push(`  missing:  ${m.revision} names parent ${m.parent}, which does not exist`);
    for (const d of v.duplicates) out.push(`  duplicate revision id: ${d}`);
    for (const c of v.cycles) out.push(`  cycle:    ${[...c, c[0]].join(' -> ')}`);
    out.push('  history (newest first):');
    for (const h of v.history) {
      const mark = h.parents.length > 1 ? 'M' : '*';
      out.push(`    ${mark} ${h.revision}  ${h.message ?? ''}  (${h.file})`.trimEnd());
    }
    out.push('');
  }
  opts.write(out.join('\n'));
  return 0;
}
