// eslint-plugin-migralint: migralint's rules in ESLint (flat config, ESLint 9), so editors show
// findings while a TS/JS migration is being written. One engine, two entry points: every ESLint
// rule asks the engine's synchronous entry (engine/sync.ts) for the file's findings, computed
// once per file and text, and reports its own. No rule logic lives here.
//
// ESLint rules are synchronous; the engine loads front ends, the SQL parser (WASM) and the
// migralint config asynchronously. This module does that at import time (top-level await:
// ESLint 9 imports plugins as ES modules).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ESLint, Linter, Rule as ESLintRule } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { loadConfig, type ResolvedConfig, type RuleSetting } from '../config/index.js';
import { loadAllRules } from '../engine/registry.js';
import { lintFileSync, prepareSync } from '../engine/sync.js';
import { ruleDocUrl, type Finding, type Rule, type Severity } from '../rule-api/index.js';
import recommendedPolicy from '../../policies/recommended.json' with { type: 'json' };

declare const __MIGRALINT_VERSION__: string | undefined;

function version(): string {
  if (typeof __MIGRALINT_VERSION__ === 'string') return __MIGRALINT_VERSION__;
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

// ---------------------------------------------------------------------------------------------
// Loading (top-level await)

const configs = new Map<string, ResolvedConfig>();

/**
 * Loads (once) the migralint config ESLint runs under `cwd` use: options, dialects, ignore
 * patterns, lock file and waivers come from it. The config of process.cwd() is loaded when the
 * plugin is imported; call this before linting with ESLint's `cwd` set elsewhere (Node API).
 */
export async function prepare(cwd: string = process.cwd()): Promise<ResolvedConfig> {
  const key = path.resolve(cwd);
  let config = configs.get(key);
  if (!config) {
    config = await loadConfig({ cwd: key });
    configs.set(key, config);
  }
  return config;
}

await prepareSync();
const engineRules = await loadAllRules();
await prepare();

function configFor(cwd: string): ResolvedConfig {
  // ESLint's cwd when prepared, else the one this process started in.
  return configs.get(path.resolve(cwd)) ?? configs.get(path.resolve(process.cwd())) ?? [...configs.values()][0]!;
}

/**
 * The config lintFileSync runs with: ESLint's own rule severities decide which rules run (the
 * rules ESLint enabled for the file are on, every other rule is off); options, dialects and the
 * rest come from the migralint config. Overrides keep their options, not their severities.
 */
function forEslint(config: ResolvedConfig, enabled: ReadonlySet<string>): ResolvedConfig {
  const rules: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(config.rules)) {
    rules[id] = { ...setting, severity: enabled.has(id) ? (setting.severity === 'off' ? 'warn' : setting.severity) : 'off' };
  }
  const overrides = config.overrides.map((o) => ({
    ...o,
    rules: Object.fromEntries(Object.entries(o.rules).map(([id, { severity: _severity, ...rest }]) => [id, rest])),
  }));
  return { ...config, rules, overrides };
}

// ---------------------------------------------------------------------------------------------
// Per-file state: ESLint calls create() for every enabled rule of a file before traversing it,
// so by the first Program:exit the set of enabled migralint rules is complete.

interface FileRun {
  filename: string;
  enabled: Set<string>;
  /** Set at the first Program:exit; the next create() starts a new run. */
  findings: Finding[] | null;
}

let current: FileRun | null = null;
/** The last results, by filename: the same text with the same rules is not linted again. */
const cache = new Map<string, { key: string; findings: Finding[] }>();

function runFor(filename: string): FileRun {
  if (!current || current.filename !== filename || current.findings !== null) {
    current = { filename, enabled: new Set(), findings: null };
  }
  return current;
}

function findingsFor(run: FileRun, context: ESLintRule.RuleContext): Finding[] {
  if (run.findings) return run.findings;
  const text = context.sourceCode.text;
  const cwd = context.cwd;
  const key = JSON.stringify([cwd, [...run.enabled].sort(), text]);
  const cached = cache.get(run.filename);
  if (cached && cached.key === key) {
    run.findings = cached.findings;
    return run.findings;
  }
  const config = forEslint(configFor(cwd), run.enabled);
  const all = lintFileSync({ file: run.filename, text: contentOf(run.filename, text), cwd, config });
  run.findings = all.filter((f) => f.file === run.filename);
  if (cache.size >= 50) cache.clear();
  cache.set(run.filename, { key, findings: run.findings });
  return run.findings;
}

/**
 * The file's bytes on disk when the editor's text is what they decode to (ESLint hands rules
 * decoded text, without a BOM and with invalid UTF-8 replaced), so a saved file is linted
 * exactly as the CLI reads it (encoding findings included); else the text itself.
 */
function contentOf(filename: string, text: string): string | Uint8Array {
  try {
    const disk = readFileSync(filename) as Uint8Array;
    if (new TextDecoder().decode(disk) === text) return disk;
  } catch {
    // Not on disk yet: the buffer is all there is.
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Rules

function eslintRule(rule: Rule<string, unknown>): ESLintRule.RuleModule {
  return {
    meta: {
      type: rule.meta.type,
      docs: { description: rule.meta.description, url: ruleDocUrl(rule.id) },
      // Options come from the migralint config, so the CLI and the editor agree.
      schema: [],
    },
    create(context) {
      const filename = path.resolve(context.cwd, context.filename);
      const run = runFor(filename);
      run.enabled.add(rule.id);
      return {
        'Program:exit'() {
          for (const f of findingsFor(run, context)) {
            if (f.ruleId !== rule.id) continue;
            context.report({
              loc: {
                start: { line: f.line, column: Math.max(0, f.column - 1) },
                end: { line: f.endLine, column: Math.max(0, f.endColumn - 1) },
              },
              message: f.message,
            });
          }
        },
      };
    },
  };
}

const rules: Record<string, ESLintRule.RuleModule> = Object.fromEntries(engineRules.map((r) => [r.id, eslintRule(r)]));

/** ESLint's level for a migralint severity: info has no ESLint counterpart and becomes warn. */
export function eslintLevel(severity: Severity): Linter.RuleSeverity {
  return severity === 'error' ? 'error' : severity === 'off' ? 'off' : 'warn';
}

const plugin = {
  meta: { name: 'eslint-plugin-migralint', version: version() },
  rules,
  configs: {} as Record<string, Linter.Config>,
} satisfies ESLint.Plugin;

/** The flat config of migralint's recommended policy (policies/recommended.json). */
const recommended: Linter.Config = {
  name: 'migralint/recommended',
  files: ['**/migrations/**/*.{ts,mts,cts,js,mjs,cjs}'],
  languageOptions: { parser: tsParser },
  plugins: { migralint: plugin },
  rules: Object.fromEntries(
    Object.entries(recommendedPolicy.rules as Record<string, Severity>).map(([id, level]) => [`migralint/${id}`, eslintLevel(level)]),
  ),
};
plugin.configs.recommended = recommended;

export { plugin };
export default plugin;
