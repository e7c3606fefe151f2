// Engine behaviour that no single rule owns: how directories become revision chains, dialects
// named by directories, inline ignore placement, and the lock file format.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadMigrations, lint } from '../src/engine/run.js';
import { fingerprint, parseLock, renderLock, lockEntryFor, normalizeSource, LockFileError } from '../src/engine/lockfile.js';
import { configFor, writeProject } from './helpers/rule-tester.js';

const rev = (id: string, parent: string | null) =>
  `revision = "${id}"\ndown_revision = ${parent ? `"${parent}"` : 'None'}\ndef upgrade():\n    pass\n`;

test('sub-folders that are separate histories become separate chains, with the dialect they are named after', async () => {
  const p = writeProject({
    'postgresql/a1.py': rev('a1', null),
    'postgresql/b1.py': rev('b1', 'a1'),
    'sqlite/a1.py': rev('a1', null),
    'sqlite/c1.py': rev('c1', 'a1'),
  });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    assert.equal(
      sets.map((s) => [path.relative(p.versions, s.dir), s.dialect, s.migrations.map((m) => m.revision?.value).sort()]),
      [
        ['postgresql', 'postgresql', ['a1', 'b1']],
        ['sqlite', 'sqlite', ['a1', 'c1']],
      ],
    );
    assert.equal(sets[1]!.migrations.map((m) => m.dialect), ['sqlite', 'sqlite']);
  } finally {
    p.cleanup();
  }
});

test('one history spread over sub-folders (recursive_version_locations) stays one chain', async () => {
  const p = writeProject({ '2023/a1.py': rev('a1', null), '2024/b1.py': rev('b1', 'a1') });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    assert.equal(sets.length, 1);
    assert.equal(sets[0]!.dir, p.versions);
    assert.equal(sets[0]!.migrations.length, 2);
  } finally {
    p.cleanup();
  }
});

test('package markers and helper modules in versions/ are not migrations', async () => {
  const p = writeProject({ '__init__.py': '', '_util.py': 'def helper():\n    return 1\n', 'a1.py': rev('a1', null) });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    assert.equal(sets[0]!.migrations.map((m) => path.basename(m.file)), ['a1.py']);
  } finally {
    p.cleanup();
  }
});

test('an ignore above a block of comments covers the code line below the block', async () => {
  const p = writeProject({
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    # migralint: ignore[add-not-null-column] table is empty: feature flag never shipped
    # (see the incident review)
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
`,
  });
  try {
    const config = configFor(p.root, {
      'add-not-null-column': { severity: 'error', options: {} },
      'unused-ignore': { severity: 'warn', options: {} },
    });
    const { findings } = await lint({ cwd: p.root, paths: [p.versions], config, lockfile: null });
    assert.equal(findings, []);
  } finally {
    p.cleanup();
  }
});

test('an ignore above a multi-line op.execute covers the statements inside its string', async () => {
  const p = writeProject({
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    # migralint: ignore[unbounded-data-change] the table holds three rows in every environment
    op.execute(
        """
        UPDATE settings SET value = 'on'
        """
    )
    op.execute("DELETE FROM audit")
`,
  });
  try {
    const config = configFor(p.root, { 'unbounded-data-change': { severity: 'error', options: {} } });
    const { findings } = await lint({ cwd: p.root, paths: [p.versions], config, lockfile: null });
    assert.equal(findings.map((f) => [f.ruleId, f.line]), [['unbounded-data-change', 10]]);
  } finally {
    p.cleanup();
  }
});

