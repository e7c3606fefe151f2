// What a rule file sees: defineRule, the contexts handed to checks, and the finding shape.
// Rules import this module and src/model, nothing else.
import type { Body, Dialect, Loc, Migration, MigrationSet } from '../model/index.js';
import type { RevisionGraph } from '../graph/index.js';

export type { RevisionGraph, RevisionNode, MissingParent } from '../graph/index.js';
export { ancestors, rootsOf, branchLabelsOf } from '../graph/index.js';

export type Severity = 'off' | 'info' | 'warn' | 'error';
export const SEVERITIES: readonly Severity[] = ['off', 'info', 'warn', 'error'];

/** A JSON Schema fragment (draft-07), kept loose on purpose: ajv checks it at build time. */
export type JsonSchema = Record<string, unknown>;

export interface RuleDocs {
  /** Why the pattern is unsafe, in a paragraph. */
  why: string;
  /**
   * A migration the rule must flag, and one it must leave alone. A string is one Alembic
   * revision file; an object maps file names to contents for rules that need several files.
   */
  bad: string | Record<string, string>;
  good: string | Record<string, string>;
}

export interface RuleMeta<MessageIds extends string, Options> {
  type: 'problem' | 'suggestion';
  /** Starts with Disallow, Require or Enforce; no final period. */
  description: string;
  docs: RuleDocs;
  /** The safer way, in one or two sentences. */
  help: string;
  /** messageId -> template with {{placeholders}}; capitalised, ends with a period. */
  messages: Record<MessageIds, string>;
  /** JSON Schema of the options object; omitted when the rule has no options. */
  schema?: JsonSchema;
  /**
   * Messages reported at most at this level whatever the rule's configured level (never raised):
   * a notice that belongs with the rule but should not fail a build.
   */
  messageLevels?: Partial<Record<MessageIds, 'info' | 'warn'>>;
  /**
   * For findings that name their table (`table` in report()): whether the engine sets their level
   * from the table's size when a snapshot knows it (below `sizes.small` rows: info; from
   * `sizes.large` rows or `sizes.largeBytes`: error). Default true; false for a rule whose finding
   * is as serious on a small table (a statement that fails on any row).
   */
  sizeAware?: boolean;
  /** The dialects the rule applies to; omitted means every dialect. The engine skips the others. */
  dialects?: Dialect[];
  defaultOptions: Options;
}

export interface ReportDescriptor<MessageIds extends string> {
  messageId: MessageIds;
  /** Where: a Loc or anything that has one (an operation, a located value). */
  at: Loc | { loc: Loc };
  data?: Record<string, string | number>;
  /**
   * The existing table whose lock (or rewrite) the finding is about. The engine then leaves the
   * finding out when production does not have the table yet (created by a migration not applied),
   * shows the table's size when a snapshot knows it, and sets the level from it (see `sizeAware`).
   */
  table?: string | null;
}

export interface ProjectReportDescriptor<MessageIds extends string> extends ReportDescriptor<MessageIds> {
  /** The file the finding is about (absolute path); it need not exist (a deleted migration). */
  file: string;
  /** The migration the finding is about, when there is one. */
  migration?: Migration | null;
}

export interface Settings {
  dialect: Dialect;
  /** Major PostgreSQL version the migrations target. */
  postgresVersion: number;
}

/** A column as the earlier migrations of the chain left it. */
export interface CatalogColumn {
  /** The type as last written (SQL or SQLAlchemy spelling), null when unknown. */
  type: string | null;
  nullable: boolean | null;
}

/** A CHECK constraint as the earlier migrations of the chain left it. */
export interface CatalogCheck {
  name: string | null;
  /** The condition as written, e.g. `email IS NOT NULL`. */
  condition: string;
  /** false while it was added NOT VALID and not yet validated. */
  validated: boolean;
}

export interface CatalogIndex {
  name: string | null;
  columns: string[];
  unique: boolean;
  /** Built with CONCURRENTLY. */
  concurrently: boolean;
}

/** A table's size as a snapshot of production estimated it. */
export interface CatalogTableSize {
  rows: number;
  /** Heap, indexes and TOAST. */
  bytes: number;
}

/**
 * The schema as the migrations before this one (in history order, in the same chain) left it,
 * replayed from the model. It knows only what migrations said: a table created outside the
 * migrations (or before a squashed baseline) is unknown, not absent.
 */
export interface CatalogView {
  /** true: created by an earlier migration and not dropped; false: dropped since; null: never seen. */
  hasTable(table: string | null): boolean | null;
  column(table: string | null, column: string | null): CatalogColumn | null;
  checks(table: string | null): CatalogCheck[];
  index(name: string | null): (CatalogIndex & { table: string | null }) | null;
  /** The table's size in production, when a snapshot is loaded and has the table. */
  tableSize(table: string | null): CatalogTableSize | null;
  /**
   * Created by an earlier migration that production has not run (known from a snapshot's applied
   * set, or the lock file under `--released-from lock`): empty, and used by nobody yet.
   */
  isNewTable(table: string | null): boolean;
}

