// `migralint trace --snapshot FILE`: the schema comes from a snapshot of a real database instead
// of the replayed history. A database is built by running a fixture chain's first migrations (on
// PGlite and on the throwaway PostgreSQL server), `migralint snapshot` is taken of it, and the
// rest of the chain traced on the snapshot must show what a plain trace (history replayed) shows.
// Then: a snapshot's row estimates fill tables (bounded); objects it cannot rebuild are said; bad
// snapshot files are refused naming the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { loadConfig } from '../src/config/index.js';
import { lint } from '../src/engine/run.js';
import { redactSnapshot, renderSnapshot, SNAPSHOT_FORMAT, type Snapshot, type SnapshotTable } from '../src/snapshot/format.js';
import { takeSnapshot } from '../src/snapshot/read.js';
import { buildSnapshotSchema } from '../src/trace/from-snapshot.js';
import { pgliteTraceDb } from '../src/trace/db.js';
import { renderTrace } from '../src/trace/report.js';
import { runTrace, type TraceOptions, type TraceResult } from '../src/trace/run.js';
import { bodyStatements, chainOrder } from '../src/trace/statements.js';
import { lockStrength } from '../src/model/locks.js';
import { openDatabase, type Database } from '../src/verify/drivers.js';
import { sharedPostgres } from './helpers/postgres.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');
const fixture = (p: string) => path.join(root, 'fixtures', p);
const temps: string[] = [];

function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

/** The migrations of a fixture project in run order. */
async function chain(dir: string) {
  const config = await loadConfig({ cwd: dir });
  const r = await lint({ cwd: dir, paths: [dir], config, lockfile: null });
  assert.is(r.sets.length, 1, `${dir} has one migration directory`);
  return { config, set: r.sets[0]!, ordered: chainOrder(r.sets[0]!.migrations) };
}

/**
 * Production: the first `applied` migrations of the chain run on `db`, and recorded in the
 * framework's version table as its runner would. Returns the snapshot file.
 */
async function production(dir: string, applied: number, db: Database): Promise<string> {
  const { set, ordered } = await chain(dir);
  for (const m of ordered.slice(0, applied)) {
    for (const st of bodyStatements(m, 'up')) if (st.sql !== null && !st.control) await db.query(st.sql);
  }
  const done = ordered.slice(0, applied);
  if (set.framework === 'alembic') {
    await db.query('CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)');
    await db.query(`INSERT INTO alembic_version VALUES ('${done.at(-1)!.revision!.value}')`);
  } else if (set.framework === 'flyway') {
    await db.query(
      'CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), script varchar(1000) NOT NULL, type varchar(20) NOT NULL, success boolean NOT NULL)',
    );
    for (const [i, m] of done.entries()) {
      await db.query(`INSERT INTO flyway_schema_history VALUES (${i + 1}, '${m.revision!.value}', '${path.basename(m.file)}', 'SQL', true)`);
    }
  } else throw new Error(`no version table written for ${set.framework}`);
  const snapshot = await takeSnapshot(db);
  const file = path.join(tmp('migralint-trace-snapshot-'), 'migralint.snapshot.json');
  writeFileSync(file, renderSnapshot(snapshot));
  return file;
}

/** What a trace shows per statement, to compare two traces: locks (strongest per relation), rewrites, scans, verdicts. */
function shape(r: TraceResult) {
  return r.migrations.flatMap((m) =>
    m.bodies.flatMap((b) =>
      b.statements.map((s) => {
        const strongest = new Map<string, string>();
        for (const l of s.observed?.locks ?? []) {
          const key = `${l.relation} (${l.kind}${l.existed ? '' : ', new'})`;
          const had = strongest.get(key);
          if (!had || lockStrength(l.mode as never) > lockStrength(had as never)) strongest.set(key, l.mode);
        }
        return {
          at: `${path.basename(s.statement.file)}:${s.statement.loc.line}`,
          status: s.status,
          locks: [...strongest].map(([k, v]) => `${k} ${v}`).sort(),
          rewritten: [...(s.observed?.rewritten ?? [])].sort(),
          scanned: [...(s.observed?.scanned ?? [])].sort(),
          verdicts: s.verdicts.map((v) => `${v.verdict} ${v.finding?.ruleId ?? ''}`.trim()),
        };
      }),
    ),
  );
}

