// Compares migralint with squawk (squawk-cli, installed on first use by scripts/tools.mjs) on every SQL fixture project in
// fixtures/sql/<case>/: for each squawk finding of a rule that overlaps one of migralint's, migralint
// must report the mapped rule in the same file, on squawk's line (squawk's JSON lines are 0-based:
// line + 1) or on a finding that spans it (a multi-line statement reported from its first line).
// A squawk finding migralint does not mirror must be listed, with the reason, in DIFFERENCES
// (deliberate) or KNOWN_GAPS (a migralint gap, reported); an entry that no longer matches a squawk
// finding fails too, so the lists stay exact. The comparison runs one way: findings migralint has
// and squawk lacks are the fixtures' business (expected.json). The last test checks that something
// was compared: enough up files, matched findings and distinct squawk rules.
//
// How squawk is run:
// - once per case directory and transaction mode (at most twice per case), with every up part of
//   the case in that mode: `--reporter json --pg-version <postgresVersion>` and
//   `--assume-in-transaction` for migrations the runner wraps in a transaction (migralint's
//   transaction model of the layout: goose without NO TRANSACTION, dbmate without
//   transaction:false, Flyway unless the script holds CONCURRENTLY or its .conf says
//   executeInTransaction=false, Diesel unless metadata.toml says run_in_transaction = false,
//   golang-migrate files of several statements, popx, Prisma), `--no-assume-in-transaction` for
//   the others;
// - PostgreSQL migrations only: a directory of another dialect (db/mysql/, h2/) is not read as PostgreSQL by migralint;
// - up parts only: the up file of a two-file layout (V…, .up.sql, Diesel's up.sql,
//   migration.sql). For the one-file layouts (goose, dbmate, sql-migrate) squawk gets a temporary copy of the
//   file in which every line of the down section (from its `-- +goose Down` / `-- migrate:down`
//   marker to the next up marker or the end) is blanked, so the up section keeps its line numbers;
// - PostgreSQL migrations only: a case whose migrations are all SQLite or MySQL is not compared;
// - migralint lints the case directory in-process, with the case's config and every rule of the
//   mapping switched on (the prefer-* rules are off in the recommended preset, squawk's are on).
//
// squawk rules with no migralint counterpart, ignored here: ban-alter-domain-with-add-constraint,
// ban-char-field, ban-create-domain-with-constraint, ban-drop-database, ban-drop-not-null,
// ban-duplicate-column-assignments, ban-truncate-cascade, ban-uncommitted-transaction,
// identifier-too-long, prefer-repack, prefer-robust-stmts, require-concurrent-partition-detach,
// require-concurrent-reindex, require-enum-value-ordering, require-statement-timeout,
// require-table-schema (opt-in), require-timeout-settings (an alias of the two timeout rules),
// unused-ignore (squawk's own ignore comments).
//
// SQUAWK_REPORT=1 prints every squawk finding with how it was matched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ensureTool } from '../scripts/tools.mjs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { lint } from '../src/engine/run.js';
import { FOREIGN_TOOLS, mappedRules } from '../src/engine/foreign-ignores.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sql');
const report = process.env.SQUAWK_REPORT === '1';

/** squawk rule → the migralint rules that report the same hazard (the table inline ignores use too). */
const MAPPING: Record<string, string[]> = mappedRules('squawk');

