// `migralint snapshot` and `lint --snapshot` against real databases: the shared throwaway
// PostgreSQL server (test/helpers/postgres.ts) and a PGlite directory. Tables are filled to known
// sizes (generate_series, then ANALYZE) so that the same migration is judged info on a small
// table and error on a large one; a table created by a pending migration is exempt.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parseSnapshot, redactName, renderSnapshot, SNAPSHOT_FORMAT, type Snapshot } from '../src/snapshot/format.js';
import { takeSnapshot } from '../src/snapshot/read.js';
import { openDatabase, DatabaseError, type Database } from '../src/verify/drivers.js';
import { sharedPostgres, type PostgresServer } from './helpers/postgres.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');
const temps: string[] = [];
let server: PostgresServer;

function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A golang-migrate project: 1 creates the tables (applied in production), 2-4 are pending. */
const MIGRATIONS: Record<string, string> = {
  '000001_init.up.sql': 'CREATE TABLE lookup (id int PRIMARY KEY, code text);\nCREATE TABLE events (id bigint PRIMARY KEY, kind text, payload text);\n',
  '000001_init.down.sql': 'DROP TABLE events;\nDROP TABLE lookup;\n',
  '000002_index_code.up.sql': 'CREATE INDEX lookup_code ON lookup (code);\nCREATE INDEX events_kind ON events (kind);\n',
  '000002_index_code.down.sql': 'DROP INDEX events_kind;\nDROP INDEX lookup_code;\n',
  '000003_create_audit.up.sql': 'CREATE TABLE audit (id bigint PRIMARY KEY, what text);\n',
  '000003_create_audit.down.sql': 'DROP TABLE audit;\n',
  '000004_audit_columns.up.sql': 'CREATE INDEX audit_what ON audit (what);\nALTER TABLE audit ADD COLUMN actor text NOT NULL;\n',
  '000004_audit_columns.down.sql': 'ALTER TABLE audit DROP COLUMN actor;\nDROP INDEX audit_what;\n',
};

/** Only the rules under test, at warn, with thresholds the test can reach quickly. */
const CONFIG = {
  extends: [],
  downgrades: 'ignore',
  sizes: { small: 1000, large: 20000 },
  rules: { 'require-concurrent-index': 'warn', 'add-not-null-column': 'warn' },
};

function writeProject(extra: Record<string, unknown> = {}): string {
  const dir = tmp('migralint-snapshot-project-');
  mkdirSync(path.join(dir, 'migrations'));
  for (const [name, text] of Object.entries(MIGRATIONS)) writeFileSync(path.join(dir, 'migrations', name), text);
  writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ ...CONFIG, ...extra }));
  return dir;
}

async function createDatabase(name: string): Promise<Database> {
  const admin = await openDatabase(server.url(), root);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  return openDatabase(server.url('postgres', name), root);
}

/** Production: migration 1 applied; lookup holds 40 rows, events 50,000. */
async function production(db: Database): Promise<void> {
  await db.query(MIGRATIONS['000001_init.up.sql']!);
  await db.query('CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)');
  await db.query('INSERT INTO schema_migrations VALUES (1, false)');
  await db.query("INSERT INTO lookup SELECT g, 'c' || g FROM generate_series(1, 40) g");
  await db.query("INSERT INTO events SELECT g, 'k' || (g % 7), repeat('x', 50) FROM generate_series(1, 50000) g");
  await db.query('ANALYZE');
}

type JsonFinding = { rule: string; severity: string; file: string; line: number; message: string; table?: { name: string; rows: number; bytes: number } };

