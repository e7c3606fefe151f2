// `--policy <name|path>`: the rules the pending migrations must pass. A preset name is the preset
// alone (every rule at its default options); a path is a config file, resolved as `--config`
// would. Either way the policy contributes rules, overrides and size thresholds only: paths,
// dialect, directories and runner settings stay those of the active configuration.
import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_PRESETS, getDefaultConfigEnv, loadConfig, type ResolvedConfig, type RuleSetting } from '../config/index.js';
import type { Severity } from '../rule-api/index.js';

export class PolicyUsageError extends Error {
  override name = 'UsageError';
}

export interface Policy {
  /** How the output names it: `recommended`, `strict`, a path relative to cwd, or the active config. */
  label: string;
  config: ResolvedConfig;
}

export async function resolvePolicy(cwd: string, active: ResolvedConfig, name: string | undefined): Promise<Policy> {
  if (name === undefined || name === '') {
    const label = active.configFile ? path.relative(cwd, active.configFile) || path.basename(active.configFile) : 'recommended';
    return { label, config: active };
  }
  if (Object.prototype.hasOwnProperty.call(BUILTIN_PRESETS, name)) {
    const env = await getDefaultConfigEnv();
    const preset = BUILTIN_PRESETS[name] as { rules?: Record<string, unknown> };
    const rules: Record<string, RuleSetting> = {};
    for (const r of env.rules) rules[r.id] = { severity: 'off', options: structuredClone(r.defaultOptions) };
    for (const [id, value] of Object.entries(preset.rules ?? {})) {
      const current = rules[id];
      if (!current) continue;
      if (typeof value === 'string') current.severity = value as Severity;
      else if (Array.isArray(value)) {
        current.severity = value[0] as Severity;
        if (value[1] && typeof value[1] === 'object') current.options = { ...(current.options as object), ...(value[1] as object) };
      }
    }
    return { label: name, config: { ...active, rules, overrides: [] } };
  }
  const file = path.resolve(cwd, name);
  if (!fs.existsSync(file)) {
    throw new PolicyUsageError(`--policy: "${name}" is neither a preset (${Object.keys(BUILTIN_PRESETS).join(', ')}) nor a config file`);
  }
  const loaded = await loadConfig({ cwd, configPath: file });
  return { label: path.relative(cwd, file) || name, config: { ...active, rules: loaded.rules, overrides: loaded.overrides, sizes: loaded.sizes } };
}