async function traceBoth(dir: string, applied: number, snapshotFile: string, extra: Partial<TraceOptions> = {}) {
  const { config, ordered } = await chain(dir);
  const pendingFiles = ordered.slice(applied).map((m) => m.file);
  const onSnapshot = await runTrace({ cwd: dir, paths: [dir], config, snapshot: snapshotFile, cacheDir: null, ...extra });
  const replayed = await runTrace({ cwd: dir, paths: pendingFiles, config, cacheDir: null, ...extra });
  return { onSnapshot, replayed, pendingFiles, appliedFiles: ordered.slice(0, applied).map((m) => m.file) };
}

test('Alembic: a snapshot of PGlite after 6 of 12 revisions; the other 6 trace as on the replayed history', async () => {
  const dir = fixture('alembic/project');
  const db = await openDatabase(`pglite:${path.join(tmp('migralint-trace-pglite-'), 'db')}`, root);
  let file: string;
  try {
    file = await production(dir, 6, db);
  } finally {
    await db.close();
  }
  const { onSnapshot, replayed, pendingFiles, appliedFiles } = await traceBoth(dir, 6, file);
  assert.equal(onSnapshot.migrations.map((m) => m.migration.file), pendingFiles, 'the pending set is the migrations the snapshot has not applied');
  assert.equal(onSnapshot.snapshot!.alreadyApplied, appliedFiles);
  assert.equal(onSnapshot.snapshot!.applied.map((a) => a.upTo), [['1a2b3c4d5e06']]);
  assert.is(onSnapshot.snapshot!.created, onSnapshot.snapshot!.tables);
  assert.equal(onSnapshot.snapshot!.notes, []);
  assert.equal(onSnapshot.history.migrations, 0, 'nothing replayed: the snapshot is the history');
  assert.equal(shape(onSnapshot), shape(replayed));
  // Not trivially equal: the trace saw real locks on production's tables.
  assert.ok(shape(onSnapshot).some((s) => s.locks.includes('accounts (table) ACCESS EXCLUSIVE')));
  assert.equal(onSnapshot.findings, replayed.findings);
  const text = renderTrace(onSnapshot, 'stylish', dir);
  assert.match(text, /schema from snapshot .*migralint\.snapshot\.json \(PostgreSQL \d+\.\d+\): 3 tables, applied up to 1a2b3c4d5e06; then 0 pending migrations/);
  assert.match(text, 'not traced: 6 named migrations the snapshot records as applied (0001_create_accounts.py … 0006_account_region_three_step.py)');
});

test('SQL (Flyway): a snapshot of the PostgreSQL server after V1; V2 and V3 trace as on the replayed history, on PGlite and inside the server\'s rolled-back transaction', async () => {
  const server = await sharedPostgres();
  const dir = fixture('sql/constraint-not-valid');
  const admin = await openDatabase(server.url(), root);
  await admin.query('CREATE DATABASE trace_snap_prod');
  await admin.query('CREATE DATABASE trace_snap_empty');
  await admin.close();
  const db = await openDatabase(server.url('postgres', 'trace_snap_prod'), root);
  let file: string;
  try {
    file = await production(dir, 1, db);
  } finally {
    await db.close();
  }
  const { onSnapshot, replayed, pendingFiles } = await traceBoth(dir, 1, file);
  assert.equal(onSnapshot.migrations.map((m) => m.migration.file), pendingFiles);
  assert.equal(onSnapshot.snapshot!.server.split('.')[0], String(server.version), 'the snapshot is of the server');
  assert.equal(shape(onSnapshot), shape(replayed));
  const fk = shape(onSnapshot).find((s) => s.at === 'V2__orders_customer_fk.sql:3')!;
  assert.equal(fk.scanned, ['orders'], 'the foreign key validates orders by a full scan');
  assert.equal(fk.verdicts, ['confirmed constraint-not-valid']);

  // With --database-url, the snapshot's schema is built inside the transaction that is rolled back.
  const url = server.url('postgres', 'trace_snap_empty');
  const { onSnapshot: onServer, replayed: replayedOnServer } = await traceBoth(dir, 1, file, { databaseUrl: url });
  assert.is(onServer.database.kind, 'postgres');
  assert.equal(shape(onServer), shape(replayedOnServer));
  const check = await openDatabase(url, root);
  try {
    assert.equal(await check.query(`SELECT to_regclass('orders')::text AS t`), [{ t: null }], 'nothing is left behind');
  } finally {
    await check.close();
  }
});

