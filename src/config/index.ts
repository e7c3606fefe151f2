// Finding, loading, validating and resolving migralint config files.
//
// Start-up cost matters here (a pre-commit run on one file), so this module imports cosmiconfig,
// picomatch, the two preset JSON files and, lazily, the validator that scripts/gen.ts generated
// with ajv's standalone mode. It never imports ajv's compiler, typescript (cosmiconfig imports it
// only when the config found is a `.ts` file) or the rule modules: rule defaults come from
// src/config/generated/rule-defaults.json, written by the same generator from the registry.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Severity, WaiverState } from '../rule-api/index.js';
import recommendedPreset from '../../policies/recommended.json' with { type: 'json' };
import strictPreset from '../../policies/strict.json' with { type: 'json' };
import { ConfigError, didYouMean, formatValidationErrors, quoteList, type ValidationError } from './errors.js';
import type { ConfigDialect, ConfigSeverity, DowngradePolicy } from './schema.js';

export { ConfigError } from './errors.js';
export type { ConfigDialect } from './schema.js';

// ---------------------------------------------------------------------------------------------
// Public types

export interface RuleSetting {
  severity: Severity;
  options: unknown;
}

/** What an override says about one rule: a severity, options (merged over the file's), or both. */
export type RuleSettingPatch = Partial<RuleSetting>;

export interface DirectorySetting {
  /** Absolute. */
  path: string;
  framework?: string;
  dialect?: ConfigDialect;
  /** A revision id or file name: it and the migrations it descends from are not linted by migration rules. */
  startAfter?: string;
}

/** One accepted finding (`waivers` in the config), as read: the run adds its state (WaiverState). */
export type WaiverSetting = Pick<WaiverState, 'rule' | 'migration' | 'path' | 'reason' | 'owner' | 'expires' | 'file' | 'line'>;

export interface OverrideSetting {
  /** Globs relative to rootDir, as written. */
  files: string[];
  rules: Record<string, RuleSettingPatch>;
  dialect?: ConfigDialect;
}

/**
 * Files over 5 MB are not parsed by default. Measured (bench/pathological.mjs): a 10 MB Alembic
 * file of op.* calls peaks at ~1 GB of memory and takes ~30 s; 5 MB stays near half of that. Real
 * migrations are far smaller; data dumps that are larger can raise the limit.
 */
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export interface ResolvedConfig {
  /** Absolute, or null when no config was found. */
  configFile: string | null;
  /** The config file's directory, else cwd. Every relative path and glob is relative to it. */
  rootDir: string;
  /** Absolute. */
  paths: string[];
  /** As written (relative to rootDir). */
  ignorePatterns: string[];
  /** Absolute; default <rootDir>/migralint.lock. */
  lockfile: string;
  dialect: ConfigDialect;
  postgresVersion: number;
  /**
   * Largest file parsed, in bytes (`maxFileSize` megabytes); larger files get a parse-error
   * finding instead. 0: no limit. Absent: the default (DEFAULT_MAX_FILE_SIZE).
   */
  maxFileSize?: number;
  /** Settings the runner's connection has before migrations run (`runner` in the config). */
  runner: { lockTimeout?: string; statementTimeout?: string; timeZone?: string };
  /** How the lock-safety rules judge downgrades. */
  downgrades: DowngradePolicy;
  /** Absolute path of the snapshot file lint judges against; absent when none is configured. */
  snapshot?: string;
  /** Size thresholds for lock findings on tables of known size. */
  sizes: SizeThresholds;
  /** Read other linters' ignore comments as inline ignores. */
  foreignIgnores: boolean;
  /** Keep parsed files in the persistent cache between runs: false turns it off (absent: on). */
  cache?: boolean;
  directories: DirectorySetting[];
  /** Every registry rule, after presets and extends, options merged over the rule's defaults. */
  rules: Record<string, RuleSetting>;
  overrides: OverrideSetting[];
  /** Top-level `startAfter`, for every directory without its own; absent when not set. */
  startAfter?: string;
  /** Absent when the config has none. */
  waivers?: WaiverSetting[];
}

