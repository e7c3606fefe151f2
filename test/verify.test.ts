// `migralint verify` and `lock --from-database` against real databases: a throwaway PostgreSQL
// server (test/helpers/postgres.ts) and one PGlite instance in a temporary directory, shared by
// the whole file (it takes seconds to create). Each case writes an Alembic project, sets the
// version table, and checks that exactly the items it breaks fail. The command line runs last,
// as users run it: the built bin/migralint.js in a child process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { lockEntryFor, parseLock, renderLock } from '../src/engine/lockfile.js';
import { verify, type Checklist, type ItemId } from '../src/verify/checklist.js';
import { openDatabase, pgliteDatabase, type Database, type PGliteLike } from '../src/verify/drivers.js';
import { renderText } from '../src/verify/render.js';
import { freePort, sharedPostgres, type PostgresServer } from './helpers/postgres.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');

let server: PostgresServer;
let lite: PGliteLike & { exec(sql: string): Promise<unknown> };
const liteDir = mkdtempSync(path.join(os.tmpdir(), 'migralint-pglite-'));
const projects: string[] = [];

// ---------------------------------------------------------------------------------------------
// Migrations

const rev = (id: string, parent: string | null, upgrade: string, downgrade: string | null) =>
  `"""${id}"""
from alembic import op
import sqlalchemy as sa

revision = "${id}"
down_revision = ${parent === null ? 'None' : `"${parent}"`}


def upgrade():
${upgrade}
${downgrade === null ? '' : `\n\ndef downgrade():\n${downgrade}\n`}`;

const A1 = rev(
  'a1',
  null,
  '    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.Text(), nullable=False))',
  '    op.drop_table("accounts")',
);
const B2 = rev('b2', 'a1', '    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))', '    op.drop_column("accounts", "note")');
const C3 = rev('c3', 'b2', '    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))', '    op.drop_column("accounts", "tier")');
const C3_SIBLING = rev('c4', 'b2', '    op.add_column("accounts", sa.Column("phone", sa.Text(), nullable=True))', '    op.drop_column("accounts", "phone")');
const C3_NOT_NULL = rev('c3', 'b2', '    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))', '    op.drop_column("accounts", "tier")');
const C3_LOSSY = rev('c3', 'b2', '    op.execute("UPDATE accounts SET email = lower(email) WHERE email <> lower(email)")', '    pass');
const C3_NO_DOWNGRADE = rev('c3', 'b2', '    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))', null);
const SETS = `    op.execute("SET lock_timeout = '5s'")\n    op.execute("SET statement_timeout = '10min'")\n`;
const B2_SETS = rev('b2', 'a1', `${SETS}    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))`, '    op.drop_column("accounts", "note")');
const C3_SETS = rev('c3', 'b2', `${SETS}    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))`, '    op.drop_column("accounts", "tier")');

/** env.py that sets both timeouts on the connection (Migration.runnerSettings). */
const ENV_TIMEOUTS = `from alembic import context
from sqlalchemy import engine_from_config, pool, text


def run_migrations_online():
    connectable = engine_from_config(context.config.get_section("alembic"), poolclass=pool.NullPool)
    with connectable.connect() as connection:
        connection.execute(text("SET lock_timeout = '5s'"))
        connection.execute(text("SET statement_timeout = '15min'"))
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
`;
const ENV_PLAIN = 'from alembic import context\n';

interface Project {
  dir: string;
  lockfile: string;
}

