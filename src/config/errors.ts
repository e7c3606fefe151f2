// Config problems as people read them: one line per real problem, naming the file and the key,
// with "did you mean" when a close name exists. Ajv's raw errors repeat themselves (every branch of
// a rule's `severity | [severity] | [severity, options]` oneOf reports), so the errors under one
// rule setting are collapsed into a single diagnosis of the value itself.
import { SEVERITIES } from './schema.js';

/** A config that cannot be used; `problems` holds one line per problem, each naming its file. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The parts of an Ajv `ErrorObject` the formatter reads (the validator runs with `verbose: true`). */
export interface ValidationError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, any>;
  message?: string | undefined;
  parentSchema?: Record<string, any> | undefined;
  data?: unknown;
}

// ---------------------------------------------------------------------------------------------
// "Did you mean"

/** Names people bring from other tools, mapped to ours. Keys are compared normalised. */
export const KEY_ALIASES: Readonly<Record<string, string>> = {
  include: 'paths',
  includes: 'paths',
  files: 'paths',
  dirs: 'paths',
  exclude: 'ignorePatterns',
  excludes: 'ignorePatterns',
  ignore: 'ignorePatterns',
  ignores: 'ignorePatterns',
  ignorePaths: 'ignorePatterns',
  ignoreFiles: 'ignorePatterns',
  extend: 'extends',
  preset: 'extends',
  presets: 'extends',
  rule: 'rules',
  override: 'overrides',
  lock: 'lockfile',
  lockPath: 'lockfile',
  pgVersion: 'postgresVersion',
  postgresqlVersion: 'postgresVersion',
  version: 'postgresVersion',
  directory: 'directories',
  database: 'dialect',
  db: 'dialect',
};

export const SEVERITY_ALIASES: Readonly<Record<string, string>> = {
  warning: 'warn',
  warnings: 'warn',
  err: 'error',
  errors: 'error',
  fatal: 'error',
  critical: 'error',
  information: 'info',
  note: 'info',
  notice: 'info',
  hint: 'info',
  none: 'off',
  disable: 'off',
  disabled: 'off',
  ignore: 'off',
  false: 'off',
  '0': 'off',
  '1': 'warn',
  '2': 'error',
};

const normalise = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/**
 * The candidate the user most likely meant, or null. In order: same name up to case, dashes and
 * underscores; a known alias; the closest name (or alias) by edit distance within a third of the
 * length (at least 2); a name that one is a prefix of the other ("warning" → "warn").
 */