/** A snapshot written by hand: what production has, with sizes a test database does not. */
function snapshotOf(tables: SnapshotTable[], applied: Snapshot['applied'] = []): Snapshot {
  return { format: SNAPSHOT_FORMAT, server: '16.4', serverMajor: 16, redacted: false, applied, tables };
}

const EVENTS: SnapshotTable = {
  name: 'events',
  rows: 200_000_000,
  bytes: 48 * 1024 ** 3,
  columns: [
    { name: 'id', type: 'bigint', nullable: false, default: "nextval('events_id_seq'::regclass)" },
    { name: 'kind', type: 'text', nullable: false, default: null },
    { name: 'payload', type: 'jsonb', nullable: true, default: null },
    { name: 'parent_id', type: 'bigint', nullable: false, default: null },
  ],
  indexes: [{ name: 'events_pkey', columns: ['id'], unique: true, valid: true, partial: false, method: 'btree' }],
  constraints: [
    { name: 'events_pkey', kind: 'primary_key', validated: true, columns: ['id'], definition: 'PRIMARY KEY (id)' },
    { name: 'events_parent_id_fkey', kind: 'foreign_key', validated: true, columns: ['parent_id'], definition: 'FOREIGN KEY (parent_id) REFERENCES events(id)' },
  ],
};

/** golang-migrate: 1 created events (applied in production), 2 changes it. */
function eventsProject(second: string): { dir: string; snapshot: string } {
  const dir = tmp('migralint-trace-snapshot-rows-');
  mkdirSync(path.join(dir, 'migrations'));
  const write = (name: string, text: string) => writeFileSync(path.join(dir, 'migrations', name), text);
  write('000001_events.up.sql', 'CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, payload jsonb, parent_id bigint NOT NULL REFERENCES events (id));\n');
  write('000001_events.down.sql', 'DROP TABLE events;\n');
  write('000002_change.up.sql', second);
  write('000002_change.down.sql', 'SELECT 1;\n');
  const snapshot = path.join(dir, 'prod.snapshot.json');
  writeFileSync(snapshot, renderSnapshot(snapshotOf([EVENTS], [{ kind: 'golang-migrate', table: 'schema_migrations', heads: ['1'], listed: [], failed: [] }])));
  return { dir, snapshot };
}

test('a table of 200M estimated rows is filled, bounded at 1,000: the rewrite and the validating scan show; a self-reference and a serial id work; --rows overrides', async () => {
  const { dir, snapshot } = eventsProject(
    "SET lock_timeout = '5s';\nALTER TABLE events ALTER COLUMN kind TYPE varchar(40);\nALTER TABLE events ADD CONSTRAINT events_kind_set CHECK (kind <> '');\nINSERT INTO events (kind, parent_id) VALUES ('new', 1);\nALTER TABLE events ADD COLUMN source text NOT NULL;\n",
  );
  const config = await loadConfig({ cwd: dir });
  const r = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir: null });
  assert.equal(r.rowsFilled, [{ table: 'events', rows: 1000, fromSnapshot: true }]);
  assert.equal(r.migrations.map((m) => path.basename(m.migration.file)), ['000002_change.up.sql']);
  const statements = r.migrations[0]!.bodies[0]!.statements;
  const at = (line: number) => statements.find((s) => s.statement.loc.line === line)!;
  assert.ok(at(2).observed!.rewritten.includes('events'), 'the type change rewrote events (new relfilenode)');
  assert.equal(at(3).observed!.scanned, ['events'], 'the CHECK validated events by a full scan');
  // Filled rows point at themselves (a NOT NULL self-reference), and the serial id's sequence goes on after them.
  assert.is(at(4).status, 'ran', at(4).failure?.message);
  // The rows are there: a NOT NULL column without a default fails as it would in production.
  assert.equal(r.findings.map((f) => [f.ruleId, f.line]), [['migration-fails', 5]]);
  assert.match(r.findings[0]!.message, 'fails here on the schema built from the snapshot: column "source" of relation "events" contains null values');
  assert.match(renderTrace(r, 'stylish', dir), "rows: 1 table the pending migrations meet filled to the snapshot's estimates, at most 1,000 rows each (1000 rows; --rows table=N for others)");

  const given = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir: null, rows: new Map([['events', 5]]) });
  assert.equal(given.rowsFilled, [{ table: 'events', rows: 5 }]);
});