export interface RuleContext<MessageIds extends string> {
  settings: Settings;
  /** The schema before this migration's upgrade. */
  catalog: CatalogView;
  report(descriptor: ReportDescriptor<MessageIds>): void;
}

/**
 * What a body rule sees: one body at a time. The upgrade meets the schema the earlier migrations
 * left; the downgrade meets the schema after this migration's upgrade (it runs to undo it).
 */
export interface BodyContext<MessageIds extends string> extends RuleContext<MessageIds> {
  /** Which body is judged. */
  direction: 'upgrade' | 'downgrade';
}

export interface LockEntry {
  /** Path relative to the lock file's directory, with forward slashes, as written in the lock file. */
  path: string;
  /** The same path, absolute. */
  file: string;
  revision: string | null;
  sha256: string;
  /** Short fingerprints of each normalised line, used to say which lines changed. */
  lines: string[];
}

export interface LockState {
  /** Absolute path of the lock file. */
  file: string;
  /** Absolute path of the directory entries are relative to. */
  baseDir: string;
  entries: LockEntry[];
}

export interface ProjectSetView {
  set: MigrationSet;
  graph: RevisionGraph;
}

/** A waiver from the config, as this run applied it (for the rules that judge waivers). */
export interface WaiverState {
  rule: string;
  /** As written in the config: a revision id or a path relative to the config's directory. */
  migration: string;
  /** `migration` read as a path (absolute). */
  path: string;
  reason: string;
  owner: string;
  expires: string;
  /** The config file that declares it (absolute) and the waiver's line there. */
  file: string;
  line: number;
  /** Days from today to the expiry: 0 on its last day, negative once expired. */
  daysLeft: number;
  /** Past its expiry: it silences nothing and is reported (expired-waiver). */
  expired: boolean;
  /** How many findings it silenced in this run. */
  used: number;
  /** Whether some migration read in this run is the one it names. */
  matched: boolean;
  /**
   * Whether this run saw every finding it could silence: its migration was linted with the rule on
   * (project rules see every migration read), or, for a waiver that names no migration read, the run
   * linted the whole configured project. Only judged waivers are reported as unused.
   */
  judged: boolean;
}

export interface ProjectView {
  sets: ProjectSetView[];
  /**
   * The config's waivers as this run applied them. Set only for the rules that judge waivers
   * (expired-waiver, unused-waiver), which the engine runs after every other finding is known.
   */
  waivers?: readonly WaiverState[];
  /** Directories whose every migration file was read: a locked file missing there is gone. */
  completeDirs: string[];
  lock: LockState | null;
  /** Computes the same fingerprints the lock file holds, for a migration's current source. */
  fingerprint(source: string): { sha256: string; lines: string[] };
}

export interface ProjectContext<MessageIds extends string> {
  settings: Settings;
  report(descriptor: ProjectReportDescriptor<MessageIds>): void;
}

/** An inline ignore comment as the engine read it, and whether it was needed. */
export interface Suppression {
  /** `ignore`, `ignore-file`, or whatever (misspelt) word followed `migralint:`. */
  directive: string;
  /** Rule ids named in the brackets; empty means the comment named none. */
  rules: string[];
  /** Named ids that are not rules. */
  unknownRules: string[];
  reason: string | null;
  fileLevel: boolean;
  /** Rule ids (of `rules`) that this comment actually silenced. */
  used: string[];
  /** Rule ids (of `rules`) that were off for the file, so whether the comment is needed cannot be told. */
  inactive: string[];
  /** The comment text, for messages. */
  text: string;
  loc: Loc;
  /** Whose comment it is: `migralint`, or another linter whose ignores migralint honours (`squawk`, `pgfence`, `eugene`, `diesel-guard`). */
  tool: string;
  /** For another linter's comment: what in it migralint cannot honour. */
  foreign?: ForeignSuppression;
}

export interface ForeignSuppression {
  /** Ids the other tool knows that have no migralint counterpart: they silence nothing here. */
  unmapped: string[];
  /** Ids the other tool does not know. */
  unknown: string[];
  /** The comment names no rule where the tool needs one, so it silences nothing. */
  noRules: boolean;
  /** A block marker without its other half (diesel-guard's safety-assured:start / :end). */
  unmatched: 'start' | 'end' | null;
}

export interface SuppressionContext<MessageIds extends string> {
  report(descriptor: ReportDescriptor<MessageIds>): void;
}

interface RuleBase<MessageIds extends string, Options> {
  id: string;
  meta: RuleMeta<MessageIds, Options>;
}

export interface MigrationRule<MessageIds extends string = string, Options = unknown> extends RuleBase<MessageIds, Options> {
  scope: 'migration';
  check(ctx: RuleContext<MessageIds>, migration: Migration, options: Options): void;
}

/**
 * A rule about what one body does to a live database (locks, rewrites, renames, drops): the engine
 * calls it for the upgrade, and for the downgrade unless the config's `downgrades` is "ignore" (a
 * rollback runs in production too, usually during an incident). Findings in a downgrade are
 * reported one level lower under `downgrades: "lower"`.
 */
