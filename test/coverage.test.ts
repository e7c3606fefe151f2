// Nothing is skipped silently (issue 10, sections 1, 2 and the --staged/--changed-since part of 4):
// every file named on the command line is linted or refused, a directory named or configured is
// read with the generic readers when no layout claims it, auto-discovery reports look-alike
// directories it left out, and the summary says how many files were seen, linted and skipped.
// Through the built bin/migralint.js, on projects written to temporary directories.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { lint as lintApi } from '../src/engine/run.js';
import { discoverMigrationDirs } from '../src/engine/files.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull };
  for (const k of ['GIT_DIR', 'GIT_INDEX_FILE', 'GIT_WORK_TREE', 'GIT_CEILING_DIRECTORIES']) delete env[k];
  return env;
}

function run(cwd: string, args: string[]) {
  const res = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: cleanEnv() });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

interface JsonOut {
  findings: { rule: string; file: string; line: number }[];
  summary: { files: number; migrations: number };
  files: { seen: number; linted: number; skipped: { file: string; reason: string }[] };
}

function json(cwd: string, args: string[]): { code: number | null; out: JsonOut | null; stderr: string } {
  const r = run(cwd, ['lint', '--format', 'json', ...args]);
  let out: JsonOut | null = null;
  try {
    out = JSON.parse(r.stdout) as JsonOut;
  } catch {
    // exit 2 prints nothing on stdout
  }
  return { code: r.code, out, stderr: r.stderr };
}

