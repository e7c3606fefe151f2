// One lint run: select files, turn each into the shared model through its front end, run the
// enabled rules, apply inline ignores, and return sorted findings.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dialect, Migration, MigrationSet } from '../model/index.js';
import { buildGraph } from '../graph/index.js';
import {
  formatMessage,
  SEVERITIES,
  toLoc,
  type Finding,
  type LockState,
  type ProjectView,
  type Rule,
  type Severity,
  type Settings,
} from '../rule-api/index.js';
import { DEFAULT_MAX_FILE_SIZE, dialectForFile, isIgnored, rulesForFile, type ResolvedConfig, type RuleSetting } from '../config/index.js';
import { isRuleId, loadRule, ruleIds } from './registry.js';
import { discoverMigrationDirs, genericFrameworkOf, migrationLikeFiles, projectRootOf, selectFiles, type Notice } from './files.js';
import { finishPython, GENERIC_PYTHON } from './generic.js';
import { classifyPath, popxDialect } from '../frontends/sqlfiles/layout.js';
import { fingerprint, readLock } from './lockfile.js';
import { applySuppressions, parseSuppressions, type SuppressedFinding } from './suppressions.js';
import { debugging, describeFailure, frameworkForDir, isSetFile, overSizeLimit, parseFile, parseSetFiles, SQL_FRAMEWORKS } from './frontends.js';
import type { FrontendInput } from '../frontends/types.js';
import { dialectFromPath, splitIndependentChains } from './chains.js';
import { Catalog, historyOrder, type CatalogState } from './catalog.js';
import { chainProduction, describeSize, readSnapshotFile } from './production.js';
import type { LazySnapshot } from '../snapshot/format.js';
import { applyRunContext } from './run-context.js';
import { addEmbeddedSqlComments, expandEmbeddedSql } from './sql-pass.js';
import { hashOf, valueKey, type Pack, type ResultCache } from '../cache/index.js';
import { alembicProjectKey, cacheable, contentHash } from './cached-read.js';
import { downgradeLength, isRestored, LATEST, LostEntryError, modelHash, lazyStats, restoreDirState, reusable, runnerFilesKey, sqlReusePlan, storeDirState, type DirLatest, type DirState, type SqlReusePlan } from './load-state.js';
import { applyWaivers, exemptByStartAfter, selectScope, today, WAIVER_RULES, waiverStates, type LintScope } from './scope.js';

export type { LintScope } from './scope.js';

/** A replay of at least this many migrations is kept in the cache (a shorter one costs less than storing it). */
const KEEP_REPLAYS_FROM = 8;

export interface LintOptions {
  cwd: string;
  /** Paths given by the user; empty means the configured paths, else every migration directory found. */
  paths: string[];
  config: ResolvedConfig;
  /** Overrides the configured lock file; null disables lock checks. */
  lockfile?: string | null;
  /**
   * Lint only the migrations git reports (--staged: their staged content; --changed-since: those
   * changed since the merge base), each with its whole directory as context. `paths` then narrow it.
   */
  scope?: LintScope;
  /**
   * The persistent cache of what the front ends read (src/cache); none by default. The CLI opens
   * one unless told not to (--no-cache, `cache: false`).
   */
  cache?: ResultCache | null;
  /** A snapshot file of production (overrides the config's `snapshot`), or one already opened (trace reads it once). */
  snapshot?: string | LazySnapshot;
  /** `lock`: the migrations the lock file records are released, the others pending (without a snapshot). */
  releasedFrom?: 'lock';
}

export interface LintResult {
  findings: Finding[];
  /** Migrations whose findings were reported. */
  migrations: Migration[];
  sets: MigrationSet[];
  /** Paths given that do not exist. */
  missing: string[];
  lock: LockState | null;
  /** Metadata of every rule that ran, for reporters. */
  rules: Map<string, Rule<string, unknown>>;
  /** Findings an inline ignore (migralint's or another linter's) silenced, with the comment that did. */
  suppressed: SuppressedFinding[];
  /** The files the run looked at: how many were read into migrations, and why the others were not. */
  files: FileCounts;
  /** Directories that look like migrations but were not linted (one stderr line each). */
  notices: Notice[];
}

export type { Notice } from './files.js';

/**
 * Every file the run looked at (the candidate files of each directory read, context included, plus
 * files named or left out by `ignorePatterns`): `linted` were read into a migration (as its own
 * file or a companion such as a down file), `skipped` were not, each with why.
 */
export interface FileCounts {
  seen: number;
  linted: number;
  skipped: { file: string; reason: string }[];
}

/**
 * Migration-like files that no reader could read (exit code 2, one line per problem): a file
 * named on the command line, a directory named or configured, or an auto-discovered project whose
 * look-alike directories were all left out.
 */
export class LintCoverageError extends Error {
  override name = 'CoverageError';
}

/** A problem with what the user asked for (exit code 2), as opposed to a finding. */
export class LintUsageError extends Error {
  override name = 'UsageError';
}

/**
 * Whether the run searches the project by itself: no paths given, and no `paths` or `directories`
 * in the config (its paths are then the project root).
 */
export function isAutoDiscovery(opts: { paths: string[]; config: ResolvedConfig }): boolean {
  const c = opts.config;
  return opts.paths.length === 0 && c.directories.length === 0 && c.paths.length === 1 && c.paths[0] === c.rootDir;
}

export async function resolvePaths(opts: { cwd: string; paths: string[]; config: ResolvedConfig }): Promise<string[]> {
  if (opts.paths.length > 0) return opts.paths;
  if (opts.config.paths.length > 0) return opts.config.paths;
  const fromConfig = opts.config.directories.map((d) => d.path);
  const found = await discoverMigrationDirs(opts.cwd);
  return [...new Set([...fromConfig, ...found])];
}