async function lintJson(dir: string, extra: string[] = []): Promise<JsonFinding[]> {
  const r = await cli(['lint', 'migrations', '--format', 'json', ...extra], dir);
  assert.ok(r.code === 0 || r.code === 1, `lint exit ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

let snapshotFile = '';
let snapshotText = '';
let project = '';

test.before(async () => {
  server = await sharedPostgres();
  const db = await createDatabase('prod');
  try {
    await production(db);
  } finally {
    await db.close();
  }
  project = writeProject();
  const r = await cli(['snapshot', '--database-url', server.url('postgres', 'prod'), '--output', 'prod.snapshot.json'], project);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Wrote prod\.snapshot\.json: 3 tables/);
  snapshotFile = path.join(project, 'prod.snapshot.json');
  snapshotText = readFileSync(snapshotFile, 'utf8');
});

test.after(async () => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

test('the snapshot records tables with estimated rows, sizes, columns, indexes, constraints and the applied set', () => {
  const s = parseSnapshot(snapshotText, snapshotFile);
  assert.is(s.format, SNAPSHOT_FORMAT);
  assert.is(s.serverMajor, server.version);
  assert.equal(s.tables.map((t) => t.name), ['events', 'lookup', 'schema_migrations']);
  const events = s.tables[0]!;
  assert.is(events.rows, 50000);
  assert.ok(events.bytes > 50000 * 50, `events bytes ${events.bytes}`);
  assert.equal(events.columns, [
    { name: 'id', type: 'bigint', nullable: false, default: null },
    { name: 'kind', type: 'text', nullable: true, default: null },
    { name: 'payload', type: 'text', nullable: true, default: null },
  ]);
  assert.equal(events.indexes, [{ name: 'events_pkey', columns: ['id'], unique: true, valid: true, partial: false, method: 'btree' }]);
  assert.equal(events.constraints.map((c) => [c.name, c.kind, c.validated, c.columns]), [['events_pkey', 'primary_key', true, ['id']]]);
  assert.is(s.tables[1]!.rows, 40);
  assert.equal(s.applied, [{ kind: 'golang-migrate', table: 'schema_migrations', heads: ['1'], listed: [], failed: [] }]);
});

test('the snapshot file is deterministic and valid against policies/snapshot.schema.json', async () => {
  const again = await cli(['snapshot', '--database-url', server.url('postgres', 'prod'), '--output', '-'], project);
  assert.is(again.code, 0, again.stderr);
  assert.is(again.stdout, snapshotText);
  assert.is(renderSnapshot(JSON.parse(snapshotText) as Snapshot), snapshotText);
  const schema = JSON.parse(readFileSync(path.join(root, 'policies', 'snapshot.schema.json'), 'utf8'));
  const validate = new Ajv.default({ allErrors: true, strict: true }).compile(schema);
  assert.ok(validate(JSON.parse(snapshotText)), JSON.stringify(validate.errors));
  // The schema is not a stub: it refuses a table without its rows.
  const broken = JSON.parse(snapshotText);
  delete broken.tables[0].rows;
  assert.not.ok(validate(broken));
});

test('with the snapshot: info on the small table, error on the large one, sizes in message and JSON; new tables exempt', async () => {
  const findings = await lintJson(project, ['--snapshot', 'prod.snapshot.json']);
  const shown = findings.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}`);
  assert.equal(shown, [
    'require-concurrent-index info migrations/000002_index_code.up.sql:1',
    'require-concurrent-index error migrations/000002_index_code.up.sql:2',
  ]);
  assert.match(findings[0]!.message, /existing table lookup \(~40 rows, \d+ kB\) without CONCURRENTLY/);
  assert.match(findings[1]!.message, /existing table events \(~50K rows, \d+ (?:kB|MB)\) without CONCURRENTLY; writes to events are blocked/);
  assert.equal(findings[1]!.table!.name, 'events');
  assert.is(findings[1]!.table!.rows, 50000);
  assert.ok(findings[1]!.table!.bytes > 2_000_000);
});

