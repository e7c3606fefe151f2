// The JSON Schema (draft-07) of a migralint config file, assembled from the rules' metadata.
// scripts/gen.ts writes it to policies/migralint.schema.json (for editors) and compiles it into the
// standalone validator in src/config/generated/. This module has no runtime imports, so both the
// generator and the tests can use it without pulling in anything heavy.
import type { JsonSchema } from '../rule-api/index.js';

export const SEVERITIES = ['off', 'info', 'warn', 'error'] as const;
export type ConfigSeverity = (typeof SEVERITIES)[number];

export const DIALECTS = ['postgresql', 'sqlite', 'mysql', 'h2', 'mssql', 'oracle', 'cockroachdb'] as const;

/** How the lock-safety rules judge downgrades (see `downgrades` below). */
export const DOWNGRADE_POLICIES = ['judge', 'lower', 'ignore'] as const;
export type DowngradePolicy = (typeof DOWNGRADE_POLICIES)[number];
export type ConfigDialect = (typeof DIALECTS)[number];

/** Migration frameworks a `directories` entry may name; grows as front ends are added. */
export const FRAMEWORKS = ['alembic', 'flyway', 'golang-migrate', 'diesel', 'dbmate', 'goose', 'sql-migrate', 'prisma', 'sql', 'generic-python', 'knex', 'typeorm', 'node-pg-migrate', 'kysely', 'sequelize', 'mikro-orm', 'db-migrate', 'generic'] as const;

/** Top-level config keys in the order the schema lists them (also used for "did you mean"). */
export const CONFIG_KEYS = [
  '$schema',
  'extends',
  'paths',
  'ignorePatterns',
  'lockfile',
  'dialect',
  'postgresVersion',
  'maxFileSize',
  'runner',
  'downgrades',
  'snapshot',
  'sizes',
  'foreignIgnores',
  'cache',
  'directories',
  'startAfter',
  'rules',
  'overrides',
  'waivers',
] as const;

/**
 * Options for the Ajv instance that compiles this schema. Shared by scripts/gen.ts and the tests so
 * the generated validator and a test's run-time one report errors the same way.
 * - allErrors: report every problem, not the first.
 * - verbose: errors carry `parentSchema`/`data`, which the formatter in errors.ts needs for
 *   "did you mean" and allowed values without loading the schema file at run time.
 * - strictTuples: false: the `[severity, options]` tuples are written with min/maxItems anyway,
 *   this only silences the warning for rules whose options schema is missing.
 */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: true,
  strictTuples: false,
} as const;

export interface RuleForSchema {
  id: string;
  meta: { description: string; schema?: JsonSchema | undefined };
}

export interface BuildSchemaOptions {
  frameworks?: readonly string[];
}

