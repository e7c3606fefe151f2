// Which files to lint and which directory (revision chain) each belongs to. Graph and lock
// rules always see a whole directory, even when only one of its files was named.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { classifyPath, detectLayout, looksLikeMigrationsDirName, sqlMigrationDirOf, type SqlLayout } from '../frontends/sqlfiles/layout.js';
import { isTsMigrationName } from '../frontends/ts/names.js';

/** Directories never searched: dependencies, virtualenvs, VCS and build output. */
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.venv',
  'venv',
  'virtualenv',
  '.virtualenvs',
  'site-packages',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'dist',
  'build',
  '.eggs',
]);

export function isSkippedDir(name: string): boolean {
  return SKIP_DIRS.has(name) || name.endsWith('.egg-info');
}

/** A file the front ends can read, by extension. */
export function isMigrationCandidate(file: string): boolean {
  return file.endsWith('.py') || isSqlCandidate(file) || isTsCandidate(file);
}

/**
 * A TS/JS migration file (knex, TypeORM, node-pg-migrate, Kysely, Sequelize, MikroORM, db-migrate,
 * or any module the generic reader takes): a .ts/.js/.mjs/.cjs file (not a .d.ts) named with a
 * timestamp, version or sortable prefix, MikroORM's `Migration20240101120000`, or logto's
 * `next-1690000000-name` (see frontends/ts/names.ts).
 */
export function isTsCandidate(file: string): boolean {
  return isTsMigrationName(file);
}

/**
 * A directory of TS/JS migrations: named like one (`migrations`, logto's `alterations`), or holding
 * files named with a timestamp (`20240101120000_x.ts`, `2024-01-01_x.ts`, `Migration20240101120000.ts`)
 * or a version and a timestamp (`1.0.0-1678259660-x.ts`, `next-1690000000-x.ts`).
 */
export function isTsMigrationDir(dir: string, names: readonly string[]): boolean {
  const ts = names.filter((n) => isTsCandidate(n));
  if (ts.length === 0 || isAlembicVersionsDir(dir)) return false;
  return /migrat|alteration/i.test(path.basename(dir)) || ts.some((n) => /^(\d{8,}|\d{4}-\d{2}-\d{2}|Migration\d{8,})/.test(n) || /^(\d+\.\d+\.\d+\S*|[A-Za-z]+)[-_]\d{10,}\b/.test(n));
}

/** A file of a raw SQL migration directory: a .sql file, a Flyway .sql.conf, a Diesel metadata.toml. */
export function isSqlCandidate(file: string): boolean {
  return file.endsWith('.sql') || file.endsWith('.sql.conf') || path.basename(file) === 'metadata.toml';
}

export interface FileSelection {
  /** Files whose own findings are reported (absolute). */
  targets: Set<string>;
  /** Files named one by one (not through their directory). */
  named: Set<string>;
  /** Each migration directory with all of its candidate files (absolute, sorted). */
  dirs: Map<string, string[]>;
  /** Paths that were given but do not exist. */
  missing: string[];
  /** Candidate files left out by `ignorePatterns` (counted as skipped). */
  ignored?: string[];
  /** Directories named or configured that no known layout claims: read with the generic readers. */
  generic?: Set<string>;
  /**
   * Directories named or configured (not found by auto-discovery), each with the migration
   * directories chosen inside it: one that yields no migration is checked for migration-like files.
   */
  roots?: Map<string, string[]>;
  /** Directories that look like migrations but were not chosen (auto-discovery and named roots). */
  notices?: Notice[];
}

/** A directory that looks like migrations but that no known layout claims and nobody named. */
export interface Notice {
  dir: string;
  /** Up to five of its migration-like files (absolute). */
  files: string[];
  /** How many migration-like files it holds. */
  count: number;
  /** The framework to name in `directories.<dir>.framework` to read it. */
  framework: string;
}

