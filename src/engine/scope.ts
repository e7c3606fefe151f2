// What a lint run reports on: which migrations are linted (--staged, --changed-since, startAfter),
// and which findings are accepted for a while (waivers).
//
// --staged and --changed-since pick the TARGETS (migration files whose own findings are reported)
// from git; every migration directory a target (or a deleted migration) belongs to is read whole,
// as for a file named on the command line, so graph and lock rules see the complete chain.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Migration, MigrationSet } from '../model/index.js';
import type { Finding, WaiverState } from '../rule-api/index.js';
export type { WaiverState } from '../rule-api/index.js';
import { ConfigError, isCalendarDate, isIgnored, type ResolvedConfig } from '../config/index.js';
import { historyOrder } from './catalog.js';
import { migrationDirOfChanged, selectDirectories, selectFiles, type FileSelection } from './files.js';

// ---------------------------------------------------------------------------------------------
// Git scopes

export type LintScope = { kind: 'staged' } | { kind: 'changed-since'; ref: string };

export interface ScopedFiles {
  selection: FileSelection;
  /** Content to lint instead of the working tree's, by absolute path (the index, for --staged). */
  contents: Map<string, Uint8Array>;
}

/**
 * The files of a git scope.
 *
 * - Targets: migration files (see migrationDirOfChanged) that git reports as changed, under the
 *   paths given on the command line, else under the config's `paths` when there is a config file,
 *   else anywhere in the repository; not ignored by `ignorePatterns`. --staged: staged additions
 *   and modifications (`git diff --cached`). --changed-since REF: files added or modified between
 *   `git merge-base REF HEAD` and the working tree (commits, staged and unstaged changes), and
 *   untracked files .gitignore does not exclude.
 * - Context: every file of each directory holding a target or a deleted migration. With --staged,
 *   a file that is in the index is read from the index (`git ls-files -s`, then its blob), a file
 *   only in the working tree (untracked) from disk, and a file deleted in the index is left out, so
 *   the directory is what the commit will hold plus untracked drafts. With --changed-since, from the
 *   working tree.
 */
export async function selectScope(opts: { cwd: string; paths: string[]; config: ResolvedConfig; scope: LintScope }): Promise<ScopedFiles> {
  const { config, scope } = opts;
  // git.ts (and node:child_process) only load for a git scope.
  const { changesSince, gitTopLevel, indexEntries, mergeBase, readBlobs, stagedChanges } = await import('./git.js');
  const flag = scope.kind === 'staged' ? '--staged' : '--changed-since';
  const top = gitTopLevel(opts.cwd, flag);
  const changes = scope.kind === 'staged' ? stagedChanges(top) : changesSince(top, mergeBase(top, scope.ref));

  const missing: string[] = [];
  let roots: string[];
  if (opts.paths.length > 0) {
    roots = [];
    for (const p of opts.paths) {
      const abs = path.resolve(opts.cwd, p);
      if (existsSync(abs)) roots.push(abs);
      else missing.push(p);
    }
  } else {
    roots = config.configFile ? config.paths : [top];
  }
  const under = (file: string) => roots.some((r) => file === r || file.startsWith(r.endsWith(path.sep) ? r : r + path.sep));

  // The directories plain `lint` reads for the same paths count as migration directories, with
  // or without an env.py or a known layout (a directory named on the command line is one).
  const auto = opts.paths.length === 0 && config.directories.length === 0 && roots.length === 1 && roots[0] === config.rootDir;
  const plain = auto ? null : await selectFiles(opts.cwd, roots, (f) => isIgnored(config, f));
  const configured = [...config.directories.map((d) => d.path), ...(plain ? plain.dirs.keys() : [])];
  const sqlDirs = new Map<string, boolean>();
  const targets = new Set<string>();
  const deleted = new Set<string>();
  const dirs = new Set<string>();
  for (const change of changes) {
    const file = path.join(top, ...change.path.split('/'));
    if (!under(file) || isIgnored(config, file)) continue;
    const dir = migrationDirOfChanged(file, configured, sqlDirs);
    if (!dir) continue;
    dirs.add(dir);
    if (change.status === 'D') deleted.add(file);
    else targets.add(file);
  }

  const contents = new Map<string, Uint8Array>();
  const extra: string[] = [];
  if (scope.kind === 'staged' && dirs.size > 0) {
    const rel = (p: string) => path.relative(top, p).split(path.sep).join('/') || '.';
    const entries = indexEntries(top, [...dirs].map(rel));
    const blobs = readBlobs(top, [...entries.values()]);
    for (const [relPath, blob] of entries) {
      const file = path.join(top, ...relPath.split('/'));
      const bytes = blobs.get(blob);
      if (!bytes) continue;
      contents.set(file, bytes);
      extra.push(file);
    }
  }
  const selection = await selectDirectories([...dirs].sort(), targets, (f) => isIgnored(config, f), {
    extra,
    exclude: scope.kind === 'staged' ? deleted : new Set(),
  });
  selection.missing.push(...missing);
  selection.generic = new Set([...(plain?.generic ?? [])].filter((d) => selection.dirs.has(d)));
  return { selection, contents };
}