/** The snapshot's schema built on a fresh PGlite; returns the notes and a query function. */
async function built(tables: SnapshotTable[]) {
  const pg = new PGlite();
  const db = await pgliteTraceDb(pg as never, 'test', { keepOpen: true });
  const result = await buildSnapshotSchema(
    snapshotOf(tables),
    (sql) => db.run(sql),
    async (types) => new Set((await db.rows<{ t: string }>('SELECT t FROM unnest($1::text[]) AS t WHERE to_regtype(t) IS NOT NULL', [types])).map((r) => r.t)),
  );
  return { result, pg, q: async (sql: string) => (await pg.query<Record<string, unknown>>(sql)).rows };
}

test('the DDL: serial sequences, NOT VALID constraints, foreign keys after their targets, quoted names, schemas, index methods', async () => {
  const { result, pg, q } = await built([
    {
      name: 'order_lines',
      rows: 0,
      bytes: 0,
      columns: [
        { name: 'id', type: 'integer', nullable: false, default: "nextval('order_lines_id_seq'::regclass)" },
        { name: 'order', type: 'bigint', nullable: false, default: null },
        { name: 'Qty', type: 'numeric(10,2)', nullable: false, default: '1' },
        { name: 'tags', type: 'text[]', nullable: true, default: null },
      ],
      indexes: [
        { name: 'order_lines_pkey', columns: ['id'], unique: true, valid: true, partial: false, method: 'btree' },
        { name: 'order_lines_tags', columns: ['tags'], unique: false, valid: true, partial: false, method: 'gin' },
        { name: 'order_lines_expr', columns: ['"order"', '("Qty" * 2::numeric)'], unique: false, valid: true, partial: false, method: 'btree' },
      ],
      constraints: [
        { name: 'order_lines_pkey', kind: 'primary_key', validated: true, columns: ['id'], definition: 'PRIMARY KEY (id)' },
        { name: 'order_lines_order_fkey', kind: 'foreign_key', validated: false, columns: ['order'], definition: 'FOREIGN KEY ("order") REFERENCES billing.orders(id) NOT VALID' },
        { name: 'order_lines_qty_positive', kind: 'check', validated: false, columns: ['Qty'], definition: 'CHECK ("Qty" > 0::numeric)' },
      ],
    },
    {
      name: 'billing.orders',
      rows: 0,
      bytes: 0,
      columns: [{ name: 'id', type: 'bigint', nullable: false, default: null }],
      indexes: [{ name: 'orders_pkey', columns: ['id'], unique: true, valid: true, partial: false, method: 'btree' }],
      constraints: [{ name: 'orders_pkey', kind: 'primary_key', validated: true, columns: ['id'], definition: 'PRIMARY KEY (id)' }],
    },
  ]);
  try {
    assert.equal(result.notes, []);
    assert.equal([result.tables, result.created], [2, 2]);
    assert.equal(result.fillOrder, ['billing.orders', 'order_lines'], 'the referenced table is filled first');
    assert.equal(
      await q(`SELECT conname, convalidated FROM pg_constraint WHERE contype IN ('c', 'f', 'p') AND conrelid IN ('order_lines'::regclass, 'billing.orders'::regclass) ORDER BY 1`),
      [
        { conname: 'order_lines_order_fkey', convalidated: false },
        { conname: 'order_lines_pkey', convalidated: true },
        { conname: 'order_lines_qty_positive', convalidated: false },
        { conname: 'orders_pkey', convalidated: true },
      ],
    );
    assert.equal(await q(`SELECT pg_get_serial_sequence('order_lines', 'id') AS s`), [{ s: 'public.order_lines_id_seq' }], 'the sequence is owned by its column, as serial makes it');
    assert.equal(
      await q(`SELECT indexrelid::regclass::text AS i, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'order_lines'::regclass AND NOT indisprimary ORDER BY 1`),
      [
        { i: 'order_lines_expr', def: 'CREATE INDEX order_lines_expr ON public.order_lines USING btree ("order", (("Qty" * (2)::numeric)))' },
        { i: 'order_lines_tags', def: 'CREATE INDEX order_lines_tags ON public.order_lines USING gin (tags)' },
      ],
    );
  } finally {
    await pg.close();
  }
});

