// Other linters' ignore comments, read as migralint ignores so a team that moves to migralint keeps
// the decisions already written in its migrations. The tables below are the one source of truth for
// what each foreign rule id means here: the suppression pass reads them, scripts/gen.ts renders
// them into docs/ignores.md, and test/squawk.test.ts compares squawk's findings with ours through them.
//
// Syntax, as each tool reads it (checked against their sources):
// - squawk (sbdchd/squawk, crates/squawk_linter/src/ignore.rs): `-- squawk-ignore a, b` (also in
//   `/* */`) covers the next statement; `-- squawk-ignore-file [a, b]` covers the whole file, every
//   rule when it names none; text after a second `--` is a free-form reason.
// - pgfence (flvmnt/pgfence, src/parser.ts): `-- pgfence-ignore` (every rule) or
//   `-- pgfence-ignore: a, b` before a statement; the older `-- pgfence: ignore a, b` too.
// - eugene (kaaveland/eugene, eugene/src/comments.rs): `-- eugene: ignore` (every hint) or
//   `-- eugene: ignore E2, E3` in or before a statement.
// - diesel-guard (ayarotsky/diesel-guard, src/parser/comment_parser.rs): every statement between
//   `-- safety-assured:start` and `-- safety-assured:end` lines is accepted by every check.

export type ForeignTool = 'squawk' | 'pgfence' | 'eugene' | 'diesel-guard';

export interface ForeignToolInfo {
  tool: ForeignTool;
  url: string;
  /** The comment forms migralint reads, for docs/ignores.md. */
  forms: string[];
  /**
   * Every rule id the tool knows, mapped to the migralint rules that report the same hazard;
   * [] when migralint has no counterpart (the ignore is then reported as invalid-ignore, info).
   */
  rules: Readonly<Record<string, readonly string[]>>;
}

const SQUAWK: Record<string, readonly string[]> = {
  'adding-field-with-default': ['volatile-default'],
  'adding-foreign-key-constraint': ['constraint-not-valid'],
  'adding-not-nullable-field': ['set-not-null'],
  'adding-required-field': ['add-not-null-column'],
  'adding-serial-primary-key-field': ['unique-constraint-without-index'],
  'ban-alter-domain-with-add-constraint': [],
  'ban-char-field': [],
  'ban-concurrent-index-creation-in-transaction': ['concurrent-index-in-transaction'],
  'ban-create-domain-with-constraint': [],
  'ban-drop-column': ['drop-column'],
  'ban-drop-database': [],
  'ban-drop-not-null': [],
  'ban-drop-table': ['drop-table'],
  'ban-duplicate-column-assignments': [],
  'ban-truncate-cascade': [],
  'ban-uncommitted-transaction': [],
  'changing-column-type': ['changing-column-type'],
  'constraint-missing-not-valid': ['constraint-not-valid'],
  'disallowed-unique-constraint': ['unique-constraint-without-index'],
  'identifier-too-long': [],
  'prefer-bigint-over-int': ['prefer-bigint'],
  'prefer-bigint-over-smallint': ['prefer-bigint'],
  'prefer-identity': ['prefer-identity'],
  'prefer-repack': [],
  'prefer-robust-stmts': [],
  'prefer-text-field': ['prefer-text'],
  // squawk reports prefer-timestamp-tz and accepts prefer-timestamptz as its alias.
  'prefer-timestamp-tz': ['prefer-timestamptz'],
  'prefer-timestamptz': ['prefer-timestamptz'],
  'renaming-column': ['rename-column'],
  'renaming-table': ['rename-table'],
  'require-concurrent-index-creation': ['require-concurrent-index'],
  'require-concurrent-index-deletion': ['require-concurrent-index-drop'],
  'require-concurrent-partition-detach': [],
  'require-concurrent-reindex': [],
  'require-enum-value-ordering': [],
  'require-lock-timeout': ['require-lock-timeout'],
  'require-statement-timeout': [],
  'require-table-schema': [],
  // A deprecated alias of require-lock-timeout and require-statement-timeout.
  'require-timeout-settings': ['require-lock-timeout'],
  'syntax-error': ['sql-syntax-error'],
  'transaction-nesting': ['transaction-nesting'],
  'unused-ignore': [],
};

