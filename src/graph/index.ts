// The revision graph of one migration directory: who descends from whom, where it branches
// and merges, and what is broken. Built from the model only, so any framework with parent
// links (Alembic down_revision, ordered SQL files) gets the same graph checks.
import type { Migration } from '../model/index.js';

export interface RevisionNode {
  id: string;
  migration: Migration;
  parents: string[];
  children: string[];
  /** Branch labels declared on this revision. */
  labels: string[];
}

export interface MissingParent {
  migration: Migration;
  parent: string;
  /** down_revision or depends_on */
  via: 'parent' | 'depends_on';
}

export interface RevisionGraph {
  nodes: Map<string, RevisionNode>;
  /** Revision ids declared by more than one file, with every such file. */
  duplicates: Map<string, Migration[]>;
  heads: string[];
  roots: string[];
  merges: string[];
  /** Revisions with more than one child: where the history branches. */
  branchPoints: string[];
  missingParents: MissingParent[];
  /** Each cycle as the list of its revision ids, in parent order. */
  cycles: string[][];
  /** Every branch label and the revision that declares it. */
  labels: Map<string, string>;
}

export function buildGraph(migrations: readonly Migration[]): RevisionGraph {
  const nodes = new Map<string, RevisionNode>();
  const duplicates = new Map<string, Migration[]>();
  const sorted = [...migrations].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const m of sorted) {
    const id = m.revision?.value;
    if (!id) continue;
    const existing = nodes.get(id);
    if (existing) {
      const list = duplicates.get(id) ?? [existing.migration];
      list.push(m);
      duplicates.set(id, list);
      continue;
    }
    nodes.set(id, {
      id,
      migration: m,
      parents: [...new Set(m.parents?.value ?? [])],
      children: [],
      labels: m.branchLabels?.value ?? [],
    });
  }

  const labels = new Map<string, string>();
  for (const node of nodes.values()) for (const l of node.labels) labels.set(l, node.id);

  const missingParents: MissingParent[] = [];
  for (const node of nodes.values()) {
    for (const p of node.parents) {
      const parent = nodes.get(p);
      if (parent) parent.children.push(node.id);
      else missingParents.push({ migration: node.migration, parent: p, via: 'parent' });
    }
    for (const d of node.migration.dependsOn?.value ?? []) {
      if (!nodes.has(d) && !labels.has(d)) missingParents.push({ migration: node.migration, parent: d, via: 'depends_on' });
    }
  }

  const heads: string[] = [];
  const roots: string[] = [];
  const merges: string[] = [];
  const branchPoints: string[] = [];
  for (const node of nodes.values()) {
    if (node.children.length === 0) heads.push(node.id);
    if (node.parents.length === 0) roots.push(node.id);
    if (node.parents.length > 1) merges.push(node.id);
    if (node.children.length > 1) branchPoints.push(node.id);
  }

  return {
    nodes,
    duplicates,
    heads,
    roots,
    merges,
    branchPoints,
    missingParents,
    cycles: findCycles(nodes, labels),
    labels,
  };
}

/**
 * Cycles through parent and depends_on links (Alembic refuses both), each reported once,
 * starting at its smallest id.
 */
function findCycles(nodes: Map<string, RevisionNode>, labels: Map<string, string>): string[][] {
  const edges = new Map<string, string[]>();
  for (const node of nodes.values()) {
    const deps = (node.migration.dependsOn?.value ?? []).map((d) => (nodes.has(d) ? d : labels.get(d))).filter((d): d is string => !!d);
    edges.set(node.id, [...new Set([...node.parents, ...deps])]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const stack: string[] = [];

  // Iterative DFS: real histories are thousands of revisions long, deeper than a safe JS stack.
  for (const start of [...nodes.keys()].sort()) {
    if (state.has(start)) continue;
    const iters: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 'visiting');
    stack.push(start);
    while (iters.length > 0) {
      const frame = iters[iters.length - 1]!;
      const parents = edges.get(frame.id) ?? [];
      if (frame.next < parents.length) {
        const p = parents[frame.next++]!;
        if (!nodes.has(p)) continue;
        const s = state.get(p);
        if (s === 'visiting') {
          const cycle = stack.slice(stack.indexOf(p));
          const key = [...cycle].sort().join(' ');
          if (!seen.has(key)) {
            seen.add(key);
            const min = cycle.indexOf([...cycle].sort()[0]!);
            cycles.push([...cycle.slice(min), ...cycle.slice(0, min)]);
          }
        } else if (s === undefined) {
          state.set(p, 'visiting');
          stack.push(p);
          iters.push({ id: p, next: 0 });
        }
      } else {
        state.set(frame.id, 'done');
        stack.pop();
        iters.pop();
      }
    }
  }
  return cycles;
}

/** Every revision reachable from `id` through parent links (its ancestors), `id` excluded. */
export function ancestors(graph: RevisionGraph, id: string): Set<string> {
  const out = new Set<string>();
  const todo = [...(graph.nodes.get(id)?.parents ?? [])];
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (out.has(p) || !graph.nodes.has(p)) continue;
    out.add(p);
    todo.push(...graph.nodes.get(p)!.parents);
  }
  return out;
}

/** The root revisions below a head, used to tell independent labelled branches apart. */
export function rootsOf(graph: RevisionGraph, id: string): string[] {
  const all = ancestors(graph, id);
  all.add(id);
  return [...all].filter((r) => (graph.nodes.get(r)?.parents.length ?? 0) === 0).sort();
}

/** Branch labels that apply to a revision: its own and those of its ancestors. */
export function branchLabelsOf(graph: RevisionGraph, id: string): string[] {
  const out = new Set<string>(graph.nodes.get(id)?.labels ?? []);
  for (const a of ancestors(graph, id)) for (const l of graph.nodes.get(a)!.labels) out.add(l);
  return [...out].sort();
}