test('without a snapshot every finding stays at the rule level, new tables included (as before)', async () => {
  const findings = await lintJson(project);
  assert.equal(findings.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}`), [
    'require-concurrent-index warn migrations/000002_index_code.up.sql:1',
    'require-concurrent-index warn migrations/000002_index_code.up.sql:2',
    'require-concurrent-index warn migrations/000004_audit_columns.up.sql:1',
    'add-not-null-column warn migrations/000004_audit_columns.up.sql:2',
  ]);
  assert.not.ok(findings.some((f) => f.table));
});

test('the snapshot from config, and a rule that opts out of size-aware levels keeps its own', async () => {
  const dir = writeProject({ snapshot: 'prod.snapshot.json' });
  writeFileSync(path.join(dir, 'prod.snapshot.json'), snapshotText);
  // add-not-null-column on lookup (40 rows): it fails on any row, so its level stays warn.
  writeFileSync(path.join(dir, 'migrations', '000005_lookup_label.up.sql'), 'ALTER TABLE lookup ADD COLUMN label text NOT NULL;\n');
  writeFileSync(path.join(dir, 'migrations', '000005_lookup_label.down.sql'), 'ALTER TABLE lookup DROP COLUMN label;\n');
  const findings = await lintJson(dir);
  const notNull = findings.filter((f) => f.rule === 'add-not-null-column');
  assert.equal(notNull.map((f) => `${f.severity} ${f.file}:${f.line}`), ['warn migrations/000005_lookup_label.up.sql:1']);
  assert.match(notNull[0]!.message, /to lookup \(~40 rows, \d+ kB\) as NOT NULL/);
});

test('a type the history cannot tell comes from the snapshot', async () => {
  const db = await createDatabase('outside');
  try {
    // Created outside the migrations: no migration says what note's type is.
    await db.query('CREATE TABLE legacy (id int PRIMARY KEY, note varchar(20))');
    await db.query("INSERT INTO legacy SELECT g, 'n' FROM generate_series(1, 2000) g");
    await db.query('ANALYZE legacy');
  } finally {
    await db.close();
  }
  const dir = tmp('migralint-snapshot-types-');
  mkdirSync(path.join(dir, 'migrations'));
  writeFileSync(path.join(dir, 'migrations', '000001_note.up.sql'), 'ALTER TABLE legacy ALTER COLUMN note TYPE bigint USING 0;\n');
  writeFileSync(path.join(dir, 'migrations', '000001_note.down.sql'), 'ALTER TABLE legacy ALTER COLUMN note TYPE varchar(20);\n');
  writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ ...CONFIG, rules: { 'changing-column-type': 'warn' } }));
  const snap = await cli(['snapshot', '--database-url', server.url('postgres', 'outside')], dir);
  assert.is(snap.code, 0, snap.stderr);
  const without = await lintJson(dir);
  assert.equal(without.map((f) => f.message.replace(/;.*/, '')), ['The type of legacy.note is changed to bigint but its current type is unknown (no existing_type= and no earlier migration says)']);
  const withSnapshot = await lintJson(dir, ['--snapshot', 'migralint.snapshot.json']);
  assert.equal(withSnapshot.map((f) => `${f.severity} ${f.message.replace(/\d+ kB/, 'N kB')}`), [
    'warn Changing legacy.note from varchar(20) to bigint rewrites legacy (~2K rows, N kB) and its indexes under an ACCESS EXCLUSIVE lock.',
  ]);
});

test('explain says what a snapshot does to a rule, with the configured sizes', async () => {
  const sized = await cli(['explain', 'require-concurrent-index'], project);
  assert.match(sized.stdout.replace(/\s+/g, ' '), /Against production With a snapshot of production .* info below 1,000 rows, error from 20,000 rows or 1 GB, the rule's level between\./);
  const fixed = await cli(['explain', 'add-not-null-column'], project);
  assert.match(fixed.stdout.replace(/\s+/g, ' '), /The level stays the rule's whatever the size/);
  const none = await cli(['explain', 'drop-column'], project);
  assert.not.match(none.stdout, /Against production/);
});

test('--released-from lock: tables created by migrations the lock file does not record are new', async () => {
  const dir = writeProject();
  // Released: 1 and 2 (locked before 3 and 4 were written).
  const later = ['000003_create_audit', '000004_audit_columns'].flatMap((n) => [`${n}.up.sql`, `${n}.down.sql`]);
  for (const f of later) rmSync(path.join(dir, 'migrations', f));
  const lock = await cli(['lock'], dir);
  assert.is(lock.code, 0, lock.stderr);
  for (const f of later) writeFileSync(path.join(dir, 'migrations', f), MIGRATIONS[f]!);
  const without = await lintJson(dir);
  assert.is(without.length, 4);
  const all = await lintJson(dir, ['--released-from', 'lock']);
  assert.equal(all.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}`), [
    'require-concurrent-index warn migrations/000002_index_code.up.sql:1',
    'require-concurrent-index warn migrations/000002_index_code.up.sql:2',
  ]);
});

test('--redact-names hashes every identifier and keeps the results', async () => {
  const r = await cli(['snapshot', '--database-url', server.url('postgres', 'prod'), '--output', 'redacted.json', '--redact-names'], project);
  assert.is(r.code, 0, r.stderr);
  const text = readFileSync(path.join(project, 'redacted.json'), 'utf8');
  for (const name of ['events', 'lookup', 'code', 'payload', 'events_pkey']) assert.not.ok(text.includes(`"${name}"`), `${name} in the redacted snapshot`);
  assert.ok(text.includes(`"${redactName('events')}"`));
  const plain = await lintJson(project, ['--snapshot', 'prod.snapshot.json']);
  const redacted = await lintJson(project, ['--snapshot', 'redacted.json']);
  assert.equal(redacted, plain);
});

