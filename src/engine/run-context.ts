// How each migration will be run, beyond what its own file says: the Alembic env.py of its chain
// (transaction mode, timeouts set on the connection) and the `runner` settings of the config.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { MigrationSet, RunnerSetting } from '../model/index.js';
import type { ResolvedConfig } from '../config/index.js';

type EnvReader = Pick<typeof import('../frontends/alembic/env.js'), 'readEnv' | 'defaultAlembicTransaction'>;

export async function applyRunContext(sets: MigrationSet[], config: ResolvedConfig): Promise<void> {
  const needsEnv = sets.some((s) => s.framework === 'alembic' && s.migrations.length > 0);
  const env = needsEnv ? await import('../frontends/alembic/env.js') : null;
  applyRunContextWith(sets, config, env);
}

/** applyRunContext with the env.py reader already loaded (the synchronous ESLint path uses it too). */
export function applyRunContextWith(sets: MigrationSet[], config: ResolvedConfig, env: EnvReader | null): void {
  const fromConfig: RunnerSetting[] = [];
  const origin = config.configFile ? path.basename(config.configFile) : 'config';
  if (config.runner.lockTimeout) fromConfig.push({ name: 'lock_timeout', value: config.runner.lockTimeout, origin, loc: null });
  if (config.runner.statementTimeout) {
    fromConfig.push({ name: 'statement_timeout', value: config.runner.statementTimeout, origin, loc: null });
  }
  if (config.runner.timeZone) fromConfig.push({ name: 'timezone', value: config.runner.timeZone, origin, loc: null });

  const envCache = new Map<string, ReturnType<EnvReader['readEnv']>>();
  for (const set of sets) {
    if (env && set.framework === 'alembic' && set.migrations.length > 0) {
      const envFile = findEnvPy(set.dir);
      let info = envFile ? envCache.get(envFile) : undefined;
      if (envFile && !info) {
        // An unreadable env.py fails the run.
        info = env.readEnv(readFileSync(envFile) as Uint8Array, envFile);
        envCache.set(envFile, info);
      }
      const found = info ?? { transaction: env.defaultAlembicTransaction('no env.py found beside the versions directory'), settings: [] };
      for (const m of set.migrations) {
        if (m.framework !== 'alembic') continue;
        m.transaction = found.transaction;
        m.runnerSettings.push(...found.settings);
      }
    }
    for (const m of set.migrations) m.runnerSettings.push(...fromConfig);
  }
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
