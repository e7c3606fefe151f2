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
import { finishPython } from './generic.js';
import { classifyPath, popxDialect } from '../frontends/sqlfiles/layout.js';
import { fingerprint, readLock } from './lockfile.js';
import { applySuppressions, parseSuppressions, type SuppressedFinding } from './suppressions.js';
import { debugging, describeFailure, frameworkForDir, isSetFile, overSizeLimit, parseFile, parseSetFiles, SQL_FRAMEWORKS } from './frontends.js';
import type { FrontendInput } from '../frontends/types.js';
import { dialectFromPath, splitIndependentChains } from './chains.js';
import { Catalog, historyOrder } from './catalog.js';
import { chainProduction, describeSize, readSnapshotFile } from './production.js';
import type { LazySnapshot } from '../snapshot/format.js';
import { applyRunContext } from './run-context.js';
import { addEmbeddedSqlComments, expandEmbeddedSql } from './sql-pass.js';
import { hashOf, valueKey, type Pack, type ResultCache } from '../cache/index.js';
import { applyWaivers, exemptByStartAfter, selectScope, today, WAIVER_RULES, waiverStates, type LintScope } from './scope.js';

export type { LintScope } from './scope.js';

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
  /** A snapshot file of production (overrides the config's `snapshot`). */
  snapshot?: string;
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
  for (const [dir, files] of [...selection.dirs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const dialect: Dialect = dialectForFile(opts.config, path.join(dir, '_'));
    const projectRoot = projectRootOf(dir, opts.config.rootDir);
    const migrations: Migration[] = [];
    const configured = frameworkForDir(opts.config.directories, dir);
    const pack = opts.cache ? opts.cache.pack(`read\0${dir}\0${dialect}\0${configured ?? ''}`) : null;
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
    // Raw SQL files are read a directory at a time (pairs of up/down files, order from names).
    const setItems: { input: FrontendInput; error: Error | null }[] = [];
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
      const read = await parseSetFiles(dir, setItems, { framework: configured, dialect: setDialect, named, generic }, pack);
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
    if (pack) for (const s of [...sets, ...extraSets]) for (const m of s.migrations) if (!packs.has(m)) packs.set(m, pack);
  }
  await applyRunContext(sets, opts.config);
  for (const m of sets.flatMap((s) => s.migrations)) addEmbeddedSqlComments(m);
  // SQL strings in PostgreSQL migrations become the operations their statements amount to.
  await expandEmbeddedSql(
    sets.flatMap((s) => s.migrations),
    opts.cache ? (m) => packs.get(m) ?? null : null,
  );
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
    if (like.length === 0) continue;
    const shown = like.slice(0, 5).map((f) => path.relative(root, f).split(path.sep).join('/'));
    refusals.push(
      `${rel(root)}: no migration could be read, but it holds migration-like files (${shown.join(', ')}${like.length > 5 ? ', ...' : ''}); set how to read them in the config: "directories": { "${relToRoot(path.dirname(like[0]!))}": { "framework": "${genericFrameworkOf(like)}" } }`,
    );
  }
  return { sets, targets: selection.targets, missing: selection.missing, files, notices: selection.notices ?? [], refusals };
}

export { isMigration } from './generic.js';

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
  const snapshotFile = opts.snapshot ?? opts.config.snapshot;
  const snapshot = snapshotFile ? await readSnapshotFile(snapshotFile) : null;
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
      if (debugging()) throw err;
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
  // cache's salt). A chain with few migrations to lint is not worth hashing (a pre-commit hook
  // names one file): its rules just run.
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
    const replay = new Catalog();
    const production = chainProduction(set, () => graphOf(set), { snapshot: loaded.snapshot ?? null, lock: opts.releasedFrom === 'lock' ? lock : null });
    const order = historyOrder(set.migrations, graphOf(set));
    // Findings judged against production depend on the snapshot or the lock file, which the cache's
    // keys do not cover: only runs judged against the replayed history are cached.
    const pack =
      !production && opts.cache && order.filter(linted).length >= opts.cache.findingsFrom ? opts.cache.pack(`findings\0${set.dir}`) : null;
    let prefix = hashOf('chain', enabledKey);
    for (const m of order) {
      const judged = linted(m);
      const down = judged && config.downgrades !== 'ignore' && m.downgrade.operations.length > 0;
      const released = production ? production.released(m) : true;
      // The lock file says what is released, not what production holds: its catalog is the replay.
      const catalog = production !== null && released !== true && loaded.snapshot ? production.catalog : replay;
      if (catalog !== replay) catalog.setMode({ pending: released === false ? true : null });
      else replay.setMode({ pending: production !== null && released === false });
      let key = '';
      let hit: { up: Finding[]; down: Finding[] } | undefined;
      if (pack) {
        const model = hashOf(valueKey(m));
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
        if (pack) return record(run);
        run();
        return [];
      };
      const up = judged ? judge(hit?.up, () => runMigrationRules(m, catalog)) : [];
      catalog.applyUpgrade(m);
      if (catalog !== replay) replay.applyUpgrade(m);
      const after = down ? judge(hit?.down, () => runBodyRules(m, 'downgrade', catalog)) : [];
      // A rule's own failure may be this run's: never stored.
      if (pack && judged && !hit && ![...up, ...after].some((f) => f.messageId === 'internal-error')) pack.set(key, { up, down: after });
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