/** A directory is an Alembic versions directory when its parent holds env.py or script.py.mako. */
export function isAlembicVersionsDir(dir: string): boolean {
  const parent = path.dirname(dir);
  return existsSync(path.join(parent, 'env.py')) || existsSync(path.join(parent, 'script.py.mako'));
}

/** At most this many numbered .sql files are read per directory to tell goose and dbmate files apart. */
const MARKER_READS = 20;

/**
 * Whether a directory holds raw SQL migrations in a known layout (see frontends/sqlfiles/layout.ts):
 * Flyway, golang-migrate/popx, dbmate or goose files, Diesel or Prisma migration folders, or
 * numbered .sql files in a directory whose name says migrations.
 */
export function sqlLayoutOfDir(dir: string, entries: readonly { name: string; isFile(): boolean; isDirectory(): boolean }[]): SqlLayout | null {
  const rels: string[] = [];
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.sql')) rels.push(e.name);
    else if (e.isDirectory() && /^\d/.test(e.name)) {
      for (const inner of ['up.sql', 'down.sql', 'migration.sql']) {
        const rel = `${e.name}/${inner}`;
        if (classifyPath(rel) && existsSync(path.join(dir, e.name, inner))) rels.push(rel);
      }
    }
  }
  if (rels.length === 0) return null;
  let reads = 0;
  const read = (rel: string): string | null => {
    if (reads++ >= MARKER_READS) return null;
    try {
      return readFileSync(path.join(dir, rel), 'utf8');
    } catch {
      return null;
    }
  };
  return detectLayout(rels, read, { numberedCount: looksLikeMigrationsDirName(path.basename(dir)) })?.layout ?? null;
}

/** A Diesel or Prisma migration folder (`2020-01-01-000000_x/` with up.sql, `2021…_x/` with migration.sql). */
function isSqlMigrationFolder(dir: string): boolean {
  return ['up.sql', 'down.sql', 'migration.sql'].some(
    (f) => existsSync(path.join(dir, f)) && sqlMigrationDirOf(path.join(dir, f)) !== dir,
  );
}

/** TS/JS module names (declaration files are not modules). */
function isScriptModule(name: string): boolean {
  return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !/\.d\.[mc]?ts$/.test(name);
}

