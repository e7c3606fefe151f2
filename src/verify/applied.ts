// Which migrations of a chain the database has applied, from its version table, and which are
// still to run, in the order the runner will run them.
import type { Migration } from '../model/index.js';
import type { RevisionGraph } from '../graph/index.js';
import { historyOrder, upgradeOrder } from '../graph/order.js';
import type { VersionState } from './version-table.js';

export interface AppliedSet {
  /** Revisions recorded by the database that no migration file declares. */
  unknown: string[];
  /** Every applied revision the code knows. */
  applied: Set<string>;
  /** The database's current revision(s): its recorded heads, or the latest listed version. */
  current: string[];
  /** The applied migrations, in history order. */
  migrations: Migration[];
  /**
   * The migrations still to run, in the order the runner runs them (for Alembic, its walk from the
   * database's state: src/graph/order.ts); null when the database's state is not in the code.
   */
  pending: Migration[] | null;
}

/** The revisions a version table's state says are applied: each head with everything below it, and each listed one. */
export function appliedRevisions(state: Pick<VersionState, 'heads' | 'listed'>, graph: RevisionGraph): Set<string> {
  const applied = new Set<string>();
  // A head is applied with everything below it: parents and depends_on (a revision or a branch label).
  const todo = state.heads.filter((h) => graph.nodes.has(h));
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (applied.has(id)) continue;
    applied.add(id);
    const node = graph.nodes.get(id)!;
    for (const p of node.parents) if (graph.nodes.has(p)) todo.push(p);
    for (const d of node.migration.dependsOn?.value ?? []) {
      const target = graph.nodes.has(d) ? d : graph.labels.get(d);
      if (target) todo.push(target);
    }
  }
  for (const id of state.listed) if (graph.nodes.has(id)) applied.add(id);
  return applied;
}

export function appliedSet(state: VersionState, migrations: Migration[], graph: RevisionGraph): AppliedSet {
  const ordered = historyOrder(migrations);
  const recorded = [...state.heads, ...state.listed];
  const unknown = [...new Set(recorded.filter((r) => !graph.nodes.has(r)))];
  const applied = appliedRevisions(state, graph);
  const appliedMigrations = ordered.filter((m) => m.revision && applied.has(m.revision.value));
  let current = state.heads;
  if (state.listed.length > 0) {
    const latest = [...appliedMigrations].reverse().find((m) => state.listed.includes(m.revision!.value));
    current = [...state.heads, ...(latest ? [latest.revision!.value] : [])];
  }
  if (unknown.length > 0 && current.length === 0) current = unknown;
  return {
    unknown,
    applied,
    current: [...new Set(current)],
    migrations: appliedMigrations,
    pending: unknown.length > 0 ? null : pendingInOrder(state, graph, applied, ordered),
  };
}

/**
 * Alembic's walk from the database's heads can differ from the whole history's order filtered to
 * what is pending (a line that runs out switches the walk to another), so it is computed from that
 * state. Files it cannot place (no id, a repeated id, a cycle) follow in history order. Tables that
 * list each applied version (Flyway, goose...) may leave gaps below the latest; those runners
 * apply what is missing in version order.
 */
function pendingInOrder(state: VersionState, graph: RevisionGraph, applied: Set<string>, ordered: Migration[]): Migration[] {
  if (state.listed.length > 0) return ordered.filter((m) => !m.revision || !applied.has(m.revision.value));
  const out = upgradeOrder(graph, applied).map((id) => graph.nodes.get(id)!.migration);
  const placed = new Set(out);
  for (const m of ordered) if (!placed.has(m) && !(m.revision && applied.has(m.revision.value))) out.push(m);
  return out;
}