test('what cannot be rebuilt is said: an unknown type, a missing function in a default, a partial and an invalid index', async () => {
  const { result, pg, q } = await built([
    {
      name: 'accounts',
      rows: 10,
      bytes: 8192,
      columns: [
        { name: 'id', type: 'uuid', nullable: false, default: 'uuid_generate_v4()' },
        { name: 'mood', type: 'mood', nullable: true, default: null },
        { name: 'email', type: 'text', nullable: false, default: null },
        { name: 'deleted_at', type: 'timestamp with time zone', nullable: true, default: null },
      ],
      indexes: [
        { name: 'accounts_live_email', columns: ['email'], unique: true, valid: true, partial: true, method: 'btree' },
        { name: 'accounts_email_ccnew', columns: ['email'], unique: false, valid: false, partial: false, method: 'btree' },
      ],
      constraints: [],
    },
  ]);
  try {
    assert.equal(
      result.notes.map((n) => `${n.kind}: ${n.object}`),
      [
        'not created: column accounts.mood',
        'created differently: index accounts_live_email on accounts',
        'created differently: index accounts_email_ccnew on accounts',
        'not created: default of accounts.id',
      ],
    );
    assert.match(result.notes[0]!.reason, 'type mood does not exist here');
    assert.match(result.notes[3]!.reason, 'function uuid_generate_v4() does not exist');
    // The rest of the table is there: the default alone is missing.
    assert.equal(
      await q(`SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 ORDER BY attnum`),
      [{ attname: 'id' }, { attname: 'email' }, { attname: 'deleted_at' }],
    );
    assert.equal(
      await q(`SELECT indexrelid::regclass::text AS i, indisunique AS u FROM pg_index WHERE indrelid = 'accounts'::regclass ORDER BY 1`),
      [
        { i: 'accounts_email_ccnew', u: false },
        { i: 'accounts_live_email', u: false },
      ],
    );
  } finally {
    await pg.close();
  }
});

/** A table of the snapshot with an id and what else is given. */
function plainTable(name: string, rows: number, extra: Partial<SnapshotTable> = {}): SnapshotTable {
  return {
    name,
    rows,
    bytes: 8192,
    columns: [{ name: 'id', type: 'bigint', nullable: false, default: null }, ...(extra.columns ?? [])],
    indexes: [{ name: `${name}_pkey`, columns: ['id'], unique: true, valid: true, partial: false, method: 'btree' }],
    constraints: [{ name: `${name}_pkey`, kind: 'primary_key', validated: true, columns: ['id'], definition: 'PRIMARY KEY (id)' }, ...(extra.constraints ?? [])],
  };
}