/** An Alembic project in a temporary directory; `files` are relative to migrations/versions unless they start with "/". */
function project(files: Record<string, string>, env: string): Project {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-verify-'));
  projects.push(dir);
  mkdirSync(path.join(dir, 'migrations', 'versions'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name": "app", "private": true}\n');
  writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
  writeFileSync(path.join(dir, 'migrations', 'env.py'), env);
  for (const [name, text] of Object.entries(files)) {
    const file = name.startsWith('/') ? path.join(dir, name.slice(1)) : path.join(dir, 'migrations', 'versions', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { dir, lockfile: path.join(dir, 'migralint.lock') };
}

/** Locks the named revisions (files <rev>.py) as `migralint lock` would. */
function lock(p: Project, revisions: string[]): void {
  const entries = revisions.map((r) => {
    const file = path.join(p.dir, 'migrations', 'versions', `${r}.py`);
    return lockEntryFor(p.lockfile, { file, revision: r, source: readFileSync(file, 'utf8') });
  });
  writeFileSync(p.lockfile, renderLock(entries));
}

// ---------------------------------------------------------------------------------------------
// Databases

interface Backend {
  name: 'postgres' | 'pglite';
  /** The role the migrations run as (PostgreSQL: `migrator` has both timeouts set with ALTER ROLE). */
  open(role?: string): Promise<Database>;
  /** env.py for cases that are not about timeouts: PostgreSQL gets them from the role, PGlite from env.py. */
  env: string;
}

const backends: Backend[] = [
  { name: 'postgres', open: (role = 'migrator') => openDatabase(server.url(role), root), env: ENV_PLAIN },
  // PGlite has one session and no roles to speak of: its timeouts come from env.py.
  { name: 'pglite', open: async () => pgliteDatabase(lite, 'pglite:test', { keepOpen: true }), env: ENV_TIMEOUTS },
];

async function setAlembicVersion(b: Backend, revisions: string[] | null, table = 'alembic_version'): Promise<void> {
  const db = await b.open('postgres');
  try {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    if (revisions === null) return;
    await db.query(`CREATE TABLE ${table} (version_num varchar(32) NOT NULL PRIMARY KEY)`);
    for (const r of revisions) await db.query(`INSERT INTO ${table} (version_num) VALUES ($1)`, [r]);
  } finally {
    await db.close();
  }
}

async function check(
  b: Backend,
  p: Project,
  opts: { role?: string; attest?: Record<string, string>; policy?: string; versionTable?: string; paths?: string[] } = {},
): Promise<Checklist> {
  const config = await loadConfig({ cwd: p.dir });
  const db = await b.open(opts.role);
  try {
    return await verify({
      cwd: p.dir,
      paths: opts.paths ?? [],
      config,
      lockfile: p.lockfile,
      db,
      attest: opts.attest ?? { backup: 'snap-2024-06-01' },
      ...(opts.policy ? { policy: opts.policy } : {}),
      ...(opts.versionTable ? { versionTable: opts.versionTable } : {}),
    });
  } finally {
    await db.close();
  }
}

const ALL: ItemId[] = ['single-head', 'known-revision', 'lock', 'pending', 'policy', 'reversible', 'timeouts', 'large-tables', 'backup'];

/** Exactly the `failing` items do not hold (fail or skipped); every other item passes. */
function expectOnly(c: Checklist, failing: ItemId[]): void {
  const text = renderText(c);
  assert.equal(
    c.items.map((i) => i.id),
    ALL,
    'the nine items, in order',
  );
  for (const i of c.items) {
    if (failing.includes(i.id)) assert.is.not(i.status, 'pass', `${i.id} should not hold:\n${text}`);
    else assert.is(i.status, 'pass', `${i.id} should hold:\n${text}`);
  }
  assert.is(c.ok, failing.length === 0, text);
}

const item = (c: Checklist, id: ItemId) => c.items.find((i) => i.id === id)!;

// ---------------------------------------------------------------------------------------------

test.before(async () => {
  v8.setFlagsFromString('--liftoff-only');
  const pglite = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(liteDir));
  // The server starts in child processes while PGlite initialises here.
  [server, lite] = await Promise.all([sharedPostgres(), pglite as Promise<PGliteLike & { exec(sql: string): Promise<unknown> }>]);
  const db = await openDatabase(server.url(), root);
  try {
    await db.query('CREATE ROLE migrator LOGIN SUPERUSER');
    await db.query("ALTER ROLE migrator SET lock_timeout = '5s'");
    await db.query("ALTER ROLE migrator SET statement_timeout = '15min'");
  } finally {
    await db.close();
  }
});

test.after(async () => {
  await lite?.close().catch(() => {});
  // The server is shared with the other test files (stopped when the process ends).
  for (const dir of [...projects, liteDir]) rmSync(dir, { recursive: true, force: true });
});

test('postgres: a lock-heavy pending statement on a table the database says is large fails item 8', async () => {
  const b = backends[0]!;
  const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, b.env);
  lock(p, ['a1']);
  await setAlembicVersion(b, ['a1']);
  writeFileSync(path.join(p.dir, 'large.json'), JSON.stringify({ sizes: { large: 100 } }));
  const db = await b.open('postgres');
  try {
    await db.query('CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL)');
    await db.query("INSERT INTO accounts SELECT g, 'u' || g FROM generate_series(1, 500) g");
    await db.query('ANALYZE accounts');
    const small = item(await check(b, p), 'large-tables');
    assert.is(small.status, 'pass');
    assert.is(small.summary, '2 lock-heavy statements, none on a large table');
    const c = await check(b, p, { policy: 'large.json' });
    const large = item(c, 'large-tables');
    assert.is(large.status, 'fail');
    assert.is(large.title, 'Lock-heavy statements on large tables');
    assert.match(large.summary, /^2 of 2 lock-heavy statements on a large table \(100 rows/);
    assert.match(large.evidence[0]!, /^b2 migrations\/versions\/b2\.py:\d+: ACCESS EXCLUSIVE on accounts \(~500 rows, \d+ kB\): large$/);
  } finally {
    await db.query('DROP TABLE accounts');
    await db.close();
  }
});

for (const b of backends) {
  test(`${b.name}: every item holds, for the right reasons`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, b.env);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['a1']);
    const c = await check(b, p);
    expectOnly(c, []);
    assert.is(item(c, 'single-head').summary, 'c3');
    assert.match(item(c, 'known-revision').evidence[0]!, /^alembic_version: at a1 \(migrations\/versions\/a1\.py\)$/);
    assert.is(item(c, 'lock').summary, '1 applied migration locked and unchanged');
    assert.equal(
      c.pending?.map((m) => m.revision),
      ['b2', 'c3'],
    );
    assert.equal(item(c, 'pending').evidence, ['1. b2 migrations/versions/b2.py (b2)', '2. c3 migrations/versions/c3.py (c3)']);
    assert.is(item(c, 'pending').summary, '2 to run, from a1 to c3');
    assert.match(item(c, 'policy').summary, /no error-level finding in 2 pending migrations/);
    assert.equal(item(c, 'reversible').evidence, ['b2: downgrade with 1 step', 'c3: downgrade with 1 step']);
    const timeouts = item(c, 'timeouts').evidence.join('\n');
    if (b.name === 'postgres') {
      assert.match(timeouts, /lock_timeout: 5s on the connection \(SHOW lock_timeout\)/);
      assert.match(timeouts, /statement_timeout: 15min on the connection/);
    } else {
      assert.match(timeouts, /lock_timeout: 0 on the connection \(unset\); the runner sets it: 5s \(migrations\/env\.py:8\)/);
      assert.match(timeouts, /statement_timeout: 0 on the connection \(unset\); the runner sets it: 15min/);
    }
    assert.is(item(c, 'backup').summary, 'attested: snap-2024-06-01');
    assert.equal(c.attestations, { backup: 'snap-2024-06-01' });
    assert.is(c.database.driver, b.name);
    assert.match(c.database.server ?? '', b.name === 'postgres' ? /^15\./ : /^18\./);
  });

  test(`${b.name}: a fresh database (no version table) has everything pending`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2 }, b.env);
    await setAlembicVersion(b, null);
    const c = await check(b, p);
    expectOnly(c, []);
    assert.is(item(c, 'known-revision').summary, 'fresh database: no migration applied yet');
    assert.match(item(c, 'known-revision').evidence[0]!, /no table alembic_version: no migration was applied/);
    assert.equal(c.pending?.map((m) => m.revision), ['a1', 'b2']);
    assert.is(item(c, 'lock').summary, 'nothing applied, nothing to compare');
    assert.is(c.database.versionTableExists, false);
  });

  test(`${b.name}: two heads`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3, 'c4.py': C3_SIBLING }, b.env);
    lock(p, ['a1', 'b2']);
    await setAlembicVersion(b, ['b2']);
    const c = await check(b, p);
    expectOnly(c, ['single-head']);
    const heads = item(c, 'single-head');
    assert.is(heads.summary, '2 heads: c3, c4');
    assert.match(heads.evidence.join('\n'), /head: c3 \(migrations\/versions\/c3\.py\)\nhead: c4 /);
    assert.match(heads.evidence.join('\n'), /alembic merge heads/);
  });

  test(`${b.name}: the database's revision is not in the code`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2 }, b.env);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['deadbeef0001']);
    const c = await check(b, p);
    // Which migrations are applied or pending depends on that revision: those items are not checked.
    expectOnly(c, ['known-revision', 'lock', 'pending', 'policy', 'reversible', 'large-tables']);
    const known = item(c, 'known-revision');
    assert.is(known.status, 'fail');
    assert.match(known.evidence.join('\n'), /Can't locate revision identified by 'deadbeef0001'/);
    for (const id of ['lock', 'pending', 'policy', 'reversible', 'large-tables'] as const) assert.is(item(c, id).status, 'skipped');
    assert.match(renderText(c), /\n3 of 9 checks hold; not ready to migrate \(failed: 2; not checked: 3, 4, 5, 6, 8\)\.\n$/);
    assert.is(c.pending, null);
  });

  test(`${b.name}: an applied migration modified after it was locked`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, b.env);
    lock(p, ['a1']);
    writeFileSync(path.join(p.dir, 'migrations', 'versions', 'a1.py'), A1.replace('nullable=False', 'nullable=True'));
    await setAlembicVersion(b, ['a1']);
    const c = await check(b, p);
    expectOnly(c, ['lock']);
    const l = item(c, 'lock');
    assert.is(l.summary, '1 locked migration modified or removed');
    assert.match(l.evidence.join('\n'), /migrations\/versions\/a1\.py:10 Migration a1 was changed after it was locked \(line 10 changed\)\./);
    assert.equal(
      l.findings?.map((f) => [f.rule, f.file, f.line]),
      [['applied-migration-modified', 'migrations/versions/a1.py', 10]],
    );
  });

  test(`${b.name}: an applied revision missing from the lock file`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, b.env);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['b2']);
    const c = await check(b, p);
    expectOnly(c, ['lock']);
    assert.is(item(c, 'lock').summary, '1 applied migration not locked');
    assert.match(item(c, 'lock').evidence.join('\n'), /applied but not in the lock file: b2 \(migrations\/versions\/b2\.py\).*lock --from-database/);
    assert.equal(c.pending?.map((m) => m.revision), ['c3']);
  });

  test(`${b.name}: a pending migration with an error-level finding`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3_NOT_NULL }, b.env);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['a1']);
    const c = await check(b, p);
    expectOnly(c, ['policy']);
    const pol = item(c, 'policy');
    assert.is(pol.summary, '1 error-level finding');
    assert.equal(
      pol.findings?.map((f) => [f.rule, f.severity, f.file, f.line, f.migration]),
      [['add-not-null-column', 'error', 'migrations/versions/c3.py', 10, 'c3']],
    );
    assert.match(pol.evidence[0]!, /^migrations\/versions\/c3\.py:10:5 add-not-null-column: Column tier is added to accounts as NOT NULL/);
  });

  test(`${b.name}: a downgrade that loses data`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3_LOSSY }, b.env);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['a1']);
    const c = await check(b, p);
    // lossy-downgrade is a warning in the recommended policy, so only item 6 fails.
    expectOnly(c, ['reversible']);
    const r = item(c, 'reversible');
    assert.equal(
      r.findings?.map((f) => [f.rule, f.line]),
      [['lossy-downgrade', 13]],
    );
    assert.match(r.evidence[0]!, /lossy-downgrade: The upgrade updates existing rows of accounts \(line 10\) and the downgrade does not write them back/);
  });

  test(`${b.name}: a pending migration without a downgrade`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3_NO_DOWNGRADE }, b.env);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['a1']);
    const c = await check(b, p);
    // The recommended policy has irreversible-downgrade at error level: item 5 says so too.
    expectOnly(c, ['policy', 'reversible']);
    assert.equal(
      item(c, 'reversible').findings?.map((f) => [f.rule, f.file]),
      [['irreversible-downgrade', 'migrations/versions/c3.py']],
    );
    assert.equal(item(c, 'policy').findings?.map((f) => f.rule), ['irreversible-downgrade']);
  });

  test(`${b.name}: no timeouts on the connection nor from the migrations`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, ENV_PLAIN);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['a1']);
    const c = await check(b, p, { role: 'postgres' });
    expectOnly(c, ['timeouts']);
    const t = item(c, 'timeouts');
    assert.is(t.summary, 'not set: lock_timeout, statement_timeout');
    assert.match(t.evidence[0]!, /^lock_timeout: 0 on the connection \(unset\), the runner does not set it, and b2 takes a lock \(migrations\/versions\/b2\.py:10\) before any SET lock_timeout; c3 takes a lock/);
    assert.match(t.evidence.at(-1)!, /ALTER ROLE <role> SET lock_timeout/);
  });

  test(`${b.name}: no backup attestation`, async () => {
    const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, b.env);
    lock(p, ['a1']);
    await setAlembicVersion(b, ['a1']);
    const c = await check(b, p, { attest: {} });
    expectOnly(c, ['backup']);
    assert.is(item(c, 'backup').summary, 'not attested');
    assert.equal(c.attestations, {});
  });
}

