// `migralint trace`: fixture projects traced on PGlite (and once on a throwaway server), what the
// trace records per statement, how findings are judged, --stairway, --rows, the template cache.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResultCache } from '../src/cache/index.js';
import { loadConfig } from '../src/config/index.js';
import { classify } from '../src/trace/classify.js';
import { openPGliteTrace, openPostgresTrace } from '../src/trace/db.js';
import { readTemplate, writeTemplate, type Template } from '../src/trace/template.js';
import { runTrace, type TraceOptions, type TracedStatement, type TraceResult } from '../src/trace/run.js';
import type { StatementTrace } from '../src/trace/tracer.js';
import type { Finding } from '../src/rule-api/index.js';
import { startPostgres } from './helpers/postgres.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');
const fixture = (p: string) => path.join(root, 'fixtures', p);
// One cache for the file: every whole-project trace shares the empty history's template.
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'migralint-trace-cache-'));

async function trace(dir: string, extra: Partial<TraceOptions> = {}): Promise<TraceResult> {
  const config = await loadConfig({ cwd: dir });
  return runTrace({ cwd: dir, paths: [dir], config, cacheDir, ...extra });
}

function statement(r: TraceResult, file: string, line: number, direction = 'upgrade'): TracedStatement {
  for (const m of r.migrations) {
    for (const b of m.bodies) {
      if (b.direction !== direction) continue;
      const s = b.statements.find((x) => x.statement.file.endsWith(file) && x.statement.loc.line === line);
      if (s) return s;
    }
  }
  throw new Error(`no ${direction} statement at ${file}:${line}`);
}

test('SET NOT NULL on an existing table: ACCESS EXCLUSIVE, a full scan, the set-not-null finding confirmed', async () => {
  const r = await trace(fixture('sql/set-not-null'));
  const s = statement(r, '000002_customers_email_required.up.sql', 3);
  assert.is(s.status, 'ran');
  assert.equal(s.observed!.locks.filter((l) => l.existed), [{ relation: 'customers', kind: 'table', mode: 'ACCESS EXCLUSIVE', existed: true }]);
  assert.equal(s.observed!.scanned, ['customers']);
  assert.equal(s.observed!.rewritten, []);
  assert.is(s.observed!.lockTimeout, '5s');
  assert.is(s.heldFor, 0);
  assert.equal(s.verdicts.map((v) => [v.verdict, v.finding?.ruleId]), [['confirmed', 'set-not-null']]);
  assert.equal(r.findings, []);
});

test('a type change rewrites the table (new relfilenode); locks are held until the commit', async () => {
  const r = await trace(fixture('sql/changing-column-type'));
  const first = statement(r, '20240310141500_accounts_id_bigint.sql', 4);
  assert.ok(first.observed!.rewritten.includes('accounts'));
  assert.is(first.heldFor, 1, 'one more statement runs before the commit');
  assert.ok(first.verdicts.some((v) => v.verdict === 'confirmed' && v.finding?.ruleId === 'changing-column-type'));
});

test('Alembic operations are rendered and traced', async () => {
  const r = await trace(fixture('alembic/set-not-null'));
  const s = r.migrations.flatMap((m) => m.bodies).flatMap((b) => b.statements).find((x) => x.statement.sql?.includes('SET NOT NULL'));
  assert.ok(s, 'the alter_column is rendered');
  assert.is(s!.status, 'ran');
  assert.ok(s!.observed!.scanned.includes('customers'));
  assert.equal(s!.verdicts.map((v) => v.verdict), ['confirmed']);
});

test('directories of another database are said to be not traced, not dropped silently', async () => {
  const r = await trace(fixture('sql/dialect-issue10'));
  assert.equal(r.skipped.map((x) => [x.dialect, x.migrations]).sort(), [['h2', 1], ['mysql', 1]]);
  assert.ok(r.migrations.length > 0, 'the PostgreSQL directory is traced');
});

test('--stairway: a downgrade that does not restore the schema is a finding, with what differs', async () => {
  const r = await trace(fixture('sql/stairway-not-restoring'), { stairway: true });
  assert.equal(r.findings.map((f) => [f.ruleId, path.basename(f.file)]), [['downgrade-not-restoring', '20240602090000_accounts_plan_check.sql']]);
  const m = r.migrations.find((x) => x.migration.file.endsWith('accounts_plan_check.sql'))!;
  assert.equal(m.restored, {
    missing: [`public.accounts column plan text NOT NULL DEFAULT 'free'::text`],
    extra: [`public.accounts column plan text NOT NULL DEFAULT 'basic'::text`],
  });
  assert.equal(m.bodies.map((b) => b.direction), ['upgrade', 'downgrade', 'upgrade again']);
  // The base migration's downgrade restores it.
  assert.equal(r.migrations[0]!.restored, { missing: [], extra: [] });
});