const PGFENCE: Record<string, readonly string[]> = {
  'add-column-constant-default': [],
  'add-column-default-pre-pg11': ['volatile-default'],
  'add-column-json': ['prefer-jsonb'],
  'add-column-non-constant-default': ['volatile-default'],
  'add-column-not-null-no-default': ['add-not-null-column'],
  'add-column-serial': ['volatile-default'],
  'add-column-stored-generated': ['volatile-default'],
  'add-constraint-check-no-not-valid': ['constraint-not-valid'],
  'add-constraint-exclude': [],
  'add-constraint-fk-no-not-valid': ['constraint-not-valid'],
  'add-constraint-unique': ['unique-constraint-without-index'],
  'add-constraint-unique-using-index': ['unique-constraint-without-index'],
  'add-constraint-unknown-type': [],
  'add-pk-using-index': ['unique-constraint-without-index'],
  'add-pk-without-using-index': ['unique-constraint-without-index'],
  'alter-column-set-not-null': ['set-not-null'],
  'alter-column-type': ['changing-column-type'],
  'alter-enum-add-value': [],
  'alter-enum-no-ordering': [],
  'attach-partition': [],
  'ban-alter-domain-add-constraint': [],
  'ban-char-field': [],
  'ban-create-domain-with-constraint': [],
  'concurrent-in-transaction': ['concurrent-index-in-transaction'],
  'create-index-not-concurrent': ['require-concurrent-index'],
  'create-table-exclude-constraint': [],
  'create-trigger': [],
  'delete-without-where': ['unbounded-data-change'],
  'detach-partition': [],
  'detach-partition-concurrent': [],
  'drop-column': ['drop-column'],
  'drop-constraint': [],
  'drop-database': [],
  'drop-index-not-concurrent': ['require-concurrent-index-drop'],
  'drop-not-null': [],
  'drop-table': ['drop-table'],
  'drop-trigger': [],
  'enable-disable-trigger': [],
  'fk-missing-index': [],
  'lock-timeout-after-dangerous-statement': ['require-lock-timeout'],
  'lock-timeout-too-long': [],
  'lock-timeout-zero': ['require-lock-timeout'],
  'missing-application-name': [],
  'missing-idle-timeout': [],
  'missing-lock-timeout': ['require-lock-timeout'],
  'missing-statement-timeout': [],
  'not-valid-validate-same-tx': ['constraint-not-valid'],
  'prefer-bigint-over-int': ['prefer-bigint'],
  'prefer-identity': ['prefer-identity'],
  'prefer-robust-create-index': [],
  'prefer-robust-create-table': [],
  'prefer-robust-drop-index': [],
  'prefer-robust-drop-table': [],
  'prefer-text-field': ['prefer-text'],
  'prefer-timestamptz': ['prefer-timestamptz'],
  'refresh-matview-blocking': [],
  'refresh-matview-concurrent': [],
  'reindex-non-concurrent': [],
  'rename-column': ['rename-column'],
  'rename-schema': [],
  'rename-table': ['rename-table'],
  'set-logged-unlogged': [],
  'statement-after-access-exclusive': [],
  'statement-timeout-too-long': [],
  truncate: ['unbounded-data-change'],
  'truncate-cascade': ['unbounded-data-change'],
  'unclosed-transaction': [],
  'update-in-migration': ['unbounded-data-change'],
  'vacuum-full': [],
  'validate-constraint': [],
  'wide-lock-window': [],
};

const EUGENE: Record<string, readonly string[]> = {
  E1: ['constraint-not-valid'],
  E2: ['set-not-null'],
  E3: ['prefer-jsonb'],
  E4: [],
  E5: ['changing-column-type'],
  E6: ['require-concurrent-index'],
  E7: ['unique-constraint-without-index'],
  E8: [],
  E9: ['require-lock-timeout'],
  // Found by `eugene trace` only: a rewrite under a dangerous lock, i.e. a type change or a volatile default.
  E10: ['changing-column-type', 'volatile-default'],
  E11: ['volatile-default'],
  W12: [],
  W13: [],
  W14: [],
  E15: [],
};

export const FOREIGN_TOOLS: readonly ForeignToolInfo[] = [
  {
    tool: 'squawk',
    url: 'https://squawkhq.com/docs/cli#disabling-rules-via-comments',
    forms: ['-- squawk-ignore <rules>', '-- squawk-ignore-file [<rules>]'],
    rules: SQUAWK,
  },
  {
    tool: 'pgfence',
    url: 'https://github.com/flvmnt/pgfence#suppressing-warnings',
    forms: ['-- pgfence-ignore[: <rules>]', '-- pgfence: ignore <rules>'],
    rules: PGFENCE,
  },
  {
    tool: 'eugene',
    url: 'https://github.com/kaaveland/eugene/blob/main/docs/src/ignores.md',
    forms: ['-- eugene: ignore [<ids>]'],
    rules: EUGENE,
  },
  {
    tool: 'diesel-guard',
    url: 'https://github.com/ayarotsky/diesel-guard/blob/main/docs/src/safety-assured.md',
    forms: ['-- safety-assured:start', '-- safety-assured:end'],
    rules: {},
  },
];

/**
 * Rules no "ignore everything" comment silences: they say that migralint could not read something
 * (an accepted hazard was never judged), not that a hazard was accepted. Naming them works.
 */