test('pglite: timeouts set by SET in every pending migration before its first locking statement', async () => {
  const b = backends[1]!;
  await setAlembicVersion(b, ['a1']);
  const all = project({ 'a1.py': A1, 'b2.py': B2_SETS, 'c3.py': C3_SETS }, ENV_PLAIN);
  lock(all, ['a1']);
  const ok = await check(b, all);
  expectOnly(ok, []);
  assert.match(item(ok, 'timeouts').evidence[0]!, /every pending migration sets it before its first locking statement/);
  const some = project({ 'a1.py': A1, 'b2.py': B2_SETS, 'c3.py': C3 }, ENV_PLAIN);
  lock(some, ['a1']);
  const notAll = await check(b, some);
  expectOnly(notAll, ['timeouts']);
  assert.match(item(notAll, 'timeouts').evidence[0]!, /c3 takes a lock \(migrations\/versions\/c3\.py:10\) before any SET lock_timeout/);
  assert.not.match(item(notAll, 'timeouts').evidence[0]!, /b2 takes/);
});

test('postgres: --policy takes a preset name or a config file', async () => {
  const b = backends[0]!;
  await setAlembicVersion(b, ['a1']);
  const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3_NOT_NULL, '/policies/lenient.json': '{"rules": {"add-not-null-column": "warn"}}\n' }, ENV_PLAIN);
  lock(p, ['a1']);
  // strict: require-lock-timeout is an error, and migralint cannot see the role's timeout statically.
  const strict = await check(b, p, { policy: 'strict' });
  assert.match(item(strict, 'policy').title, /\(strict\)$/);
  assert.equal([...new Set(item(strict, 'policy').findings?.map((f) => f.rule))].sort(), ['add-not-null-column', 'require-lock-timeout']);
  const file = await check(b, p, { policy: 'policies/lenient.json' });
  assert.match(item(file, 'policy').title, /\(policies\/lenient\.json\)$/);
  expectOnly(file, []);
});