/** Rows and bytes that make a table small or large for lock findings (`sizes` in the config). */
export interface SizeThresholds {
  small: number;
  large: number;
  largeBytes: number;
}

export const DEFAULT_SIZES: SizeThresholds = { small: 10_000, large: 1_000_000, largeBytes: 1024 ** 3 };

/** A waiver as written in a config file. */
export interface WaiverInput {
  rule: string;
  migration: string;
  reason: string;
  owner: string;
  expires: string;
}

/** A rule setting as written in a config file. */
export type RuleSettingInput =
  | ConfigSeverity
  | [ConfigSeverity]
  | [ConfigSeverity, Record<string, unknown>];

/** The shape of a config file, for `migralint.config.ts` authors. */
export interface UserConfig {
  $schema?: string;
  extends?: string | string[];
  paths?: string[];
  ignorePatterns?: string[];
  lockfile?: string;
  dialect?: ConfigDialect;
  postgresVersion?: number;
  maxFileSize?: number;
  runner?: { lockTimeout?: string; statementTimeout?: string; timeZone?: string };
  downgrades?: DowngradePolicy;
  snapshot?: string;
  sizes?: Partial<SizeThresholds>;
  foreignIgnores?: boolean;
  cache?: boolean;
  directories?: Record<string, { framework?: string; dialect?: ConfigDialect; startAfter?: string }>;
  startAfter?: string;
  rules?: Record<string, RuleSettingInput>;
  overrides?: { files: string[]; rules?: Record<string, RuleSettingInput>; dialect?: ConfigDialect }[];
  waivers?: WaiverInput[];
}

/** A validator compiled from `buildConfigSchema` with `AJV_OPTIONS` (generated, or Ajv in tests). */
export interface ConfigValidator {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
}

/**
 * What config resolution needs to know about the rules. The default comes from the generated
 * files; tests pass their own (see `createConfigEnv`) so they need no real rule modules.
 */
export interface ConfigEnv {
  /** Every rule id with its `meta.defaultOptions`, in registry order. */
  rules: readonly { id: string; defaultOptions: unknown }[];
  /** Loads the validator: the generated one is large and only needed when a user's file is read. */
  loadValidate: () => Promise<ConfigValidator>;
  /** Preset name (without the "migralint:" prefix) → config object. */
  presets: Readonly<Record<string, unknown>>;
}

export function createConfigEnv(input: {
  rules: readonly { id: string; meta: { defaultOptions?: unknown } }[];
  validate: ConfigValidator;
  presets?: Readonly<Record<string, unknown>>;
}): ConfigEnv {
  return {
    rules: input.rules.map((r) => ({ id: r.id, defaultOptions: r.meta.defaultOptions ?? {} })),
    loadValidate: async () => input.validate,
    presets: input.presets ?? BUILTIN_PRESETS,
  };
}

export const BUILTIN_PRESETS: Readonly<Record<string, unknown>> = {
  recommended: recommendedPreset,
  strict: strictPreset,
};

let defaultEnv: Promise<ConfigEnv> | undefined;

/** The real rules: the generated validator and defaults, and the presets in policies/. */
export function getDefaultConfigEnv(): Promise<ConfigEnv> {
  defaultEnv ??= (async () => {
    try {
      const defaults = await import('./generated/rule-defaults.json', { with: { type: 'json' } });
      const ruleDefaults = defaults.default.rules as Record<string, unknown>;
      let validator: Promise<ConfigValidator> | undefined;
      return {
        rules: Object.entries(ruleDefaults).map(([id, defaultOptions]) => ({ id, defaultOptions })),
        // ~290 KB of generated code (6 ms to load): imported only when a user's file is validated.
        loadValidate: () => (validator ??= import('./generated/validate-config.cjs').then((v) => v.default as ConfigValidator)),
        presets: BUILTIN_PRESETS,
      };
    } catch (error) {
      defaultEnv = undefined;
      throw new Error(
        'migralint: src/config/generated/ is missing or broken; run `npm run gen`. ' +
          `(${error instanceof Error ? error.message : String(error)})`,
      );
    }
  })();
  return defaultEnv;
}

// ---------------------------------------------------------------------------------------------
// Discovery