export function didYouMean(
  input: string,
  candidates: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | null {
  if (candidates.length === 0) return null;
  const norm = normalise(input);
  if (!norm) return null;
  for (const c of candidates) if (normalise(c) === norm) return c;
  const aliasTargets = new Map<string, string>();
  for (const [alias, target] of Object.entries(aliases)) {
    if (candidates.includes(target)) aliasTargets.set(normalise(alias), target);
  }
  const direct = aliasTargets.get(norm);
  if (direct) return direct;

  const limit = Math.max(2, Math.floor(norm.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  const consider = (name: string, target: string): void => {
    const d = editDistance(norm, name);
    if (d <= limit && d < name.length && d < bestDistance) {
      best = target;
      bestDistance = d;
    }
  };
  for (const c of candidates) consider(normalise(c), c);
  for (const [alias, target] of aliasTargets) consider(alias, target);
  if (best) return best;

  let prefix: string | null = null;
  for (const c of candidates) {
    const nc = normalise(c);
    const isPrefix = (nc.length >= 3 && norm.startsWith(nc)) || (norm.length >= 3 && nc.startsWith(norm));
    if (isPrefix && (prefix === null || Math.abs(nc.length - norm.length) < Math.abs(normalise(prefix).length - norm.length))) {
      prefix = c;
    }
  }
  return prefix;
}

/** `". Did you mean "x"?"` or "". */
export function suggestion(input: unknown, candidates: readonly string[], aliases?: Readonly<Record<string, string>>): string {
  if (typeof input !== 'string' && typeof input !== 'number' && typeof input !== 'boolean') return '';
  const s = didYouMean(String(input), candidates, aliases);
  return s === null ? '' : ` Did you mean ${JSON.stringify(s)}?`;
}

/** `"a", "b" or "c"` */
export function quoteList(values: readonly unknown[], conjunction = 'or'): string {
  const q = values.map((v) => JSON.stringify(v));
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} ${conjunction} ${q[q.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------
// Ajv errors → messages

const RULES_CONTAINER = /^(?:\/overrides\/\d+)?\/rules$/;
const RULE_SETTING = /^((?:\/overrides\/\d+)?\/rules\/[^/]+)(\/.*)?$/;
const EXTENDS = /^\/extends(\/.*)?$/;

/** Splits a JSON pointer into unescaped segments. */
function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `rules.add-not-null-column`, `overrides[0].files`, `directories["migrations/versions"]`. */
export function keyPath(segments: readonly string[], root: unknown): string {
  let out = '';
  let node: unknown = root;
  for (const seg of segments) {
    if (Array.isArray(node) && /^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const seg of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length} items`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function prefixed(path: string, message: string): string {
  return path ? `${path}: ${message}` : message;
}

function invalidSeverity(value: unknown): string {
  return (
    `invalid severity ${describe(value)}; expected ${quoteList(SEVERITIES)}.` +
    suggestion(value, SEVERITIES, SEVERITY_ALIASES)
  );
}

/** One error that is not part of a rule setting or `extends`. */
function formatOne(error: ValidationError, root: unknown, pathOverride?: string): string | null {
  const segments = pointerSegments(error.instancePath);
  const path = pathOverride ?? keyPath(segments, root);
  const props = Object.keys((error.parentSchema?.['properties'] as Record<string, unknown> | undefined) ?? {});
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      if (RULES_CONTAINER.test(error.instancePath)) {
        return prefixed(path === 'rules' ? '' : path, `unknown rule ${JSON.stringify(key)}.${suggestion(key, props)}`);
      }
      const aliases = error.instancePath === '' ? KEY_ALIASES : {};
      return prefixed(path, `unknown option ${JSON.stringify(key)}.${suggestion(key, props, aliases)}`);
    }
    case 'enum': {
      const allowed = (error.params['allowedValues'] as unknown[]) ?? [];
      const strings = allowed.filter((v): v is string => typeof v === 'string');
      const list = allowed.map((v) => JSON.stringify(v)).join(', ');
      return prefixed(path, `must be one of ${list}; got ${describe(error.data)}.${suggestion(error.data, strings)}`);
    }
    case 'type': {
      const types = String(error.params['type']).split(',');
      const wanted = types.map((t) => TYPE_NAMES[t] ?? t).join(' or ');
      return prefixed(path, `must be ${wanted}, got ${describe(error.data)}`);
    }
    case 'required':
      return prefixed(path, `missing required option ${JSON.stringify(error.params['missingProperty'])}`);
    case 'minItems':
      return prefixed(path, `must have at least ${error.params['limit']} item${error.params['limit'] === 1 ? '' : 's'}`);
    case 'maxItems':
      return prefixed(path, `must have at most ${error.params['limit']} item${error.params['limit'] === 1 ? '' : 's'}`);
    case 'oneOf':
    case 'anyOf':
    case 'if':
    case 'not':
      // Composite keywords only restate their branches' errors; the branches are reported.
      return null;
    default:
      return prefixed(path, `${error.message ?? 'is invalid'}`);
  }
}

/** All errors under one `rules.<id>` value, as one message about that value. */
function formatRuleSetting(settingPointer: string, errors: ValidationError[], root: unknown): string[] {
  const segments = pointerSegments(settingPointer);
  const path = keyPath(segments, root);
  const value = valueAt(root, segments);
  const isSeverity = (v: unknown): boolean => typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
  if (typeof value === 'string' || typeof value === 'number') {
    return [prefixed(path, invalidSeverity(value))];
  }
  if (!Array.isArray(value)) {
    return [prefixed(path, `expected a severity (${quoteList(SEVERITIES)}), [severity] or [severity, options], got ${describe(value)}`)];
  }
  if (value.length === 0 || value.length > 2) {
    return [prefixed(path, `expected [severity] or [severity, options], got ${describe(value)}`)];
  }
  const problems: string[] = [];
  if (!isSeverity(value[0])) problems.push(prefixed(path, invalidSeverity(value[0])));
  if (value.length === 2) {
    // The oneOf error's parentSchema lists the alternatives; a rule without options has no 2-tuple.
    const oneOf = errors.find((e) => e.keyword === 'oneOf' && e.instancePath === settingPointer);
    const alternatives = (oneOf?.parentSchema?.['oneOf'] as Record<string, unknown>[] | undefined) ?? [];
    const takesOptions =
      alternatives.length === 0 || alternatives.some((a) => Array.isArray(a['items']) && (a['items'] as unknown[]).length === 2);
    if (!takesOptions) {
      problems.push(prefixed(path, 'this rule takes no options; use a severity or [severity]'));
    } else {
      const optionsPointer = `${settingPointer}/1`;
      for (const e of errors) {
        if (e.instancePath !== optionsPointer && !e.instancePath.startsWith(`${optionsPointer}/`)) continue;
        if (!/\/oneOf\/\d+\/items\/1(\/|$)/.test(e.schemaPath)) continue;
        // Report options at `rules.<id>.<option>`, without the tuple index.
        const sub = keyPath(pointerSegments(e.instancePath.slice(optionsPointer.length)), value[1]);
        const message = formatOne(e, root, !sub ? path : sub.startsWith('[') ? `${path}${sub}` : `${path}.${sub}`);
        if (message) problems.push(message);
      }
    }
  }
  if (problems.length === 0) {
    // Nothing specific found: fall back to Ajv's own words for the first concrete error.
    const first = errors.find((e) => !['oneOf', 'anyOf'].includes(e.keyword));
    problems.push(prefixed(path, first?.message ?? 'invalid rule setting'));
  }
  return problems;
}

/**
 * Turns a validator's errors into messages `<file>: <key path>: <problem>`, one per real problem.
 * `file` is what to print (relative to cwd); `config` is the value that was validated.
 */
export function formatValidationErrors(errors: readonly ValidationError[], file: string, config: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (m: string | null): void => {
    if (m === null) return;
    const line = `${file}: ${m}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  };
  const settingGroups = new Map<string, ValidationError[]>();
  let extendsReported = false;
  for (const error of errors) {
    const setting = RULE_SETTING.exec(error.instancePath);
    if (setting) {
      const key = setting[1]!;
      let group = settingGroups.get(key);
      if (!group) {
        group = [];
        settingGroups.set(key, group);
        // Keep the position of the first error of the group in the output order.
        out.push(`\u0000${key}`);
      }
      group.push(error);
      continue;
    }
    if (EXTENDS.test(error.instancePath)) {
      if (!extendsReported) {
        extendsReported = true;
        push(`extends: must be a preset name or a path, or an array of them, got ${describe(valueAt(config, ['extends']))}`);
      }
      continue;
    }
    push(formatOne(error, config));
  }
  // Replace the placeholders with the collapsed rule-setting messages.
  const result: string[] = [];
  for (const line of out) {
    if (line.startsWith('\u0000')) {
      for (const m of formatRuleSetting(line.slice(1), settingGroups.get(line.slice(1))!, config)) {
        const full = `${file}: ${m}`;
        if (!seen.has(full)) {
          seen.add(full);
          result.push(full);
        }
      }
    } else {
      result.push(line);
    }
  }
  return result;
}
