// How each migration will be run, beyond what its own file says: the Alembic env.py of its chain
// (transaction mode, timeouts set on the connection) and the `runner` settings of the config.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runsOnDialect } from '../model/index.js';
import type { Dialect, Migration, MigrationSet, RunnerSetting } from '../model/index.js';
import { dialectForFile, type ResolvedConfig } from '../config/index.js';
import { dialectFromPath } from './chains.js';
import { projectRootOf } from './files.js';

type EnvReader = Pick<typeof import('../frontends/alembic/env.js'), 'readEnv' | 'defaultAlembicTransaction' | 'alembicIniDialect'>;

/**
 * `done`: migrations that already have their run context (restored from the cache with it); their
 * sets still get theirs.
 */
export async function applyRunContext(sets: MigrationSet[], config: ResolvedConfig, done: (m: Migration) => boolean = () => false): Promise<void> {
  const needsEnv = sets.some((s) => s.framework === 'alembic' && s.migrations.length > 0);
  const env = needsEnv ? await import('../frontends/alembic/env.js') : null;
  applyRunContextWith(sets, config, env, done);
}

/** applyRunContext with the env.py reader already loaded (the synchronous ESLint path uses it too). */
export function applyRunContextWith(
  sets: MigrationSet[],
  config: ResolvedConfig,
  env: EnvReader | null,
  done: (m: Migration) => boolean = () => false,
): void {
  const fromConfig: RunnerSetting[] = [];
  const origin = config.configFile ? path.basename(config.configFile) : 'config';
  if (config.runner.lockTimeout) fromConfig.push({ name: 'lock_timeout', value: config.runner.lockTimeout, origin, loc: null });
  if (config.runner.statementTimeout) {
    fromConfig.push({ name: 'statement_timeout', value: config.runner.statementTimeout, origin, loc: null });
  }
  if (config.runner.timeZone) fromConfig.push({ name: 'timezone', value: config.runner.timeZone, origin, loc: null });

  const envCache = new Map<string, ReturnType<EnvReader['readEnv']>>();
  const iniCache = new Map<string, Dialect | null>();
  for (const set of sets) {
    if (env && set.framework === 'alembic' && set.migrations.length > 0) {
      const envFile = findEnvPy(set.dir);
      let info = envFile ? envCache.get(envFile) : undefined;
      if (envFile && !info) {
        // An unreadable env.py fails the run.
        info = env.readEnv(readFileSync(envFile) as Uint8Array, envFile);
        envCache.set(envFile, info);
      }
      const found = info ?? { transaction: env.defaultAlembicTransaction('no env.py found beside the versions directory'), settings: [], dialect: null };
      // The database URL (alembic.ini's sqlalchemy.url, else a literal in env.py) names the dialect,
      // unless the configuration or a directory name says which it is.
      const ini = envFile ? findAlembicIni(path.dirname(envFile)) : null;
      const urlDialect = (ini ? iniDialect(ini, env, iniCache) : null) ?? found.dialect;
      const byConfig = dialectForFile(config, path.join(set.dir, '_')) !== config.dialect;
      const byPath = dialectFromPath(set.dir, projectRootOf(set.dir, config.rootDir)) !== null;
      if (urlDialect && !byConfig && !byPath) set.dialect = urlDialect;
      for (const m of set.migrations) {
        if (m.framework !== 'alembic' || done(m)) continue;
        m.transaction = found.transaction;
        m.runnerSettings.push(...found.settings);
        if (urlDialect && !byPath && dialectForFile(config, m.file) === config.dialect) m.dialect = urlDialect;
      }
    }
    for (const m of set.migrations) {
      if (done(m)) continue;
      m.runnerSettings.push(...fromConfig);
      // Operations written for another database (`if bind.dialect.name == "sqlite":`) never run on this one.
      dropOtherDialects(m);
    }
  }
}

/** Keeps the operations whose dialect guard admits the migration's dialect; those left are unconditional on it no more than before. */
function dropOtherDialects(m: Migration): void {
  for (const body of [m.upgrade, m.downgrade]) {
    if (!body.operations.some((op) => op.dialectGuard)) continue;
    body.operations = body.operations.filter((op) => runsOnDialect(op, m.dialect));
    if (m.dialect === 'unknown') for (const op of body.operations) if (op.dialectGuard) op.conditional = true;
  }
}

function iniDialect(file: string, env: EnvReader, cache: Map<string, Dialect | null>): Dialect | null {
  let d = cache.get(file);
  if (d === undefined) {
    try {
      d = env.alembicIniDialect(readFileSync(file, 'utf8'));
    } catch {
      d = null;
    }
    cache.set(file, d);
  }
  return d;
}

/** alembic.ini sits at the project root, beside or above the script directory that holds env.py. */
function findAlembicIni(envDir: string): string | null {
  let d = envDir;
  for (let i = 0; i < 3; i++) {
    const candidate = path.join(d, 'alembic.ini');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  return null;
}

/** env.py sits beside versions/ (versions/<chain>/ for split chains); look up to three levels. */
export function findEnvPy(dir: string): string | null {
  let d = dir;
  for (let i = 0; i < 3; i++) {
    const parent = path.dirname(d);
    const candidate = path.join(parent, 'env.py');
    if (existsSync(candidate)) return candidate;
    if (parent === d) break;
    d = parent;
  }
  return null;
}