export interface BodyRule<MessageIds extends string = string, Options = unknown> extends RuleBase<MessageIds, Options> {
  scope: 'body';
  check(ctx: BodyContext<MessageIds>, body: Body, migration: Migration, options: Options): void;
}

export interface ProjectRule<MessageIds extends string = string, Options = unknown> extends RuleBase<MessageIds, Options> {
  scope: 'project';
  check(ctx: ProjectContext<MessageIds>, project: ProjectView, options: Options): void;
}

export interface SuppressionRule<MessageIds extends string = string, Options = unknown> extends RuleBase<MessageIds, Options> {
  scope: 'suppressions';
  check(ctx: SuppressionContext<MessageIds>, migration: Migration, suppressions: Suppression[], options: Options): void;
}

export type Rule<MessageIds extends string = string, Options = unknown> =
  | MigrationRule<MessageIds, Options>
  | BodyRule<MessageIds, Options>
  | ProjectRule<MessageIds, Options>
  | SuppressionRule<MessageIds, Options>;

/** Identity function that makes TypeScript check messageIds and options against the meta. */
export function defineRule<MessageIds extends string, Options = Record<string, never>>(
  rule: MigrationRule<MessageIds, Options>,
): MigrationRule<MessageIds, Options>;
export function defineRule<MessageIds extends string, Options = Record<string, never>>(
  rule: BodyRule<MessageIds, Options>,
): BodyRule<MessageIds, Options>;
export function defineRule<MessageIds extends string, Options = Record<string, never>>(
  rule: ProjectRule<MessageIds, Options>,
): ProjectRule<MessageIds, Options>;
export function defineRule<MessageIds extends string, Options = Record<string, never>>(
  rule: SuppressionRule<MessageIds, Options>,
): SuppressionRule<MessageIds, Options>;
export function defineRule(rule: Rule<string, unknown>): Rule<string, unknown> {
  return rule;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  severity: Exclude<Severity, 'off'>;
  /** Absolute path. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** The revision id of the migration, when known. */
  migration: string | null;
  /**
   * Other lines an inline ignore may stand on to cover this finding: the first line of the call
   * whose SQL string holds the statement (`op.execute(` above a multi-line string).
   */
  anchorLines?: number[];
  /** The table a lock finding is about, with its size in production (when a snapshot knows it). */
  table?: { name: string; rows: number; bytes: number };
}

/** The paragraph every body rule's documentation ends with: how downgrades are judged. */
export const DOWNGRADE_NOTE =
  'The downgrade is judged too, against the schema its upgrade left: a rollback runs in production, usually ' +
  'during an incident, and waits for the same locks. A downgrade step on a table its own upgrade created is ' +
  'not reported (only the release being rolled back used it). The recommended preset reports downgrade ' +
  'findings one level lower (`downgrades: "lower"` in the config); `"ignore"` leaves downgrades alone.';

/**
 * What a rule's findings become with a snapshot of production (`lint --snapshot`), for `explain`
 * and the rule's page; null for a rule whose findings are not about a table's locks.
 */
export function productionNote(
  meta: { sizeAware?: boolean },
  sizes: { small: number; large: number; largeBytes: number } = { small: 10_000, large: 1_000_000, largeBytes: 1024 ** 3 },
): string | null {
  const common =
    'With a snapshot of production (`migralint snapshot`, then `lint --snapshot` or `snapshot` in the config), ' +
    "each finding names the table's estimated rows and size (`events (~210M rows, 48 GB)`; `table` in JSON), " +
    'and a table created by a migration production has not run (not in the snapshot\'s applied set, or with ' +
    '`--released-from lock` not in the lock file) is new: it is not reported.';
  if (meta.sizeAware === true) {
    const n = (v: number) => v.toLocaleString('en-US');
    const bytes = sizes.largeBytes % 1024 ** 3 === 0 ? `${sizes.largeBytes / 1024 ** 3} GB` : `${n(sizes.largeBytes)} bytes`;
    return `${common} The level follows the table's size (the config's \`sizes\`): info below ${n(sizes.small)} rows, error from ${n(sizes.large)} rows or ${bytes}, the rule's level between.`;
  }
  if (meta.sizeAware === false) return `${common} The level stays the rule's whatever the size: the statement is as wrong on a small table.`;
  return null;
}

/** Fills {{placeholders}} in a message template. */
export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const v = data?.[key];
    return v === undefined ? whole : String(v);
  });
}

/**
 * Where each rule's page (docs/rules/<id>.md, generated by scripts/gen.ts) is published. Findings
 * (stylish, SARIF helpUri, JUnit, Markdown, ESLint docs.url) link there through ruleDocUrl().
 */
export const RULE_DOCS_BASE_URL = 'https://github.com/migralint/migralint/blob/main/docs/rules/';

/** One place that builds every rule's documentation link. */
export function ruleDocUrl(id: string): string {
  return `${RULE_DOCS_BASE_URL}${id}.md`;
}

export function toLoc(at: Loc | { loc: Loc }): Loc {
  return 'loc' in at ? at.loc : at;
}
