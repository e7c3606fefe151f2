// Runs one rule through the real pipeline (front end, engine, ignores) on migrations written
// to a temporary directory, and returns what it reported. Cases are static literals.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { lint } from '../../src/engine/run.js';
import { ruleIds } from '../../src/engine/registry.js';
import { DEFAULT_SIZES, type ResolvedConfig, type RuleSetting } from '../../src/config/index.js';
import type { Rule } from '../../src/rule-api/index.js';

export interface Reported {
  ruleId: string;
  messageId: string;
  file: string;
  line: number;
  column?: number;
  message?: string;
}

export type Files = string | Record<string, string>;

export interface RunOptions {
  options?: Record<string, unknown>;
  /** Other rules to enable alongside (for suppression rules). */
  alsoEnable?: string[];
  /** Extra files written next to the migrations (e.g. a lock file), relative to the project root. */
  extra?: Record<string, string>;
  lockfile?: string | null;
  dialect?: ResolvedConfig['dialect'];
  downgrades?: ResolvedConfig['downgrades'];
}

/** A config with every rule off except the ones named. */
export function configFor(root: string, enabled: Record<string, RuleSetting>, opts: RunOptions = {}): ResolvedConfig {
  const rules: Record<string, RuleSetting> = {};
  for (const id of ruleIds) rules[id] = { severity: 'off', options: {} };
  Object.assign(rules, enabled);
  return {
    configFile: null,
    rootDir: root,
    paths: [],
    ignorePatterns: [],
    lockfile: opts.lockfile === null ? '' : path.join(root, opts.lockfile ?? 'migralint.lock'),
    dialect: opts.dialect ?? 'postgresql',
    postgresVersion: 14,
    runner: {},
    downgrades: opts.downgrades ?? 'judge',
    sizes: { ...DEFAULT_SIZES },
    foreignIgnores: true,
    directories: [],
    rules,
    overrides: [],
  };
}

/** Writes an Alembic project: files are relative to migrations/versions, or to the project root when they start with "/". */
export function writeProject(files: Files, extra: Record<string, string> = {}): { root: string; versions: string; cleanup(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'migralint-rule-'));
  const versions = path.join(root, 'migrations', 'versions');
  mkdirSync(versions, { recursive: true });
  writeFileSync(path.join(root, 'migrations', 'env.py'), '# env\n');
  writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
  const entries = typeof files === 'string' ? { '0001_case.py': files } : files;
  for (const [name, text] of Object.entries(entries)) {
    const target = name.startsWith('/') ? path.join(root, name.slice(1)) : path.join(versions, name.replace(/^versions\//, ''));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  for (const [name, text] of Object.entries(extra)) {
    const target = path.join(root, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return { root, versions, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export async function runRule(rule: Rule<string, any>, files: Files, opts: RunOptions = {}): Promise<Reported[]> {
  const project = writeProject(files, opts.extra);
  try {
    const enabled: Record<string, RuleSetting> = {
      [rule.id]: { severity: 'error', options: { ...(rule.meta.defaultOptions as object), ...(opts.options ?? {}) } },
    };
    for (const id of opts.alsoEnable ?? []) enabled[id] = { severity: 'warn', options: await defaultOptionsOf(id) };
    const config = configFor(project.root, enabled, opts);
    const result = await lint({ cwd: project.root, paths: [project.versions], config, lockfile: opts.lockfile === null ? null : config.lockfile });
    return result.findings.map((f) => ({
      ruleId: f.ruleId,
      messageId: f.messageId,
      file: path.relative(project.versions, f.file).split(path.sep).join('/'),
      line: f.line,
      column: f.column,
      message: f.message,
    }));
  } finally {
    project.cleanup();
  }
}

async function defaultOptionsOf(id: string): Promise<unknown> {
  const { loadRule } = await import('../../src/engine/registry.js');
  return (await loadRule(id)).meta.defaultOptions;
}

export interface InvalidCase {
  name: string;
  files: Files;
  options?: Record<string, unknown>;
  /** The config's `downgrades` (default "judge"). */
  downgrades?: ResolvedConfig['downgrades'];
  /** Every finding of the rule, in order: messageId and line (file too for multi-file cases). */
  errors: { messageId: string; line: number; column?: number; file?: string; includes?: string }[];
}

export interface ValidCase {
  name: string;
  files: Files;
  options?: Record<string, unknown>;
  /** The config's `downgrades` (default "judge"). */
  downgrades?: ResolvedConfig['downgrades'];
}

function caseOptions(c: ValidCase): RunOptions {
  return { ...(c.options ? { options: c.options } : {}), ...(c.downgrades ? { downgrades: c.downgrades } : {}) };
}

/** Registers uvu tests: valid cases must yield nothing from the rule, invalid ones exactly their errors. */
export function ruleTester(
  test: (name: string, fn: () => Promise<void>) => void,
  rule: Rule<string, any>,
  cases: { valid: ValidCase[]; invalid: InvalidCase[] },
): void {
  for (const c of cases.valid) {
    test(`valid: ${c.name}`, async () => {
      const found = (await runRule(rule, c.files, caseOptions(c))).filter((f) => f.ruleId === rule.id);
      assert.equal(found, [], `expected no ${rule.id} findings`);
    });
  }
  for (const c of cases.invalid) {
    test(`invalid: ${c.name}`, async () => {
      assert.ok(c.errors.length > 0, 'an invalid case must expect at least one error');
      const found = (await runRule(rule, c.files, caseOptions(c))).filter((f) => f.ruleId === rule.id);
      const actual = found.map((f, i) => {
        const e = c.errors[i];
        const row: Record<string, unknown> = { messageId: f.messageId, line: f.line };
        if (e?.column !== undefined) row.column = f.column;
        if (e?.file !== undefined) row.file = f.file;
        return row;
      });
      const expected = c.errors.map(({ includes: _i, ...e }) => e);
      assert.equal(actual, expected);
      c.errors.forEach((e, i) => {
        if (e.includes) assert.ok(found[i]!.message!.includes(e.includes), `message "${found[i]!.message}" should include "${e.includes}"`);
      });
    });
  }
}