const WHY = {
  lockTimeoutNewTable:
    'require-lock-timeout: the statement locks only tables created earlier in the same migration (CREATE INDEX on them, a REFERENCES to them, ADD COLUMN to them); nobody else uses them yet, so nothing queues behind the lock',
  lockTimeoutCreateIndex:
    'require-lock-timeout: plain CREATE INDEX takes a SHARE lock (reads go on); migralint leaves it to require-concurrent-index and, by default, out of require-lock-timeout (minimumLock SHARE ROW EXCLUSIVE; set it to SHARE to match squawk)',
  lockTimeoutWeakLock:
    'require-lock-timeout: CREATE/DROP INDEX CONCURRENTLY, VALIDATE CONSTRAINT and COMMENT ON take SHARE UPDATE EXCLUSIVE, which conflicts with no read or write, so nothing queues behind it (below the minimumLock SHARE ROW EXCLUSIVE)',
  lockTimeoutNoTable:
    'require-lock-timeout: CREATE FUNCTION, CREATE TYPE and CREATE [OR REPLACE] VIEW lock no existing table (a view takes ACCESS SHARE on the tables it reads; replacing an existing view locks only that view)',
  safeTypeChange:
    'changing-column-type: PostgreSQL changes varchar(n) to a longer varchar, varchar to text and numeric(p,s) to a larger precision with the same scale without rewriting or rescanning the table',
  utcTimestampChange:
    'changing-column-type: with the session time zone set to UTC earlier in the migration, PostgreSQL 12+ changes timestamp to timestamptz (and back) without rewriting the table',
  migralintIgnore: 'an inline `migralint: ignore[...]` comment above the statement silences the finding (squawk has its own ignore comments)',
  notNullNewTable:
    'add-not-null-column: the table was created earlier in the same migration and is empty, so a NOT NULL column needs no default',
  serialHasDefault:
    'add-not-null-column: a serial column has a nextval() default, so existing rows do get a value; migralint reports the per-row rewrite under volatile-default (matched there)',
  setNotNullAddedColumn:
    'set-not-null: the column was added earlier in the same migration, so its NOT NULL is add-not-null-column\'s (setNotNullWithoutBackfill, on this line)',
  validatedCheck:
    'set-not-null: CHECK (email IS NOT NULL) was added NOT VALID and validated by earlier migrations (squawk reads each file alone), so PostgreSQL 12+ skips the scan',
  notValidUniqueOrPk:
    'constraint-not-valid: UNIQUE and PRIMARY KEY constraints cannot be added NOT VALID (only FOREIGN KEY and CHECK can); migralint reports these statements under unique-constraint-without-index (matched there)',
  newTableRename: 'rename-column: the table was created earlier in the same migration; no running code uses its columns yet',
  viewKeepsOldName:
    'rename-table: a view under the old name is created in the same migration, so queries of the release still running keep working',
  template:
    'sql-syntax-error: Go templates and Flyway placeholders are filled in before the SQL runs; migralint reads each hole as a name, squawk cannot parse them (and then reports nothing else for the file)',
} as const;

/** 1-based line(s) of a file, its path relative to fixtures/sql. */
interface Difference {
  squawk: string;
  file: string;
  line: number | number[];
  reason: string;
}