function project(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migralint-coverage-')));
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const ALEMBIC_ENV = 'from alembic import context\nconnection.execute(text("SET lock_timeout = 5000"))\n';
const REVISION = `"""add note"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "note")
`;
const GENERIC_PY = (column: string) => `def upgrade(migrate_engine):
    migrate_engine.execute("SET lock_timeout = '5s'")
    migrate_engine.execute("ALTER TABLE accounts ADD COLUMN ${column} text")


def downgrade(migrate_engine):
    migrate_engine.execute("SET lock_timeout = '5s'")
    migrate_engine.execute("ALTER TABLE accounts DROP COLUMN ${column}")
`;
const TS_UPDOWN = `export async function up(db) {\n  await db.query("ALTER TABLE accounts ADD COLUMN note text");\n}\n\nexport async function down(db) {\n  await db.query("ALTER TABLE accounts DROP COLUMN note");\n}\n`;

// ---------------------------------------------------------------------------------------------
// Files named on the command line

test('a named file no reader claims: exit 2, one line naming the file and the directories.<dir>.framework key', () => {
  const p = project({ 'misc/notes.txt': 'ALTER TABLE accounts ADD COLUMN note text;\n' });
  try {
    const r = run(p.dir, ['lint', 'misc/notes.txt']);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.is(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^migralint: misc\/notes\.txt: /);
    assert.match(lines[0]!, /"directories": \{ "misc": \{ "framework": /);
  } finally {
    p.cleanup();
  }
});

test('a named .sql file its directory\'s layout does not claim is read by the generic reader', () => {
  const p = project({
    'db/migrations/000001_init.up.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
    'db/migrations/000001_init.down.sql': 'DROP TABLE accounts;\n',
    'db/migrations/seed.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN tier text NOT NULL;\n",
  });
  try {
    const r = json(p.dir, ['db/migrations/seed.sql']);
    assert.is(r.code, 1, r.stderr);
    assert.equal(
      r.out!.findings.map((f) => `${f.rule} ${f.file}:${f.line}`),
      ['irreversible-downgrade db/migrations/seed.sql:1', 'add-not-null-column db/migrations/seed.sql:2'],
    );
    // Plain lint of the directory leaves it out, and says so.
    const dir = json(p.dir, ['db/migrations']);
    assert.is(dir.code, 0, dir.stderr);
    assert.equal(dir.out!.files.skipped, [{ file: 'db/migrations/seed.sql', reason: 'not a golang-migrate migration file' }]);
  } finally {
    p.cleanup();
  }
});

test('a named Python module that is not a migration (pre-commit passes every staged .py) is counted as skipped, not refused', () => {
  const p = project({
    'migrations/env.py': ALEMBIC_ENV,
    'migrations/versions/a1_note.py': REVISION,
    'app/models.py': 'class Account:\n    pass\n',
  });
  try {
    const r = json(p.dir, ['app/models.py', 'migrations/versions/a1_note.py']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.out!.summary.migrations, 1);
    assert.equal(r.out!.files, { seen: 2, linted: 1, skipped: [{ file: 'app/models.py', reason: 'not a migration' }] });
  } finally {
    p.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Directories named or configured

test('a named directory of patch-*.sql files and one of generic Python migrations: both linted', () => {
  const p = project({
    'sql/patches/patch-accounts-tier.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN tier text NOT NULL;\n",
    'sql/patches/patch-accounts-note.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN note text;\n",
    'py/steps/001_note.py': GENERIC_PY('note'),
    'py/steps/002_tier.py': GENERIC_PY('tier').replace(' text")', ' text NOT NULL")'),
    'py/steps/__init__.py': '',
  });
  try {
    const sql = json(p.dir, ['sql']);
    assert.is(sql.code, 1, sql.stderr);
    assert.ok(sql.out!.findings.some((f) => f.rule === 'add-not-null-column' && f.file === 'sql/patches/patch-accounts-tier.sql'));
    assert.is(sql.out!.summary.migrations, 2);

    const py = json(p.dir, ['py/steps']);
    assert.is(py.code, 1, py.stderr);
    assert.equal(
      py.out!.findings.map((f) => `${f.rule} ${f.file}:${f.line}`),
      ['add-not-null-column py/steps/002_tier.py:3'],
    );
    assert.equal(py.out!.files, { seen: 3, linted: 2, skipped: [{ file: 'py/steps/__init__.py', reason: 'not a migration' }] });
  } finally {
    p.cleanup();
  }
});

test('generic Python migrations: framework generic-python, ordered by file name with linear parents; an Alembic versions directory keeps noRevision', async () => {
  const p = project({
    'steps/002_tier.py': GENERIC_PY('tier'),
    'steps/001_note.py': GENERIC_PY('note'),
    'migrations/env.py': ALEMBIC_ENV,
    'migrations/versions/a1_note.py': REVISION,
    'migrations/versions/b1_broken.py': 'from alembic import op\n\n\ndef upgrade():\n    pass\n',
  });
  try {
    const config = await loadConfig({ cwd: p.dir });
    const steps = await lintApi({ cwd: p.dir, paths: ['steps'], config });
    const ms = steps.sets.flatMap((s) => s.migrations);
    assert.equal(
      ms.map((m) => [path.basename(m.file), m.framework, m.revision?.value, m.parents?.value]),
      [
        ['001_note.py', 'generic-python', '001_note', []],
        ['002_tier.py', 'generic-python', '002_tier', ['001_note']],
      ],
    );
    const alembic = await lintApi({ cwd: p.dir, paths: ['migrations/versions'], config });
    assert.ok(alembic.sets.flatMap((s) => s.migrations).every((m) => m.framework === 'alembic'));
    assert.ok(alembic.findings.some((f) => f.ruleId === 'parse-error' && f.messageId === 'noRevision' && f.file.endsWith('b1_broken.py')));
  } finally {
    p.cleanup();
  }
});

test('a configured directory whose files no reader can read: exit 2 naming the directory and up to five files', () => {
  const files: Record<string, string> = {
    'migralint.config.json': JSON.stringify({ directories: { 'db/changes': { framework: 'alembic' } } }),
  };
  for (let i = 1; i <= 7; i++) files[`db/changes/change_${i}.sql`] = 'ALTER TABLE accounts ADD COLUMN note text;\n';
  const p = project(files);
  try {
    const r = run(p.dir, ['lint']);
    assert.is(r.code, 2, r.stdout + r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^migralint: db\/changes: /);
    assert.match(lines[0]!, /change_1\.sql, change_2\.sql, change_3\.sql, change_4\.sql, change_5\.sql, \.\.\./);
    assert.not.match(lines[0]!, /change_6/);
    assert.match(lines[0]!, /"framework": "sql"/);
  } finally {
    p.cleanup();
  }
});

test('SQL of a SQLite directory is not read by PostgreSQL\'s parser (no sql-syntax-error on AUTOINCREMENT)', () => {
  const sqlite = 'CREATE TABLE pages (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT);\n';
  const p = project({ 'db/patches/patch-pages.sql': sqlite });
  try {
    const pg = json(p.dir, ['db/patches']);
    assert.ok(pg.out!.findings.some((f) => f.rule === 'sql-syntax-error'), 'read as PostgreSQL, the statement is an error');
    writeFileSync(path.join(p.dir, 'migralint.config.json'), JSON.stringify({ directories: { 'db/patches': { dialect: 'sqlite' } } }));
    const lite = json(p.dir, []);
    assert.ok(lite.out, lite.stderr);
    assert.is(lite.out!.summary.migrations, 1);
    assert.equal(lite.out!.findings.filter((f) => f.rule === 'sql-syntax-error'), []);
  } finally {
    p.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// The summary

test('the summary says how many files were seen, linted and skipped, and why (stylish and json)', () => {
  const p = project({
    'migralint.config.json': JSON.stringify({ ignorePatterns: ['migrations/versions/legacy_*.py'] }),
    'migrations/env.py': ALEMBIC_ENV,
    'migrations/versions/__init__.py': '',
    'migrations/versions/a1_note.py': REVISION,
    'migrations/versions/legacy_old.py': REVISION.replace(/a1/g, 'z9'),
  });
  try {
    const r = run(p.dir, ['lint']);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^No problems found \(1 migration in 1 file\)\. 3 files seen: 1 linted, 2 skipped \(1 ignored by config: legacy_old\.py; 1 not a migration: __init__\.py\)\.$/m,
    );
    const j = json(p.dir, []);
    assert.equal(j.out!.files, {
      seen: 3,
      linted: 1,
      skipped: [
        { file: 'migrations/versions/__init__.py', reason: 'not a migration' },
        { file: 'migrations/versions/legacy_old.py', reason: 'ignored by config' },
      ],
    });
  } finally {
    p.cleanup();
  }
});

test('files counts include the context a named file is read with; a down file counts as a file', () => {
  const p = project({
    'db/migrations/000001_init.up.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
    'db/migrations/000001_init.down.sql': 'DROP TABLE accounts;\n',
    'db/migrations/000002_note.up.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN note text;\n",
    'db/migrations/000002_note.down.sql': "SET lock_timeout = '5s';\nALTER TABLE accounts DROP COLUMN note;\n",
  });
  try {
    const r = json(p.dir, ['db/migrations/000002_note.up.sql']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.out!.summary.migrations, 1);
    assert.is(r.out!.summary.files, 4);
    assert.equal(r.out!.files, { seen: 4, linted: 4, skipped: [] });
  } finally {
    p.cleanup();
  }
});

test('popx files of the other dialects are skipped "for another dialect"', async () => {
  const dir = path.join(root, 'fixtures', 'sql', 'layout-popx');
  const config = await loadConfig({ cwd: dir });
  const result = await lintApi({ cwd: dir, paths: [], config });
  assert.equal(
    result.files.skipped.map((s) => `${path.basename(s.file)}: ${s.reason}`),
    [
      '20210410175418000000_identities.mysql.down.sql: for another dialect',
      '20210410175418000000_identities.mysql.up.sql: for another dialect',
      '20210410175418000000_identities.sqlite3.down.sql: for another dialect',
      '20210410175418000000_identities.sqlite3.up.sql: for another dialect',
    ],
  );
  assert.is(result.files.seen, 10);
  assert.is(result.files.linted, 6);
});

// ---------------------------------------------------------------------------------------------
// Auto-discovery

test('auto-discovery: a notice on stderr for each look-alike directory it did not lint, with the config to add', () => {
  const p = project({
    'migrations/env.py': ALEMBIC_ENV,
    'migrations/versions/a1_note.py': REVISION,
    'db/schema/tables.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
    'db/schema/views.sql': 'CREATE VIEW v AS SELECT 1;\n',
    'tools/steps/0001_backfill.py': GENERIC_PY('note'),
    'docs/schema/README.md': 'not migrations\n',
    'app/models.py': 'x = 1\n',
  });
  try {
    const r = run(p.dir, ['lint']);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines, [
      'migralint: notice: db/schema looks like a migration directory (2 migration-like files) but no known layout claims it, so it was not linted; to lint it, add to the config: "directories": { "db/schema": { "framework": "sql" } }',
      'migralint: notice: tools/steps looks like a migration directory (1 migration-like file) but no known layout claims it, so it was not linted; to lint it, add to the config: "directories": { "tools/steps": { "framework": "generic-python" } }',
    ]);
    // Following the notice lints the directory.
    writeFileSync(
      path.join(p.dir, 'migralint.config.json'),
      JSON.stringify({ directories: { 'migrations/versions': {}, 'db/schema': { framework: 'sql' }, 'tools/steps': { framework: 'generic-python' } } }),
    );
    const after = json(p.dir, []);
    assert.is(after.stderr, '');
    assert.is(after.out!.summary.migrations, 4);
  } finally {
    p.cleanup();
  }
});

test('auto-discovery that finds nothing readable beside look-alike directories exits 2, with the notices', () => {
  const p = project({ 'db/alterations/add_note.sql': 'ALTER TABLE accounts ADD COLUMN note text;\n' });
  try {
    const r = run(p.dir, ['lint']);
    assert.is(r.code, 2, r.stdout + r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.is(lines.length, 2, r.stderr);
    assert.match(lines[0]!, /^migralint: notice: db\/alterations looks like a migration directory/);
    assert.match(lines[1]!, /^migralint: no migration directory in a known layout was found/);
  } finally {
    p.cleanup();
  }
});

test('discovery recognises the new SQL layouts: authelia-style, sql-migrate with any file names, patch-*.sql sets', async () => {
  const p = project({
    'internal/storage/migrations/postgres/V0001.Initial_Schema.up.sql': 'CREATE TABLE t (id int);\n',
    'internal/storage/migrations/postgres/V0001.Initial_Schema.down.sql': 'DROP TABLE t;\n',
    'deploy/sql/init.sql': '-- +migrate Up\nCREATE TABLE t (id int);\n-- +migrate Down\nDROP TABLE t;\n',
    'maintenance/archives/patch-foo.sql': 'ALTER TABLE t ADD COLUMN foo int;\n',
    'scripts/report.sql': 'SELECT 1;\n',
  });
  try {
    const found = (await discoverMigrationDirs(p.dir)).map((d) => path.relative(p.dir, d).split(path.sep).join('/'));
    assert.equal(found, ['deploy/sql', 'internal/storage/migrations/postgres', 'maintenance/archives']);
    const config = await loadConfig({ cwd: p.dir });
    const result = await lintApi({ cwd: p.dir, paths: [], config });
    assert.equal(
      result.sets.map((s) => [path.relative(p.dir, s.dir).split(path.sep).join('/'), s.migrations.map((m) => m.framework).join(',')]),
      [
        ['deploy/sql', 'sql-migrate'],
        ['internal/storage/migrations/postgres', 'sql'],
        ['maintenance/archives', 'sql'],
      ],
    );
    // The V0001 pair is one migration with its down file.
    const authelia = result.sets[1]!.migrations[0]!;
    assert.is(authelia.revision?.value, 'V0001.Initial_Schema');
    assert.equal(authelia.companions.map((c) => path.basename(c.file)), ['V0001.Initial_Schema.down.sql']);
    assert.is(authelia.downgrade.operations.length, 1);
  } finally {
    p.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// The promise: never exit 0 with 0 migrations while migration-like files were in the linted paths

const SHAPES: { name: string; files: Record<string, string>; args: string[] }[] = [
  { name: 'named file .sql (no layout)', files: { 'a/change.sql': 'ALTER TABLE t ADD COLUMN c int;\n' }, args: ['a/change.sql'] },
  { name: 'named file .py (generic)', files: { 'a/step.py': GENERIC_PY('c') }, args: ['a/step.py'] },
  { name: 'named file .ts (no timestamp)', files: { 'a/add_note.ts': TS_UPDOWN }, args: ['a/add_note.ts'] },
  { name: 'named file .js (no timestamp)', files: { 'a/add_note.js': TS_UPDOWN }, args: ['a/add_note.js'] },
  { name: 'named dir of .sql', files: { 'a/b/one.sql': 'SELECT 1;\n', 'a/b/two.sql': 'SELECT 2;\n' }, args: ['a'] },
  { name: 'named dir of .py', files: { 'a/x.py': GENERIC_PY('c') }, args: ['a'] },
  { name: 'named dir of .ts', files: { 'a/create_users.ts': TS_UPDOWN }, args: ['a'] },
  { name: 'named dir of .mjs', files: { 'a/create_users.mjs': TS_UPDOWN }, args: ['a'] },
  { name: 'named dir, nested', files: { 'a/b/c/d/0001.sql': 'SELECT 1;\n' }, args: ['a'] },
  { name: 'configured paths', files: { 'migralint.config.json': '{"paths": ["x"]}', 'x/y.sql': 'SELECT 1;\n' }, args: [] },
  { name: 'configured directories (framework alembic, .sql files)', files: { 'migralint.config.json': '{"directories": {"x": {"framework": "alembic"}}}', 'x/y.sql': 'SELECT 1;\n' }, args: [] },
  { name: 'auto: migrations dir of .sql', files: { 'db/migrations/init.sql': 'SELECT 1;\n' }, args: [] },
  { name: 'auto: schema dir', files: { 'schema/tables.sql': 'SELECT 1;\n' }, args: [] },
  { name: 'auto: numbered .py', files: { 'steps/0001_x.py': GENERIC_PY('c') }, args: [] },
  { name: 'auto: changelog dir of .ts', files: { 'changelog/add_note.ts': TS_UPDOWN }, args: [] },
  { name: 'auto: alterations dir', files: { 'alterations/add.sql': 'SELECT 1;\n' }, args: [] },
];

test('no run exits 0 with 0 migrations while migration-like files were in the linted paths', () => {
  for (const shape of SHAPES) {
    const p = project(shape.files);
    try {
      const r = json(p.dir, shape.args);
      if (r.code === 0) {
        assert.ok(r.out, `${shape.name}: ${r.stderr}`);
        assert.ok(r.out!.summary.migrations > 0, `${shape.name}: exit 0 with 0 migrations`);
      } else {
        assert.ok(r.code === 1 || r.code === 2, `${shape.name}: exit ${r.code}`);
        if (r.code === 2) assert.match(r.stderr, /^migralint: /, shape.name);
        assert.not.match(r.stderr, /internal error/, shape.name);
      }
    } finally {
      p.cleanup();
    }
  }
});

// ---------------------------------------------------------------------------------------------
// --staged and --changed-since accept the directories plain lint accepts

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('--staged and --changed-since: a named directory without env.py is a migration directory, as for plain lint', () => {
  const p = project({ 'db/steps/001_note.py': GENERIC_PY('note'), 'db/patches/patch-a.sql': "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN a int;\n" });
  try {
    git(p.dir, 'init', '-q');
    git(p.dir, 'add', '-A');
    git(p.dir, 'commit', '-q', '-m', 'base');
    git(p.dir, 'tag', 'base');
    writeFileSync(path.join(p.dir, 'db/steps/002_tier.py'), GENERIC_PY('tier').replace(' text")', ' text NOT NULL")'));
    writeFileSync(path.join(p.dir, 'db/other.sql'), "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN b int NOT NULL;\n");
    git(p.dir, 'add', '-A');
    const expected = ['add-not-null-column db/steps/002_tier.py:3'];

    const plain = json(p.dir, ['db/steps']);
    assert.equal(plain.out!.findings.map((f) => `${f.rule} ${f.file}:${f.line}`), expected, plain.stderr);
    for (const scope of [['--staged'], ['--changed-since', 'base']]) {
      const r = json(p.dir, [...scope, 'db/steps']);
      assert.is(r.code, 1, `${scope[0]}: ${r.stderr}`);
      assert.equal(r.out!.findings.map((f) => `${f.rule} ${f.file}:${f.line}`), expected, scope[0]);
      assert.is(r.out!.summary.migrations, 1, scope[0]);
    }
    // Without the path, the generic directory is not a migration directory (nothing named it).
    const unnamed = json(p.dir, ['--staged']);
    assert.is(unnamed.code, 0, unnamed.stderr);
    assert.is(unnamed.out!.summary.migrations, 0);
  } finally {
    p.cleanup();
  }
});


// ---------------------------------------------------------------------------------------------
// Auto-discovery that finds nothing at all is an error too: a required check that read no file
// must not report "No problems found".

test('auto-discovery that finds no migration and no look-alike exits 2 naming the project root', () => {
  for (const files of [{ 'db/changes/first.sql': 'CREATE TABLE a (id int);\n' }, { 'README.md': '# nothing here\n' }] as Record<string, string>[]) {
    const p = project(files);
    try {
      const r = run(p.dir, ['lint']);
      assert.is(r.code, 2, r.stdout + r.stderr);
      assert.not.match(r.stdout, /No problems found/);
      assert.match(r.stderr, new RegExp(`no migration directory found under ${p.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      // Naming the directory reads it.
      if ('db/changes/first.sql' in files) {
        const named = json(p.dir, ['db/changes']);
        assert.is(named.out?.summary.migrations, 1, named.stderr);
      }
    } finally {
      p.cleanup();
    }
  }
});

test('--changed-since with no migration changed still exits 0 (an empty selection is normal under a git scope)', () => {
  const p = project({ 'migrations/0001_init.up.sql': 'CREATE TABLE a (id int);\n', 'migrations/0001_init.down.sql': 'DROP TABLE a;\n' });
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: p.dir, env: cleanEnv(), stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=t', '-c', 'user.email=t@e', 'add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'init');
    const r = run(p.dir, ['lint', '--changed-since', 'HEAD']);
    assert.is(r.code, 0, r.stdout + r.stderr);
  } finally {
    p.cleanup();
  }
});
test('a named directory holding no migration-like file exits 2 naming it, not "No problems found"', () => {
  const p = project({ 'stuff/notes.txt': 'hello\n', 'stuff/thing.sqlx': 'ALTER TABLE x ADD y int;\n', 'empty/.keep': '' });
  try {
    for (const dir of ['stuff', 'empty']) {
      const r = run(p.dir, ['lint', dir]);
      assert.is(r.code, 2, `${dir}: ${r.stdout}${r.stderr}`);
      assert.not.match(r.stdout, /No problems found/);
      assert.match(r.stderr, new RegExp(`^migralint: ${dir}: no migration could be read: it holds no migration-like file`, 'm'));
    }
  } finally {
    p.cleanup();
  }
});

test.run();