// ---------------------------------------------------------------------------------------------
// startAfter

/** The startAfter that applies to a chain: the longest `directories` entry containing it that sets one, else the top level. */
function startAfterFor(config: ResolvedConfig, dir: string): { value: string; key: string | null } | null {
  let best: { path: string; startAfter?: string } | null = null;
  for (const d of config.directories) {
    if (d.startAfter === undefined) continue;
    const inside = dir === d.path || dir.startsWith(d.path.endsWith(path.sep) ? d.path : d.path + path.sep);
    if (inside && (!best || d.path.length > best.path.length)) best = d;
  }
  if (best?.startAfter !== undefined) {
    return { value: best.startAfter, key: path.relative(config.rootDir, best.path).split(path.sep).join('/') || '.' };
  }
  return config.startAfter !== undefined ? { value: config.startAfter, key: null } : null;
}

/** The names a startAfter may give a migration by: revision id, file name (with or without extension), path in its directory, folder. */
function namesOf(m: Migration, dir: string): string[] {
  const base = path.basename(m.file);
  const names = [base, base.replace(/\.[^.]+$/, ''), path.relative(dir, m.file).split(path.sep).join('/')];
  if (m.revision) names.push(m.revision.value);
  // Diesel and Prisma migrations are folders (2020-01-01-000000_x/up.sql): the folder's name counts.
  if (path.dirname(m.file) !== dir) names.push(path.basename(path.dirname(m.file)));
  return names;
}

/**
 * The migrations of a chain that a startAfter value marks as released history: the migration it
 * names (the last in history order when several match) and every migration it descends from, which
 * in a linear chain is everything at or before it in history order. A branch that does not lead to
 * it is not history and is linted. Null when the value names no migration of the chain.
 */
export function historyBefore(set: MigrationSet, value: string): Set<Migration> | null {
  const order = historyOrder(set.migrations);
  let chosen: Migration | null = null;
  for (const m of order) if (namesOf(m, set.dir).includes(value)) chosen = m;
  if (!chosen) return null;
  const byId = new Map<string, Migration[]>();
  for (const m of set.migrations) {
    if (!m.revision) continue;
    const list = byId.get(m.revision.value) ?? [];
    list.push(m);
    byId.set(m.revision.value, list);
  }
  const before = new Set<Migration>([chosen]);
  const seen = new Set<string>();
  const pending = [...(chosen.revision ? [chosen.revision.value] : []), ...(chosen.parents?.value ?? [])];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const m of byId.get(id) ?? []) {
      before.add(m);
      pending.push(...(m.parents?.value ?? []));
    }
  }
  return before;
}

/**
 * Files of the migrations that startAfter exempts from migration rules, over every chain of the run.
 * A value that names no migration of a chain it applies to is a configuration error (exit 2).
 */