test('only the tables the pending migrations meet are filled (and those they reference); the report carries the notes; json has the snapshot block', async () => {
  const { dir, snapshot } = eventsProject("SET lock_timeout = '5s';\nALTER TABLE events ADD COLUMN region text;\n");
  const events: SnapshotTable = {
    ...EVENTS,
    columns: [...EVENTS.columns, { name: 'state', type: 'event_state', nullable: true, default: null }, { name: 'tenant_id', type: 'bigint', nullable: false, default: null }],
    constraints: [...EVENTS.constraints, { name: 'events_tenant_fkey', kind: 'foreign_key', validated: true, columns: ['tenant_id'], definition: 'FOREIGN KEY (tenant_id) REFERENCES tenants(id)' }],
  };
  const text = snapshotOf([events, plainTable('tenants', 20), plainTable('audit_log', 5000)], [{ kind: 'golang-migrate', table: 'schema_migrations', heads: ['1'], listed: [], failed: [] }]);
  writeFileSync(snapshot, renderSnapshot(text));
  const config = await loadConfig({ cwd: dir });
  const r = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir: null, rows: new Map([['events', 3]]) });
  // events is named by the migration (its rows given by --rows), tenants is referenced by events, audit_log by nothing.
  assert.equal(r.rowsFilled, [
    { table: 'tenants', rows: 20, fromSnapshot: true },
    { table: 'events', rows: 3 },
  ]);
  const out = renderTrace(r, 'stylish', dir);
  assert.match(out, '-- migralint: not created: column events.state: type event_state does not exist here');
  assert.match(out, 'schema from snapshot prod.snapshot.json (PostgreSQL 16.4): 3 tables, applied up to 1;');
  const json = JSON.parse(renderTrace(r, 'json', dir)) as { snapshot: { file: string; notes: unknown[]; applied: { dir: string }[] } };
  assert.is(json.snapshot.file, 'prod.snapshot.json');
  assert.is(json.snapshot.notes.length, 1);
  assert.equal(json.snapshot.applied.map((a) => a.dir), ['migrations']);
});

test('the schema built from a snapshot is cached as a template: the second run loads it, with the same notes, rows and trace', async () => {
  const { dir, snapshot } = eventsProject("SET lock_timeout = '5s';\nALTER TABLE events ALTER COLUMN kind TYPE varchar(40);\n");
  writeFileSync(
    snapshot,
    renderSnapshot(
      snapshotOf(
        [{ ...EVENTS, columns: [...EVENTS.columns, { name: 'state', type: 'event_state', nullable: true, default: null }] }],
        [{ kind: 'golang-migrate', table: 'schema_migrations', heads: ['1'], listed: [], failed: [] }],
      ),
    ),
  );
  const cacheDir = tmp('migralint-trace-snapshot-cache-');
  const config = await loadConfig({ cwd: dir });
  const first = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir });
  assert.is(first.template, 'built');
  const second = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir });
  assert.is(second.template, 'cached');
  assert.equal(second.snapshot!.notes, first.snapshot!.notes);
  assert.is(second.snapshot!.notes.length, 1);
  assert.equal(second.rowsFilled, [{ table: 'events', rows: 1000, fromSnapshot: true }]);
  assert.equal(shape(second), shape(first));
  assert.ok(shape(second).some((s) => s.rewritten.includes('events')));
  assert.match(renderTrace(second, 'stylish', dir), '(PostgreSQL 16.4; loaded from the cached template)');
  // Other rows: another template.
  const other = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir, rows: new Map([['events', 7]]) });
  assert.is(other.template, 'built');
  assert.equal(other.rowsFilled, [{ table: 'events', rows: 7 }]);
});

/** A golang-migrate project whose production (the snapshot) has applied 000001; 000002 is pending. */
function subsetProject(pending: string, tables: SnapshotTable[]): { dir: string; snapshot: string } {
  const dir = tmp('migralint-trace-snapshot-subset-');
  mkdirSync(path.join(dir, 'migrations'));
  const write = (name: string, text: string) => writeFileSync(path.join(dir, 'migrations', name), text);
  write('000001_noop.up.sql', 'SELECT 1;\n');
  write('000001_noop.down.sql', 'SELECT 1;\n');
  write('000002_change.up.sql', pending);
  write('000002_change.down.sql', 'SELECT 1;\n');
  const snapshot = path.join(dir, 'prod.snapshot.json');
  writeFileSync(snapshot, renderSnapshot(snapshotOf(tables, [{ kind: 'golang-migrate', table: 'schema_migrations', heads: ['1'], listed: [], failed: [] }])));
  return { dir, snapshot };
}

