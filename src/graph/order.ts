// The order in which Alembic runs a history: `alembic upgrade heads` and, reversed, `alembic
// history`. Alembic does not sort revisions by file name or id: it walks down from the heads
// (alembic/script/revision.py, RevisionMap._topological_sort), following each line until a
// revision is needed by another line still to be walked, and `upgrade` runs that walk backwards.
// So the second parent of a merge runs before the first, and which of two heads runs first
// depends on the order the files were loaded (sorted file names since Alembic 1.10; Alembic 1.8
// took the file system's listing order). This is the only place migralint orders a history;
// every command that lists migrations in "the order the runner applies them" uses it.
import type { Migration } from '../model/index.js';
import { buildGraph, type RevisionGraph } from './index.js';

interface Rev {
  /** down_revision, in declared order. */
  down: string[];
  /** depends_on resolved to revision ids (a branch label names the revision that declares it). */
  deps: string[];
  /** deps minus those an ancestor (through down_revision) already depends on. */
  normalizedDeps: string[];
  /** down + normalizedDeps: the edges the walk follows. */
  normalizedDown: string[];
}

/**
 * The revisions still to run for `alembic upgrade heads`, in the order Alembic runs them, when
 * the database has applied `applied` (every applied revision, not only its current heads; empty
 * for a fresh database). Revisions on a cycle, and those above one, cannot be ordered (Alembic
 * refuses such a history) and are left out; so are ids the graph does not have.
 */
export function upgradeOrder(graph: RevisionGraph, applied: ReadonlySet<string> = new Set()): string[] {
  const usable = acyclic(graph);
  // Load order: buildGraph inserts nodes by file name, as Alembic 1.10+ loads them.
  const loadOrder = new Map([...usable].map((id, i) => [id, i]));
  const revs = new Map<string, Rev>();
  for (const id of usable) {
    const node = graph.nodes.get(id)!;
    const down = node.parents.filter((p) => usable.has(p));
    const deps = [
      ...new Set(
        (node.migration.dependsOn?.value ?? [])
          .map((d) => (graph.nodes.has(d) ? d : graph.labels.get(d)))
          .filter((d): d is string => d !== undefined && usable.has(d)),
      ),
    ];
    revs.set(id, { down, deps, normalizedDeps: [], normalizedDown: [] });
  }
  for (const [id, rev] of revs) {
    if (rev.deps.length === 0) {
      rev.normalizedDown = rev.down;
      continue;
    }
    const inherited = new Set<string>();
    for (const a of closure([id], (x) => revs.get(x)!.down)) if (a !== id) for (const d of revs.get(a)!.deps) inherited.add(d);
    rev.normalizedDeps = rev.deps.filter((d) => !inherited.has(d));
    rev.normalizedDown = [...new Set([...rev.down, ...rev.normalizedDeps])];
  }
  const ancestorsOf = (id: string) => closure([id], (x) => revs.get(x)!.normalizedDown);

  // Heads are revisions no other revision names as down_revision (depends_on does not count).
  const hasChild = new Set<string>();
  for (const rev of revs.values()) for (const p of rev.down) hasChild.add(p);
  const heads = [...usable].filter((id) => !hasChild.has(id));
  const todo = new Set([...usable].filter((id) => !applied.has(id)));

  const current = heads.filter((h) => todo.has(h)).sort((a, b) => loadOrder.get(a)! - loadOrder.get(b)!);
  const ancestors = current.map(ancestorsOf);
  const walked: string[] = [];
  let idx = 0;
  // Each step either emits a revision, drops a finished line, or moves to a line that needs the
  // candidate first; the bound only guards against a walk that would not end.
  let budget = (usable.size + 1) * (usable.size + 1) + 16;
  while (current.length > 0 && budget-- > 0) {
    const candidate = current[idx]!;
    const waiting = ancestors.findIndex((set, j) => j !== idx && set.has(candidate));
    if (waiting !== -1) {
      idx = waiting;
      continue;
    }
    if (todo.delete(candidate)) walked.push(candidate);
    const rev = revs.get(candidate)!;
    const next = rev.normalizedDown.filter((r) => todo.has(r) && !current.includes(r));
    if (next.length === 0) {
      current.splice(idx, 1);
      ancestors.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else if (rev.normalizedDeps.length === 0 && rev.down.length === 1) {
      current[idx] = next[0]!;
      ancestors[idx]!.delete(candidate);
    } else {
      current[idx] = next[0]!;
      current.push(...next.slice(1));
      ancestors[idx] = ancestorsOf(next[0]!);
      ancestors.push(...next.slice(1).map(ancestorsOf));
    }
  }
  return walked.reverse();
}

/**
 * Migrations of one chain in the order Alembic applies them from an empty database. A file
 * that repeats a revision id follows the file that declares it first; migrations without an id,
 * on a cycle or above one come last, in file order. `graph` is the chain's graph when the caller
 * has built it already.
 */
export function historyOrder(migrations: readonly Migration[], graph: RevisionGraph = buildGraph(migrations)): Migration[] {
  const out: Migration[] = [];
  for (const id of upgradeOrder(graph)) out.push(graph.nodes.get(id)!.migration, ...(graph.duplicates.get(id)?.slice(1) ?? []));
  const placed = new Set(out);
  const byFile = (a: Migration, b: Migration) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  for (const m of [...migrations].sort(byFile)) if (!placed.has(m)) out.push(m);
  return out;
}

/**
 * `alembic history`: newest first. Revisions on or above a cycle, which Alembic would refuse to
 * load, follow by id so that nothing is hidden.
 */
export function historyNewestFirst(graph: RevisionGraph): string[] {
  const out = upgradeOrder(graph).reverse();
  const placed = new Set(out);
  return [...out, ...[...graph.nodes.keys()].filter((id) => !placed.has(id)).sort()];
}

/** Revisions that are not on a cycle and have no ancestor on one (parents and depends_on). */
function acyclic(graph: RevisionGraph): Set<string> {
  const edges = (id: string): string[] => {
    const node = graph.nodes.get(id)!;
    const deps = (node.migration.dependsOn?.value ?? []).map((d) => (graph.nodes.has(d) ? d : graph.labels.get(d)));
    return [...node.parents, ...deps].filter((p): p is string => p !== undefined && graph.nodes.has(p));
  };
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of graph.nodes.keys()) {
    const ps = [...new Set(edges(id))];
    waiting.set(id, ps.length);
    for (const p of ps) dependents.set(p, [...(dependents.get(p) ?? []), id]);
  }
  const done = new Set<string>();
  const ready = [...graph.nodes.keys()].filter((id) => waiting.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.pop()!;
    done.add(id);
    for (const c of dependents.get(id) ?? []) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  // Keep the graph's (file name) order.
  return new Set([...graph.nodes.keys()].filter((id) => done.has(id)));
}

/** `start` and everything reachable from it through `next`. */
function closure(start: string[], next: (id: string) => string[]): Set<string> {
  const out = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    for (const n of next(id)) stack.push(n);
  }
  return out;
}