export function exemptByStartAfter(sets: readonly MigrationSet[], config: ResolvedConfig, cwd: string): Set<string> {
  const exempt = new Set<string>();
  const problems: string[] = [];
  const configName = config.configFile ? path.relative(cwd, config.configFile).split(path.sep).join('/') || config.configFile : 'config';
  for (const set of sets) {
    const start = startAfterFor(config, set.dir);
    if (!start) continue;
    const before = historyBefore(set, start.value);
    const dirName = path.relative(cwd, set.dir).split(path.sep).join('/') || '.';
    if (!before) {
      problems.push(
        start.key === null
          ? `${configName}: startAfter: ${JSON.stringify(start.value)} is neither a revision id nor a file name in ${dirName}` +
              ' (a top-level startAfter applies to every linted directory without its own; set one per directory under "directories")'
          : `${configName}: directories[${JSON.stringify(start.key)}].startAfter: ${JSON.stringify(start.value)} is neither a revision id nor a file name in ${dirName}`,
      );
      continue;
    }
    for (const m of before) exempt.add(m.file);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return exempt;
}

// ---------------------------------------------------------------------------------------------
// Waivers

/** Reported by the CLI with exit code 2, like every error named UsageError. */
class ScopeUsageError extends Error {
  override name = 'UsageError';
}

/** Today as YYYY-MM-DD in local time, or MIGRALINT_TODAY (for tests and reproducible runs). The one place the date is read. */
export function today(): string {
  const fixed = process.env.MIGRALINT_TODAY;
  if (fixed !== undefined && fixed !== '') {
    if (!isCalendarDate(fixed)) throw new ScopeUsageError(`MIGRALINT_TODAY must be a date written YYYY-MM-DD, got ${JSON.stringify(fixed)}`);
    return fixed;
  }
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  const utc = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** A configured waiver as a run applied it. */
/** Rules about waivers themselves: run last, and never waived. */
export const WAIVER_RULES: ReadonlySet<string> = new Set(['expired-waiver', 'unused-waiver']);

export function waiverStates(config: ResolvedConfig, day: string): WaiverState[] {
  return (config.waivers ?? []).map((w) => {
    const daysLeft = daysBetween(day, w.expires);
    return {
      rule: w.rule,
      migration: w.migration,
      path: w.path,
      reason: w.reason,
      owner: w.owner,
      expires: w.expires,
      file: w.file,
      line: w.line,
      daysLeft,
      expired: daysLeft < 0,
      used: 0,
      matched: false,
      judged: false,
    };
  });
}

/** Whether the waiver names this migration: its revision id, or the path of one of its files. */
function names(w: { migration: string; path: string }, m: Migration): boolean {
  if (m.revision?.value === w.migration) return true;
  return m.file === w.path || m.companions.some((c) => c.file === w.path);
}

/**
 * Drops the findings a live waiver covers (its rule, in any file of the migration it names),
 * counting them on the waiver, and works out which waivers this run could judge.
 */
export function applyWaivers(
  findings: Finding[],
  states: WaiverState[],
  ctx: {
    sets: readonly MigrationSet[];
    /** Whether the migration's own findings were computed (a target, not exempt by startAfter or the lock). */
    linted: (m: Migration) => boolean;
    /** Whether the rule ran on the migration: on for its file, its dialect, and parsed (or parse-error). */
    ran: (rule: string, m: Migration) => boolean;
    /** Project rules see every migration read, whether linted or not. */
    isProjectRule: (rule: string) => boolean;
    /** No paths and no git scope: every configured migration was read. */
    wholeProject: boolean;
  },
): Finding[] {
  if (states.length === 0) return findings;
  const owner = new Map<string, Migration>();
  for (const set of ctx.sets) {
    for (const m of set.migrations) {
      owner.set(m.file, m);
      for (const c of m.companions) owner.set(c.file, m);
    }
  }
  for (const w of states) {
    for (const set of ctx.sets) {
      for (const m of set.migrations) {
        if (!names(w, m)) continue;
        w.matched = true;
        if (ctx.ran(w.rule, m) && (ctx.isProjectRule(w.rule) || ctx.linted(m))) w.judged = true;
      }
    }
    if (!w.matched && ctx.wholeProject) w.judged = true;
  }
  return findings.filter((f) => {
    if (WAIVER_RULES.has(f.ruleId)) return true;
    const m = owner.get(f.file);
    let waived = false;
    for (const w of states) {
      if (w.expired || w.rule !== f.ruleId) continue;
      // A finding about a file that is gone (a deleted locked migration) is matched by its path.
      if (m ? names(w, m) : f.file === w.path) {
        w.used++;
        waived = true;
      }
    }
    return !waived;
  });
}