test('a snapshot of a newer format is refused with both versions; a file that is not one, with its name', async () => {
  const dir = writeProject();
  writeFileSync(path.join(dir, 'future.json'), JSON.stringify({ ...JSON.parse(snapshotText), format: SNAPSHOT_FORMAT + 1 }));
  const r = await cli(['lint', 'migrations', '--snapshot', 'future.json'], dir);
  assert.is(r.code, 2);
  assert.match(r.stderr, new RegExp(`snapshot format ${SNAPSHOT_FORMAT + 1} is newer than this migralint reads \\(format ${SNAPSHOT_FORMAT}\\)`));
  writeFileSync(path.join(dir, 'bad.json'), '{"format": 1, "tables": 3}');
  const bad = await cli(['lint', 'migrations', '--snapshot', 'bad.json'], dir);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /bad\.json: not a valid migralint snapshot: .*"tables" must be an array/);
});

test('a table of the snapshot is read when a migration touches it; a broken one is exit 2 naming the file', async () => {
  const dir = writeProject();
  // Another layout (indented by another tool) is read whole, with the same results.
  writeFileSync(path.join(dir, 'indented.json'), JSON.stringify(JSON.parse(snapshotText), null, 4));
  const plain = await lintJson(project, ['--snapshot', 'prod.snapshot.json']);
  assert.equal(await lintJson(dir, ['--snapshot', 'indented.json']), plain);
  // In migralint's own layout a broken table that no migration touches is not read...
  const broken = snapshotText.replace('"name": "schema_migrations",\n      "rows": ', '"name": "schema_migrations",\n      "rows": "many", "x": ');
  assert.ok(broken !== snapshotText);
  writeFileSync(path.join(dir, 'broken.json'), broken);
  assert.equal(await lintJson(dir, ['--snapshot', 'broken.json']), plain);
  // ...and one a migration touches is an error naming the file and the table.
  const touched = snapshotText.replace('"name": "events",\n      "rows": ', '"name": "events",\n      "rows": "many", "x": ');
  writeFileSync(path.join(dir, 'touched.json'), touched);
  const r = await cli(['lint', 'migrations', '--snapshot', 'touched.json'], dir);
  assert.is(r.code, 2, r.stdout);
  assert.match(r.stderr, /^migralint: \S*\/touched\.json: not a valid migralint snapshot: table events\.rows must be a number\n$/);
});

test('snapshot: an unreachable database is exit 2 with the password masked; a server older than 12 is refused', async () => {
  const dir = tmp('migralint-snapshot-unreachable-');
  const r = await cli(['snapshot', '--database-url', 'postgres://app:s3cret@127.0.0.1:1/prod'], dir);
  assert.is(r.code, 2);
  assert.match(r.stderr, /cannot connect to the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/prod/);
  assert.not.ok(r.stderr.includes('s3cret'));
  assert.match(r.stderr, /no snapshot was written/);
  const old: Database = {
    kind: 'postgres',
    label: 'postgres://old',
    query: async <T,>(sql: string) => (/server_version_num/.test(sql) ? [{ server_version_num: '110022' }] : [{ server_version: '11.22' }]) as T[],
    close: async () => {},
  };
  try {
    await takeSnapshot(old);
    assert.unreachable('an 11 server was read');
  } catch (err) {
    assert.instance(err, DatabaseError);
    assert.match((err as Error).message, /PostgreSQL 11\.22 is older than 12, the oldest server migralint snapshot reads/);
  }
});

test('snapshot reads a PGlite directory', async () => {
  const dir = tmp('migralint-snapshot-pglite-');
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = await PGlite.create(path.join(dir, 'db'));
  await lite.exec(
    "CREATE TABLE items (id int PRIMARY KEY, name varchar(40) NOT NULL DEFAULT 'x');" +
      'CREATE UNIQUE INDEX items_name ON items (lower(name)) WHERE id > 0;' +
      'INSERT INTO items SELECT g, g::text FROM generate_series(1, 300) g; ANALYZE items;' +
      "ALTER TABLE items ADD CONSTRAINT name_set CHECK (name <> '') NOT VALID;",
  );
  await lite.close();
  const r = await cli(['snapshot', '--database-url', 'pglite:db', '--output', '-'], dir);
  assert.is(r.code, 0, r.stderr);
  const s = parseSnapshot(r.stdout, 'stdout');
  const items = s.tables.find((t) => t.name === 'items')!;
  assert.is(items.rows, 300);
  assert.equal(items.columns[1], { name: 'name', type: 'character varying(40)', nullable: false, default: "'x'::character varying" });
  assert.equal(items.indexes.find((i) => i.name === 'items_name'), { name: 'items_name', columns: ['(lower(name::text))'], unique: true, valid: true, partial: true, method: 'btree' });
  assert.equal(items.constraints.find((c) => c.name === 'name_set')!.validated, false);
  assert.equal(s.applied, []);
});

test.run();