test('an ignore in a down.sql covers findings of that file only', async () => {
  const p = writeProject({});
  const dir = path.join(p.root, 'db');
  mkdirSync(dir);
  writeFileSync(path.join(dir, '1_users.up.sql'), 'ALTER TABLE users DROP COLUMN nickname;\n');
  writeFileSync(
    path.join(dir, '1_users.down.sql'),
    '-- migralint: ignore[drop-column] the column only existed in the release being rolled back\nALTER TABLE users DROP COLUMN nickname_v2;\n',
  );
  try {
    const config = configFor(p.root, { 'drop-column': { severity: 'error', options: {} }, 'unused-ignore': { severity: 'warn', options: {} } });
    const { findings } = await lint({ cwd: p.root, paths: [dir], config, lockfile: null });
    assert.equal(findings.map((f) => [f.ruleId, path.basename(f.file), f.line]), [['drop-column', '1_users.up.sql', 1]]);
  } finally {
    p.cleanup();
  }
});

test('a finding about a statement with interpolated parts says so', async () => {
  const p = writeProject({
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    for table in ("audit", "events"):
        op.execute(f"DELETE FROM {table}")
    op.execute("DELETE FROM sessions")
`,
  });
  try {
    const config = configFor(p.root, { 'unbounded-data-change': { severity: 'error', options: {} } });
    const { findings } = await lint({ cwd: p.root, paths: [p.versions], config, lockfile: null });
    assert.equal(findings.map((f) => [f.line, /interpolated parts/.test(f.message)]), [
      [5, true],
      [6, false],
    ]);
  } finally {
    p.cleanup();
  }
});

test('lock format: normalised checksums, sorted lines, round trip, and clear errors', () => {
  assert.is(normalizeSource('\ufeffa\r\nb\rc\n'), 'a\nb\nc\n');
  assert.equal(fingerprint('a\r\nb\n'), fingerprint('\ufeffa\nb\n'));
  assert.not.equal(fingerprint('a\nb\n').sha256, fingerprint('a\nb \n').sha256);
  const lockFile = '/repo/migralint.lock';
  const text = renderLock([
    lockEntryFor(lockFile, { file: '/repo/m/versions/b.py', revision: 'b1', source: 'x\ny\n' }),
    lockEntryFor(lockFile, { file: '/repo/m/versions/a.py', revision: null, source: 'z\n' }),
  ]);
  const rows = text.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.is(rows[0], 'migralint-lock 1');
  assert.ok(rows[1]!.startsWith('m/versions/a.py\t-\tsha256:'));
  assert.ok(rows[2]!.startsWith('m/versions/b.py\tb1\tsha256:'));
  const parsed = parseLock(text, lockFile);
  assert.equal(parsed.entries.map((e) => [e.path, e.file, e.revision, e.lines.length]), [
    ['m/versions/a.py', '/repo/m/versions/a.py', null, 1],
    ['m/versions/b.py', '/repo/m/versions/b.py', 'b1', 2],
  ]);
  assert.throws(() => parseLock('migralint-lock 9\n', lockFile), (e: unknown) => e instanceof LockFileError && e.line === 1);
  assert.throws(() => parseLock('migralint-lock 1\na\tb\n', lockFile), (e: unknown) => e instanceof LockFileError && e.line === 2);
});


test('a path component naming a database gives the dialect (issue 10)', async () => {
  const { dialectFromPath, dialectOfComponent } = await import('../src/engine/chains.js');
  const root = path.join(path.sep, 'p');
  assert.equal(
    ['h2', 'jdbc-mysql', 'MariaDB', 'sqlite3', 'mssql', 'oracle', 'cockroach', 'cockroachdb', 'postgres', 'pg', 'mysql-migrations', 'db_sqlite', 'sqlite-needs-batch', 'pg-to-mysql', 'migrations'].map(
      (c) => dialectOfComponent(c),
    ),
    ['h2', 'mysql', 'mysql', 'sqlite', 'mssql', 'oracle', 'cockroachdb', 'cockroachdb', 'postgresql', 'postgresql', 'mysql', 'sqlite', null, null, null],
  );
  assert.is(dialectFromPath(path.join(root, 'src/main/resources/db/migration/h2'), root), 'h2');
  assert.is(dialectFromPath(path.join(root, 'mysql/db/migrations'), root), 'mysql');
  // The deepest naming component wins; components above the project root are not read.
  assert.is(dialectFromPath(path.join(root, 'postgres/versions/sqlite'), root), 'sqlite');
  assert.is(dialectFromPath(path.join(path.sep, 'mysql', 'app', 'migrations'), path.join(path.sep, 'mysql', 'app')), null);
});

test('alembic.ini sqlalchemy.url and literal URLs in env.py give the dialect; a directory name wins (issue 10)', async () => {
  const load = async (files: Record<string, string>) => {
    const p = writeProject({ 'a1.py': `revision = "a1"\ndown_revision = None\ndef upgrade():\n    pass\n`, ...files });
    try {
      const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
      return sets.map((s) => [s.dialect, ...s.migrations.map((m) => m.dialect)].join(' '));
    } finally {
      p.cleanup();
    }
  };
  assert.equal(await load({ '/alembic.ini': '[alembic]\nscript_location = migrations\nsqlalchemy.url = mysql+pymysql://u@h/db\n' }), ['mysql mysql']);
  assert.equal(await load({ '/migrations/env.py': 'engine = create_engine("sqlite:///app.db")\n' }), ['sqlite sqlite']);
  // The template's placeholder, and two different literal URLs, name nothing.
  assert.equal(await load({ '/alembic.ini': '[alembic]\nsqlalchemy.url = driver://user:pass@localhost/dbname\n' }), ['postgresql postgresql']);
  assert.equal(
    await load({ '/migrations/env.py': 'url = os.environ.get("DB", "sqlite:///dev.db")\nprod = "postgresql://db/app"\n' }),
    ['postgresql postgresql'],
  );
});

test('operations guarded for another dialect are dropped before rules run (issue 10)', async () => {
  const p = writeProject({
    '/alembic.ini': '[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///app.db\n',
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX CONCURRENTLY ix ON t (c)")
    else:
        op.drop_column("t", "c")
`,
  });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    assert.equal(sets[0]!.migrations[0]!.upgrade.operations.map((o) => [o.kind, o.conditional]), [['drop_column', false]]);
  } finally {
    p.cleanup();
  }
});


