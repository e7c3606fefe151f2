// A versions directory can hold more than one revision chain: Prefect keeps versions/postgresql/
// and versions/sqlite/, each a complete history of its own, while recursive_version_locations
// spreads ONE chain over sub-folders (versions/2023/, versions/2024/). Tell them apart by the
// links: sub-folders whose revisions only name parents in their own sub-folder are separate chains.
import path from 'node:path';
import { dialectNamed } from '../model/index.js';
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

// A component that names a database: the name alone (`mysql/`), with a `jdbc-` prefix
// (`jdbc-postgres/`), or joined to a word about migrations (`mysql-migrations/`, `db_sqlite/`).
const MIGRATION_WORDS = new Set(['db', 'database', 'migration', 'migrations', 'migrate', 'schema', 'schemas', 'sql', 'flyway', 'liquibase', 'changelog', 'changelogs', 'versions', 'ddl', 'scripts']);

/** The dialect one path component names, or null. */
export function dialectOfComponent(component: string): Dialect | null {
  const c = component.toLowerCase().replace(/^jdbc[-_]/, '');
  const whole = dialectNamed(c);
  if (whole) return whole;
  const words = c.split(/[-_.]/).filter((w) => w !== '');
  if (words.length < 2) return null;
  let found: Dialect | null = null;
  for (const w of words) {
    const d = dialectNamed(w);
    if (d) {
      if (found && found !== d) return null;
      found = d;
    } else if (!MIGRATION_WORDS.has(w)) return null;
  }
  return found;
}

/**
 * A dialect named by the directory or one of its parents up to the project root (the deepest
 * naming component wins: versions/sqlite/, src/main/resources/db/migration/h2/, mysql/migrations/),
 * or null. Components above the project root are not read (a checkout under ~/mysql-tools/).
 */
export function dialectFromPath(dir: string, projectRoot: string): Dialect | null {
  const rel = path.relative(projectRoot, dir);
  const parts = rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? [path.basename(dir)] : rel.split(path.sep);
  for (let i = parts.length - 1; i >= 0; i--) {
    const d = dialectOfComponent(parts[i]!);
    if (d) return d;
  }
  return null;
}