/** Where a config is looked for in each directory, in this order. */
export const SEARCH_PLACES = [
  'package.json',
  '.migralintrc',
  '.migralintrc.json',
  '.migralintrc.yaml',
  '.migralintrc.yml',
  // Not in the original list, but the fixtures (style.md §7) and the error examples use this name.
  'migralint.config.json',
  'migralint.config.js',
  'migralint.config.mjs',
  'migralint.config.cjs',
  'migralint.config.ts',
];

const PRESET_PREFIX = 'migralint:';

/**
 * cosmiconfig, imported on first use: it costs ~10 ms to load, and most runs find no config file
 * (see hasCandidate), so they never need it.
 */
function newExplorer() {
  let explorer: Promise<CosmiconfigExplorer> | undefined;
  const get = () =>
    (explorer ??= import('cosmiconfig').then(({ cosmiconfig }) =>
      // searchStrategy 'none': each search() looks in one directory; findConfig does the walk so it
      // can stop at a .git directory as well as at a package.json.
      cosmiconfig('migralint', {
        searchPlaces: SEARCH_PLACES,
        searchStrategy: 'none',
        cache: false,
        loaders: { '.json': loadJson },
      }),
    ));
  return {
    search: async (dir: string) => (await get()).search(dir),
    load: async (file: string) => (await get()).load(file),
  };
}
type CosmiconfigExplorer = ReturnType<typeof import('cosmiconfig').cosmiconfig>;

/** Could `dir` hold a config? A package.json counts only when it mentions a "migralint" key. */
function hasCandidate(dir: string): boolean {
  for (const place of SEARCH_PLACES) {
    const file = path.join(dir, place);
    if (!fs.existsSync(file)) continue;
    if (place !== 'package.json') return true;
    try {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> | null;
      if (pkg && typeof pkg === 'object' && 'migralint' in pkg) return true;
    } catch {
      // Unreadable or invalid package.json: let cosmiconfig read it and report the problem.
      return true;
    }
  }
  return false;
}

/**
 * JSON with comments and trailing commas (the format the docs show), parsed with JSON.parse.
 * Replaces cosmiconfig's parse-json loader, which costs ~10 ms to import (it pulls in
 * @babel/code-frame) and is also used for every package.json on the way up.
 */
export function loadJson(filepath: string, content: string): unknown {
  const text = stripJsonComments(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      where = ` (line ${line}, column ${Number(at[1]) - before.lastIndexOf('\n')})`;
    }
    const cleaned = message.replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)$/, '');
    throw new Error(`JSON Error in ${filepath}:\n${cleaned}${where}`);
  }
}

/** Blanks out // and /* *\/ comments and trailing commas, keeping every offset (and line) in place. */
function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let pendingComma = -1; // index in `out` of a comma that may turn out to be trailing
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
      pendingComma = -1;
    } else if (ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      if ((ch === '}' || ch === ']') && pendingComma >= 0) {
        out = `${out.slice(0, pendingComma)} ${out.slice(pendingComma + 1)}`;
      }
      if (ch === ',') pendingComma = out.length;
      else if (!/\s/.test(ch)) pendingComma = -1;
      out += ch;
      i++;
    }
  }
  return out;
}
type Explorer = ReturnType<typeof newExplorer>;

function isProjectRoot(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, '.git'));
}

/**
 * Looks for a config in `cwd`, then in each parent directory, and stops after the nearest directory
 * that holds a package.json or a .git (the project root), or at the filesystem root.
 */