test('a statement that fails on the replayed schema is migration-fails, at PostgreSQL\'s position', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-trace-fails-'));
  try {
    const mig = path.join(dir, 'migrations');
    mkdirSync(mig);
    writeFileSync(path.join(mig, '000001_users.up.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n');
    writeFileSync(path.join(mig, '000001_users.down.sql'), 'DROP TABLE users;\n');
    writeFileSync(path.join(mig, '000002_fill.up.sql'), "SET lock_timeout = '2s';\nUPDATE users\n   SET name = lower(email)\n WHERE id > 0;\n");
    writeFileSync(path.join(mig, '000002_fill.down.sql'), 'SELECT 1;\n');
    const r = await trace(dir);
    assert.is(r.findings.length, 1);
    const f = r.findings[0]!;
    assert.is(f.ruleId, 'migration-fails');
    assert.is(path.basename(f.file), '000002_fill.up.sql');
    assert.equal([f.line, f.column], [3, 21]);
    assert.match(f.message, 'column "email" does not exist (SQLSTATE 42703)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--rows fills a table once it exists; a NOT NULL column without default then fails', async () => {
  const r = await trace(fixture('sql/add-not-null-column'), { rows: new Map([['accounts', 50]]) });
  assert.equal(r.rowsFilled, [{ table: 'accounts', rows: 50 }]);
  const fails = r.findings.filter((f) => f.ruleId === 'migration-fails');
  // ADD COLUMN ... NOT NULL with no default, and SET NOT NULL with no backfill: both meet rows now.
  assert.equal(
    fails.map((f) => [path.basename(path.dirname(f.file)), f.line]),
    [
      ['2024-05-14-093000_add_accounts_tier', 3],
      ['2024-05-20-110000_add_accounts_region', 4],
    ],
  );
  assert.match(fails[0]!.message, 'contains null values');
  const empty = await trace(fixture('sql/add-not-null-column'));
  assert.equal(empty.findings, [], 'on empty tables the same migration runs');
});

test('the template database is cached by history: the second run loads it', async () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'migralint-trace-own-cache-'));
  try {
    const dir = fixture('sql/set-not-null');
    const config = await loadConfig({ cwd: dir });
    const target = path.join(dir, 'migrations', '000002_customers_email_required.up.sql');
    const first = await runTrace({ cwd: dir, paths: [target], config, cacheDir: own });
    assert.is(first.template, 'built');
    assert.is(first.history.migrations, 1);
    assert.is(readdirSync(own).length, 2, 'a template for the history, and one for the empty database it started from');
    const second = await runTrace({ cwd: dir, paths: [target], config, cacheDir: own });
    assert.is(second.template, 'cached');
    assert.equal(second.migrations.length, 1);
    const s = statement(second, '000002_customers_email_required.up.sql', 3);
    assert.equal(s.observed!.scanned, ['customers'], 'the cached history has the table');
    // The cold run traced on the database the warm run starts from: the same observations.
    const observed = (r: TraceResult) => JSON.stringify(r.migrations.map((m) => m.bodies.map((b) => b.statements.map((x) => [x.status, x.observed && { ...x.observed, ms: 0 }, x.verdicts.map((v) => v.verdict)]))));
    assert.is(observed(second), observed(first));

    // The template was taken after a clean shutdown and a WAL switch: the history's WAL is not in it.
    const file = readdirSync(own)
      .map((e) => path.join(own, e, 'data.template'))
      .sort((a, b) => readTemplate(b)!.header.files.length - readTemplate(a)!.header.files.length)[0]!;
    const t = readTemplate(file)!;
    assert.ok(t, 'the template reads back');
    const wal = t.header.files.filter(([name]) => name.startsWith('pg_wal/') && !name.includes('archive_status'));
    assert.is(wal.length, 1, 'one WAL segment');
    assert.is(wal[0]![1], 16 * 1024 * 1024);
    assert.ok(wal[0]![2] < 64 * 1024, `the segment is stored without its zeros (${wal[0]![2]} bytes)`);
    assert.ok(t.header.files.some(([name]) => name.endsWith('pg_internal.init')), 'the relation cache init files survive the shutdown');

    // A damaged template is a miss: the history is replayed and the template written again.
    writeFileSync(file, 'MGLT not a template');
    const third = await runTrace({ cwd: dir, paths: [target], config, cacheDir: own });
    assert.is(third.template, 'built');
    assert.is(observed(third), observed(first));
    assert.ok(readTemplate(file), 'rewritten');
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('an empty history keeps initdb\'s database as its template, without a restart, and loads it next time', async () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'migralint-trace-initdb-cache-'));
  try {
    const dir = fixture('sql/set-not-null');
    const first = await trace(dir, { cacheDir: own });
    assert.is(first.template, 'built');
    assert.is(first.history.migrations, 0);
    assert.is(readdirSync(own).length, 1);
    const second = await trace(dir, { cacheDir: own });
    assert.is(second.template, 'cached');
    const observed = (r: TraceResult) => JSON.stringify(r.migrations.map((m) => m.bodies.map((b) => b.statements.map((x) => [x.status, x.observed && { ...x.observed, ms: 0 }]))));
    assert.is(observed(second), observed(first));
    const none = await trace(dir, { cacheDir: null });
    assert.is(none.template, 'not cached');
    assert.is(observed(none), observed(first));
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('a history with no template starts from the cached empty database instead of initdb', async () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'migralint-trace-empty-cache-'));
  try {
    const dir = fixture('sql/set-not-null');
    const config = await loadConfig({ cwd: dir });
    const target = path.join(dir, 'migrations', '000002_customers_email_required.up.sql');
    const rows = new Map([['marker_of_the_empty_template', 1]]);
    const first = await runTrace({ cwd: dir, paths: [target], config, cacheDir: own, rows });
    assert.is(first.template, 'built');
    assert.equal(first.rowsFilled, [{ table: 'marker_of_the_empty_template', rows: 0, error: 'no such table in the traced schema' }]);
    const entries = readdirSync(own);
    assert.is(entries.length, 2, 'the empty database and the history each have a template');
    // The empty database has fewer files than the one with customers (its table, index, sequence).
    const [emptyFile, historyFile] = entries
      .map((e) => path.join(own, e, 'data.template'))
      .sort((a, b) => readTemplate(a)!.header.files.length - readTemplate(b)!.header.files.length) as [string, string];
    // Mark the empty database's template with a table, drop the history's: the next run shows which it started from.
    const db = await openPGliteTrace(readTemplate(emptyFile));
    const marked = (await db.run('CREATE TABLE marker_of_the_empty_template (id int)')) ?? (await db.closeAsTemplate!());
    assert.ok(!('message' in marked), 'the marker table is created');
    rmSync(historyFile);
    writeTemplate(marked as Template, emptyFile);
    const second = await runTrace({ cwd: dir, paths: [target], config, cacheDir: own, rows });
    assert.is(second.template, 'built');
    assert.equal(second.rowsFilled, [{ table: 'marker_of_the_empty_template', rows: 1 }], 'the history was replayed on the empty template');
    assert.ok(readTemplate(historyFile), 'and the history template written again');
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('a trace reads through the lint cache: the second run parses nothing and meets the same template', async () => {
  const own = mkdtempSync(path.join(os.tmpdir(), 'migralint-trace-read-cache-'));
  try {
    const dir = fixture('alembic/project');
    const config = await loadConfig({ cwd: dir });
    const opts = { cwd: dir, paths: [dir], config, cacheDir: path.join(own, 'trace') };
    const firstCache = new ResultCache(path.join(own, 'read'), 'test salt');
    const first = await runTrace({ ...opts, cache: firstCache });
    assert.ok(firstCache.stats.misses > 0, 'the first run reads the files');
    assert.is(firstCache.stats.hits, 0);
    const secondCache = new ResultCache(path.join(own, 'read'), 'test salt');
    const second = await runTrace({ ...opts, cache: secondCache });
    assert.is(secondCache.stats.misses, 0, 'the second run parses nothing');
    assert.ok(secondCache.stats.hits > 0);
    const uncached = await runTrace(opts);
    // What was read from the cache renders the same statements: same findings, same traces.
    const shape = (r: TraceResult) =>
      JSON.stringify({
        staticFindings: r.staticFindings.map((f) => [f.ruleId, f.file, f.line]),
        traced: r.migrations.map((m) => m.bodies.map((b) => b.statements.map((st) => [st.statement.sql, st.status, st.observed?.locks, st.verdicts.map((v) => v.verdict)]))),
        history: r.history,
      });
    assert.is(shape(second), shape(first));
    assert.is(shape(uncached), shape(first));
    assert.ok(second.migrations.length > 0);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

function fakeTrace(observed: Partial<NonNullable<StatementTrace['observed']>>, ops: StatementTrace['statement']['ops'] = []): StatementTrace {
  return {
    statement: { sql: 'ALTER TABLE t ...', file: '/x.sql', loc: { line: 1, column: 1, endLine: 1, endColumn: 10 }, ops },
    status: 'ran',
    observed: { locks: [{ relation: 't', kind: 'table', mode: 'ACCESS EXCLUSIVE', existed: true }], held: [], rewritten: [], scanned: [], lockTimeout: '0', ms: 1, ...observed },
  };
}

function finding(ruleId: string, messageId: string): Finding {
  return { ruleId, messageId, severity: 'error', file: '/x.sql', line: 1, column: 1, endLine: 1, endColumn: 10, message: '', migration: null };
}

test('classify: a claimed rewrite that did not happen is a mismatch; an unclaimed rewrite is trace-only', () => {
  const noRewrite = classify(fakeTrace({}), [finding('changing-column-type', 'typeChange')]);
  assert.equal(noRewrite.map((v) => [v.verdict, v.severity]), [['mismatch', 'error']]);
  assert.match(noRewrite[0]!.reason, 'claims a rewrite, PostgreSQL rewrote nothing');
  const unclaimed = classify(fakeTrace({ rewritten: ['t'] }), []);
  assert.equal(unclaimed.map((v) => [v.verdict, v.severity]), [['trace-only', 'error']]);
  const otherFinding = classify(fakeTrace({ rewritten: ['t'] }), [finding('drop-column', 'x')]);
  assert.equal(otherFinding.map((v) => v.verdict), ['confirmed', 'mismatch']);
  const weakerLock = classify(fakeTrace({ locks: [{ relation: 't', kind: 'table', mode: 'SHARE UPDATE EXCLUSIVE', existed: true }] }), [finding('drop-column', 'x')]);
  assert.equal(weakerLock.map((v) => v.verdict), ['mismatch']);
  const naming = classify(fakeTrace({}), [finding('prefer-text', 'x')]);
  // A finding on the statement: the lock is not "unreported", even if the rule is about something else.
  assert.equal(naming.map((v) => v.verdict), ['static-only']);
  const unreported = classify(fakeTrace({}), []);
  assert.equal(unreported.map((v) => [v.verdict, v.severity]), [['trace-only', 'warn']]);
  const withTimeout = classify(fakeTrace({ lockTimeout: '5s' }), []);
  assert.equal(withTimeout, []);
});

test('CLI: exit 1 on a failing downgrade check, 2 on bad --rows; json output', () => {
  const env = { ...process.env, NO_COLOR: '1' };
  const stair = spawnSync(process.execPath, [bin, 'trace', '--stairway', '--format', 'json', fixture('sql/stairway-not-restoring')], { cwd: root, encoding: 'utf8', env });
  assert.is(stair.status, 1, stair.stderr);
  const json = JSON.parse(stair.stdout) as { findings: { ruleId: string }[]; summary: { ran: number } };
  assert.equal(json.findings.map((f) => f.ruleId), ['downgrade-not-restoring']);
  assert.is(json.summary.ran, 12);
  const bad = spawnSync(process.execPath, [bin, 'trace', '--rows', 'accounts', fixture('sql/set-not-null')], { cwd: root, encoding: 'utf8', env });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--rows takes table=N');
  const unreachable = spawnSync(process.execPath, [bin, 'trace', '--database-url', 'postgres://nobody@127.0.0.1:1/x', fixture('sql/set-not-null')], { cwd: root, encoding: 'utf8', env });
  assert.is(unreachable.status, 2);
  assert.match(unreachable.stderr, 'nothing was traced');
});

test('--database-url: the same locks on PostgreSQL, and nothing is left behind (rolled back)', async () => {
  const server = await startPostgres();
  try {
    const db = await openPostgresTrace(server.url(), 'check');
    const customers = async () => (await db.rows<{ t: string | null }>(`SELECT to_regclass('customers')::text AS t`))[0]!.t;
    const r = await trace(fixture('sql/set-not-null'), { databaseUrl: server.url() });
    assert.is(r.database.kind, 'postgres');
    const s = statement(r, '000002_customers_email_required.up.sql', 3);
    // One transaction for the whole trace: the ACCESS EXCLUSIVE lock CREATE TABLE took is still held.
    assert.equal(s.observed!.held.map((l) => [l.relation, l.mode]), [['customers', 'ACCESS EXCLUSIVE']]);
    assert.equal(s.observed!.scanned, ['customers']);
    assert.equal(s.verdicts.map((v) => v.verdict), ['confirmed']);
    assert.is(await customers(), null, 'rolled back');
    // --commit: each migration commits as the runner would; the lock is taken by the statement itself.
    const c = await trace(fixture('sql/set-not-null'), { databaseUrl: server.url(), commit: true });
    const sc = statement(c, '000002_customers_email_required.up.sql', 3);
    assert.equal(sc.observed!.locks.filter((l) => l.existed).map((l) => [l.relation, l.mode]), [['customers', 'ACCESS EXCLUSIVE']]);
    assert.is(await customers(), 'customers', 'committed');
    await db.close();
  } finally {
    await server.stop();
  }
});

test.after(() => {
  if (existsSync(cacheDir)) rmSync(cacheDir, { recursive: true, force: true });
});

test.run();