export const READING_RULES: ReadonlySet<string> = new Set(['parse-error', 'sql-syntax-error', 'unknown-operation']);

function info(tool: ForeignTool): ForeignToolInfo {
  return FOREIGN_TOOLS.find((t) => t.tool === tool)!;
}

/** The foreign rule ids of `tool` that have a migralint counterpart, with it. */
export function mappedRules(tool: ForeignTool): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(info(tool).rules)
      .filter(([, ids]) => ids.length > 0)
      .map(([id, ids]) => [id, [...ids]]),
  );
}

/** What a foreign comment asks for, before it is placed on lines. */
export interface ForeignDirective {
  tool: ForeignTool;
  /** line: the next statement (or the statement the comment sits in); file: the whole file; start/end: a diesel-guard block. */
  kind: 'line' | 'file' | 'start' | 'end';
  /** migralint rule ids the comment silences. */
  rules: string[];
  /** Every rule the tool's ignore-all means (bare pgfence-ignore, eugene: ignore, squawk-ignore-file, a diesel-guard block). */
  all: boolean;
  /** Foreign ids the tool knows that have no migralint counterpart. */
  unmapped: string[];
  /** Ids the tool does not know (misspelt, or from a newer version). */
  unknown: string[];
  /** The comment names no rule where the tool needs one (a bare line-level squawk-ignore silences nothing in squawk). */
  noRules: boolean;
}

const SQUAWK_RE = /^squawk-ignore(-file)?(?=\s|$)(.*)$/is;
const PGFENCE_RE = /^pgfence-ignore(?![\w-])(?:\s*:\s*(\S.*))?/is;
const PGFENCE_LEGACY_RE = /^pgfence:\s*ignore\s+(\S.*)$/is;
const EUGENE_RE = /^eugene:\s*ignore(?![\w-])\s*:?\s*(.*)$/is;
const DIESEL_RE = /^safety-assured:(start|end)$/i;

/** Reads one comment (its text without the comment marker, trimmed); null when it is no foreign directive. */
export function parseForeignDirective(text: string): ForeignDirective | null {
  let m = SQUAWK_RE.exec(text);
  if (m) {
    // squawk reads up to a second `--` (what follows is a reason).
    const names = list(m[2]!.split('--')[0]!);
    const kind = m[1] ? 'file' : 'line';
    return directive('squawk', kind, names, kind === 'file' && names.length === 0, kind === 'line' && names.length === 0);
  }
  m = PGFENCE_RE.exec(text);
  if (m) return m[1] === undefined ? directive('pgfence', 'line', [], true, false) : directive('pgfence', 'line', list(m[1]), false, false);
  m = PGFENCE_LEGACY_RE.exec(text);
  if (m) return directive('pgfence', 'line', list(m[1]!), false, false);
  m = EUGENE_RE.exec(text);
  if (m) {
    const ids = list(m[1]!).map((id) => id.toUpperCase());
    return directive('eugene', 'line', ids, ids.length === 0, false);
  }
  m = DIESEL_RE.exec(text);
  if (m) return directive('diesel-guard', m[1]!.toLowerCase() as 'start' | 'end', [], m[1]!.toLowerCase() === 'start', false);
  return null;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function directive(tool: ForeignTool, kind: ForeignDirective['kind'], names: string[], all: boolean, noRules: boolean): ForeignDirective {
  const table = info(tool).rules;
  const rules = new Set<string>();
  const unmapped: string[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const mapped = Object.prototype.hasOwnProperty.call(table, name) ? table[name]! : null;
    if (mapped === null) unknown.push(name);
    else if (mapped.length === 0) unmapped.push(name);
    else for (const id of mapped) rules.add(id);
  }
  if (all && tool !== 'diesel-guard') {
    for (const ids of Object.values(table)) for (const id of ids) if (!READING_RULES.has(id)) rules.add(id);
  }
  return { tool, kind, rules: [...rules].sort(), all, unmapped, unknown, noRules };
}

/** The docs/ignores.md table: one row per foreign rule id, with its counterpart. */
export function foreignIgnoresTable(): string {
  const out: string[] = [];
  for (const t of FOREIGN_TOOLS) {
    out.push(`**${t.tool}** (${t.forms.map((f) => `\`${f}\``).join(', ')}; [docs](${t.url}))`, '');
    const entries = Object.entries(t.rules);
    if (entries.length === 0) {
      out.push('Every statement between the two lines is accepted: findings of every migration rule on it are silenced, except `parse-error`, `sql-syntax-error` and `unknown-operation`.', '');
      continue;
    }
    out.push(`| ${t.tool} id | migralint rules |`, '|---|---|');
    for (const [id, ids] of entries) {
      out.push(`| \`${id}\` | ${ids.length > 0 ? ids.map((r) => `\`${r}\``).join(', ') : 'none: reported as `invalid-ignore` (info)'} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