/** Reads and parses every file of every selected directory. */
export async function loadMigrations(opts: {
  cwd: string;
  paths: string[];
  config: ResolvedConfig;
  scope?: LintScope;
  cache?: ResultCache | null;
}): Promise<{
  sets: MigrationSet[];
  targets: Set<string>;
  missing: string[];
  files: FileCounts;
  notices: Notice[];
  /** Named files no reader claims, and named or configured directories that yielded nothing readable. */
  refusals: string[];
}> {
  let selection;
  // Content that is not the working tree's (the git index under --staged), by file.
  let contentsOf: Map<string, Uint8Array> | null = null;
  if (opts.scope) {
    const scoped = await selectScope({ cwd: opts.cwd, paths: opts.paths, config: opts.config, scope: opts.scope });
    selection = scoped.selection;
    contentsOf = scoped.contents;
  } else {
    const paths = await resolvePaths(opts);
    selection = await selectFiles(opts.cwd, paths, (f) => isIgnored(opts.config, f), { auto: isAutoDiscovery(opts) });
  }
  const sets: MigrationSet[] = [];
  // The cache pack each migration was read through, for the embedded SQL it holds.
  const packs = new Map<Migration, Pack>();
  const skippedWhy = new Map<string, string>();
  for (const f of selection.ignored ?? []) skippedWhy.set(f, 'ignored by config');
  // Sets read afresh (not restored from a directory state), and the directory states to store.
  const fresh: MigrationSet[] = [];
  const toStore: {
    heads: Pack;
    models: () => Pack;
    latest: Omit<DirLatest, 'state'>;
    sets: MigrationSet[];
    skipped: [string, string][];
    update: boolean;
    last: DirState | null;
  }[] = [];
  let configKey: string | undefined;
  for (const [dir, files] of [...selection.dirs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const dialect: Dialect = dialectForFile(opts.config, path.join(dir, '_'));
    const projectRoot = projectRootOf(dir, opts.config.rootDir);
    const migrations: Migration[] = [];
    const configured = frameworkForDir(opts.config.directories, dir);
    const scope = `${dir}\0${dialect}\0${configured ?? ''}`;
    // Synchronous reads: migrations are many small files, and a thread-pool round trip per file
    // cost more than the read itself (1,000 SQL files: 40 ms of idle time and fstat/close calls).
    const contents = files.map((file) => {
      const given = contentsOf?.get(file);
      if (given) return { file, bytes: given, error: null };
      try {
        return { file, bytes: readFileSync(file) as Uint8Array, error: null };
      } catch (err) {
        return { file, bytes: null, error: err as Error };
      }
    });
    // The directory as the last run left it (load-state.ts): everything this loop and the passes
    // after it compute for a directory depends on the config, the files' paths and contents, the
    // files named (set layouts), and for Python the project's dependency declarations and
    // env.py / alembic.ini. All unchanged: the last state as it is. Only some files' contents
    // changed, in a directory of Python revisions: the others' migrations are reused.
    let latest: Omit<DirLatest, 'state'> | null = null;
    let heads: Pack | null = null;
    let reuse: ReturnType<typeof reusable> | null = null;
    let sqlPlan: SqlReusePlan | null = null;
    let last: DirLatest | undefined;
    if (opts.cache?.dirStates && contents.every((c) => c.bytes !== null)) {
      const cache = opts.cache;
      heads = cache.pack(`heads\0${scope}`);
      const python = files.some((f) => f.endsWith('.py'));
      const onlyPython = files.every((f) => f.endsWith('.py'));
      configKey ??= valueKey(opts.config);
      const ctx = hashOf(
        'dir-state',
        configKey,
        dir,
        onlyPython ? '' : valueKey(files.filter((f) => selection.named.has(f))),
        String(selection.generic?.has(dir) ?? false),
        python ? alembicProjectKey(projectRoot) : '',
        python ? runnerFilesKey(dir) : '',
      );
      const hashes = contents.map((c) => [c.file, contentHash(c.bytes!)] as [string, string]);
      latest = { key: hashOf(ctx, valueKey(hashes)), ctx, contents: hashes };
      last = heads.get<DirLatest>(LATEST);
      const models = () => cache.pack(`models\0${scope}`);
      // The models pack may go unread for many runs: it must not age out before the heads.
      if (last) cache.touch(`models\0${scope}`);
      if (last?.key === latest.key) {
        for (const set of restoreDirState(heads, models, last.state)) {
          for (const m of set.migrations) if (m.companions.some((c) => selection.targets.has(c.file))) selection.targets.add(m.file);
          sets.push(set);
        }
        for (const [f, why] of last.state.skipped) skippedWhy.set(f, why);
        continue;
      }
      // Generic Python migrations take their parents from their neighbours: read afresh.
      const generic = configured === GENERIC_PYTHON || last?.state.sets.some((s) => s.migrations.some((m) => m.head.framework !== 'alembic'));
      if (last && onlyPython && last.ctx === ctx && !generic) {
        const before = new Map(last.contents);
        reuse = reusable(heads, models, last.state);
        for (const [f, h] of hashes) {
          if (before.get(f) === h) continue;
          reuse.migrations.delete(f);
          reuse.skipped.delete(f);
        }
      }
      // SQL layouts: with the same file names, only the migrations whose files changed are read again.
      if (last && !python && last.ctx === ctx) sqlPlan = sqlReusePlan(dir, heads, models, last, hashes);
    }
    // The directory's read pack holds every parsed text of it: a partial read leaves it unopened.
    let pack = opts.cache && !sqlPlan ? opts.cache.pack(`read\0${scope}`) : null;
    const setsBefore = sets.length;
    const skippedBefore = new Set(skippedWhy.keys());
    // Raw SQL files are read a directory at a time (pairs of up/down files, order from names).
    const setItems: { input: FrontendInput; error: Error | null }[] = [];
    // The cache pack the directory's set files were read through (a partial read has its own).
    let setPack = pack;
    const python: Migration[] = [];
    for (const c of contents) {
      const fileDialect = dialectForFile(opts.config, c.file);
      const input = { file: c.file, bytes: c.bytes ?? new Uint8Array(), projectRoot, dialect: fileDialect };
      const tooLarge = overSizeLimit(input, opts.config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
      if (tooLarge) {
        migrations.push(tooLarge);
        continue;
      }
      if (isSetFile(c.file)) {
        setItems.push({ input, error: c.error });
        continue;
      }
      const kept = reuse?.migrations.get(c.file);
      if (kept) {
        python.push(kept());
        continue;
      }
      const why = reuse?.skipped.get(c.file);
      if (why !== undefined) {
        skippedWhy.set(c.file, why);
        continue;
      }
      const m = await parseFile(input, c.error, pack);
      if (m) python.push(m);
    }
    const py = finishPython(dir, python, configured);
    migrations.push(...py.migrations);
    for (const s of py.skipped) skippedWhy.set(s.file, s.reason);
    const extraSets: MigrationSet[] = [];
    if (setItems.length > 0) {
      const byName = dialectFromPath(dir, projectRoot);
      const setDialect = byName && dialect === opts.config.dialect ? byName : dialect;
      const named = files.filter((f) => selection.named.has(f));
      const generic = selection.generic?.has(dir) ?? false;
      const partial = sqlPlan && migrations.length === 0 ? await readChanged(dir, setItems, sqlPlan, { framework: configured, dialect: setDialect, named, generic }, opts.cache!.pack(`part\0${scope}`)) : null;
      if (partial) {
        setPack = partial.pack;
        opts.cache!.touch(`read\0${scope}`);
      } else if (opts.cache) setPack = pack ??= opts.cache.pack(`read\0${scope}`);
      const read = partial?.migrations ?? (await parseSetFiles(dir, setItems, { framework: configured, dialect: setDialect, named, generic }, pack));
      for (const m of read) {
        migrations.push(m);
        // Naming a migration's down file (or metadata) on the command line selects the migration.
        if (m.companions.some((c) => selection.targets.has(c.file))) selection.targets.add(m.file);
      }
      // A .sql file named on the command line that the directory's layout does not claim is read
      // by the generic reader, as a chain of its own.
      const claimed = new Set(read.flatMap((m) => [m.file, ...m.companions.map((c) => c.file)]));
      const left = setItems.filter((i) => named.includes(i.input.file) && !claimed.has(i.input.file) && i.input.file.endsWith('.sql'));
      if (left.length > 0 && (configured === undefined || SQL_FRAMEWORKS.has(configured))) {
        const alone = await parseSetFiles(dir, left, { framework: 'sql', dialect: setDialect, named: left.map((i) => i.input.file) }, pack);
        if (alone.length > 0) extraSets.push({ dir, framework: 'sql', dialect: setDialect, migrations: alone });
      }
    }
    const framework = migrations[0]?.framework ?? (setItems.length > 0 ? 'sql' : 'alembic');
    for (const chain of splitIndependentChains({ dir, framework, dialect, migrations })) {
      // A chain kept under a directory named after its dialect (versions/sqlite/, mysql/migrations/) is that dialect,
      // unless the configuration says something more specific for it.
      const named = dialectFromPath(chain.dir, projectRoot);
      if (named && dialectForFile(opts.config, path.join(chain.dir, '_')) === opts.config.dialect) {
        chain.dialect = named;
        for (const m of chain.migrations) if (dialectForFile(opts.config, m.file) === opts.config.dialect) m.dialect = named;
      }
      sets.push(chain);
    }
    sets.push(...extraSets);
    const dirSets = sets.slice(setsBefore);
    fresh.push(...dirSets);
    const through = setPack ?? pack;
    if (through) for (const s of dirSets) for (const m of s.migrations) if (!packs.has(m)) packs.set(m, through);
    if (heads && latest) {
      const skipped = [...skippedWhy].filter(([f]) => !skippedBefore.has(f));
      const cache = opts.cache!;
      toStore.push({ heads, models: () => cache.pack(`models\0${scope}`), latest, sets: dirSets, skipped, update: last?.ctx === latest.ctx, last: last?.state ?? null });
    }
  }
  // The passes below run on the directories read afresh, and there on the migrations read afresh:
  // a restored one has them applied.
  await applyRunContext(fresh, opts.config, isRestored);
  const afresh = fresh.flatMap((s) => s.migrations).filter((m) => !isRestored(m));
  for (const m of afresh) addEmbeddedSqlComments(m);
  // SQL strings in PostgreSQL migrations become the operations their statements amount to.
  await expandEmbeddedSql(afresh, opts.cache ? (m) => packs.get(m) ?? null : null);
  for (const t of toStore) {
    // A result that may be this run's (an io error, a limit) is not kept, as in the raw reads.
    if (!cacheable(t.sets.flatMap((s) => s.migrations))) continue;
    storeDirState(t.heads, t.models, t.latest, t.sets, t.skipped, t.update, t.last);
  }
  opts.cache?.save();

  const read = new Set(sets.flatMap((s) => s.migrations.flatMap((m) => [m.file, ...m.companions.map((c) => c.file)])));
  const seen = new Set([...selection.dirs.values()].flat());
  for (const f of selection.ignored ?? []) seen.add(f);
  const skipped: FileCounts['skipped'] = [];
  for (const f of [...seen].sort()) {
    if (!read.has(f)) skipped.push({ file: f, reason: skippedWhy.get(f) ?? unreadReason(f, sets) });
  }
  const files: FileCounts = { seen: seen.size, linted: seen.size - skipped.length, skipped };

  const refusals: string[] = [];
  const rel = (p: string) => path.relative(opts.cwd, p).split(path.sep).join('/') || '.';
  const relToRoot = (p: string) => path.relative(opts.config.rootDir, p).split(path.sep).join('/') || '.';
  for (const f of [...selection.named].sort()) {
    if (read.has(f) || skippedWhy.get(f) === 'ignored by config') continue;
    if (skippedWhy.get(f) === 'not a migration') continue;
    refusals.push(
      `${rel(f)}: no reader claims this file; if it is a migration, set its framework in the config: "directories": { "${relToRoot(path.dirname(f))}": { "framework": "..." } }`,
    );
  }
  for (const [root, dirs] of selection.roots ?? []) {
    if (dirs.some((d) => (selection.dirs.get(d) ?? []).some((f) => read.has(f)))) continue;
    const like = migrationLikeFiles(root, 6);
    if (like.length === 0) {
      // A directory the user named that holds nothing to read must not pass as "No problems found".
      // Under --staged / --changed-since the paths only narrow git's selection: nothing is normal.
      if (!opts.scope) refusals.push(`${rel(root)}: no migration could be read: it holds no migration-like file; name a migration directory, or set how to read one in the config's "directories"`);
      continue;
    }
    const shown = like.slice(0, 5).map((f) => path.relative(root, f).split(path.sep).join('/'));
    refusals.push(
      `${rel(root)}: no migration could be read, but it holds migration-like files (${shown.join(', ')}${like.length > 5 ? ', ...' : ''}); set how to read them in the config: "directories": { "${relToRoot(path.dirname(like[0]!))}": { "framework": "${genericFrameworkOf(like)}" } }`,
    );
  }
  return { sets, targets: selection.targets, missing: selection.missing, files, notices: selection.notices ?? [], refusals };
}

export { isMigration } from './generic.js';

/**
 * The migrations of a SQL directory when only some migrations' files changed (load-state.ts
 * sqlReusePlan): those read again, each given its parents from the last state (the order comes
 * from names only), and the others kept, in the last state's order. Null when the reading of the
 * changed files does not give the same migrations by the same files: the directory is read whole.
 * The partial reads go through a pack of their own, so that the directory's read pack keeps every
 * parsed text for a later whole read.
 */
async function readChanged(
  dir: string,
  items: { input: FrontendInput; error: Error | null }[],
  plan: SqlReusePlan,
  opts: { framework: string | undefined; dialect: Dialect; named: string[]; generic: boolean },
  pack: Pack,
): Promise<{ migrations: Migration[]; pack: Pack } | null> {
  const part = items.filter((i) => plan.files.has(i.input.file));
  if (part.length !== plan.files.size) return null;
  const named = opts.named.filter((f) => plan.files.has(f));
  const again = await parseSetFiles(dir, part, { framework: opts.framework ?? plan.framework, dialect: opts.dialect, named, generic: opts.generic }, pack);
  const byFile = new Map(again.map((m) => [m.file, m]));
  const wanted = plan.order.filter((o) => o.fresh);
  if (byFile.size !== again.length || again.length !== wanted.length) return null;
  const filesOf = (m: Migration) => [m.file, ...m.companions.map((c) => c.file)].sort().join('\0');
  for (const o of wanted) {
    const m = byFile.get(o.file);
    if (!m || m.framework !== plan.framework || filesOf(m) !== filesOf(o.head) || !m.revision || m.revision.value !== o.head.revision?.value) return null;
    m.parents = { value: [...(o.head.parents?.value ?? [])], loc: { ...m.revision.loc } };
  }
  lazyStats.reread.push(...part.map((i) => i.input.file));
  return { migrations: plan.order.map((o) => (o.fresh ? byFile.get(o.file)! : o.kept())), pack };
}

/** Why a selected file was not read into any migration. */
function unreadReason(file: string, sets: readonly MigrationSet[]): string {
  if (!isSetFile(file)) return 'not a migration';
  const dir = path.dirname(file);
  const set = sets.find((s) => s.migrations.some((m) => path.dirname(m.file) === dir || path.dirname(path.dirname(m.file)) === dir));
  if (!set) return 'not a migration';
  // popx keeps every dialect's files in one directory; only the chain's dialect is read.
  const role = classifyPath(path.basename(file));
  if (role?.kind === 'updown' && role.dialect !== null && popxDialect(role.dialect) !== set.dialect) return 'for another dialect';
  return `not a ${set.framework} migration file`;
}

export async function lint(opts: LintOptions): Promise<LintResult> {
  try {
    return await lintOnce(opts);
  } catch (err) {
    // A cached model that did not read back: once more, reading the directories afresh.
    if (!(err instanceof LostEntryError) || !opts.cache?.dirStates) throw err;
    opts.cache.dirStates = false;
    return lintOnce(opts);
  }
}

async function lintOnce(opts: LintOptions): Promise<LintResult> {
  const loaded = await loadMigrations(opts);
  if (loaded.missing.length > 0) throw new LintUsageError(`no such file or directory: ${loaded.missing.join(', ')}`);
  if (loaded.refusals.length > 0) throw new LintCoverageError(loaded.refusals.join('\n'));
  // Auto-discovery that found nothing it can read, beside directories that look like migrations.
  const total = loaded.sets.reduce((n, s) => n + s.migrations.length, 0);
  if (total === 0 && loaded.notices.length > 0 && isAutoDiscovery(opts)) {
    throw new LintCoverageError(
      [
        ...loaded.notices.map((n) => noticeText(n, opts.cwd, opts.config.rootDir)),
        `no migration directory in a known layout was found, but ${loaded.notices.length === 1 ? 'one directory looks' : `${loaded.notices.length} directories look`} like migrations; name it in the config (above) or on the command line`,
      ].join('\n'),
    );
  }
  // Auto-discovery that found nothing at all: a required check that reads no file must not pass
  // (ESLint's "No files matching" is exit 2 too). Under --staged / --changed-since an empty
  // selection is the normal case (no migration in the commit).
  if (total === 0 && loaded.notices.length === 0 && isAutoDiscovery(opts) && !opts.scope) {
    throw new LintCoverageError(
      `no migration directory found under ${opts.config.rootDir}: migralint looks for the layouts listed in its README ("What migralint reads"); name the directory on the command line (migralint lint <dir>) or in the config's "directories"`,
    );
  }
  const lockPath = opts.lockfile === undefined ? opts.config.lockfile : opts.lockfile;
  const lock = lockPath ? await readLock(lockPath) : null;
  const snapshotOpt = opts.snapshot ?? opts.config.snapshot;
  const snapshot = typeof snapshotOpt === 'string' ? await readSnapshotFile(snapshotOpt) : (snapshotOpt ?? null);
  // Load only the rules some file enables.
  const rules = await Promise.all(enabledRuleIds(opts.config).map(loadRule));
  const result = lintLoaded(opts, { ...loaded, lock, snapshot }, rules);
  opts.cache?.save();
  return result;
}

/** The rules some file enables (at the top level or in an override). */
export function enabledRuleIds(config: ResolvedConfig): string[] {
  return ruleIds.filter(
    (id) => config.rules[id]?.severity !== 'off' || config.overrides.some((o) => o.rules[id]?.severity && o.rules[id]?.severity !== 'off'),
  );
}

/**
 * The synchronous rest of a run, once the migrations, the lock file and the enabled rules are
 * loaded: shared by lint() and the editor entry (engine/sync.ts, the ESLint plugin).
 */
export function lintLoaded(
  opts: LintOptions,
  loaded: {
    sets: MigrationSet[];
    targets: Set<string>;
    missing: string[];
    lock: LockState | null;
    files?: FileCounts;
    notices?: Notice[];
    /** What production has (`migralint snapshot`); null or absent: unknown. */
    snapshot?: LazySnapshot | null;
  },
  enabledRules: readonly Rule<string, unknown>[],
): LintResult {
  const { config } = opts;
  const { sets, targets, missing, lock } = loaded;
  const rules = new Map<string, Rule<string, unknown>>();
  for (const r of enabledRules) rules.set(r.id, r);

  const settingsCache = new Map<string, Record<string, RuleSetting>>();
  const settingsFor = (file: string) => {
    let s = settingsCache.get(file);
    if (!s) {
      s = rulesForFile(config, file);
      settingsCache.set(file, s);
    }
    return s;
  };
  const ruleSettings = (file: string): Settings => ({ dialect: dialectForFile(config, file), postgresVersion: config.postgresVersion });

  const findingsByFile = new Map<string, Finding[]>();
  // While a migration's rules run with the findings cache on: what they report, to store.
  let recording: Finding[] | null = null;
  const push = (f: Finding) => {
    recording?.push(f);
    const list = findingsByFile.get(f.file) ?? [];
    list.push(f);
    findingsByFile.set(f.file, list);
  };
  const make = (
    rule: Rule<string, unknown>,
    severity: Severity,
    file: string,
    migration: Migration | null,
    d: { messageId: string; at: Parameters<typeof toLoc>[0]; data?: Record<string, string | number>; table?: string | null },
    catalog?: Catalog,
    lower?: boolean,
  ): Finding | null => {
    if (severity === 'off') return null;
    // What production says about the table the finding is about.
    let table: Finding['table'];
    let template = (rule.meta.messages as Record<string, string>)[d.messageId];
    if (d.table && catalog) {
      if (catalog.isNewTable(d.table)) return null;
      const size = catalog.tableSize(d.table);
      if (size) {
        table = { name: d.table, rows: size.rows, bytes: size.bytes };
        if (rule.meta.sizeAware !== false) {
          const { small, large, largeBytes } = config.sizes;
          if (size.rows >= large || size.bytes >= largeBytes) severity = 'error';
          else if (size.rows < small) severity = 'info';
        }
        const shown = ` (${describeSize(size.rows, size.bytes)})`;
        if (template !== undefined) {
          // After the first {{table}} that names the table itself (not `{{table}}.{{column}}`).
          const slot = /\{\{\s*table\s*\}\}(?!\.)/;
          template = slot.test(template) && d.data?.table === d.table
            ? template.replace(slot, (m) => `${m}${shown}`)
            : `${template} Table ${d.table}${shown}.`;
        }
      }
    }
    if (lower) severity = lowerSeverity(severity);
    if (severity === 'off') return null;
    const loc = toLoc(d.at);
    const fromSql = 'fromSql' in d.at
      ? (d.at as { fromSql?: { host?: { line: number }; statementLoc?: { line: number }; hasHoles?: boolean } }).fromSql
      : undefined;
    // An ignore above the statement (or above the op.execute call) covers a finding on one of its clauses.
    const anchors = [fromSql?.statementLoc?.line, fromSql?.host?.line].filter((l): l is number => l !== undefined && l !== loc.line);
    if (template === undefined) throw new Error(`Rule ${rule.id} reported unknown messageId ${d.messageId}`);
    const cap = (rule.meta.messageLevels as Record<string, 'info' | 'warn'> | undefined)?.[d.messageId];
    return {
      ruleId: rule.id,
      messageId: d.messageId,
      severity: cap && SEVERITIES.indexOf(cap) < SEVERITIES.indexOf(severity) ? cap : severity,
      // A position in a companion file (a .down.sql) names that file.
      file: loc.file ?? file,
      line: loc.line,
      column: loc.column,
      endLine: loc.endLine,
      endColumn: loc.endColumn,
      // A finding about a statement with interpolated parts says so: what stood there is a guess.
      message: formatMessage(template, d.data) + (fromSql?.hasHoles ? ' (The statement has interpolated parts, read as stand-ins.)' : ''),
      migration: migration?.revision?.value ?? null,
      ...(anchors.length > 0 ? { anchorLines: [...new Set(anchors)] } : {}),
      ...(table ? { table } : {}),
    };
  };

  /**
   * A rule that throws on one migration (a bug in migralint) costs only its own findings there:
   * the run goes on, and the file gets an error naming the rule, so that nobody reads the silence
   * as a pass. MIGRALINT_DEBUG=1 lets it throw instead, with its stack.
   */
  const guarded = (rule: Rule<string, unknown>, file: string, migration: Migration | null, run: () => void): void => {
    try {
      run();
    } catch (err) {
      if (debugging() || err instanceof LostEntryError) throw err;
      push({
        ruleId: rule.id,
        messageId: 'internal-error',
        severity: 'error',
        file,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        message:
          `The ${rule.id} rule failed on this file, so its findings here are missing: ${describeFailure(err)} ` +
          '(MIGRALINT_DEBUG=1 shows the stack).',
        migration: migration?.revision?.value ?? null,
      });
    }
  };

  const targetMigrations = sets.flatMap((s) => s.migrations).filter((m) => targets.has(m.file));
  // Released history before `startAfter` is only graph- and lock-checked (project rules).
  const exempt = exemptByStartAfter(sets, config, opts.cwd);
  // Under a git scope, a changed migration that the lock file records is released: the lock rule
  // reports the change (applied-migration-modified); it is not linted again as if it were new.
  if (opts.scope && lock) for (const e of lock.entries) exempt.add(e.file);
  const linted = (m: Migration) => targets.has(m.file) && !exempt.has(m.file);

  // Each chain's revision graph, built once for the history order, the snapshot's applied set and the project rules.
  const graphs = new Map<MigrationSet, ReturnType<typeof buildGraph>>();
  const graphOf = (set: MigrationSet) => {
    let g = graphs.get(set);
    if (!g) {
      g = buildGraph(set.migrations);
      graphs.set(set, g);
    }
    return g;
  };

  // Migration rules run in history order while the catalog replays each chain, so every rule
  // sees the schema as the earlier migrations left it.
  // The downgrade runs against the schema its upgrade left, so body rules judge it after the
  // catalog has applied the upgrade.
  //
  // With the cache, a migration's findings are taken from it when nothing they depend on changed:
  // the migration as the rules see it, every migration before it in the chain (the schema the
  // catalog replays), the rule settings of its file, and the rules that run (their code is in the
  // cache's salt). `findingsFrom` (ResultCache) sets how many linted migrations a chain needs
  // before its findings are cached; it is 1, so a pre-commit run naming one file is cached too.
  const enabledKey = opts.cache ? valueKey([...rules.keys(), config.downgrades, config.postgresVersion]) : '';
  // Files without overrides share one settings object: its key is computed once.
  const settingKeys = new WeakMap<object, string>();
  const fileKey = (file: string) => {
    const settings = settingsFor(file);
    let k = settingKeys.get(settings);
    if (k === undefined) {
      k = valueKey(settings);
      settingKeys.set(settings, k);
    }
    return `${k}\0${valueKey(ruleSettings(file))}`;
  };
  const record = (run: () => void): Finding[] => {
    const out: Finding[] = [];
    recording = out;
    try {
      run();
    } finally {
      recording = null;
    }
    return out;
  };
  // With a snapshot, a migration production has not run is judged against production's tables
  // and the pending migrations before it; one it has run, against the replayed history as ever.
  for (const set of sets) {
    let replay = new Catalog();
    const production = chainProduction(set, () => graphOf(set), { snapshot: loaded.snapshot ?? null, lock: opts.releasedFrom === 'lock' ? lock : null });
    // Findings judged against production depend on the snapshot or the lock file, which the cache's
    // keys do not cover: only runs judged against the replayed history are cached.
    const pack =
      !production && opts.cache && set.migrations.filter(linted).length >= opts.cache.findingsFrom ? opts.cache.pack(`findings\0${set.dir}`) : null;
    const order = pack ? cachedOrder(pack, set, () => historyOrder(set.migrations, graphOf(set))) : historyOrder(set.migrations, graphOf(set));
    let prefix = hashOf('chain', enabledKey);
    // With the findings cache, the replay waits until a rule needs the schema: a chain whose
    // findings all come from the cache never reads its migrations' operations. When one needs it,
    // the schema before that migration comes from the cache if a run kept it (keyed by the hashes
    // of every migration before it, in order), else from replaying those still waiting; a long
    // replay's result is kept for the next run (a pre-commit hook linting the same file again).
    const waiting: Migration[] = [];
    let ran = false;
    const catchUp = (before: string) => {
      ran = true;
      if (waiting.length === 0) return;
      if (pack) {
        const state = pack.get<CatalogState>(`catalog\0${before}`);
        if (state) {
          replay = Catalog.fromReplayState(state);
          waiting.length = 0;
          return;
        }
      }
      const long = waiting.length >= KEEP_REPLAYS_FROM;
      for (const w of waiting) replay.applyUpgrade(w);
      waiting.length = 0;
      const state = long ? replay.replayState() : null;
      if (pack && state) pack.set(`catalog\0${before}`, state);
    };
    for (const m of order) {
      const judged = linted(m);
      const down = judged && config.downgrades !== 'ignore' && downgradeLength(m) > 0;
      const released = production ? production.released(m) : true;
      // The lock file says what is released, not what production holds: its catalog is the replay.
      const fromProduction = production !== null && released !== true && loaded.snapshot;
      const catalogNow = () => (fromProduction ? production.catalog : replay);
      if (fromProduction) production.catalog.setMode({ pending: released === false ? true : null });
      else replay.setMode({ pending: production !== null && released === false });
      let key = '';
      const before = prefix;
      let hit: { up: Finding[]; down: Finding[] } | undefined;
      if (pack) {
        // A schema kept for this point of the chain stays kept (has() marks it used).
        pack.has(`catalog\0${before}`);
        const model = modelHash(m);
        key = hashOf(prefix, model, fileKey(m.file));
        prefix = hashOf(prefix, model);
        hit = judged ? pack.get<{ up: Finding[]; down: Finding[] }>(key) : undefined;
        if (hit) opts.cache!.stats.findingHits++;
      }
      // Findings come from the cache, or from the rules (recorded only when the cache will keep them).
      const judge = (cached: Finding[] | undefined, run: () => void): Finding[] => {
        if (cached) {
          cached.forEach(push);
          return cached;
        }
        catchUp(before);
        if (pack) return record(run);
        run();
        return [];
      };
      const up = judged ? judge(hit?.up, () => runMigrationRules(m, catalogNow())) : [];
      // Without a production catalog (always so with the findings cache), the catalog is the replay.
      if (pack && !(down && !hit)) waiting.push(m);
      else {
        catchUp(before);
        catalogNow().applyUpgrade(m);
        if (fromProduction) replay.applyUpgrade(m);
      }
      const after = down ? judge(hit?.down, () => runBodyRules(m, 'downgrade', catalogNow())) : [];
      // A rule's own failure may be this run's: never stored.
      if (pack && judged && !hit && ![...up, ...after].some((f) => f.messageId === 'internal-error')) pack.set(key, { up, down: after });
    }
    // The schema after the whole chain, for a migration added at its end: kept when a rule needed
    // the replay and little is left to apply.
    if (pack && !pack.has(`catalog\0${prefix}`) && ran && waiting.length < KEEP_REPLAYS_FROM) {
      for (const w of waiting) replay.applyUpgrade(w);
      const state = replay.replayState();
      if (state) pack.set(`catalog\0${prefix}`, state);
    }
    // A snapshot table a migration needed could not be read: no finding about it can be trusted.
    if (production?.catalog.failure) throw production.catalog.failure;
  }

  type Report = { messageId: string; at: Parameters<typeof toLoc>[0]; data?: Record<string, string | number>; table?: string | null };

  /** The rule's setting for the migration's file, when the rule should judge it at all. */
  function settingFor(rule: Rule<string, unknown>, m: Migration): RuleSetting | null {
    const setting = settingsFor(m.file)[rule.id];
    if (!setting || setting.severity === 'off') return null;
    // A file that did not parse has no operations to judge; only parse-error speaks for it.
    if (m.parseError && rule.id !== 'parse-error') return null;
    if (rule.meta.dialects && !rule.meta.dialects.includes(m.dialect)) return null;
    return setting;
  }

  function runMigrationRules(m: Migration, catalog: Catalog): void {
    const context = ruleSettings(m.file);
    for (const rule of rules.values()) {
      if (rule.scope !== 'migration') continue;
      const setting = settingFor(rule, m);
      if (!setting) continue;
      const ctx = {
        settings: context,
        catalog,
        report: (d: Report) => {
          const f = make(rule, setting.severity, m.file, m, d, catalog);
          if (f) push(f);
        },
      };
      guarded(rule, m.file, m, () => rule.check(ctx, m, withDefaults(rule, setting.options)));
    }
    runBodyRules(m, 'upgrade', catalog);
  }

  function runBodyRules(m: Migration, direction: 'upgrade' | 'downgrade', catalog: Catalog): void {
    const context = ruleSettings(m.file);
    const body = direction === 'upgrade' ? m.upgrade : m.downgrade;
    for (const rule of rules.values()) {
      if (rule.scope !== 'body') continue;
      const setting = settingFor(rule, m);
      if (!setting) continue;
      const lower = direction === 'downgrade' && config.downgrades === 'lower';
      const ctx = {
        settings: context,
        catalog,
        direction,
        report: (d: Report) => {
          const f = make(rule, setting.severity, m.file, m, d, catalog, lower);
          if (f) push(f);
        },
      };
      guarded(rule, m.file, m, () => rule.check(ctx, body, m, withDefaults(rule, setting.options)));
    }
  }

  const project: ProjectView = {
    sets: sets.map((set) => ({ set, graph: graphOf(set) })),
    completeDirs: sets.map((s) => s.dir),
    lock,
    fingerprint,
  };
  const runProjectRule = (rule: Rule<string, unknown>, view: ProjectView) => {
    if (rule.scope !== 'project') return;
    const top = config.rules[rule.id];
    const options = withDefaults(rule, top?.options);
    // A project rule has no one file: its failure is reported on the first linted migration.
    const first = targetMigrations.find(linted) ?? null;
    const run = () => rule.check(
      {
        settings: { dialect: config.dialect, postgresVersion: config.postgresVersion },
        report: (d) => {
          const setting = settingsFor(d.file)[rule.id];
          if (!setting) return;
          const f = make(rule, setting.severity, d.file, d.migration ?? null, d);
          if (f) push(f);
        },
      },
      view,
      options,
    );
    if (first) guarded(rule, first.file, first, run);
    else run();
  };
  for (const rule of rules.values()) if (!WAIVER_RULES.has(rule.id)) runProjectRule(rule, project);

  // Inline ignores, then the rules that judge the ignores themselves.
  const byFile = new Map(sets.flatMap((s) => s.migrations).map((m) => [m.file, m]));
  const suppressionsByFile = new Map<string, ReturnType<typeof parseSuppressions>>();
  const suppressed: SuppressedFinding[] = [];
  // What an ignore-everything block (diesel-guard's) covers: the rules that judge statements.
  const statementRule = (id: string) => rules.get(id)?.scope === 'migration' || rules.get(id)?.scope === 'body';
  for (const m of byFile.values()) {
    const files = [m.file, ...m.companions.map((c) => c.file)];
    if (!linted(m) && !files.some((f) => findingsByFile.has(f))) continue;
    const suppressions = parseSuppressions(m, isRuleId, { foreign: config.foreignIgnores !== false });
    if (suppressions.length === 0) continue;
    suppressionsByFile.set(m.file, suppressions);
    for (const file of files) {
      const list = findingsByFile.get(file);
      if (list) findingsByFile.set(file, applySuppressions(list, suppressions, m.file, suppressed, statementRule));
    }
  }
  for (const m of targetMigrations) {
    if (!linted(m)) continue;
    const suppressions = suppressionsByFile.get(m.file);
    if (!suppressions) continue;
    const settings = settingsFor(m.file);
    for (const s of suppressions) s.inactive = s.rules.filter((r) => (settings[r]?.severity ?? 'off') === 'off');
    for (const rule of rules.values()) {
      if (rule.scope !== 'suppressions') continue;
      const setting = settings[rule.id];
      if (!setting || setting.severity === 'off') continue;
      guarded(rule, m.file, m, () =>
        rule.check(
          {
            report: (d) => {
              const f = make(rule, setting.severity, m.file, m, d);
              if (f) push(f);
            },
          },
          m,
          suppressions,
          withDefaults(rule, setting.options),
        ),
      );
    }
  }

  // Waivers from the config, then the rules that judge the waivers themselves.
  let findings = [...findingsByFile.values()].flat();
  if (config.waivers && config.waivers.length > 0) {
    const states = waiverStates(config, today());
    findings = applyWaivers(findings, states, {
      sets,
      linted,
      ran: (id, m) => {
        const rule = rules.get(id);
        if (!rule || (settingsFor(m.file)[id]?.severity ?? 'off') === 'off') return false;
        if (rule.meta.dialects && !rule.meta.dialects.includes(m.dialect)) return false;
        return !m.parseError || id === 'parse-error' || rule.scope === 'project';
      },
      isProjectRule: (id) => rules.get(id)?.scope === 'project',
      wholeProject: opts.paths.length === 0 && !opts.scope,
    });
    findingsByFile.clear();
    for (const f of findings) push(f);
    for (const rule of rules.values()) if (WAIVER_RULES.has(rule.id)) runProjectRule(rule, { ...project, waivers: states });
    findings = [...findingsByFile.values()].flat();
  }
  findings.sort(compareFindings);
  suppressed.sort((a, b) => compareFindings(a.finding, b.finding));
  const files = loaded.files ?? countRead(sets);
  return { findings, migrations: targetMigrations, sets, missing, lock, rules, files, notices: loaded.notices ?? [], suppressed };
}

/**
 * The history order of a chain, kept in the cache under what it depends on: each migration's
 * file, revision and links (the graph's inputs).
 */
function cachedOrder(pack: Pack, set: MigrationSet, compute: () => Migration[]): Migration[] {
  const key = hashOf(
    'order',
    valueKey(set.migrations.map((m) => [m.file, m.revision?.value ?? null, m.parents?.value ?? null, m.dependsOn?.value ?? null, m.branchLabels?.value ?? null])),
  );
  const kept = pack.get<number[]>(key);
  if (kept && kept.length === set.migrations.length) return kept.map((i) => set.migrations[i]!);
  const order = compute();
  const at = new Map(set.migrations.map((m, i) => [m, i]));
  pack.set(key, order.map((m) => at.get(m)!));
  return order;
}

/** Counts when only the migrations are known (the editor path): every file read, none skipped. */
function countRead(sets: readonly MigrationSet[]): FileCounts {
  const n = new Set(sets.flatMap((s) => s.migrations.flatMap((m) => [m.file, ...m.companions.map((c) => c.file)]))).size;
  return { seen: n, linted: n, skipped: [] };
}

/** The stderr line for a directory that looks like migrations but was not linted. */
export function noticeText(n: Notice, cwd: string, rootDir: string): string {
  const rel = path.relative(cwd, n.dir).split(path.sep).join('/') || '.';
  const key = path.relative(rootDir, n.dir).split(path.sep).join('/') || '.';
  const what = `${n.count} migration-like file${n.count === 1 ? '' : 's'}`;
  return `notice: ${rel} looks like a migration directory (${what}) but no known layout claims it, so it was not linted; to lint it, add to the config: "directories": { "${key}": { "framework": "${n.framework}" } }`;
}

/** One level lower, for a downgrade's findings under `downgrades: "lower"`: error -> warn -> info. */
function lowerSeverity(severity: Severity): Severity {
  return severity === 'error' ? 'warn' : severity === 'warn' ? 'info' : severity;
}

/** The rule's defaults under whatever the configuration set, so a rule always sees every option. */
function withDefaults(rule: Rule<string, unknown>, options: unknown): unknown {
  const defaults = rule.meta.defaultOptions;
  if (options === undefined || options === null) return defaults;
  if (typeof defaults !== 'object' || defaults === null || typeof options !== 'object') return options;
  return { ...(defaults as object), ...(options as object) };
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}