const fkTo = (name: string, column: string, target: string): Partial<SnapshotTable> => ({
  columns: [{ name: column, type: 'bigint', nullable: true, default: null }],
  constraints: [{ name, kind: 'foreign_key', validated: true, columns: [column], definition: `FOREIGN KEY (${column}) REFERENCES ${target}(id)` }],
});

/** accounts <- orders (references accounts) ; orders -> tenants ; 40 unrelated tables. */
function manyTables(): SnapshotTable[] {
  const unrelated = Array.from({ length: 40 }, (_, i) => plainTable(`unrelated_${i}`, 10));
  return [
    plainTable('accounts', 10, fkTo('accounts_tenant_fkey', 'tenant_id', 'tenants')),
    plainTable('tenants', 10),
    plainTable('orders', 10, fkTo('orders_account_fkey', 'account_id', 'accounts')),
    plainTable('order_notes', 10, fkTo('order_notes_order_fkey', 'order_id', 'orders')),
    ...unrelated,
  ];
}

async function tablesOf(r: TraceResult, dir: string) {
  return renderTrace(r, 'stylish', dir);
}

test('a snapshot with many unrelated tables: only the tables the pending migration names and their foreign-key targets are built', async () => {
  const { dir, snapshot } = subsetProject("SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN region text;\n", manyTables());
  const config = await loadConfig({ cwd: dir });
  const r = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir: null });
  assert.is(r.snapshot!.tables, 44);
  // accounts (named) and tenants (its foreign key's target); orders references accounts, but adding a column does not reach it.
  assert.is(r.snapshot!.built, 2);
  assert.is(r.snapshot!.whole, null);
  assert.is(r.snapshot!.created, 2);
  const out = await tablesOf(r, dir);
  assert.match(out, '2 of 44 tables built: those the pending migrations name and their foreign-key neighbours');
  assert.is(r.migrations[0]!.bodies[0]!.statements.find((s) => s.statement.loc.line === 2)!.status, 'ran');
  assert.equal(r.findings, []);
});

test('a pending migration that changes a referenced key: the referencing table (and its own targets) is built, and PostgreSQL locks it', async () => {
  const { dir, snapshot } = subsetProject("SET lock_timeout = '5s';\nALTER TABLE accounts ALTER COLUMN id TYPE numeric(20);\n", manyTables());
  const config = await loadConfig({ cwd: dir });
  const r = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir: null });
  // accounts, tenants, orders (references accounts.id); order_notes references orders, not accounts: one hop only.
  assert.is(r.snapshot!.built, 3);
  assert.match(await tablesOf(r, dir), '3 of 44 tables built');
  const st = r.migrations[0]!.bodies[0]!.statements.find((s) => s.statement.loc.line === 2)!;
  assert.is(st.status, 'ran', st.failure?.message);
  assert.ok(
    st.observed!.locks.some((l) => l.relation === 'orders'),
    `the referencing table is locked: ${st.observed!.locks.map((l) => `${l.relation} ${l.mode}`).join(', ')}`,
  );
  // Dropping the referenced table fails because of the referencing one, as in production.
  const dropped = subsetProject('DROP TABLE accounts;\n', manyTables());
  const d = await runTrace({ cwd: dropped.dir, paths: [dropped.dir], config: await loadConfig({ cwd: dropped.dir }), snapshot: dropped.snapshot, cacheDir: null });
  assert.equal(d.findings.map((f) => f.ruleId), ['migration-fails']);
  assert.match(d.findings[0]!.message, 'other objects depend on it');
});