async function findConfig(explorer: Explorer, cwd: string, display: (f: string) => string) {
  let dir = cwd;
  for (;;) {
    let result = null;
    try {
      if (hasCandidate(dir)) result = await explorer.search(dir);
    } catch (error) {
      throw new ConfigError([parseProblem(error, display)]);
    }
    if (result) return result;
    if (isProjectRoot(dir)) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function parseProblem(error: unknown, display: (f: string) => string, fallbackFile?: string): string {
  const e = error as { filepath?: string; message?: string };
  const file = e.filepath ?? fallbackFile;
  // cosmiconfig prefixes "JSON Error in /abs/path:\n"; the file is named by us instead.
  const lines = String(e.message ?? error)
    .replace(/^(?:JSON|YAML|TypeScript) Error in [^\n]*:\n/, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return `${file ? display(file) : 'config'}: cannot parse: ${lines[0] ?? 'unknown error'}`;
}

// ---------------------------------------------------------------------------------------------
// Loading

/** A config file as read, after validation: rule values are checked again when they are applied. */
type RawConfig = Omit<UserConfig, '$schema' | 'rules' | 'overrides'> & {
  rules?: Record<string, unknown>;
  overrides?: { files: string[]; rules?: Record<string, unknown>; dialect?: ConfigDialect }[];
};

/**
 * Finds (or loads `configPath`), validates and resolves the config. Throws ConfigError listing every
 * problem found in the config and in the files it extends.
 *
 * Resolution: start with every rule off and its default options; apply the layers in order (each
 * `extends` entry, recursively, then the file itself; a root config without `extends` extends
 * "recommended"). Later layers win: scalars and `paths` are replaced, `ignorePatterns` and
 * `overrides` are concatenated, `directories` are merged by directory, and a rule's severity is
 * replaced while its options are merged key by key (a severity alone keeps the options).
 * All relative paths and globs, whichever file in the chain they come from, are relative to rootDir.
 */
export async function loadConfig(opts: { cwd: string; configPath?: string; env?: ConfigEnv }): Promise<ResolvedConfig> {
  const env = opts.env ?? (await getDefaultConfigEnv());
  const cwd = path.resolve(opts.cwd);
  const display = (file: string): string => {
    if (file.startsWith(PRESET_PREFIX)) return file;
    const rel = path.relative(cwd, file);
    return rel === '' ? path.basename(file) : rel.split(path.sep).join('/');
  };
  const explorer = newExplorer();

  let found: { filepath: string; config: unknown } | null;
  if (opts.configPath !== undefined) {
    const file = path.resolve(cwd, opts.configPath);
    if (!fs.existsSync(file)) throw new ConfigError([`${display(file)}: config file not found`]);
    if (fs.statSync(file).isDirectory()) throw new ConfigError([`${display(file)}: is a directory, not a config file`]);
    found = await loadFile(explorer, file, display);
    if (!found && path.basename(file) === 'package.json') {
      throw new ConfigError([`${display(file)}: has no "migralint" key`]);
    }
    found ??= { filepath: file, config: {} };
  } else {
    found = await findConfig(explorer, cwd, display);
  }

  const problems: string[] = [];
  const layers: RawConfig[] = [];
  const sources = new Map<RawConfig, string>();
  const ctx: CollectContext = { env, explorer, display, problems, layers, sources };
  if (found) {
    await collect(ctx, found.filepath, found.config ?? {}, [], true);
  } else {
    await collectPreset(ctx, 'recommended', [], null);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const rootDir = found ? path.dirname(found.filepath) : cwd;
  return resolveLayers(layers, env, rootDir, found?.filepath ?? null, sources);
}

async function loadFile(explorer: Explorer, file: string, display: (f: string) => string) {
  try {
    const result = await explorer.load(file);
    return result ? { filepath: result.filepath, config: result.config ?? {} } : null;
  } catch (error) {
    throw new ConfigError([parseProblem(error, display, file)]);
  }
}

interface CollectContext {
  env: ConfigEnv;
  explorer: Explorer;
  display: (file: string) => string;
  problems: string[];
  layers: RawConfig[];
  /** The file each layer was read from (presets: "migralint:<name>"). */
  sources: Map<RawConfig, string>;
}

function isPathLike(entry: string): boolean {
  return (
    entry.startsWith('.') ||
    path.isAbsolute(entry) ||
    entry.includes('/') ||
    entry.includes('\\') ||
    /\.(?:json|ya?ml|[cm]?js|ts)$/i.test(entry)
  );
}

/** Validates one config file, then collects what it extends followed by the file itself. */
async function collect(ctx: CollectContext, file: string, config: unknown, stack: string[], isRoot: boolean): Promise<void> {
  const name = ctx.display(file);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    ctx.problems.push(`${name}: must contain an object of settings, got ${Array.isArray(config) ? 'an array' : JSON.stringify(config)}`);
    return;
  }
  // Built-in presets were validated when they were generated (scripts/gen.ts checks them).
  let valid = true;
  if (!file.startsWith(PRESET_PREFIX)) {
    const validate = await ctx.env.loadValidate();
    valid = validate(config);
    if (!valid) ctx.problems.push(...formatValidationErrors(validate.errors ?? [], name, config));
    else ctx.problems.push(...checkValues(config as RawConfig, name, ctx.env));
  }

  const raw = config as RawConfig & { extends?: unknown };
  const chain = [...stack, file];
  let entries: unknown[];
  if (raw.extends === undefined) entries = isRoot ? ['recommended'] : [];
  else entries = Array.isArray(raw.extends) ? raw.extends : [raw.extends];
  for (const entry of entries) {
    if (typeof entry !== 'string') continue; // reported by the schema
    if (!isPathLike(entry)) {
      const preset = entry.startsWith(PRESET_PREFIX) ? entry.slice(PRESET_PREFIX.length) : entry;
      if (!Object.prototype.hasOwnProperty.call(ctx.env.presets, preset)) {
        const names = Object.keys(ctx.env.presets);
        const guess = didYouMean(preset, names);
        ctx.problems.push(
          `${name}: extends: unknown preset ${JSON.stringify(entry)}; expected ${quoteList([...names, './path/to/config.json'])}.` +
            (guess ? ` Did you mean ${JSON.stringify(guess)}?` : ''),
        );
        continue;
      }
      await collectPreset(ctx, preset, chain, name);
      continue;
    }
    if (file.startsWith(PRESET_PREFIX)) {
      ctx.problems.push(`${name}: extends: a preset can only extend other presets, not ${JSON.stringify(entry)}`);
      continue;
    }
    const target = path.resolve(path.dirname(file), entry);
    if (chain.includes(target)) {
      const cycle = [...chain.slice(chain.indexOf(target)), target].map(ctx.display).join(' -> ');
      ctx.problems.push(`${name}: extends: cycle: ${cycle}`);
      continue;
    }
    if (!fs.existsSync(target) || fs.statSync(target).isDirectory()) {
      ctx.problems.push(`${name}: extends: cannot find ${JSON.stringify(entry)} (looked for ${ctx.display(target)})`);
      continue;
    }
    let loaded;
    try {
      loaded = await loadFile(ctx.explorer, target, ctx.display);
    } catch (error) {
      if (error instanceof ConfigError) {
        ctx.problems.push(...error.problems);
        continue;
      }
      throw error;
    }
    await collect(ctx, target, loaded?.config ?? {}, chain, false);
  }
  if (valid) {
    ctx.layers.push(raw);
    ctx.sources.set(raw, file);
  }
}

/**
 * What the schema cannot say: waivers name known rules, say why and who owns them, and expire on a
 * real date; startAfter values are not blank. (Whether a startAfter names a migration is checked
 * when its directory is linted.)
 */
function checkValues(config: RawConfig, name: string, env: ConfigEnv): string[] {
  const problems: string[] = [];
  const blank = (v: string) => v.trim() === '';
  if (config.startAfter !== undefined && blank(config.startAfter)) {
    problems.push(`${name}: startAfter: must be a revision id or a file name, got ""`);
  }
  for (const [dir, setting] of Object.entries(config.directories ?? {})) {
    if (setting.startAfter !== undefined && blank(setting.startAfter)) {
      problems.push(`${name}: directories[${JSON.stringify(dir)}].startAfter: must be a revision id or a file name, got ""`);
    }
  }
  const ids = env.rules.map((r) => r.id);
  (config.waivers ?? []).forEach((w, i) => {
    const at = `${name}: waivers[${i}]`;
    if (!ids.includes(w.rule)) {
      const guess = didYouMean(w.rule, ids);
      problems.push(`${at}.rule: unknown rule ${JSON.stringify(w.rule)}.${guess ? ` Did you mean ${JSON.stringify(guess)}?` : ''}`);
    }
    if (blank(w.migration)) problems.push(`${at}.migration: must name a migration (a revision id or a file path), got ""`);
    if (blank(w.reason)) problems.push(`${at}.reason: must say why the finding is accepted, got ""`);
    if (blank(w.owner)) problems.push(`${at}.owner: must name who answers for the waiver, got ""`);
    if (!isCalendarDate(w.expires)) problems.push(`${at}.expires: ${JSON.stringify(w.expires)} is not a date; expected YYYY-MM-DD, e.g. "2026-12-31"`);
  });
  return problems;
}

/** A real day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * The line of each of the first `count` waivers in a config file's text (1 where it cannot be
 * told): the line of each object of the `waivers` array in JSON and JavaScript, of each `-` item
 * in YAML.
 */
export function waiverLines(text: string, count: number, yaml: boolean): number[] {
  const lines: number[] = new Array<number>(count).fill(1);
  const lineAt = (index: number): number => {
    let n = 1;
    for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  };
  if (yaml) {
    const key = /^[ \t]*["']?waivers["']?[ \t]*:/m.exec(text);
    if (!key) return lines;
    const first = lineAt(key.index);
    const rows = text.slice(key.index).split('\n');
    const keyIndent = /^\s*/.exec(rows[0]!)![0].length;
    let indent: number | null = null;
    let found = 0;
    for (let r = 1; r < rows.length && found < count; r++) {
      const row = rows[r]!;
      if (row.trim() === '' || row.trim().startsWith('#')) continue;
      const item = /^(\s*)-(?:\s|$)/.exec(row);
      const rowIndent = /^\s*/.exec(row)![0].length;
      if (!item) {
        if (rowIndent <= keyIndent) break;
        continue;
      }
      indent ??= item[1]!.length;
      if (item[1]!.length === indent) lines[found++] = first + r;
    }
    return lines;
  }
  const key = /["']?\bwaivers["']?\s*:\s*\[/.exec(text);
  if (!key) return lines;
  let depth = 0;
  let found = 0;
  for (let i = key.index + key[0].length; i < text.length && found < count; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\') i++;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (ch === '{' || ch === '[') {
      if (ch === '{' && depth === 0) lines[found++] = lineAt(i);
      depth++;
    } else if (ch === '}' || ch === ']') {
      if (depth === 0) break;
      depth--;
    }
  }
  return lines;
}

async function collectPreset(ctx: CollectContext, preset: string, stack: string[], from: string | null): Promise<void> {
  const key = `${PRESET_PREFIX}${preset}`;
  if (stack.includes(key)) {
    ctx.problems.push(`${from ?? key}: extends: cycle: ${[...stack.slice(stack.indexOf(key)), key].map(ctx.display).join(' -> ')}`);
    return;
  }
  await collect(ctx, key, ctx.env.presets[preset], stack, false);
}

// ---------------------------------------------------------------------------------------------
// Resolution

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Later options replace earlier ones key by key (shallow). */
function mergeOptions(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  return isPlainObject(base) && isPlainObject(over) ? { ...base, ...over } : over;
}

function parseSetting(value: unknown): RuleSettingPatch {
  if (typeof value === 'string') return { severity: value as Severity };
  if (Array.isArray(value)) {
    const patch: RuleSettingPatch = { severity: value[0] as Severity };
    if (value.length > 1) patch.options = value[1];
    return patch;
  }
  return {};
}

function applyPatch(current: RuleSetting, patch: RuleSettingPatch): RuleSetting {
  return {
    severity: patch.severity ?? current.severity,
    options: mergeOptions(current.options, patch.options),
  };
}

function resolveLayers(
  layers: RawConfig[],
  env: ConfigEnv,
  rootDir: string,
  configFile: string | null,
  sources: ReadonlyMap<RawConfig, string> = new Map(),
): ResolvedConfig {
  const rules: Record<string, RuleSetting> = {};
  for (const r of env.rules) rules[r.id] = { severity: 'off', options: structuredClone(r.defaultOptions) };
  let paths: string[] | undefined;
  const ignorePatterns: string[] = [];
  let lockfile = 'migralint.lock';
  let dialect: ConfigDialect = 'postgresql';
  let postgresVersion = 14;
  let maxFileSize: number | undefined;
  let runner: { lockTimeout?: string; statementTimeout?: string; timeZone?: string } = {};
  let downgrades: DowngradePolicy = 'judge';
  let snapshot: string | undefined;
  let sizes: SizeThresholds = { ...DEFAULT_SIZES };
  let foreignIgnores = true;
  let cache: boolean | undefined;
  const directories = new Map<string, { framework?: string; dialect?: ConfigDialect; startAfter?: string }>();
  const overrides: OverrideSetting[] = [];
  let startAfter: string | undefined;
  const waivers: WaiverSetting[] = [];

  for (const layer of layers) {
    if (layer.paths) paths = [...layer.paths];
    if (layer.ignorePatterns) for (const p of layer.ignorePatterns) if (!ignorePatterns.includes(p)) ignorePatterns.push(p);
    if (layer.lockfile !== undefined) lockfile = layer.lockfile;
    if (layer.dialect !== undefined) dialect = layer.dialect;
    if (layer.postgresVersion !== undefined) postgresVersion = layer.postgresVersion;
    if (layer.maxFileSize !== undefined) maxFileSize = Math.round(layer.maxFileSize * 1024 * 1024);
    if (layer.runner !== undefined) runner = { ...runner, ...layer.runner };
    if (layer.downgrades !== undefined) downgrades = layer.downgrades;
    if (layer.snapshot !== undefined) snapshot = path.resolve(rootDir, layer.snapshot);
    if (layer.sizes !== undefined) sizes = { ...sizes, ...layer.sizes };
    if (layer.foreignIgnores !== undefined) foreignIgnores = layer.foreignIgnores;
    if (layer.cache !== undefined) cache = layer.cache;
    if (layer.startAfter !== undefined) startAfter = layer.startAfter;
    if (layer.waivers && layer.waivers.length > 0) {
      // Waivers add up across the configs: each stays located in the file that declares it.
      const file = sources.get(layer) ?? configFile ?? path.join(rootDir, 'migralint.config.json');
      let text = '';
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        // A preset or an unreadable file: every waiver is located at line 1.
      }
      const lines = waiverLines(text, layer.waivers.length, /\.ya?ml$|^\.migralintrc$/.test(path.basename(file)) && !text.trimStart().startsWith('{'));
      layer.waivers.forEach((w, i) => {
        waivers.push({
          rule: w.rule,
          migration: w.migration,
          path: path.resolve(rootDir, w.migration),
          reason: w.reason,
          owner: w.owner,
          expires: w.expires,
          file,
          line: lines[i] ?? 1,
        });
      });
    }
    for (const [dir, setting] of Object.entries(layer.directories ?? {})) {
      const abs = path.resolve(rootDir, dir);
      directories.set(abs, { ...directories.get(abs), ...setting });
    }
    for (const [id, value] of Object.entries(layer.rules ?? {})) {
      const current = rules[id];
      if (current) rules[id] = applyPatch(current, parseSetting(value));
    }
    for (const o of layer.overrides ?? []) {
      const patches: Record<string, RuleSettingPatch> = {};
      for (const [id, value] of Object.entries(o.rules ?? {})) patches[id] = parseSetting(value);
      const override: OverrideSetting = { files: [...o.files], rules: patches };
      if (o.dialect !== undefined) override.dialect = o.dialect;
      overrides.push(override);
    }
  }

  const directoryList: DirectorySetting[] = [...directories].map(([p, s]) => ({ path: p, ...s }));
  const resolvedPaths = paths
    ? paths.map((p) => path.resolve(rootDir, p))
    : directoryList.length > 0
      ? directoryList.map((d) => d.path)
      : [rootDir];
  return {
    configFile,
    rootDir,
    paths: resolvedPaths,
    ignorePatterns,
    lockfile: path.resolve(rootDir, lockfile),
    dialect,
    postgresVersion,
    ...(maxFileSize !== undefined ? { maxFileSize } : {}),
    runner,
    downgrades,
    ...(snapshot !== undefined ? { snapshot } : {}),
    sizes,
    foreignIgnores,
    ...(cache !== undefined ? { cache } : {}),
    directories: directoryList,
    rules,
    overrides,
    ...(startAfter !== undefined ? { startAfter } : {}),
    ...(waivers.length > 0 ? { waivers } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Per-file queries

const matchers = new Map<string, (s: string) => boolean>();
type Picomatch = typeof import('picomatch');
let picomatchModule: Picomatch | undefined;

/** picomatch costs ~6 ms to load; most runs have no globs at all, so load it on first use. */
function picomatch(pattern: string, options: { dot: boolean }): (s: string) => boolean {
  picomatchModule ??= createRequire(import.meta.url)('picomatch') as Picomatch;
  return picomatchModule(pattern, options);
}

function matcher(glob: string): (s: string) => boolean {
  let m = matchers.get(glob);
  if (!m) {
    const pattern = glob.replace(/^\.\//, '').replace(/^\//, '');
    m = picomatch(pattern, { dot: true });
    matchers.set(glob, m);
  }
  return m;
}

/** The file's path relative to rootDir with forward slashes. */
function relativeToRoot(config: ResolvedConfig, file: string): string {
  return path.relative(config.rootDir, path.resolve(config.rootDir, file)).split(path.sep).join('/');
}

/** True when the glob matches the path or one of its parent directories (so "legacy" covers legacy/x.py). */
function globMatches(glob: string, rel: string): boolean {
  const m = matcher(glob);
  if (m(rel)) return true;
  for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
    if (m(rel.slice(0, i))) return true;
  }
  return false;
}

function overrideMatches(override: OverrideSetting, rel: string): boolean {
  return override.files.some((g) => globMatches(g, rel));
}

/**
 * The rule settings for one file: the top-level rules, then each matching override in order.
 * Returns `config.rules` itself when no override matches; treat the result as read-only.
 */
export function rulesForFile(config: ResolvedConfig, file: string): Record<string, RuleSetting> {
  if (config.overrides.length === 0) return config.rules;
  const rel = relativeToRoot(config, file);
  let out: Record<string, RuleSetting> | null = null;
  for (const override of config.overrides) {
    if (!overrideMatches(override, rel)) continue;
    out ??= { ...config.rules };
    for (const [id, patch] of Object.entries(override.rules)) {
      const current = out[id];
      if (current) out[id] = applyPatch(current, patch);
    }
  }
  return out ?? config.rules;
}

/**
 * The file's dialect: the longest `directories` entry containing the file that names a dialect,
 * else the last matching override that names one, else the top-level dialect.
 */
export function dialectForFile(config: ResolvedConfig, file: string): ConfigDialect {
  if (config.directories.length === 0 && !config.overrides.some((o) => o.dialect)) return config.dialect;
  const abs = path.resolve(config.rootDir, file);
  let best: DirectorySetting | null = null;
  for (const d of config.directories) {
    if (!d.dialect) continue;
    const inside = abs === d.path || abs.startsWith(d.path.endsWith(path.sep) ? d.path : d.path + path.sep);
    if (inside && (!best || d.path.length > best.path.length)) best = d;
  }
  if (best?.dialect) return best.dialect;
  // Most configs have no dialect override: skip the path arithmetic (it showed in profiles).
  if (!config.overrides.some((o) => o.dialect)) return config.dialect;
  const rel = relativeToRoot(config, abs);
  let dialect: ConfigDialect = config.dialect;
  for (const o of config.overrides) if (o.dialect && overrideMatches(o, rel)) dialect = o.dialect;
  return dialect;
}

/**
 * Whether `ignorePatterns` excludes the file. Patterns are read in order like .gitignore lines: a
 * match ignores, a later "!pattern" match un-ignores; a pattern matching a parent directory counts.
 */
export function isIgnored(config: ResolvedConfig, file: string): boolean {
  if (config.ignorePatterns.length === 0) return false;
  const rel = relativeToRoot(config, file);
  let ignored = false;
  for (const p of config.ignorePatterns) {
    const negated = p.startsWith('!');
    if (negated !== ignored) continue; // cannot change the outcome
    if (globMatches(negated ? p.slice(1) : p, rel)) ignored = !negated;
  }
  return ignored;
}
