// The synchronous entry of the engine, for editors (the ESLint plugin, whose rules cannot await):
// lint ONE file's current text (the editor buffer, not the disk) with the rest of its migration
// directory read from disk, exactly as `lint({ paths: [file] })` would.
//
// The engine is asynchronous only because it loads front ends, the SQL parser (libpg-query,
// WASM) and Alembic's env.py reader lazily. prepareSync() loads all of them once; after that,
// lintFileSync() does what loadMigrations() does for one directory with synchronous calls, then
// hands over to lintLoaded(), the same rule runner lint() uses (rules, inline ignores, waivers).
// Front ends are reached through the same registry (engine/frontends.ts): a framework that
// frameworkOf() names for a file gets prepared here, so TS/JS front ends work once they land.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dialect, Migration, MigrationSet } from '../model/index.js';
import type { Finding, Rule } from '../rule-api/index.js';
import type { Frontend, FrontendInput } from '../frontends/types.js';
import type { SqlParser } from '../frontends/sql/api.js';
import { DEFAULT_MAX_FILE_SIZE, dialectForFile, isIgnored, type ResolvedConfig } from '../config/index.js';
import { loadAllRules } from './registry.js';
import { listCandidates, migrationDirOf, projectRootOf } from './files.js';
import { frameworkForDir, frameworkOf, isSetFile, load, overSizeLimit, parseFileWith, parseSetFilesWith } from './frontends.js';
import { dialectFromPath, splitIndependentChains } from './chains.js';
import { applyRunContextWith } from './run-context.js';
import { addEmbeddedSqlComments, expandBody, wantsSql } from './sql-pass.js';
import { readLockSync } from './lockfile.js';
import { enabledRuleIds, lintLoaded } from './run.js';
import { finishPython } from './generic.js';

interface Prepared {
  frontends: Map<string, Frontend>;
  rules: Rule<string, unknown>[];
  parser: SqlParser;
  env: typeof import('../frontends/alembic/env.js');
}

let prepared: Prepared | null = null;

/**
 * File names whose framework (frameworkOf) is prepared: every extension a front end may claim.
 * `sql` is always prepared (set files).
 */
const PROBES = ['m.py', 'm.sql', 'm.ts', 'm.mts', 'm.cts', 'm.tsx', 'm.js', 'm.mjs', 'm.cjs', 'm.jsx'];

/** Front ends prepared when the registry has them (set-level front ends frameworkOf() does not name). */
const OPTIONAL = ['ts'];

/**
 * Loads everything lintFileSync needs: the front ends (and what they prepare, such as the WASM
 * SQL reader), the rules, the SQL parser of embedded statements and the env.py reader.
 * `frameworks` adds front ends by name that no file extension names.
 */
export async function prepareSync(frameworks: readonly string[] = []): Promise<void> {
  const names = new Set<string>(['sql', ...frameworks]);
  for (const probe of PROBES) {
    const f = frameworkOf(probe);
    if (f) names.add(f);
  }
  const frontends = new Map<string, Frontend>();
  for (const name of names) {
    const f = await load(name);
    // The synchronous path cannot load later: everything is prepared now.
    await f.prepare?.();
    frontends.set(name, f);
  }
  // Front ends read a directory at a time whose files frameworkOf() does not name (TS/JS).
  for (const name of OPTIONAL) {
    if (frontends.has(name)) continue;
    const f = await load(name).catch(() => null);
    if (f) frontends.set(name, f);
  }
  const { loadSqlParser } = await import('../frontends/sql/index.js');
  prepared = {
    frontends,
    rules: await loadAllRules(),
    parser: await loadSqlParser(),
    env: await import('../frontends/alembic/env.js'),
  };
}

function ready(): Prepared {
  if (!prepared) throw new Error('migralint: lintFileSync() called before prepareSync() finished');
  return prepared;
}

function frontend(framework: string): Frontend {
  const f = ready().frontends.get(framework);
  if (!f) throw new Error(`migralint: the ${framework} front end was not prepared (prepareSync)`);
  return f;
}

export interface LintFileSyncOptions {
  /** The file (absolute, or relative to cwd); it need not exist on disk yet. */
  file: string;
  /** Its current content, linted instead of what the disk holds (bytes keep invalid UTF-8 as such). */
  text: string | Uint8Array;
  cwd: string;
  config: ResolvedConfig;
  /** Overrides the configured lock file; null disables lock checks (as in LintOptions). */
  lockfile?: string | null;
}