test('an operation whose tables cannot be known (a function call, a DO block, a subquery, LIKE) builds the whole schema, and says why', async () => {
  for (const [sql, why] of [
    ["SELECT refresh_everything();\nALTER TABLE accounts ADD COLUMN region text;\n", /whole schema: SELECT that may read any table \(migrations\/000002_change\.up\.sql:1\)/],
    ["DO $$ BEGIN UPDATE unrelated_3 SET id = id; END $$;\n", /whole schema: DO that may read any table/],
    ['UPDATE accounts SET tenant_id = (SELECT max(id) FROM unrelated_7);\n', /whole schema: UPDATE that reads other tables/],
    ['CREATE TABLE accounts_copy (LIKE unrelated_4);\n', /whole schema: a statement that reads or ties to other tables/],
  ] as const) {
    const { dir, snapshot } = subsetProject(sql, manyTables());
    const config = await loadConfig({ cwd: dir });
    const r = await runTrace({ cwd: dir, paths: [dir], config, snapshot, cacheDir: null });
    assert.is(r.snapshot!.built, 44, sql);
    assert.ok(r.snapshot!.whole, sql);
    assert.match(await tablesOf(r, dir), why);
  }
});

test('the snapshot template cache is keyed by the tables built: another subset is another template', async () => {
  const cacheDir = tmp('migralint-trace-snapshot-subset-cache-');
  // No row estimates: no table is filled, so the rows filled (also in the key) are the same for both subsets.
  const a = subsetProject('ALTER TABLE accounts ADD COLUMN region text;\n', manyTables().map((t) => ({ ...t, rows: 0 })));
  const first = await runTrace({ cwd: a.dir, paths: [a.dir], config: await loadConfig({ cwd: a.dir }), snapshot: a.snapshot, cacheDir });
  assert.is(first.template, 'built');
  // Same snapshot bytes, same (no) rows, other tables.
  writeFileSync(path.join(a.dir, 'migrations', '000002_change.up.sql'), 'ALTER TABLE unrelated_5 ADD COLUMN region text;\n');
  const other = await runTrace({ cwd: a.dir, paths: [a.dir], config: await loadConfig({ cwd: a.dir }), snapshot: a.snapshot, cacheDir });
  assert.equal(first.rowsFilled, []);
  assert.is(other.template, 'built', 'not the first subset\'s template');
  assert.is(other.migrations[0]!.bodies[0]!.statements[0]!.status, 'ran', other.migrations[0]!.bodies[0]!.statements[0]!.failure?.message);
});

test('CLI: a missing file, a newer format, a redacted snapshot: exit 2 naming the file; --snapshot is for lint and trace only; the config key', () => {
  const { dir, snapshot } = eventsProject('SELECT 1;\n');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const missing = run('trace', '--snapshot', 'nope.json', 'migrations');
  assert.is(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, 'cannot read the snapshot nope.json: ENOENT');
  writeFileSync(path.join(dir, 'newer.json'), renderSnapshot({ ...snapshotOf([EVENTS]), format: SNAPSHOT_FORMAT + 1 }));
  const newer = run('trace', '--snapshot', 'newer.json', 'migrations');
  assert.is(newer.status, 2);
  assert.match(newer.stderr, `newer.json: snapshot format ${SNAPSHOT_FORMAT + 1} is newer than this migralint reads`);
  writeFileSync(path.join(dir, 'redacted.json'), renderSnapshot(redactSnapshot(snapshotOf([EVENTS]))));
  const redacted = run('trace', '--snapshot', 'redacted.json', 'migrations');
  assert.is(redacted.status, 2);
  assert.match(redacted.stderr, "redacted.json: the snapshot's names are redacted (--redact-names)");
  for (const r of [missing, newer, redacted]) assert.is(r.stdout, '', 'nothing traced, nothing printed');
  const graph = run('graph', '--snapshot', path.basename(snapshot), 'migrations');
  assert.is(graph.status, 2);
  assert.match(graph.stderr, '--snapshot applies to lint and trace only');
  // The config's `snapshot`, as lint reads it, is trace's default too.
  writeFileSync(path.join(dir, 'migralint.config.json'), JSON.stringify({ snapshot: path.basename(snapshot) }));
  const ok = run('trace', '--format', 'json', 'migrations');
  assert.is(ok.status, 0, ok.stderr);
  assert.is((JSON.parse(ok.stdout) as { snapshot: { file: string } }).snapshot.file, 'prod.snapshot.json');
});

test.after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});


test.run();