const PY_UPDOWN = /^(?:async[ \t]+)?def[ \t]+(?:upgrade|downgrade)[ \t]*\(/m;
const TS_EXPORTS = /\bexport\b|\bmodule\.exports\b|\bexports\.\w/;
const TS_UPDOWN = /\b(?:up|down)\b\s*(?:[:=(]|\bfunction\b)|\b(?:function|const|let|var)\s+(?:up|down)\b|exports\.(?:up|down)\b/;

/** Bytes read from a file to tell whether it looks like a migration. */
const PEEK_BYTES = 64 * 1024;

function peek(file: string): string | null {
  try {
    const buf = readFileSync(file);
    return buf.subarray(0, PEEK_BYTES).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * Whether a file looks like a migration of some kind, cheaply: a .sql file, a Python module
 * defining upgrade()/downgrade(), or a TS/JS module exporting up/down. `text` defaults to a peek.
 */
export function isMigrationLike(file: string, text?: string | null): boolean {
  const name = path.basename(file);
  if (name.endsWith('.sql')) return true;
  if (name.endsWith('.py')) {
    const t = text === undefined ? peek(file) : text;
    return t !== null && PY_UPDOWN.test(t);
  }
  if (isScriptModule(name)) {
    const t = text === undefined ? peek(file) : text;
    return t !== null && TS_EXPORTS.test(t) && TS_UPDOWN.test(t);
  }
  return false;
}

/** The generic reader for a directory's migration-like files: what `directories.<dir>.framework` should say. */
export function genericFrameworkOf(files: readonly string[]): string {
  const n = (re: RegExp) => files.filter((f) => re.test(f)).length;
  const sql = n(/\.sql$/);
  const py = n(/\.py$/);
  const ts = files.length - sql - py;
  return sql >= py && sql >= ts ? 'sql' : py >= ts ? 'generic-python' : 'generic';
}

/** Directory names that suggest migrations even without numbered files. */
const MIGRATION_DIR_NAME = /migrat|alteration|changelog|schema/i;
/** Numbered or timestamped file names (0001_x, 20240101_x, V1__x, V0001.x). */
const NUMBERED_NAME = /^(?:V|Migration)?\d{3,}|^\d+[_\-.]/;
/** At most this many files of one directory are peeked to find migration-like ones. */
const NOTICE_PEEKS = 50;

/**
 * A notice for a directory that looks like migrations (its name, or numbered or timestamped files)
 * and holds migration-like files; null otherwise.
 */
export function noticeFor(dir: string, fileNames: readonly string[]): Notice | null {
  const numbered = fileNames.some((n) => NUMBERED_NAME.test(n) && (n.endsWith('.sql') || n.endsWith('.py') || isScriptModule(n)));
  if (!numbered && !MIGRATION_DIR_NAME.test(path.basename(dir))) return null;
  const like: string[] = [];
  let peeks = 0;
  let misses = 0;
  for (const n of [...fileNames].sort()) {
    if (n.endsWith('.sql')) like.push(path.join(dir, n));
    else if (n.endsWith('.py') || isScriptModule(n)) {
      // A directory of other modules (Django migrations, helpers) shows it in its first files:
      // stop peeking after two that are not migration-like (each peek is a file read).
      if (n === '__init__.py' || peeks >= NOTICE_PEEKS || (misses >= 2 && like.length === 0)) continue;
      peeks++;
      if (isMigrationLike(path.join(dir, n))) like.push(path.join(dir, n));
      else misses++;
    }
  }
  if (like.length === 0) return null;
  return { dir, files: like.slice(0, 5), count: like.length, framework: genericFrameworkOf(like) };
}

/**
 * Finds Alembic versions directories and raw SQL migration directories below `root`. With
 * `notices`, also collects the directories that look like migrations but match no known layout.
 */
export async function discoverMigrationDirs(root: string, notices?: Notice[]): Promise<string[]> {
  const found: string[] = [];
  const unclaimed: { dir: string; files: string[] }[] = [];
  // Synchronous: a project's directories are few and small, and fs.promises alone costs ~2 ms to
  // load (node:fs/promises, readline), more than the whole walk of a typical project.
  function walk(dir: string, depth: number): void {
    if (depth > 8) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    if ((names.has('env.py') || names.has('script.py.mako')) && names.has('versions')) {
      found.push(path.join(dir, 'versions'));
    } else if (!(path.basename(dir) === 'versions' && isAlembicVersionsDir(dir))) {
      const layout = sqlLayoutOfDir(dir, entries);
      if (layout) found.push(dir);
      // Flyway reads its location recursively, and Diesel and Prisma folders belong to their
      // directory; golang-migrate, goose and dbmate read one level, so a sub-folder is another chain.
      if (layout === 'flyway' || layout === 'diesel' || layout === 'prisma') return;
      const fileNames = entries.filter((e) => e.isFile()).map((e) => e.name);
      if (!layout && isTsMigrationDir(dir, fileNames)) found.push(dir);
      else if (!layout && notices) unclaimed.push({ dir, files: fileNames });
    }
    for (const e of entries) {
      if (e.isDirectory() && !isSkippedDir(e.name) && !(e.name === 'versions' && names.has('env.py'))) walk(path.join(dir, e.name), depth + 1);
    }
  }
  walk(root, 0);
  found.sort();
  if (notices) {
    // A directory inside a found one (Flyway reads sub-folders) is not unclaimed.
    const claimed = (dir: string) => found.some((f) => dir === f || dir.startsWith(f + path.sep));
    for (const u of unclaimed.sort((a, b) => (a.dir < b.dir ? -1 : 1))) {
      if (claimed(u.dir)) continue;
      const n = noticeFor(u.dir, u.files);
      if (n) notices.push(n);
    }
  }
  return found;
}

/** The directory (revision chain) a migration file belongs to. */
export function migrationDirOf(file: string): string {
  // A Diesel or Prisma migration folder belongs to the directory above it.
  if (isSqlCandidate(file)) return sqlMigrationDirOf(file);
  // Alembic allows sub-folders inside versions/ (recursive_version_locations): climb to versions/.
  let dir = path.dirname(file);
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (path.basename(d) === 'versions' && isAlembicVersionsDir(d)) return d;
  }
  return dir;
}

/**
 * Whether `file` is one of the files `dir` is read from (what listCandidates lists): a .py file, or
 * a raw SQL file outside an Alembic versions directory, not inside a skipped directory.
 */
export function isCandidateOf(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const parts = rel.split(path.sep);
  if (parts.slice(0, -1).some(isSkippedDir)) return false;
  const name = parts[parts.length - 1]!;
  return name.endsWith('.py') || ((isSqlCandidate(name) || isTsCandidate(name)) && !isAlembicVersionsDir(dir));
}

/**
 * The migration directory of a changed file (--staged, --changed-since), or null when the file is
 * not a migration file: a candidate of an Alembic versions directory, of a raw SQL directory in a
 * known layout, or of a directory the config names. The directory must exist (a deleted file's
 * directory is still read, for the lock rule).
 */
export function migrationDirOfChanged(
  file: string,
  configured: readonly string[],
  /** Whether a directory holds SQL migrations, by directory: many changed files share one. */
  sqlDirs: Map<string, boolean> = new Map(),
): string | null {
  if (!isMigrationCandidate(file)) return null;
  const dir = migrationDirOf(file);
  if (!isCandidateOf(dir, file)) return null;
  if (configured.includes(dir)) return existsSync(dir) ? dir : null;
  if (file.endsWith('.py')) return isAlembicVersionsDir(dir) ? dir : null;
  let isSql = sqlDirs.get(dir);
  if (isSql === undefined) {
    try {
      const entries = readdirSync(dir, { withFileTypes: true });
      isSql = isTsCandidate(file)
        ? isTsMigrationDir(dir, entries.filter((e) => e.isFile()).map((e) => e.name))
        : sqlLayoutOfDir(dir, entries) !== null;
    } catch {
      isSql = false;
    }
    sqlDirs.set(dir, isSql);
  }
  return isSql ? dir : null;
}

/**
 * Whole migration directories with the given targets (--staged, --changed-since): every candidate
 * file of each directory, plus `extra` files inside them (in the git index, not on disk), minus
 * `exclude` (deleted in the index). Targets outside the directories are dropped.
 */
export async function selectDirectories(
  dirs: readonly string[],
  targets: Iterable<string>,
  isIgnored: (file: string) => boolean,
  opts: { extra?: readonly string[]; exclude?: ReadonlySet<string> } = {},
): Promise<FileSelection> {
  const selection: FileSelection = { targets: new Set(), named: new Set(), dirs: new Map(), missing: [] };
  const all = new Set<string>();
  for (const dir of dirs) {
    const files = new Set(listCandidates(dir));
    for (const f of opts.extra ?? []) if (isCandidateOf(dir, f)) files.add(f);
    const kept = [...files].filter((f) => !isIgnored(f) && !opts.exclude?.has(f)).sort();
    selection.dirs.set(dir, kept);
    for (const f of kept) all.add(f);
  }
  for (const t of targets) if (all.has(t)) selection.targets.add(t);
  return selection;
}

/**
 * The candidate files of a migration directory, sorted. Synchronous like the reads that follow:
 * a directory walk is many tiny calls, and the thread-pool round trips cost more than the calls.
 */
export function listCandidates(dir: string): string[] {
  const out: string[] = [];
  // .sql files next to Alembic migrations are scripts the migrations read, not migrations.
  const sql = !isAlembicVersionsDir(dir);
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!isSkippedDir(e.name)) walk(p);
      } else if (e.isFile() && (e.name.endsWith('.py') || (sql && (isSqlCandidate(e.name) || isTsCandidate(e.name))))) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

export async function selectFiles(
  cwd: string,
  paths: string[],
  isIgnored: (file: string) => boolean,
  opts: { auto?: boolean } = {},
): Promise<FileSelection> {
  const targets = new Set<string>();
  const named = new Set<string>();
  const dirs = new Map<string, string[]>();
  const missing: string[] = [];
  const ignored = new Set<string>();
  const generic = new Set<string>();
  const roots = new Map<string, string[]>();
  const notices: Notice[] = [];

  const addDir = async (dir: string): Promise<string[]> => {
    let files = dirs.get(dir);
    if (!files) {
      files = [];
      for (const f of listCandidates(dir)) {
        if (isIgnored(f)) ignored.add(f);
        else files.push(f);
      }
      dirs.set(dir, files);
    }
    return files;
  };

  for (const given of paths) {
    const abs = path.resolve(cwd, given);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      missing.push(given);
      continue;
    }
    if (stat.isFile()) {
      if (isIgnored(abs)) {
        ignored.add(abs);
        continue;
      }
      const dir = migrationDirOf(abs);
      await addDir(dir);
      const files = dirs.get(dir)!;
      if (!files.includes(abs)) files.push(abs);
      targets.add(abs);
      named.add(abs);
      continue;
    }
    // One Diesel or Prisma migration folder: its files, read with the whole directory.
    if (isSqlMigrationFolder(abs)) {
      const files = await addDir(path.dirname(abs));
      for (const f of files) if (path.dirname(f) === abs) targets.add(f);
      continue;
    }
    // A directory: the migration directories inside it. A directory named or configured whose files
    // match no known layout is read with the generic readers, each folder of it as a chain; one
    // found by auto-discovery is not, but its look-alikes are reported (notices).
    const inside =
      path.basename(abs) === 'versions' && isAlembicVersionsDir(abs) ? [abs] : await discoverMigrationDirs(abs, notices);
    let chosen = inside;
    if (inside.length === 0 && !opts.auto) {
      const byDir = new Set<string>();
      for (const f of listCandidates(abs)) byDir.add(migrationDirOf(f));
      chosen = byDir.size > 0 ? [...byDir].sort() : [abs];
      for (const d of chosen) generic.add(d);
      // Nothing left to notice: every folder with candidates is read.
      for (let i = notices.length - 1; i >= 0; i--) if (byDir.has(notices[i]!.dir)) notices.splice(i, 1);
    }
    if (!opts.auto) roots.set(abs, [...(roots.get(abs) ?? []), ...chosen]);
    for (const dir of chosen) {
      for (const f of await addDir(dir)) targets.add(f);
    }
  }
  const seenNotice = new Set<string>();
  const uniqueNotices = notices.filter((n) => !dirs.has(n.dir) && !seenNotice.has(n.dir) && seenNotice.add(n.dir));
  return { targets, named, dirs, missing, ignored: [...ignored].sort(), generic, roots, notices: uniqueNotices };
}

/**
 * Migration-like files (see isMigrationLike) below `root`, sorted, at most `limit` of them: what a
 * directory that yielded no migration holds that a reader could have wanted.
 */
export function migrationLikeFiles(root: string, limit = 6): string[] {
  const out: string[] = [];
  let budget = 20_000;
  const walk = (d: string, depth: number): void => {
    if (depth > 8 || out.length >= limit) return;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (out.length >= limit || budget-- <= 0) return;
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!isSkippedDir(e.name)) walk(p, depth + 1);
      } else if (e.isFile() && isMigrationLike(p)) out.push(p);
    }
  };
  walk(root, 0);
  return out;
}

/** Where a project starts, for telling its own Python packages from installed ones. */
export function projectRootOf(dir: string, fallback: string): string {
  const markers = ['alembic.ini', 'pyproject.toml', 'setup.py', 'setup.cfg', '.git'];
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (markers.some((m) => existsSync(path.join(d, m)))) return d;
  }
  return fallback;
}