const DESCRIPTIONS = {
  $schema: 'Path or URL of this JSON Schema, for editors. Ignored by migralint.',
  extends:
    'Configs this one builds on, applied in order (later wins), then this file on top: a preset name ' +
    '("recommended", "strict", "migralint:recommended", "migralint:strict") or a path to another config ' +
    'file relative to this one. Without "extends" a config builds on "recommended"; use [] to start from ' +
    'every rule off.',
  paths:
    'Files or directories that `migralint lint` checks when no paths are given, relative to the config ' +
    'file\'s directory. Default: the keys of "directories", else the config file\'s directory.',
  ignorePatterns:
    'Globs (picomatch, dotfiles included) of files never linted, relative to the config file\'s directory. ' +
    'A pattern matching a directory ignores everything in it; a leading "!" un-ignores.',
  lockfile: 'Lock file recording applied migrations, relative to the config file\'s directory. Default: "migralint.lock".',
  dialect: 'SQL dialect the migrations target, unless "directories" or "overrides" say otherwise. Default: "postgresql".',
  postgresVersion: 'Major PostgreSQL version the migrations target. Default: 14.',
  maxFileSize:
    'Largest migration file, in megabytes, that migralint parses; a larger file is reported (parse-error) ' +
    'instead of read, so that one huge file cannot exhaust memory or stall the run. 0: no limit. Default: 5.',
  runner:
    'Settings the migration runner\'s connection already has before any migration runs (for example set ' +
    'by the deploy tooling), such as {"lockTimeout": "5s", "statementTimeout": "15min"}. Rules such as ' +
    'require-lock-timeout count them as set.',
  downgrades:
    'How the lock-safety rules (those that judge each body: require-concurrent-index, set-not-null, ' +
    'drop-column...) treat downgrades, which run in production during an incident, against the schema the ' +
    'upgrade left. "judge": at the rule\'s level, like upgrades; "lower": one level lower (error becomes ' +
    'warn, warn becomes info); "ignore": not at all, for teams that never roll back. A downgrade that ' +
    'undoes its own upgrade (drops what it created) is never reported. Default: "judge"; the recommended ' +
    'preset says "lower".',
  snapshot:
    'A snapshot file written by `migralint snapshot` (relative to the config file\'s directory): the ' +
    'production tables with their sizes and the migrations already applied. Lint then judges the pending ' +
    'migrations against it: lock findings carry the table\'s size, their level follows "sizes", and a table ' +
    'created by a pending migration is new (no lock finding on it). `migralint trace` builds its schema ' +
    'from it instead of replaying the history. `--snapshot <file>` overrides it.',
  sizes:
    'Size thresholds for lock findings on a table whose size a snapshot (or verify\'s database) knows: ' +
    'below "small" rows the finding is info; at or above "large" rows or "largeBytes" bytes it is an error, ' +
    'whatever the rule\'s level. A rule can opt out (its documentation says so). Default: ' +
    '{"small": 10000, "large": 1000000, "largeBytes": 1073741824}.',
  foreignIgnores:
    'Honour other linters\' ignore comments (squawk-ignore, pgfence-ignore, eugene: ignore, diesel-guard\'s ' +
    'safety-assured blocks) as inline ignores of the migralint rules they map to. Default: true.',
  cache:
    'Keep what was read from each migration file in a cache between lint runs (node_modules/.cache/migralint, ' +
    'else .migralint-cache), so that unchanged files are not parsed again. It never changes a finding. ' +
    'false: read every file on every run (as --no-cache). Default: true.',
  directories:
    'Migration directories (relative to the config file\'s directory) with their framework and dialect. ' +
    'The longest matching directory decides a file\'s dialect.',
  directory: 'Settings for the migrations under this directory.',
  framework: 'Migration framework of this directory.',
  directoryDialect: 'SQL dialect of the migrations in this directory.',
  directoryStartAfter:
    'A revision id or a file name in this directory: it and the migrations before it (its ancestors) are ' +
    'only graph- and lock-checked, not linted by migration rules, so a project can adopt migralint ' +
    'without a wall of findings about released history.',
  startAfter:
    'Like "directories.<dir>.startAfter", for every directory without its own: a revision id or a file ' +
    'name that must exist in each linted directory it applies to (meant for a single chain).',
  waivers:
    'Findings accepted for a while, each with a reason, an owner and an expiry date. A waiver silences ' +
    'one rule for one migration (all of its files) until it expires; an expired waiver stops applying ' +
    'and is reported (expired-waiver), and one that silences nothing is reported (unused-waiver).',
  waiver: 'One accepted finding: which rule, which migration, why, who answers for it, and until when.',
  waiverRule: 'The rule id whose findings are accepted.',
  waiverMigration:
    'The migration: its revision id, or the path of one of its files relative to the config file\'s directory.',
  waiverReason: 'Why the finding is accepted (required, not empty).',
  waiverOwner: 'Who answers for the waiver and renews or removes it (required, not empty).',
  waiverExpires: 'Last day the waiver applies, as YYYY-MM-DD; from the next day on it is reported instead.',
  rules:
    'Rule severities and options: "off", "info", "warn" or "error", or [severity] or [severity, options]. ' +
    'Options are merged over the rule\'s defaults and over options set by the configs this one extends.',
  overrides: 'Settings for the files matching some globs, applied in order after the top-level settings.',
  override: 'Settings for the files matching "files".',
  overrideFiles: 'Globs (picomatch, dotfiles included) relative to the config file\'s directory.',
  overrideRules: 'Rule severities and options for the matching files (same format as the top-level "rules").',
  overrideDialect: 'SQL dialect of the matching files (a matching "directories" entry still wins).',
  severity: 'off: not run; info, warn: reported, exit code 0; error: reported, exit code 1.',
};