test('postgres: --version-table names another table', async () => {
  const b = backends[0]!;
  await setAlembicVersion(b, null);
  await setAlembicVersion(b, ['b2'], 'ops_alembic_version');
  const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, ENV_PLAIN);
  lock(p, ['a1', 'b2']);
  const c = await check(b, p, { versionTable: 'ops_alembic_version' });
  expectOnly(c, []);
  assert.is(c.database.versionTable, 'ops_alembic_version');
  assert.equal(c.pending?.map((m) => m.revision), ['c3']);
  await setAlembicVersion(b, null, 'ops_alembic_version');
});

/** Runs SQL as postgres on the test server. */
async function sql(statements: string[]): Promise<void> {
  const db = await openDatabase(server.url(), root);
  try {
    for (const s of statements) await db.query(s);
  } finally {
    await db.close();
  }
}

function sqlProject(files: Record<string, string>): Project {
  return project(Object.fromEntries(Object.entries(files).map(([k, v]) => [`/db/migrations/${k}`, v])), ENV_PLAIN);
}

test('postgres: golang-migrate schema_migrations (version, dirty)', async () => {
  const p = sqlProject({
    '0001_accounts.up.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
    '0001_accounts.down.sql': 'DROP TABLE accounts;\n',
    '0002_note.up.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN note text;\n",
    '0002_note.down.sql': 'ALTER TABLE accounts DROP COLUMN note;\n',
  });
  await sql(['DROP TABLE IF EXISTS schema_migrations', 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)', 'INSERT INTO schema_migrations VALUES (1, false)']);
  const b = backends[0]!;
  const unlocked = await check(b, p, { paths: ['db/migrations'] });
  assert.is(unlocked.database.versionTable, 'schema_migrations');
  assert.equal(unlocked.pending?.map((m) => m.revision), ['2']);
  expectOnly(unlocked, ['lock']);
  writeFileSync(
    p.lockfile,
    renderLock(
      ['0001_accounts.up.sql', '0001_accounts.down.sql'].map((f) => {
        const file = path.join(p.dir, 'db', 'migrations', f);
        return lockEntryFor(p.lockfile, { file, revision: '1', source: readFileSync(file, 'utf8') });
      }),
    ),
  );
  expectOnly(await check(b, p, { paths: ['db/migrations'] }), []);
  await sql(['UPDATE schema_migrations SET dirty = true']);
  const dirty = await check(b, p, { paths: ['db/migrations'] });
  expectOnly(dirty, ['known-revision']);
  assert.match(item(dirty, 'known-revision').evidence.join('\n'), /1 started and did not finish \(dirty in schema_migrations\)/);
  await sql(['DROP TABLE schema_migrations']);
});

test('postgres: goose_db_version (the latest row of a version decides) and flyway_schema_history', async () => {
  const goose = sqlProject({
    '00001_accounts.sql': '-- +goose Up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE accounts;\n',
    '00002_note.sql': "-- +goose Up\nSET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN note text;\n-- +goose Down\nALTER TABLE accounts DROP COLUMN note;\n",
  });
  await sql([
    'CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now())',
    'INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (2, false)',
  ]);
  const b = backends[0]!;
  const g = await check(b, goose, { paths: ['db/migrations'] });
  assert.is(g.database.versionTable, 'goose_db_version');
  assert.equal(g.pending?.map((m) => m.revision), ['2']);
  assert.equal(g.database.current, ['1']);

  const flyway = sqlProject({
    'V1__accounts.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
    'V1_1__note.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN note text;\n",
    'V2__tier.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN tier text;\n",
  });
  await sql([
    'CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200), type varchar(20), script varchar(1000), success boolean NOT NULL)',
    "INSERT INTO flyway_schema_history VALUES (1, '1', 'accounts', 'SQL', 'V1__accounts.sql', true), (2, '1.1', 'note', 'SQL', 'V1_1__note.sql', true)",
  ]);
  const f = await check(b, flyway, { paths: ['db/migrations'] });
  assert.is(f.database.versionTable, 'flyway_schema_history');
  assert.equal(f.pending?.map((m) => m.revision), ['2']);
  assert.equal(f.database.current, ['1.1']);
  assert.is(item(f, 'known-revision').status, 'pass');
  await sql(["INSERT INTO flyway_schema_history VALUES (3, '2', 'tier', 'SQL', 'V2__tier.sql', false)"]);
  const failed = await check(b, flyway, { paths: ['db/migrations'] });
  assert.is(item(failed, 'known-revision').status, 'fail');
  assert.match(item(failed, 'known-revision').summary, /unfinished migration 2/);
  await sql(['DROP TABLE goose_db_version', 'DROP TABLE flyway_schema_history']);
});

// ---------------------------------------------------------------------------------------------
// The command line

function cli(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('cli: an unreachable database exits 2 with the reason, and checks nothing', async () => {
  const p = project({ 'a1.py': A1 }, ENV_PLAIN);
  const port = await freePort(); // nothing listens there
  const r = await cli(p.dir, ['verify', '--database-url', `postgres://postgres:secret@127.0.0.1:${port}/app`, '--attest', 'backup=x']);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.is(r.stdout, '');
  assert.match(r.stderr, new RegExp(`migralint: cannot connect to the database at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/app: .*ECONNREFUSED`));
  assert.match(r.stderr, /nothing was verified/);
  assert.not.match(r.stderr, /secret|internal error|at .*\.js:\d+/);
});

test('cli: lock --from-database on an unreachable database exits 2, says nothing was locked, and leaves the lock file alone', async () => {
  const p = project({ 'a1.py': A1 }, ENV_PLAIN);
  const port = await freePort(); // nothing listens there
  const lockfile = path.join(p.dir, 'migralint.lock');
  const r = await cli(p.dir, ['lock', '--from-database', `postgres://postgres:secret@127.0.0.1:${port}/app`, '--lockfile', lockfile]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /cannot connect to the database/);
  assert.match(r.stderr, /migralint: nothing was locked \(the lock file is unchanged\)\./);
  assert.not.match(r.stderr, /nothing was verified|secret/);
  assert.not.ok(existsSync(lockfile));
});

test('cli: usage errors exit 2', async () => {
  const p = project({ 'a1.py': A1 }, ENV_PLAIN);
  const cases: [string[], RegExp][] = [
    [['verify', '--attest', 'backup=x'], /verify needs --database-url/],
    [['verify', '--database-url', 'mysql://localhost/x'], /--database-url must be a postgres:\/\/ or postgresql:\/\/ URL, or pglite:<directory>/],
    [['verify', '--database-url', server.url(), '--attest', 'backpu=x'], /--attest takes backup=<reference>/],
    [['verify', '--database-url', server.url(), '--format', 'sarif'], /unknown format "sarif"; expected one of text, markdown, json/],
    [['verify', '--database-url', server.url(), '--policy', 'strictest'], /"strictest" is neither a preset \(recommended, strict\) nor a config file/],
    [['verify', '--database-url', server.url(), '--version-table', 'nosuchkind:t'], /unknown kind "nosuchkind"/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(p.dir, args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('cli: lock --from-database records exactly the applied migrations; verify --format json and markdown', async () => {
  const b = backends[0]!;
  const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, ENV_PLAIN);
  await setAlembicVersion(b, ['b2']);
  const url = server.url('migrator');
  const locked = await cli(p.dir, ['lock', '--from-database', url]);
  assert.is(locked.code, 0, locked.stderr);
  assert.is(locked.stdout, 'Locked 2 applied migrations in migralint.lock (applied up to b2).\n');
  const entries = parseLock(readFileSync(p.lockfile, 'utf8'), p.lockfile).entries;
  assert.equal(
    entries.map((e) => [e.path, e.revision]),
    [
      ['migrations/versions/a1.py', 'a1'],
      ['migrations/versions/b2.py', 'b2'],
    ],
  );

  // A revision the code does not have: nothing is written.
  await setAlembicVersion(b, ['0ther0branch']);
  const refused = await cli(p.dir, ['lock', '--from-database', url]);
  assert.is(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /Can't locate revision '0ther0branch' recorded in alembic_version: .*nothing was locked/);
  assert.is(parseLock(readFileSync(p.lockfile, 'utf8'), p.lockfile).entries.length, 2);
  await setAlembicVersion(b, ['b2']);

  const json = await cli(p.dir, ['verify', '--database-url', url, '--format', 'json', '--attest', 'backup=snap-7']);
  assert.is(json.code, 0, json.stdout + json.stderr);
  const out = JSON.parse(json.stdout) as Checklist;
  assert.equal(Object.keys(out), ['ok', 'database', 'migrations', 'policy', 'pending', 'attestations', 'items', 'summary']);
  assert.is(out.ok, true);
  assert.equal(out.database, {
    url: server.url('migrator'),
    driver: 'postgres',
    server: out.database.server,
    versionTable: 'alembic_version',
    versionTableKind: 'alembic',
    versionTableExists: true,
    current: ['b2'],
  });
  assert.equal(out.migrations, { directory: 'migrations/versions', framework: 'alembic', heads: ['c3'] });
  assert.equal(out.pending, [{ revision: 'c3', file: 'migrations/versions/c3.py', message: 'c3' }]);
  assert.equal(out.attestations, { backup: 'snap-7' });
  assert.equal(out.summary, { passed: 9, failed: 0, skipped: 0 });
  for (const i of out.items) {
    assert.equal(Object.keys(i).slice(0, 7), ['id', 'title', 'status', 'ok', 'required', 'summary', 'evidence']);
  }

  const md = await cli(p.dir, ['verify', '--database-url', url, '--format', 'markdown']);
  assert.is(md.code, 1, md.stderr);
  assert.match(md.stdout, /^## migralint verify\n\n- \*\*database\*\*: postgres:\/\/migrator@127\.0\.0\.1:\d+\/postgres \(PostgreSQL 15\.\d+/);
  assert.match(md.stdout, /\n- \[x\] \*\*1\. The revision graph has exactly one head\*\*: c3\n {2}- head: c3 \(migrations\/versions\/c3\.py\)\n/);
  assert.match(md.stdout, /\n- \[ \] \*\*9\. A backup was taken\*\*: not attested\n/);
  assert.match(md.stdout, /\n\*\*8 of 9 checks hold; not ready to migrate \(failed: 9\)\.\*\*\n$/);

  const text = await cli(p.dir, ['verify', '--database-url', url, '--attest', 'backup=snap-7']);
  assert.is(text.code, 0, text.stdout + text.stderr);
  assert.match(text.stdout, /^migralint verify\n/);
  assert.match(text.stdout, /\n\[x\] 4\. The pending migrations are known, in order: 1 to run, from b2 to c3\n {6}1\. c3 migrations\/versions\/c3\.py \(c3\)\n/);
  assert.match(text.stdout, /\nAll 9 checks hold: ready to migrate\.\n$/);
});

test('cli: PGlite directory, as in the README demo (lock --from-database, then verify)', async () => {
  // One process at a time may open a PGlite directory: hand this one over to the command line.
  await setAlembicVersion(backends[1]!, ['a1']);
  await lite.close();
  const p = project({ 'a1.py': A1, 'b2.py': B2, 'c3.py': C3 }, ENV_TIMEOUTS);
  const url = `pglite:${path.relative(p.dir, liteDir)}`;
  const locked = await cli(p.dir, ['lock', '--from-database', url]);
  assert.is(locked.code, 0, locked.stderr);
  assert.is(locked.stdout, 'Locked 1 applied migration in migralint.lock (applied up to a1).\n');
  const r = await cli(p.dir, ['verify', '--database-url', url, '--format', 'json', '--attest', 'backup=demo']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout) as Checklist;
  assert.is(out.database.driver, 'pglite');
  assert.match(out.database.server ?? '', /^18\./);
  assert.equal(out.pending?.map((m) => m.revision), ['b2', 'c3']);
  assert.ok(existsSync(path.join(liteDir, 'PG_VERSION')));
});

test.run();
