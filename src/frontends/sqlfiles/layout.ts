// How raw SQL migration directories are laid out, read from file names alone (plus a peek at the
// content for the one-file-per-migration layouts that differ only by their markers). This module
// is small and has no dependencies so the engine's file discovery can import it without loading
// the SQL parser.
//
// Paths are relative to the migration directory, with '/' separators.
//
// - flyway:          V1__name.sql, V1_2__name.sql, V1.2__name.sql, U1_2__name.sql (undo),
//                    R__name.sql (repeatable), V1__name.sql.conf (script configuration)
// - golang-migrate:  <version>_<name>.up.sql / .down.sql, popx-style
//                    <version>_<name>.<dialect>[.autocommit].up.sql
// - diesel:          <version>_<name>/up.sql, down.sql, metadata.toml (version: digits and dashes)
// - prisma:          <timestamp>_<name>/migration.sql
// - dbmate / goose:  <version>_<name>.sql with `-- migrate:up` / `-- +goose Up` markers
// - sql-migrate:     <name>.sql with `-- +migrate Up` / `-- +migrate Down` markers
// - sql (generic):   any other <number>….sql: an up-only migration; V0001.Name.up.sql and
//                    V0001.Name.down.sql pairs (dot-separated versions, as authelia keeps them);
//                    patch-<name>.sql sets (MediaWiki's archives/), ordered by name
import path from 'node:path';
import type { Dialect } from '../../model/types.js';

export type SqlLayout = 'flyway' | 'golang-migrate' | 'diesel' | 'dbmate' | 'goose' | 'sql-migrate' | 'prisma' | 'sql';

export const SQL_LAYOUTS: readonly SqlLayout[] = ['flyway', 'golang-migrate', 'diesel', 'dbmate', 'goose', 'sql-migrate', 'prisma', 'sql'];

export function isSqlLayout(name: string | undefined | null): name is SqlLayout {
  return name != null && (SQL_LAYOUTS as readonly string[]).includes(name);
}

export type FileRole =
  | { kind: 'flyway'; prefix: 'V' | 'U'; version: string; parts: bigint[]; name: string }
  | { kind: 'flyway-repeatable'; name: string }
  | { kind: 'flyway-conf'; target: string }
  | {
      kind: 'updown';
      direction: 'up' | 'down';
      version: string;
      name: string;
      /** The dialect segment of a popx file name, lower case (`postgres`, `mysql`...), or null. */
      dialect: string | null;
      autocommit: boolean;
    }
  | { kind: 'diesel'; part: 'up' | 'down' | 'metadata'; folder: string; version: string; name: string }
  | { kind: 'prisma'; folder: string; name: string }
  /** `V0001.Name.up.sql`: a dot-separated version, an up or down file (read by the generic reader). */
  | { kind: 'dotted'; direction: 'up' | 'down'; version: string; parts: bigint[]; name: string }
  /** `patch-name.sql`: one of a set of patches applied in name order (read by the generic reader). */
  | { kind: 'patch'; name: string }
  | { kind: 'numbered'; version: string; name: string };

const FLYWAY = /^([VU])(\d+(?:[._]\d+)*)__(.*)\.sql$/;
const FLYWAY_REPEATABLE = /^R__(.*)\.sql$/;
const FLYWAY_CONF = /^([VUR].*\.sql)\.conf$/;
const UPDOWN = /^(\d+)(?:_(.*?))?\.(up|down)\.sql$/;
const DIESEL_FOLDER = /^(\d[\d-]*)_(.+)$/;
const PRISMA_FOLDER = /^(\d+)_(.+)$/;
const NUMBERED = /^(\d+)(?:[_\-.](.*))?\.sql$/;
const DOTTED = /^V(\d+(?:\.\d+)*)\.(.+)\.(up|down)\.sql$/;
const PATCH = /^patch-(.+)\.sql$/i;

/** Dialect segments of popx file names (`…_name.postgres.up.sql`). */
const POPX_DIALECTS: Record<string, Dialect | 'other'> = {
  postgres: 'postgresql',
  postgresql: 'postgresql',
  pg: 'postgresql',
  cockroach: 'other',
  cockroachdb: 'other',
  crdb: 'other',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  all: 'other',
};

/** The dialect a popx dialect segment names; `all` and CockroachDB are 'other'. */
export function popxDialect(segment: string): Dialect | 'other' {
  return POPX_DIALECTS[segment] ?? 'other';
}