/**
 * What `lint({ cwd, config, paths: [file] })` finds, with `text` as the file's content: the
 * findings of the file (and of the other files of its directory that project rules report on,
 * as lint() does). Synchronous; prepareSync() must have finished.
 */
export function lintFileSync(opts: LintFileSyncOptions): Finding[] {
  const { config, cwd } = opts;
  const file = path.resolve(cwd, opts.file);
  const p = ready();
  const enabled = new Set(enabledRuleIds(config));
  const rules = p.rules.filter((r) => enabled.has(r.id));
  const lintOpts = { cwd, paths: [file], config };
  const empty = { sets: [], targets: new Set<string>(), missing: [], lock: null };
  // selectFiles: an ignored file selects nothing.
  if (isIgnored(config, file)) return lintLoaded(lintOpts, empty, rules).findings;

  const dir = migrationDirOf(file);
  const files = listCandidates(dir).filter((f) => !isIgnored(config, f));
  if (!files.includes(file)) files.push(file);
  const targets = new Set([file]);
  const named = new Set([file]);
  const sets = loadDirSync({
    dir,
    files,
    config,
    targets,
    named,
    contentOf: (f) => (f !== file ? null : typeof opts.text === 'string' ? new TextEncoder().encode(opts.text) : opts.text),
  });
  applyRunContextWith(sets, config, p.env);
  for (const m of sets.flatMap((s) => s.migrations)) {
    addEmbeddedSqlComments(m);
    if (wantsSql(m)) for (const body of [m.upgrade, m.downgrade]) expandBody(body, m.source, p.parser);
  }
  const lockPath = opts.lockfile === undefined ? config.lockfile : opts.lockfile;
  const lock = lockPath ? readLockSync(lockPath) : null;
  return lintLoaded({ ...lintOpts, lockfile: opts.lockfile }, { sets, targets, missing: [], lock }, rules).findings;
}

/** The body of loadMigrations' loop (run.ts) for one directory, with the prepared front ends. */
function loadDirSync(opts: {
  dir: string;
  files: string[];
  config: ResolvedConfig;
  targets: Set<string>;
  named: Set<string>;
  contentOf: (file: string) => Uint8Array | null;
}): MigrationSet[] {
  const { dir, files, config } = opts;
  const dialect: Dialect = dialectForFile(config, path.join(dir, '_'));
  const projectRoot = projectRootOf(dir, config.rootDir);
  const migrations: Migration[] = [];
  const setItems: { input: FrontendInput; error: Error | null }[] = [];
  const python: Migration[] = [];
  const configured = frameworkForDir(config.directories, dir);
  for (const file of files) {
    let bytes = opts.contentOf(file);
    let error: Error | null = null;
    if (!bytes) {
      try {
        bytes = readFileSync(file) as Uint8Array;
      } catch (err) {
        error = err as Error;
      }
    }
    const input = { file, bytes: bytes ?? new Uint8Array(), projectRoot, dialect: dialectForFile(config, file) };
    const tooLarge = overSizeLimit(input, config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    if (tooLarge) {
      migrations.push(tooLarge);
      continue;
    }
    if (isSetFile(file)) {
      setItems.push({ input, error });
      continue;
    }
    const m = parseFileWith(frontend, input, error);
    if (m) python.push(m);
  }
  migrations.push(...finishPython(dir, python, configured).migrations);
  if (setItems.length > 0) {
    const byName = dialectFromPath(dir, projectRoot);
    const setDialect = byName && dialect === config.dialect ? byName : dialect;
    const named = files.filter((f) => opts.named.has(f));
    for (const m of parseSetFilesWith(frontend, dir, setItems, { framework: configured, dialect: setDialect, named })) {
      migrations.push(m);
      if (m.companions.some((c) => opts.targets.has(c.file))) opts.targets.add(m.file);
    }
  }
  const framework = migrations[0]?.framework ?? (setItems.length > 0 ? 'sql' : 'alembic');
  const sets: MigrationSet[] = [];
  for (const chain of splitIndependentChains({ dir, framework, dialect, migrations })) {
    const byName = dialectFromPath(chain.dir, projectRoot);
    if (byName && dialectForFile(config, path.join(chain.dir, '_')) === config.dialect) {
      chain.dialect = byName;
      for (const m of chain.migrations) if (dialectForFile(config, m.file) === config.dialect) m.dialect = byName;
    }
    sets.push(chain);
  }
  return sets;
}