/** Deliberate differences: squawk reports it, migralint does not, on purpose. */
const DIFFERENCES: Difference[] = [
  { squawk: 'ban-drop-table', file: 'clause-positions-issue10-ok/db/migrations/20240201000000_accounts_plan.sql', line: 9, reason: WHY.migralintIgnore },
  // require-lock-timeout
  { squawk: 'require-lock-timeout', file: 'lock-model-issue10/db/migrations/20240101000000_create_accounts.sql', line: 4, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'lock-model-issue10-ok/db/migrations/20240101000000_create_accounts.sql', line: 4, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'lock-model-issue10-ok/db/migrations/20240202000000_create_ledger.sql', line: 4, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'add-not-null-column-ok/migrations/2024-02-01-080000_create_accounts/up.sql', line: 6, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'constraint-not-valid-ok/db/migration/V1__create_customers_and_orders.sql', line: 7, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'drop-table-ok/migrations/000002_create_audit_log.up.sql', line: 8, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'downgrades-ignored/migrations/000003_create_plans.up.sql', line: 3, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'downgrades-judged/migrations/000003_create_plans.up.sql', line: 3, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'layout-dbmate/db/migrations/20230101000000_create_users.sql', line: 7, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'layout-flyway/src/main/resources/db/migration/V1_1__initial.sql', line: 10, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'layout-golang-migrate/db/migrations/000001_create_users_and_posts.up.sql', line: 8, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'layout-popx/persistence/sql/migrations/20210410175418000000_identities.postgres.up.sql', line: 9, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'layout-prisma/prisma/migrations/20231201000000_init/migration.sql', line: 21, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'require-concurrent-index-drop/db/migrations/20240110080000_create_events.sql', line: 8, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'require-concurrent-index-drop-ok/db/migrations/20240110080000_create_events.sql', line: 8, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'require-concurrent-index-ok/migrations/000001_create_invoices.up.sql', line: 9, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'require-lock-timeout-ok/db/migrations/20240103080000_create_orders.sql', line: 7, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'volatile-default/prisma/migrations/20240101000000_init/migration.sql', line: 12, reason: WHY.lockTimeoutNewTable },
  { squawk: 'require-lock-timeout', file: 'layout-prisma/prisma/migrations/20240120000000_post_title_index/migration.sql', line: 3, reason: WHY.lockTimeoutCreateIndex },
  { squawk: 'require-lock-timeout', file: 'require-concurrent-index/migrations/000002_index_orders.up.sql', line: 2, reason: WHY.lockTimeoutCreateIndex },
  { squawk: 'require-lock-timeout', file: 'concurrent-index-in-transaction/db/migrations/20240212110000_index_sessions_user_id.sql', line: 3, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'concurrent-index-in-transaction-implicit/migrations/000002_index_sessions.up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'concurrent-index-in-transaction-ok/db/migrations/20240212110000_index_sessions.sql', line: 4, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'constraint-not-valid-ok/db/migration/V3__validate_refunds_order_fk.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'layout-dbmate/db/migrations/20230202000000_index_users_deleted_at.sql', line: 3, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'layout-diesel/migrations/2024-02-20-090000_index_crates_updated_at/up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'layout-flyway/src/main/resources/db/migration/V1_2__executions_state_index.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'layout-golang-migrate/db/migrations/000003_index_users_last_login_at.up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'layout-goose/sql/migrations/20240301000000_step_runs_workflow_run_index.sql', line: 4, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'layout-popx/persistence/sql/migrations/20210817181232000001_identities_state_idx.postgres.autocommit.up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'require-concurrent-index-drop-ok/db/migrations/20240320150000_drop_events_kind_idx.sql', line: 3, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'require-concurrent-index-ok/migrations/000002_index_invoices_due_at.up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'set-not-null-ok/migrations/000003_validate_customers_email_check.up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'sql-syntax-error/migrations/000003_comment_accounts_status.up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'unique-constraint-without-index-ok/migrations/2024-03-02-085900_users_email_unique_index/up.sql', line: 2, reason: WHY.lockTimeoutWeakLock },
  { squawk: 'require-lock-timeout', file: 'duplicate-revision-ok/db/migration/R__account_summary_view.sql', line: 2, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'layout-diesel/migrations/00000000000000_diesel_initial_setup/up.sql', line: 6, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'layout-flyway/src/main/resources/db/migration/R__flow_views.sql', line: 2, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'layout-goose/sql/migrations/20240115000000_init.sql', line: 3, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'transaction-nesting-ok/db/migration/V2__create_normalize_email.sql', line: 2, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'sql-migrate/db/migrations/1_init.sql', line: 6, reason: WHY.lockTimeoutNoTable },
  { squawk: 'require-lock-timeout', file: 'sql-migrate/db/migrations/2_people_name_index.sql', line: 3, reason: WHY.lockTimeoutWeakLock },
  // column and constraint rules
  { squawk: 'changing-column-type', file: 'changing-column-type-ok/db/migrations/20240310141500_widen_account_columns.sql', line: [4, 5, 6], reason: WHY.safeTypeChange },
  { squawk: 'changing-column-type', file: 'timezone-issue10-ok/db/migrations/20240201000000_events_timestamptz.sql', line: 5, reason: WHY.utcTimestampChange },
  { squawk: 'changing-column-type', file: 'timezone-issue10-ok/db/migrations/20240202000000_events_seen_at_local.sql', line: 5, reason: WHY.utcTimestampChange },
  { squawk: 'adding-required-field', file: 'add-not-null-column-ok/migrations/2024-02-01-080000_create_accounts/up.sql', line: 6, reason: WHY.notNullNewTable },
  { squawk: 'adding-required-field', file: 'volatile-default/prisma/migrations/20240215093000_user_public_id/migration.sql', line: 8, reason: WHY.serialHasDefault },
  { squawk: 'adding-not-nullable-field', file: 'add-not-null-column/migrations/2024-05-20-110000_add_accounts_region/up.sql', line: 4, reason: WHY.setNotNullAddedColumn },
  { squawk: 'adding-not-nullable-field', file: 'set-not-null-ok/migrations/000004_customers_email_not_null.up.sql', line: 3, reason: WHY.validatedCheck },
  { squawk: 'constraint-missing-not-valid', file: 'unique-constraint-without-index/migrations/2024-03-02-090000_users_email_unique/up.sql', line: [3, 4], reason: WHY.notValidUniqueOrPk },
  { squawk: 'renaming-column', file: 'rename-column-ok/db/migration/V3__create_invoices.sql', line: 7, reason: WHY.newTableRename },
  { squawk: 'renaming-table', file: 'rename-table-ok/db/migrations/20240415120000_rename_block.sql', line: 4, reason: WHY.viewKeepsOldName },
  // templates
  { squawk: 'syntax-error', file: 'holes-go-template/migrations/20210710035447_create_identities.up.sql', line: [2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18], reason: WHY.template },
  { squawk: 'syntax-error', file: 'holes-go-template/migrations/20210927181326_add_users_phone.up.sql', line: [3, 4], reason: WHY.template },
  { squawk: 'syntax-error', file: 'holes-flyway-placeholder/db/migration/V1__create_accounts.sql', line: [2, 3, 4, 5, 6, 7, 8], reason: WHY.template },
  { squawk: 'syntax-error', file: 'holes-flyway-placeholder/db/migration/V2__add_accounts_tier.sql', line: 3, reason: WHY.template },
];

/**
 * Differences that are not deliberate: gaps in migralint, reported to be fixed. When one is fixed
 * the fixture's expected.json changes and the entry goes stale (the last test says so).
 */
const KNOWN_GAPS: Difference[] = [];

// ---------------------------------------------------------------------------------------------

interface SquawkFinding {
  file: string;
  line: number;
  column: number;
  line_end?: number;
  rule_name: string;
  message: string;
}

interface LintFinding {
  rule: string;
  file: string;
  line: number;
  endLine: number;
}

/**
 * How to start squawk: its native binary when the platform package is installed (the npm wrapper
 * only spawns it; calling it directly saves a Node start per run), else the wrapper through Node.
 * squawk-cli is installed on first use into .cache/tools (see scripts/tools.mjs).
 */
function squawkCommand(): { command: string; prefix: string[] } {
  const require = createRequire(path.join(ensureTool('squawk'), 'package.json'));
  try {
    const { getBinaryPath } = require('squawk-cli/js/index.js') as { getBinaryPath: () => string };
    return { command: getBinaryPath(), prefix: [] };
  } catch {
    return { command: process.execPath, prefix: [require.resolve('squawk-cli/js/bin/squawk')] };
  }
}

const SQUAWK = squawkCommand();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'migralint-squawk-'));