test('clause positions inside a Python string: each ALTER TABLE clause at its own line and column (issue 10)', async () => {
  const p = writeProject({
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    op.execute("""
        ALTER TABLE accounts
            ADD COLUMN plan text,
            ALTER COLUMN email SET NOT NULL
    """)
    op.execute("DROP TABLE a, b")
`,
  });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    const ops = sets[0]!.migrations[0]!.upgrade.operations;
    assert.equal(
      ops.map((o) => [o.kind, o.loc.line, o.loc.column, o.loc.endColumn, o.fromSql?.statementLoc?.line]),
      [
        ['add_column', 6, 13, 33, 5],
        ['alter_column', 7, 13, 44, 5],
        ['drop_table', 9, 28, 29, 9],
        ['drop_table', 9, 31, 32, 9],
      ],
    );
  } finally {
    p.cleanup();
  }
});

test('clause positions inside a TS template literal (issue 10)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const root = mkdtempSync(path.join(os.tmpdir(), 'migralint-clauses-'));
  try {
    mkdirSync(path.join(root, 'migrations'));
    writeFileSync(
      path.join(root, 'migrations', '20240101120000_plan.js'),
      'exports.up = async function (knex) {\n  await knex.raw(`ALTER TABLE users\n    ADD COLUMN plan text,\n    DROP COLUMN legacy`);\n};\nexports.down = async function () {};\n',
    );
    const { sets } = await loadMigrations({ cwd: root, paths: [path.join(root, 'migrations')], config: configFor(root, {}) });
    const ops = sets[0]!.migrations[0]!.upgrade.operations;
    assert.equal(ops.map((o) => [o.kind, o.loc.line, o.loc.column, o.loc.endColumn]), [
      ['add_column', 3, 5, 25],
      ['drop_column', 4, 5, 23],
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