/** The JSON Schema of the config file, for `rules` as given (sorted by id for stable output). */
export function buildConfigSchema(rules: readonly RuleForSchema[], opts: BuildSchemaOptions = {}): JsonSchema {
  const frameworks = opts.frameworks ?? FRAMEWORKS;
  const sorted = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ruleProps: Record<string, JsonSchema> = {};
  for (const rule of sorted) ruleProps[rule.id] = ruleSettingSchema(rule);
  // Both `rules` and `overrides[].rules` refer to one definition, so the generated validator holds
  // the rule settings once.
  const rulesSchema = (description: string): JsonSchema => ({ description, allOf: [{ $ref: '#/definitions/rules' }] });
  const dialect = (description: string): JsonSchema => ({ description, enum: [...DIALECTS] });
  const globs = (description: string): JsonSchema => ({ description, type: 'array', items: { type: 'string' } });

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/migralint/migralint/blob/main/policies/migralint.schema.json',
    $comment: 'Generated by scripts/gen.ts from the rule registry. Do not edit; run `npm run gen`.',
    title: 'migralint configuration',
    type: 'object',
    definitions: {
      severity: { description: DESCRIPTIONS.severity, enum: [...SEVERITIES] },
      rules: { type: 'object', properties: ruleProps, additionalProperties: false },
    },
    properties: {
      $schema: { description: DESCRIPTIONS.$schema, type: 'string' },
      extends: {
        description: DESCRIPTIONS.extends,
        anyOf: [
          { type: 'string', examples: ['recommended', 'strict', './migralint.base.json'] },
          { type: 'array', items: { type: 'string' } },
        ],
      },
      paths: globs(DESCRIPTIONS.paths),
      ignorePatterns: globs(DESCRIPTIONS.ignorePatterns),
      lockfile: { description: DESCRIPTIONS.lockfile, type: 'string' },
      dialect: dialect(DESCRIPTIONS.dialect),
      postgresVersion: { description: DESCRIPTIONS.postgresVersion, type: 'integer', minimum: 9, maximum: 99 },
      maxFileSize: { description: DESCRIPTIONS.maxFileSize, type: 'number', minimum: 0 },
      runner: {
        description: DESCRIPTIONS.runner,
        type: 'object',
        properties: {
          lockTimeout: { description: 'lock_timeout of the runner connection, e.g. "5s".', type: 'string', minLength: 1 },
          statementTimeout: { description: 'statement_timeout of the runner connection, e.g. "15min".', type: 'string', minLength: 1 },
          timeZone: { description: 'TimeZone of the runner connection, e.g. "UTC" (then timestamp -> timestamptz needs no rewrite on PostgreSQL 12+).', type: 'string', minLength: 1 },
        },
        additionalProperties: false,
      },
      downgrades: { description: DESCRIPTIONS.downgrades, enum: [...DOWNGRADE_POLICIES] },
      snapshot: { description: DESCRIPTIONS.snapshot, type: 'string', minLength: 1 },
      sizes: {
        description: DESCRIPTIONS.sizes,
        type: 'object',
        properties: {
          small: { description: 'Rows below which a lock finding is info. Default: 10000.', type: 'integer', minimum: 0 },
          large: { description: 'Rows from which a lock finding is an error. Default: 1000000.', type: 'integer', minimum: 0 },
          largeBytes: { description: 'Total bytes (table, indexes, TOAST) from which a lock finding is an error. Default: 1073741824 (1 GB).', type: 'integer', minimum: 0 },
        },
        additionalProperties: false,
      },
      foreignIgnores: { description: DESCRIPTIONS.foreignIgnores, type: 'boolean' },
      cache: { description: DESCRIPTIONS.cache, type: 'boolean' },
      directories: {
        description: DESCRIPTIONS.directories,
        type: 'object',
        additionalProperties: {
          description: DESCRIPTIONS.directory,
          type: 'object',
          properties: {
            framework: { description: DESCRIPTIONS.framework, enum: [...frameworks] },
            dialect: dialect(DESCRIPTIONS.directoryDialect),
            startAfter: { description: DESCRIPTIONS.directoryStartAfter, type: 'string' },
          },
          additionalProperties: false,
        },
      },
      startAfter: { description: DESCRIPTIONS.startAfter, type: 'string' },
      rules: rulesSchema(DESCRIPTIONS.rules),
      overrides: {
        description: DESCRIPTIONS.overrides,
        type: 'array',
        items: {
          description: DESCRIPTIONS.override,
          type: 'object',
          properties: {
            files: { ...globs(DESCRIPTIONS.overrideFiles), minItems: 1 },
            rules: rulesSchema(DESCRIPTIONS.overrideRules),
            dialect: dialect(DESCRIPTIONS.overrideDialect),
          },
          required: ['files'],
          additionalProperties: false,
        },
      },
      waivers: {
        description: DESCRIPTIONS.waivers,
        type: 'array',
        items: {
          description: DESCRIPTIONS.waiver,
          type: 'object',
          properties: {
            rule: { description: DESCRIPTIONS.waiverRule, type: 'string' },
            migration: { description: DESCRIPTIONS.waiverMigration, type: 'string' },
            reason: { description: DESCRIPTIONS.waiverReason, type: 'string' },
            owner: { description: DESCRIPTIONS.waiverOwner, type: 'string' },
            expires: { description: DESCRIPTIONS.waiverExpires, type: 'string', examples: ['2026-12-31'] },
          },
          required: ['rule', 'migration', 'reason', 'owner', 'expires'],
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  };
}

/** `severity | [severity] | [severity, options]`; the last only for rules with an options schema. */
function ruleSettingSchema(rule: RuleForSchema): JsonSchema {
  const severity = { $ref: '#/definitions/severity' };
  const alternatives: JsonSchema[] = [
    severity,
    { type: 'array', items: [severity], minItems: 1, maxItems: 1 },
  ];
  if (rule.meta.schema) {
    alternatives.push({ type: 'array', items: [severity, closeOptions(rule.meta.schema)], minItems: 2, maxItems: 2 });
  }
  return { description: rule.meta.description, oneOf: alternatives };
}

/** Rule options objects reject unknown keys even when the rule's schema forgot to say so. */
function closeOptions(schema: JsonSchema): JsonSchema {
  if (schema['type'] === 'object' && !('additionalProperties' in schema)) {
    return { ...schema, additionalProperties: false };
  }
  return schema;
}