/** Runs squawk; cwd is a temporary directory with no .squawk.toml above it, so only the flags count. */
function squawk(args: string[]) {
  const r = spawnSync(SQUAWK.command, [...SQUAWK.prefix, ...args], { cwd: tmp, encoding: 'utf8' });
  if (r.error) throw new Error(`could not run squawk (${SQUAWK.command}): ${r.error.message}`);
  return r;
}

function runSquawk(files: string[], inTransaction: boolean, pgVersion: number): SquawkFinding[] {
  const r = squawk(['--reporter', 'json', '--pg-version', `${pgVersion}.0`, inTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction', ...files]);
  // squawk exits 1 when it reports anything, 2 on a usage error.
  if (r.status !== 0 && r.status !== 1) throw new Error(`squawk exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SquawkFinding[];
}

const UP_MARKER = { goose: /^\s*--\s*\+goose\s+up\b/i, dbmate: /^\s*--\s*migrate:up\b/i, 'sql-migrate': /^\s*--\s*\+migrate\s+up\b/i };
const DOWN_MARKER = { goose: /^\s*--\s*\+goose\s+down\b/i, dbmate: /^\s*--\s*migrate:down\b/i, 'sql-migrate': /^\s*--\s*\+migrate\s+down\b/i };

/** The file with its down section blanked line by line (same line numbers for the up section). */
function upSectionOnly(text: string, framework: keyof typeof UP_MARKER): string {
  let inDown = false;
  return text
    .split('\n')
    .map((line) => {
      if (DOWN_MARKER[framework].test(line)) inDown = true;
      else if (UP_MARKER[framework].test(line)) inDown = false;
      return inDown ? '' : line;
    })
    .join('\n');
}

function cases(): string[] {
  return readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'expected.json')))
    .sort();
}

function linesOf(d: Difference): number[] {
  return Array.isArray(d.line) ? d.line : [d.line];
}

const usedDifferences = new Set<Difference>();
const totals = { squawk: 0, overlapping: 0, matched: 0, explained: 0, files: 0 };
const matchedRules = new Set<string>();

test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('squawk runs and knows every rule of the mapping', () => {
  const r = squawk(['--version']);
  assert.ok(r.status === 0 && /^squawk 2\./.test(r.stdout), `squawk --version: ${r.stdout}${r.stderr}`);
  // --include rejects an unknown rule name with exit code 2, so a misspelt mapping fails here.
  const empty = path.join(tmp, 'empty.sql');
  writeFileSync(empty, 'SELECT 1;\n');
  const check = squawk(['--reporter', 'json', `--include=${Object.keys(MAPPING).filter((rule) => rule !== 'syntax-error').join(',')}`, empty]);
  assert.is(check.status, 0, check.stderr);
  // Every id of the ignore table, mapped or not, is one squawk knows (syntax-error and unused-ignore
  // are names squawk reports but does not take in --include).
  const ids = Object.keys(FOREIGN_TOOLS.find((t) => t.tool === 'squawk')!.rules).filter((id) => id !== 'syntax-error' && id !== 'unused-ignore');
  const all = squawk(['--reporter', 'json', `--include=${ids.join(',')}`, empty]);
  assert.is(all.status, 0, all.stderr);
});

for (const name of cases()) {
  test(`squawk vs migralint: sql/${name}`, async () => {
    const dir = path.join(root, name);
    const config = await loadConfig({ cwd: dir });
    for (const rules of Object.values(MAPPING)) {
      for (const rule of rules) if (config.rules[rule]?.severity === 'off') config.rules[rule]!.severity = 'warn';
    }
    const result = await lint({ cwd: dir, paths: [], config });
    const rel = (file: string) => path.relative(dir, file).split(path.sep).join('/');
    // A finding an inline ignore silenced was still found (squawk does not read other tools' ignores).
    const ours: LintFinding[] = [...result.findings, ...result.suppressed.map((s) => s.finding)].map((f) => ({
      rule: f.ruleId,
      file: rel(f.file),
      line: f.line,
      endLine: f.endLine,
    }));

    // The up part of every migration, grouped by whether the runner wraps it in a transaction.
    const groups = new Map<boolean, string[]>();
    const given = new Map<string, string>(); // path given to squawk -> file relative to the case
    // squawk reads PostgreSQL only: SQLite and MySQL migrations have nothing to compare.
    const postgres = result.migrations.filter((m) => m.dialect === 'postgresql' || m.dialect === 'unknown');
    if (postgres.length === 0 && result.migrations.length > 0) return;
    for (const m of postgres) {
      if (m.upgrade.shape === 'missing') continue;
      let file = m.file;
      if (m.framework === 'goose' || m.framework === 'dbmate' || m.framework === 'sql-migrate') {
        file = path.join(tmp, name, rel(m.file));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, upSectionOnly(readFileSync(m.file, 'utf8'), m.framework));
      }
      given.set(file, rel(m.file));
      const inTx = m.transaction.mode !== 'none';
      groups.set(inTx, [...(groups.get(inTx) ?? []), file]);
    }
    assert.ok(given.size > 0 || result.migrations.some((m) => m.dialect !== 'postgresql'), `${name}: no up files`);
    totals.files += given.size;

    const problems: string[] = [];
    for (const [inTx, files] of groups) {
      for (const s of runSquawk(files, inTx, config.postgresVersion)) {
        totals.squawk++;
        const mapped = MAPPING[s.rule_name];
        const file = given.get(path.resolve(tmp, s.file)) ?? given.get(s.file);
        if (!file) throw new Error(`squawk reported a file it was not given: ${s.file}`);
        const line = s.line + 1;
        const where = `${name}/${file}:${line}`;
        if (!mapped) {
          if (report) console.log(`  ignored   ${s.rule_name} ${where}`);
          continue;
        }
        totals.overlapping++;
        const hit = ours.find((f) => mapped.includes(f.rule) && f.file === file && f.line <= line && line <= f.endLine);
        if (hit) {
          totals.matched++;
          matchedRules.add(s.rule_name);
          if (report) console.log(`  matched   ${s.rule_name} ${where} -> ${hit.rule} ${hit.line}`);
          continue;
        }
        const known = [...DIFFERENCES, ...KNOWN_GAPS].find((d) => d.squawk === s.rule_name && d.file === `${name}/${file}` && linesOf(d).includes(line));
        if (known) {
          totals.explained++;
          usedDifferences.add(known);
          if (report) console.log(`  explained ${s.rule_name} ${where}`);
          continue;
        }
        if (report) console.log(`  PROBLEM   ${s.rule_name} ${where}`);
        problems.push(`${where} squawk ${s.rule_name} (${s.message.slice(0, 80)}): migralint reports no ${mapped.join('/')} there`);
      }
    }
    assert.equal(problems, [], problems.join('\n'));
  });
}

test('the comparison compared something, and every listed difference still occurs', () => {
  if (report) console.log(`  totals ${JSON.stringify(totals)}; squawk rules matched: ${[...matchedRules].sort().join(', ')}`);
  // Guards against a vacuous pass (squawk found nothing, files not given, mapping broken).
  assert.ok(totals.files >= 100, `only ${totals.files} up files were given to squawk`);
  assert.ok(totals.matched >= 40, `only ${totals.matched} overlapping squawk findings were matched`);
  assert.ok(matchedRules.size >= 20, `only ${matchedRules.size} squawk rules were matched: ${[...matchedRules].sort().join(', ')}`);
  const stale = [...DIFFERENCES, ...KNOWN_GAPS].filter((d) => !usedDifferences.has(d)).map((d) => `${d.squawk} ${d.file}:${linesOf(d).join(',')}`);
  assert.equal(stale, [], `deliberate differences that no squawk finding uses any more:\n${stale.join('\n')}`);
});

test.run();