/** What a file is in a SQL migration directory, from its path relative to the directory; null: not a migration file. */
export function classifyPath(rel: string): FileRole | null {
  const parts = rel.split('/');
  const base = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const folder = parts[0]!;
    if (base === 'up.sql' || base === 'down.sql' || base === 'metadata.toml') {
      const m = DIESEL_FOLDER.exec(folder);
      if (m) {
        return {
          kind: 'diesel',
          part: base === 'up.sql' ? 'up' : base === 'down.sql' ? 'down' : 'metadata',
          folder,
          version: m[1]!.replace(/-/g, ''),
          name: m[2]!,
        };
      }
    }
    if (base === 'migration.sql') {
      const m = PRISMA_FOLDER.exec(folder);
      if (m) return { kind: 'prisma', folder, name: m[2]! };
    }
  }
  if (!base.endsWith('.sql') && !base.endsWith('.sql.conf')) return null;
  let m = FLYWAY.exec(base);
  if (m) {
    const version = m[2]!;
    const nums = version.split(/[._]/).map((s) => BigInt(s));
    // 1.0 and 1 are the same version to Flyway: trailing zero parts do not count.
    while (nums.length > 1 && nums[nums.length - 1] === 0n) nums.pop();
    return { kind: 'flyway', prefix: m[1] as 'V' | 'U', version: nums.join('.'), parts: nums, name: m[3]! };
  }
  m = FLYWAY_REPEATABLE.exec(base);
  if (m) return { kind: 'flyway-repeatable', name: m[1]! };
  m = FLYWAY_CONF.exec(base);
  if (m) return { kind: 'flyway-conf', target: [...parts.slice(0, -1), m[1]!].join('/') };
  if (base.endsWith('.sql.conf')) return null;
  m = UPDOWN.exec(base);
  if (m) {
    const segments = (m[2] ?? '').split('.');
    let autocommit = false;
    let dialect: string | null = null;
    if (segments.length > 1 && segments[segments.length - 1]!.toLowerCase() === 'autocommit') {
      autocommit = true;
      segments.pop();
    }
    if (segments.length > 1 && segments[segments.length - 1]!.toLowerCase() in POPX_DIALECTS) {
      dialect = segments.pop()!.toLowerCase();
    }
    return { kind: 'updown', direction: m[3] as 'up' | 'down', version: m[1]!, name: segments.join('.'), dialect, autocommit };
  }
  m = NUMBERED.exec(base);
  if (m) return { kind: 'numbered', version: m[1]!, name: m[2] ?? '' };
  m = DOTTED.exec(base);
  if (m) {
    return { kind: 'dotted', direction: m[3] as 'up' | 'down', version: m[1]!, parts: m[1]!.split('.').map((p) => BigInt(p)), name: m[2]! };
  }
  m = PATCH.exec(base);
  if (m) return { kind: 'patch', name: m[1]! };
  return null;
}

/** The layout of each role kind ('numbered' files need a look at their content). */
function layoutOfRole(role: FileRole): SqlLayout | null {
  switch (role.kind) {
    case 'flyway':
    case 'flyway-repeatable':
      return 'flyway';
    case 'flyway-conf':
      return null;
    case 'updown':
      return 'golang-migrate';
    case 'diesel':
      return role.part === 'metadata' ? null : 'diesel';
    case 'prisma':
      return 'prisma';
    case 'dotted':
    case 'patch':
      return 'sql';
    case 'numbered':
      return null;
  }
}

export const GOOSE_MARKER = /^[ \t]*--[ \t]*\+goose\b/im;
export const DBMATE_MARKER = /^[ \t]*--[ \t]*migrate:(?:up|down)\b/im;
export const SQL_MIGRATE_MARKER = /^[ \t]*--[ \t]*\+migrate[ \t]+(?:up|down)\b/im;

export type MarkedLayout = 'goose' | 'dbmate' | 'sql-migrate';

/** goose, dbmate, sql-migrate, or null from a file's content. */
export function markerLayout(text: string): MarkedLayout | null {
  if (GOOSE_MARKER.test(text)) return 'goose';
  if (DBMATE_MARKER.test(text)) return 'dbmate';
  if (SQL_MIGRATE_MARKER.test(text)) return 'sql-migrate';
  return null;
}

export interface Detected {
  layout: SqlLayout;
  /** How many files matched the layout. */
  matches: number;
}

/**
 * The layout of a directory from its files (relative paths) and, for numbered plain files, their
 * content (`read` may return null when the file cannot be read). When several layouts match, the
 * one with most files wins. `numberedCount` says whether numbered plain files alone are enough
 * (true when the directory was named explicitly or by its name looks like a migrations directory).
 */
export function detectLayout(
  rels: readonly string[],
  read: (rel: string) => string | null,
  opts: { numberedCount: boolean } = { numberedCount: true },
): Detected | null {
  const counts = new Map<SqlLayout, number>();
  const add = (l: SqlLayout) => counts.set(l, (counts.get(l) ?? 0) + 1);
  const numbered: string[] = [];
  const unnamed: string[] = [];
  for (const rel of rels) {
    const role = classifyPath(rel);
    if (!role) {
      // sql-migrate files may have any name: only their markers tell.
      if (rel.endsWith('.sql') && !rel.includes('/')) unnamed.push(rel);
      continue;
    }
    if (role.kind === 'numbered') {
      numbered.push(rel);
      continue;
    }
    const l = layoutOfRole(role);
    if (l) add(l);
  }
  for (const rel of numbered) {
    const text = read(rel);
    const l = text === null ? null : markerLayout(text);
    if (l) add(l);
    else if (opts.numberedCount) add('sql');
  }
  for (const rel of unnamed) {
    const text = read(rel);
    if (text !== null && markerLayout(text) === 'sql-migrate') add('sql-migrate');
  }
  // Files that name their framework (or carry its markers) beat plain numbered ones: a goose
  // directory may hold a stray file. Among the others the most files win, ties in list order.
  let best: Detected | null = null;
  for (const l of SQL_LAYOUTS) {
    const n = counts.get(l) ?? 0;
    if (l === 'sql' || n === 0) continue;
    if (!best || n > best.matches) best = { layout: l, matches: n };
  }
  if (!best && (counts.get('sql') ?? 0) > 0) best = { layout: 'sql', matches: counts.get('sql')! };
  return best;
}

/** Whether a directory name suggests migrations (for numbered plain .sql files found by discovery). */
export function looksLikeMigrationsDirName(name: string): boolean {
  return /migrat/i.test(name);
}

/**
 * The migration directory of a SQL file: the parent of a Diesel or Prisma migration folder
 * (`<dir>/2020-01-01-000000_x/up.sql`), else the file's own directory.
 */
export function sqlMigrationDirOf(file: string): string {
  const parent = path.dirname(file);
  const grand = path.dirname(parent);
  const rel = [path.basename(parent), path.basename(file)].join('/');
  const role = classifyPath(rel);
  return role && (role.kind === 'diesel' || role.kind === 'prisma') ? grand : parent;
}
