// Which files to lint and which directory (revision chain) each belongs to. Graph and lock
// rules always see a whole directory, even when only one of its files was named.
import { promises as fsp, existsSync, statSync } from 'node:fs';
import path from 'node:path';

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
  return file.endsWith('.py');
}

export interface FileSelection {
  /** Files whose own findings are reported (absolute). */
  targets: Set<string>;
  /** Each migration directory with all of its candidate files (absolute, sorted). */
  dirs: Map<string, string[]>;
  /** Paths that were given but do not exist. */
  missing: string[];
}

/** A directory is an Alembic versions directory when its parent holds env.py or script.py.mako. */
export function isAlembicVersionsDir(dir: string): boolean {
  const parent = path.dirname(dir);
  return existsSync(path.join(parent, 'env.py')) || existsSync(path.join(parent, 'script.py.mako'));
}

/** Finds Alembic versions directories below `root`. */
export async function discoverMigrationDirs(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > 8) return;
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    if ((names.has('env.py') || names.has('script.py.mako')) && names.has('versions')) {
      found.push(path.join(dir, 'versions'));
    }
    await Promise.all(
      entries
        .filter((e) => e.isDirectory() && !isSkippedDir(e.name) && !(e.name === 'versions' && names.has('env.py')))
        .map((e) => walk(path.join(dir, e.name), depth + 1)),
    );
  }
  await walk(root, 0);
  return found.sort();
}

/** The directory (revision chain) a migration file belongs to. */
export function migrationDirOf(file: string): string {
  // Alembic allows sub-folders inside versions/ (recursive_version_locations): climb to versions/.
  let dir = path.dirname(file);
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (path.basename(d) === 'versions' && isAlembicVersionsDir(d)) return d;
  }
  return dir;
}

async function listCandidates(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries;
    try {
      entries = await fsp.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!isSkippedDir(e.name)) await walk(p);
      } else if (e.isFile() && isMigrationCandidate(e.name)) {
        out.push(p);
      }
    }
  }
  await walk(dir);
  return out.sort();
}

export async function selectFiles(
  cwd: string,
  paths: string[],
  isIgnored: (file: string) => boolean,
): Promise<FileSelection> {
  const targets = new Set<string>();
  const dirs = new Map<string, string[]>();
  const missing: string[] = [];

  const addDir = async (dir: string): Promise<string[]> => {
    let files = dirs.get(dir);
    if (!files) {
      files = (await listCandidates(dir)).filter((f) => !isIgnored(f));
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
      if (isIgnored(abs)) continue;
      const dir = migrationDirOf(abs);
      await addDir(dir);
      const files = dirs.get(dir)!;
      if (!files.includes(abs)) files.push(abs);
      targets.add(abs);
      continue;
    }
    // A directory: the versions directories inside it, or its own files when it has none.
    const inside = path.basename(abs) === 'versions' && isAlembicVersionsDir(abs) ? [abs] : await discoverMigrationDirs(abs);
    const chosen = inside.length > 0 ? inside : [abs];
    for (const dir of chosen) {
      for (const f of await addDir(dir)) targets.add(f);
    }
  }
  return { targets, dirs, missing };
}

/** Where a project starts, for telling its own Python packages from installed ones. */
export function projectRootOf(dir: string, fallback: string): string {
  const markers = ['alembic.ini', 'pyproject.toml', 'setup.py', 'setup.cfg', '.git'];
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (markers.some((m) => existsSync(path.join(d, m)))) return d;
  }
  return fallback;
}
