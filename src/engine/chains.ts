// A versions directory can hold more than one revision chain: Prefect keeps versions/postgresql/
// and versions/sqlite/, each a complete history of its own, while recursive_version_locations
// spreads ONE chain over sub-folders (versions/2023/, versions/2024/). Tell them apart by the
// links: sub-folders whose revisions only name parents in their own sub-folder are separate chains.
import path from 'node:path';
import type { Dialect, Migration, MigrationSet } from '../model/index.js';

export function splitIndependentChains(set: MigrationSet): MigrationSet[] {
  const groups = new Map<string, Migration[]>();
  for (const m of set.migrations) {
    const rel = path.relative(set.dir, m.file);
    const first = rel.includes(path.sep) ? rel.split(path.sep)[0]! : '';
    const list = groups.get(first) ?? [];
    list.push(m);
    groups.set(first, list);
  }
  if (groups.size < 2 || groups.has('')) return [set];
  // The same id may exist in two chains (a revision written once per dialect), so keep every owner.
  const owners = new Map<string, Set<string>>();
  for (const [group, ms] of groups) {
    for (const m of ms) {
      if (!m.revision) continue;
      const set = owners.get(m.revision.value) ?? new Set<string>();
      set.add(group);
      owners.set(m.revision.value, set);
    }
  }
  for (const [group, ms] of groups) {
    for (const m of ms) {
      for (const p of m.parents?.value ?? []) {
        const o = owners.get(p);
        if (o !== undefined && !o.has(group)) return [set];
      }
    }
  }
  return [...groups.keys()].sort().map((group) => ({ ...set, dir: path.join(set.dir, group), migrations: groups.get(group)! }));
}

const DIALECT_NAMES: Record<string, Dialect> = { sqlite: 'sqlite', mysql: 'mysql', mariadb: 'mysql', postgresql: 'postgresql', postgres: 'postgresql' };

/** A dialect named by the chain's own directory (versions/sqlite/), or null. */
export function dialectFromDir(dir: string): Dialect | null {
  return DIALECT_NAMES[path.basename(dir).toLowerCase()] ?? null;
}
