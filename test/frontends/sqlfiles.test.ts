// The raw SQL front end: layouts (Flyway, golang-migrate/popx, Diesel, dbmate, goose, Prisma,
// numbered files), pairing of down parts, identity and order, parents, transaction context,
// comments, discovery, and the engine's handling of SQL directories.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Migration, Operation } from '../../src/model/index.js';
import type { SqlParser } from '../../src/frontends/sql/api.js';
import type { FrontendSetOptions } from '../../src/frontends/types.js';
import { readSqlDirectory } from '../../src/frontends/sqlfiles/index.js';
import { loadSqlParser } from '../../src/frontends/sql/index.js';
import { classifyPath } from '../../src/frontends/sqlfiles/layout.js';
import { discoverMigrationDirs, selectFiles } from '../../src/engine/files.js';
import { lint, loadMigrations } from '../../src/engine/run.js';
import { configFor } from '../helpers/rule-tester.js';

// ---------------------------------------------------------------------------------------------
// Helpers

// The real PostgreSQL reader (libpg-query), loaded once.
const parser: SqlParser = await loadSqlParser();

const roots: string[] = [];
function tree(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'migralint-sqlfiles-'));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(root, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return root;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** Reads a directory through the front end directly (no engine). */
function read(dir: string, opts: Partial<FrontendSetOptions> = {}): Migration[] {
  const inputs = listFiles(dir).map((file) => ({ file, bytes: readFileSync(file) as Uint8Array, projectRoot: dir, dialect: opts.dialect ?? 'postgresql' as const }));
  return readSqlDirectory(parser, inputs, dir, { dialect: 'postgresql', ...opts });
}

const ids = (ms: Migration[]) => ms.map((m) => m.revision?.value ?? null);
const parentsOf = (ms: Migration[]) => ms.map((m) => m.parents?.value ?? null);
const byRev = (ms: Migration[], rev: string) => ms.find((m) => m.revision?.value === rev)!;
/** Each operation's kind, or its keyword for a plain `sql` statement. */
const kinds = (ops: Operation[]) => ops.map((o) => (o.kind === 'sql' ? o.keyword : o.kind));

test.after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// File names

test('file names: each layout is recognised from its name', () => {
  assert.equal(classifyPath('V1_2__add.sql'), { kind: 'flyway', prefix: 'V', version: '1.2', parts: [1n, 2n], name: 'add' });
  assert.equal(classifyPath('V1.2.0__add.sql'), { kind: 'flyway', prefix: 'V', version: '1.2', parts: [1n, 2n], name: 'add' });
  assert.equal(classifyPath('U3__x.sql')?.kind, 'flyway');
  assert.equal(classifyPath('R__views.sql'), { kind: 'flyway-repeatable', name: 'views' });
  assert.equal(classifyPath('V3__x.sql.conf'), { kind: 'flyway-conf', target: 'V3__x.sql' });
  assert.equal(classifyPath('20210410175418000001_identities.postgres.autocommit.up.sql'), {
    kind: 'updown',
    direction: 'up',
    version: '20210410175418000001',
    name: 'identities',
    dialect: 'postgres',
    autocommit: true,
  });
  assert.equal(classifyPath('0001_init.down.sql'), { kind: 'updown', direction: 'down', version: '0001', name: 'init', dialect: null, autocommit: false });
  assert.equal(classifyPath('2020-01-01-000000_create/up.sql'), {
    kind: 'diesel',
    part: 'up',
    folder: '2020-01-01-000000_create',
    version: '20200101000000',
    name: 'create',
  });
  assert.equal(classifyPath('20210101000000_init/migration.sql'), { kind: 'prisma', folder: '20210101000000_init', name: 'init' });
  assert.equal(classifyPath('20200101_users.sql'), { kind: 'numbered', version: '20200101', name: 'users' });
  assert.is(classifyPath('schema.sql'), null);
  assert.is(classifyPath('afterMigrate.sql'), null);
});

// ---------------------------------------------------------------------------------------------
// Flyway

test('flyway: versions in numeric order, undo files as down parts, repeatables last, parents a chain', () => {
  const dir = tree({
    'V1__init.sql': 'CREATE TABLE a (id int);\n',
    'V1_1__add.sql': 'ALTER TABLE a ADD COLUMN b int;\n',
    'U1_1__add.sql': '-- undo\nALTER TABLE a DROP COLUMN b;\n',
    'V1.2__more.sql': 'CREATE TABLE c (id int);\n',
    'V10__ten.sql': 'CREATE TABLE ten (id int);\n',
    'V2__two.sql': 'CREATE TABLE two (id int);\n',
    'R__views.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;\n',
    'R__a_funcs.sql': 'SELECT 1;\n',
    'afterMigrate.sql': 'SELECT 1;\n',
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['1', '1.1', '1.2', '2', '10', 'R__a_funcs', 'R__views']);
  assert.equal(parentsOf(ms), [[], ['1'], ['1.1'], ['1.2'], ['2'], ['10'], ['R__a_funcs']]);
  assert.ok(ms.every((m) => m.framework === 'flyway'));
  const add = byRev(ms, '1.1');
  assert.is(add.file, path.join(dir, 'V1_1__add.sql'));
  assert.is(add.message, 'add');
  assert.equal(add.companions.map((c) => [path.basename(c.file), c.role]), [['U1_1__add.sql', 'down']]);
  assert.is(add.downgrade.shape, 'operations');
  assert.equal(add.downgrade.loc, { line: 1, column: 1, endLine: 1, endColumn: 8, file: path.join(dir, 'U1_1__add.sql') });
  const drop = add.downgrade.operations[0]!;
  assert.is(drop.loc.file, path.join(dir, 'U1_1__add.sql'));
  assert.is(drop.loc.line, 2);
  assert.equal(add.comments.map((c) => [c.text, c.loc.line, c.loc.file]), [['undo', 1, path.join(dir, 'U1_1__add.sql')]]);
  assert.is(byRev(ms, '1').downgrade.shape, 'missing');
  assert.is(byRev(ms, 'R__views').downgrade.shape, 'missing');
  assert.is(byRev(ms, '1').transaction.mode, 'per-migration');
  assert.match(byRev(ms, '1').transaction.reason, /Flyway/);
  assert.ok(byRev(ms, '1').upgrade.operations.every((o) => o.transactional));
});

test('flyway: executeInTransaction=false in a script configuration file, and CONCURRENTLY, run outside a transaction', () => {
  const dir = tree({
    'V1__init.sql': 'CREATE TABLE a (id int);\n',
    'V2__idx.sql': 'CREATE TABLE b (id int);\n',
    'V2__idx.sql.conf': '# flyway\nexecuteInTransaction=false\n',
    'V3__conc.sql': '-- build it online\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n',
  });
  const ms = read(dir);
  const two = byRev(ms, '2');
  assert.is(two.transaction.mode, 'none');
  assert.is(two.transaction.reason, 'V2__idx.sql.conf: executeInTransaction=false');
  assert.is(two.transaction.file, path.join(dir, 'V2__idx.sql.conf'));
  assert.equal(two.transaction.loc, { line: 2, column: 1, endLine: 2, endColumn: 27, file: path.join(dir, 'V2__idx.sql.conf') });
  assert.equal(two.companions.map((c) => c.role), ['config']);
  assert.ok(two.upgrade.operations.every((o) => !o.transactional));
  const three = byRev(ms, '3');
  assert.is(three.transaction.mode, 'none');
  assert.match(three.transaction.reason, /CREATE INDEX CONCURRENTLY/);
  assert.is(three.transaction.loc?.line, 2);
  assert.is(byRev(ms, '1').transaction.mode, 'per-migration');
});

// ---------------------------------------------------------------------------------------------
// golang-migrate and popx

test('golang-migrate: up/down pairs, empty and missing down parts, transaction by statement count', () => {
  const dir = tree({
    '000001_init.up.sql': 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n',
    '000001_init.down.sql': 'DROP TABLE b;\n-- then a\nDROP TABLE a;\n',
    '000002_idx.up.sql': 'CREATE INDEX CONCURRENTLY a_id ON a (id);\n',
    '000002_idx.down.sql': '-- nothing to undo\n\n/* really */\n',
    '000003_data.up.sql': 'BEGIN;\nUPDATE a SET id = 1;\nCOMMIT;\n',
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['1', '2', '3']);
  assert.equal(parentsOf(ms), [[], ['1'], ['2']]);
  const init = ms[0]!;
  assert.is(init.framework, 'golang-migrate');
  assert.is(init.file, path.join(dir, '000001_init.up.sql'));
  assert.is(init.message, 'init');
  assert.equal(init.companions.map((c) => [path.basename(c.file), c.role]), [['000001_init.down.sql', 'down']]);
  assert.is(init.companions[0]!.source, 'DROP TABLE b;\n-- then a\nDROP TABLE a;\n');
  assert.is(init.transaction.mode, 'per-migration');
  assert.match(init.transaction.reason, /2 statements in one implicit transaction/);
  assert.equal(kinds(init.downgrade.operations), ['drop_table', 'drop_table']);
  assert.equal(init.downgrade.operations.map((o) => [o.loc.file, o.loc.line, o.transactional]), [
    [path.join(dir, '000001_init.down.sql'), 1, true],
    [path.join(dir, '000001_init.down.sql'), 3, true],
  ]);
  assert.equal(init.comments.map((c) => [c.text, c.loc.line, c.loc.file]), [['then a', 2, path.join(dir, '000001_init.down.sql')]]);

  const idx = ms[1]!;
  assert.is(idx.transaction.mode, 'none');
  assert.match(idx.transaction.reason, /single statement/);
  assert.is(idx.upgrade.operations[0]!.transactional, false);
  assert.is(idx.downgrade.shape, 'empty');
  assert.equal(idx.downgrade.loc?.file, path.join(dir, '000002_idx.down.sql'));
  assert.equal(idx.comments.map((c) => c.text), ['nothing to undo', 'really']);

  assert.is(ms[2]!.downgrade.shape, 'missing');
  assert.is(ms[2]!.transaction.mode, 'per-migration');
});

test('popx: only the chain dialect and generic files; .autocommit. runs outside a transaction', () => {
  const files: Record<string, string> = {};
  for (const d of ['postgres', 'mysql', 'sqlite3', 'cockroach']) {
    files[`20210410175418000001_identities.${d}.up.sql`] = `CREATE TABLE identities_${d} (id int);\n`;
    files[`20210410175418000001_identities.${d}.down.sql`] = `DROP TABLE identities_${d};\n`;
  }
  files['20210410175418000002_idx.postgres.autocommit.up.sql'] = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON identities (id);\n';
  files['20210410175418000002_idx.postgres.autocommit.down.sql'] = '';
  files['20210410175418000002_idx.mysql.up.sql'] = 'CREATE INDEX i ON identities (id);\n';
  files['20210410175418000003_generic.up.sql'] = 'CREATE TABLE g (id int);\nCREATE TABLE h (id int);\n';
  const dir = tree(files);

  const pg = read(dir);
  assert.equal(ids(pg), ['20210410175418000001', '20210410175418000002', '20210410175418000003']);
  assert.equal(pg.map((m) => path.basename(m.file)), [
    '20210410175418000001_identities.postgres.up.sql',
    '20210410175418000002_idx.postgres.autocommit.up.sql',
    '20210410175418000003_generic.up.sql',
  ]);
  assert.is(pg[0]!.transaction.mode, 'per-migration');
  assert.match(pg[0]!.transaction.reason, /popx/);
  assert.is(pg[1]!.transaction.mode, 'none');
  assert.match(pg[1]!.transaction.reason, /\.autocommit\./);
  assert.is(pg[1]!.transaction.file, pg[1]!.file);
  assert.is(pg[1]!.upgrade.operations[0]!.transactional, false);
  assert.is(pg[1]!.downgrade.shape, 'empty');
  assert.is(pg[2]!.downgrade.shape, 'missing');

  const lite = read(dir, { dialect: 'sqlite' });
  assert.equal(lite.map((m) => path.basename(m.file)), ['20210410175418000001_identities.sqlite3.up.sql', '20210410175418000003_generic.up.sql']);
  assert.ok(lite.every((m) => m.dialect === 'sqlite'));
});

// ---------------------------------------------------------------------------------------------
// Diesel

test('diesel: one folder per migration, metadata.toml run_in_transaction = false', () => {
  const dir = tree({
    '00000000000000_diesel_initial_setup/up.sql': 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n',
    '00000000000000_diesel_initial_setup/down.sql': 'DROP FUNCTION f();\n',
    '2020-01-01-000000_create_users/up.sql': 'CREATE TABLE users (id int);\n',
    '2020-01-01-000000_create_users/down.sql': '-- Not reversible\n',
    '2020-01-02-000000_idx/up.sql': 'CREATE INDEX CONCURRENTLY users_id ON users (id);\n',
    '2020-01-02-000000_idx/down.sql': 'DROP INDEX CONCURRENTLY users_id;\n',
    '2020-01-02-000000_idx/metadata.toml': '# diesel\nrun_in_transaction = false\n',
    '2020-01-03-000000_no_down/up.sql': 'SELECT 1;\n',
    '.keep': '',
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['00000000000000', '20200101000000', '20200102000000', '20200103000000']);
  assert.equal(parentsOf(ms), [[], ['00000000000000'], ['20200101000000'], ['20200102000000']]);
  assert.ok(ms.every((m) => m.framework === 'diesel'));
  assert.is(ms[0]!.file, path.join(dir, '00000000000000_diesel_initial_setup', 'up.sql'));
  assert.is(ms[0]!.upgrade.operations.length, 1, 'a dollar-quoted body is one statement');
  assert.is(ms[1]!.message, 'create users');
  assert.is(ms[1]!.downgrade.shape, 'empty');
  assert.is(ms[1]!.transaction.mode, 'per-migration');
  const idx = ms[2]!;
  assert.equal(idx.companions.map((c) => [path.basename(c.file), c.role]), [['metadata.toml', 'metadata'], ['down.sql', 'down']]);
  assert.is(idx.transaction.mode, 'none');
  assert.is(idx.transaction.reason, 'metadata.toml: run_in_transaction = false');
  assert.is(idx.transaction.file, path.join(dir, '2020-01-02-000000_idx', 'metadata.toml'));
  assert.is(idx.transaction.loc?.line, 2);
  assert.is(idx.upgrade.operations[0]!.transactional, false);
  assert.is(idx.downgrade.operations[0]!.transactional, false);
  assert.is(idx.downgrade.operations[0]!.loc.file, path.join(dir, '2020-01-02-000000_idx', 'down.sql'));
  assert.is(ms[3]!.downgrade.shape, 'missing');
});

// ---------------------------------------------------------------------------------------------
// dbmate and goose

test('dbmate: -- migrate:up / -- migrate:down sections with options', () => {
  const dir = tree({
    '20200101000000_users.sql': [
      '-- header comment',
      '-- migrate:up',
      'CREATE TABLE users (id int);',
      'ALTER TABLE users ADD COLUMN name text;',
      '',
      '-- migrate:down',
      'DROP TABLE users;',
      '',
    ].join('\n'),
    '20200102000000_idx.sql': [
      '-- migrate:up transaction:false',
      'CREATE INDEX CONCURRENTLY users_name ON users (name);',
      '-- migrate:down',
      '-- nothing',
      '',
    ].join('\n'),
    '20200103000000_up_only.sql': '-- migrate:up\nSELECT 1;\n',
    '20200104000000_broken.sql': 'SELECT 1;\n',
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['20200101000000', '20200102000000', '20200103000000', '20200104000000']);
  assert.ok(ms.every((m) => m.framework === 'dbmate'));
  const users = ms[0]!;
  assert.equal(users.upgrade.loc, { line: 2, column: 1, endLine: 2, endColumn: 14 });
  assert.equal(users.upgrade.operations.map((o) => o.loc.line), [3, 4]);
  assert.equal(kinds(users.upgrade.operations), ['create_table', 'add_column']);
  assert.equal(users.downgrade.loc?.line, 6);
  assert.equal(users.downgrade.operations.map((o) => [o.loc.line, o.loc.file]), [[7, undefined]]);
  assert.is(users.transaction.mode, 'per-migration');
  assert.equal(users.comments.map((c) => c.text), ['header comment', 'migrate:up', 'migrate:down']);

  const idx = ms[1]!;
  assert.is(idx.transaction.mode, 'none');
  assert.is(idx.transaction.reason, '-- migrate:up transaction:false');
  assert.is(idx.transaction.loc?.line, 1);
  assert.is(idx.upgrade.operations[0]!.transactional, false);
  assert.is(idx.downgrade.shape, 'empty');
  assert.is(ms[2]!.downgrade.shape, 'missing');
  assert.is(ms[3]!.parseError?.kind, 'syntax');
  assert.match(ms[3]!.parseError!.message, /migrate:up/);
});

test('goose: Up/Down annotations, NO TRANSACTION, StatementBegin/End blocks passed to the reader', () => {
  const dir = tree({
    '00001_users.sql': [
      '-- +goose Up',
      'CREATE TABLE users (id int);',
      '-- +goose StatementBegin',
      'CREATE FUNCTION touch() RETURNS trigger AS $$',
      'BEGIN',
      '  NEW.id := 1;',
      '  RETURN NEW;',
      'END;',
      '$$ LANGUAGE plpgsql;',
      '-- +goose StatementEnd',
      '',
      '-- +goose Down',
      'DROP FUNCTION touch();',
      'DROP TABLE users;',
      '',
    ].join('\n'),
    '00002_idx.sql': '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON users (id);\n\n-- +goose Down\n',
    '00003_up_only.sql': '-- +goose Up\nSELECT 1;\n',
    '00004_no_up.sql': '-- +goose Down\nSELECT 1;\n',
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['1', '2', '3', '4']);
  assert.equal(parentsOf(ms), [[], ['1'], ['2'], ['3']]);
  const users = ms[0]!;
  assert.is(users.framework, 'goose');
  assert.equal(kinds(users.upgrade.operations), ['create_table', 'CREATE FUNCTION']);
  const fn = users.upgrade.operations[1]!;
  assert.ok(fn.fromSql?.statement.includes('NEW.id := 1;'));
  assert.is(fn.loc.line, 4);
  assert.equal(kinds(users.downgrade.operations), ['DROP FUNCTION', 'drop_table']);
  assert.is(users.downgrade.loc?.line, 12);
  assert.is(users.transaction.mode, 'per-migration');

  const idx = ms[1]!;
  assert.is(idx.transaction.mode, 'none');
  assert.is(idx.transaction.reason, '-- +goose NO TRANSACTION');
  assert.is(idx.transaction.file, idx.file);
  assert.equal(idx.transaction.loc, { line: 1, column: 1, endLine: 1, endColumn: 25 });
  assert.is(idx.upgrade.operations[0]!.transactional, false);
  assert.is(idx.downgrade.shape, 'empty');
  assert.is(ms[2]!.downgrade.shape, 'missing');
  assert.is(ms[3]!.parseError?.kind, 'syntax');
  assert.match(ms[3]!.parseError!.message, /\+goose Up/);
});

test('sql-migrate: Up/Down sections in files of any name, notransaction, StatementBegin/End, a file with neither section', () => {
  const dir = tree({
    '1_users.sql': [
      '-- +migrate Up',
      'CREATE TABLE users (id int);',
      '-- +migrate StatementBegin',
      'CREATE FUNCTION touch() RETURNS trigger AS $$',
      'BEGIN',
      '  RETURN NEW;',
      'END;',
      '$$ LANGUAGE plpgsql;',
      '-- +migrate StatementEnd',
      '-- +migrate Down',
      'DROP FUNCTION touch();',
      'DROP TABLE users;',
      '',
    ].join('\n'),
    '2_idx.sql': '-- +migrate Up notransaction\nCREATE INDEX CONCURRENTLY i ON users (id);\n-- +migrate Down\nDROP INDEX i;\n',
    'seed_roles.sql': '-- +migrate Up\nINSERT INTO users VALUES (1);\n',
    '3_nothing.sql': 'SELECT 1;\n',
  });
  const ms = read(dir);
  assert.ok(ms.every((m) => m.framework === 'sql-migrate'));
  // Numbered files by number, then the others by name; a file without markers is not sql-migrate's.
  assert.equal(ids(ms), ['1_users', '2_idx', 'seed_roles']);
  assert.equal(parentsOf(ms), [[], ['1_users'], ['2_idx']]);
  assert.equal(kinds(ms[0]!.upgrade.operations), ['create_table', 'CREATE FUNCTION']);
  assert.equal(kinds(ms[0]!.downgrade.operations), ['DROP FUNCTION', 'drop_table']);
  assert.is(ms[0]!.transaction.mode, 'per-migration');
  assert.is(ms[1]!.transaction.mode, 'none');
  assert.is(ms[1]!.transaction.reason, '-- +migrate Up notransaction');
  assert.is(ms[1]!.upgrade.operations[0]!.transactional, false);
  // Named by the config, a file with neither section is reported.
  const forced = read(dir, { framework: 'sql-migrate' });
  const nothing = forced.find((m) => m.revision?.value === '3_nothing')!;
  assert.is(nothing.parseError?.kind, 'syntax');
  assert.match(nothing.parseError!.message, /\+migrate Up/);
});

test('generic SQL: V0001.Name.up/down.sql pairs (authelia), patch-*.sql sets by name, every .sql of a generic directory', () => {
  const authelia = tree({
    'V0002.Add_Column.up.sql': 'ALTER TABLE t ADD COLUMN c int;\n',
    'V0002.Add_Column.down.sql': 'ALTER TABLE t DROP COLUMN c;\n',
    'V0010.Later.up.sql': 'SELECT 10;\n',
    'V0001.Initial_Schema.up.sql': 'CREATE TABLE t (id int);\n',
    'V0001.Initial_Schema.down.sql': 'DROP TABLE t;\n',
  });
  const a = read(authelia);
  assert.equal(ids(a), ['V0001.Initial_Schema', 'V0002.Add_Column', 'V0010.Later']);
  assert.equal(parentsOf(a), [[], ['V0001.Initial_Schema'], ['V0002.Add_Column']]);
  assert.ok(a.every((m) => m.framework === 'sql'));
  assert.equal(a[1]!.companions.map((c) => path.basename(c.file)), ['V0002.Add_Column.down.sql']);
  assert.equal(kinds(a[1]!.downgrade.operations), ['drop_column']);
  assert.is(a[1]!.downgrade.operations[0]!.loc.file, path.join(authelia, 'V0002.Add_Column.down.sql'));
  assert.is(a[2]!.downgrade.shape, 'missing');

  const patches = tree({ 'patch-b.sql': 'SELECT 2;\n', 'patch-a.sql': 'SELECT 1;\n', 'tables.sql': 'SELECT 0;\n' });
  assert.equal(ids(read(patches)), ['patch-a', 'patch-b']);
  // A directory named or configured with no layout of its own: every .sql file, by name.
  const loose = tree({ 'zeta.sql': 'SELECT 2;\n', 'alpha.sql': 'SELECT 1;\n' });
  assert.equal(ids(read(loose)), []);
  assert.equal(ids(read(loose, { generic: true })), ['alpha', 'zeta']);
});

test('SQLite and MySQL SQL files are split by keyword, never parsed by PostgreSQL', () => {
  const dir = tree({ '001_pages.sql': 'CREATE TABLE pages (id INTEGER PRIMARY KEY AUTOINCREMENT);\nUPDATE pages SET id = 1;\n' });
  const pg = read(dir);
  assert.ok(pg[0]!.upgrade.operations.some((o) => o.kind === 'sql_error'));
  for (const dialect of ['sqlite', 'mysql'] as const) {
    const [m] = read(dir, { dialect });
    const ops = m!.upgrade.operations;
    // One execute_sql operation per statement, each at its own line.
    assert.equal(kinds(ops), ['execute_sql', 'execute_sql'], dialect);
    const statements = (ops as Extract<Operation, { kind: 'execute_sql' }>[]).flatMap((op) => op.statements);
    assert.equal(statements.map((st) => [st.keyword, st.category, st.loc.line]), [
      ['CREATE TABLE', 'schema', 1],
      ['UPDATE', 'data', 2],
    ]);
    assert.equal(ops.map((o) => o.loc.line), [1, 2]);
  }
});

// ---------------------------------------------------------------------------------------------
// Prisma and plain numbered files

test('prisma: <timestamp>_name/migration.sql, no down part, the Warnings header kept as a comment', () => {
  const dir = tree({
    'migration_lock.toml': 'provider = "postgresql"\n',
    '20210101000000_init/migration.sql': 'CREATE TABLE "User" (id int);\n',
    '20210202000000_drop/migration.sql': '/*\n  Warnings:\n\n  - You are about to drop the column `name`.\n*/\n-- AlterTable\nALTER TABLE "User" DROP COLUMN "name";\n',
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['20210101000000_init', '20210202000000_drop']);
  assert.equal(parentsOf(ms), [[], ['20210101000000_init']]);
  assert.ok(ms.every((m) => m.framework === 'prisma' && m.downgrade.shape === 'missing'));
  assert.is(ms[1]!.file, path.join(dir, '20210202000000_drop', 'migration.sql'));
  assert.equal(ms[1]!.comments.map((c) => [c.text.split('\n')[0], c.loc.line, c.inline]), [
    ['Warnings:', 1, false],
    ['AlterTable', 6, false],
  ]);
  assert.is(ms[1]!.upgrade.operations[0]!.loc.line, 7);
  assert.is(ms[1]!.transaction.mode, 'per-migration');
});

test('plain numbered files: ordered up-only migrations named by their stem', () => {
  const dir = tree({
    '10_later.sql': 'SELECT 2;\n',
    '2_first.sql': 'CREATE TABLE t (id int); -- the table\n',
    'notes.sql': 'SELECT 3;\n',
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['2_first', '10_later']);
  assert.equal(parentsOf(ms), [[], ['2_first']]);
  assert.ok(ms.every((m) => m.framework === 'sql' && m.downgrade.shape === 'missing' && m.transaction.mode === 'per-migration'));
  assert.match(ms[0]!.transaction.reason, /assumes/);
  assert.equal(ms[0]!.comments.map((c) => [c.text, c.inline]), [['the table', true]]);
  // The config can name the framework: every .sql file then counts.
  assert.equal(ids(read(dir, { framework: 'sql' })), ['2_first', '10_later', 'notes']);
});

test('forced framework: goose files without annotations are reported, not guessed', () => {
  const dir = tree({ '001_a.sql': 'SELECT 1;\n', '002_b.sql': '-- +goose Up\nSELECT 2;\n' });
  const ms = read(dir, { framework: 'goose' });
  assert.equal(ids(ms), ['1', '2']);
  assert.is(ms[0]!.parseError?.kind, 'syntax');
  assert.is(ms[1]!.parseError, null);
});

test('a file that is not UTF-8 gets a parse error; its identity and the others are kept', () => {
  const dir = tree({
    '1_a.up.sql': 'CREATE TABLE a (id int);\n',
    '2_b.up.sql': new Uint8Array([0x53, 0x45, 0x4c, 0xff, 0xfe, 0x0a]),
    '2_b.down.sql': 'SELECT 1;\n',
    '3_c.up.sql': 'CREATE TABLE c (id int);\n',
    '3_c.down.sql': new Uint8Array([0x00, 0x01]),
  });
  const ms = read(dir);
  assert.equal(ids(ms), ['1', '2', '3']);
  assert.is(ms[0]!.parseError, null);
  assert.is(ms[1]!.parseError?.kind, 'encoding');
  assert.equal(parentsOf(ms), [[], ['1'], ['2']]);
  assert.is(ms[2]!.parseError?.kind, 'binary');
  assert.is(ms[2]!.parseError?.loc.file, path.join(dir, '3_c.down.sql'));
});

test('duplicate versions: both migrations keep the version and share a parent', () => {
  const dir = tree({ 'V1__a.sql': 'SELECT 1;\n', 'V2__b.sql': 'SELECT 1;\n', 'V2.0__c.sql': 'SELECT 1;\n', 'V3__d.sql': 'SELECT 1;\n' });
  const ms = read(dir);
  assert.equal(ids(ms), ['1', '2', '2', '3']);
  assert.equal(parentsOf(ms), [[], ['1'], ['1'], ['2']]);
});

// ---------------------------------------------------------------------------------------------
// Discovery and the engine

const project = () =>
  tree({
    'goose/db/migrations/00001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n',
    'goose/db/migrations/00002_b.sql': '-- +goose Up\nCREATE TABLE b (id int);\n',
    'diesel/migrations/2020-01-01-000000_a/up.sql': 'CREATE TABLE a (id int);\n',
    'diesel/migrations/2020-01-01-000000_a/down.sql': 'DROP TABLE a;\n',
    'diesel/migrations/2020-01-02-000000_b/up.sql': 'CREATE TABLE b (id int);\n',
    'diesel/migrations/2020-01-02-000000_b/down.sql': 'DROP TABLE b;\n',
    'prisma/migrations/20210101000000_init/migration.sql': 'CREATE TABLE a (id int);\n',
    'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    'flyway/src/main/resources/db/migration/V1__init.sql': 'CREATE TABLE a (id int);\n',
    'flyway/src/main/resources/db/migration/V2__more.sql': 'CREATE TABLE b (id int);\n',
    'gm/migrations/1_a.up.sql': 'CREATE TABLE a (id int);\n',
    'gm/migrations/1_a.down.sql': 'DROP TABLE a;\n',
    'dbmate/db/migrations/20200101_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
    'plain/sql_migrations/001_init.sql': 'CREATE TABLE a (id int);\n',
    'plain/seeds/001_users.sql': 'INSERT INTO users VALUES (1);\n',
    'docs/schema.sql': 'CREATE TABLE a (id int);\n',
    'node_modules/pkg/migrations/V1__x.sql': 'SELECT 1;\n',
    'alembic/migrations/env.py': '# env\n',
    'alembic/migrations/versions/a1.py': 'revision = "a1"\ndown_revision = None\ndef upgrade():\n    pass\n',
    'alembic/migrations/versions/sql/001_data.sql': 'UPDATE t SET x = 1;\n',
  });

test('discovery finds each SQL layout, skips node_modules, seeds and SQL next to Alembic migrations', async () => {
  const root = project();
  const found = (await discoverMigrationDirs(root)).map((d) => path.relative(root, d).split(path.sep).join('/'));
  assert.equal(found, [
    'alembic/migrations/versions',
    'dbmate/db/migrations',
    'diesel/migrations',
    'flyway/src/main/resources/db/migration',
    'gm/migrations',
    'goose/db/migrations',
    'plain/sql_migrations',
    'prisma/migrations',
  ]);
});

test('engine: `lint` with no paths reads every SQL directory as one chain with its framework', async () => {
  const root = project();
  const { sets } = await loadMigrations({ cwd: root, paths: [], config: configFor(root, {}) });
  const summary = sets.map((s) => [
    path.relative(root, s.dir).split(path.sep).join('/'),
    s.framework,
    s.migrations.map((m) => m.revision?.value).sort(),
  ]);
  assert.equal(summary, [
    ['alembic/migrations/versions', 'alembic', ['a1']],
    ['dbmate/db/migrations', 'dbmate', ['20200101']],
    ['diesel/migrations', 'diesel', ['20200101000000', '20200102000000']],
    ['flyway/src/main/resources/db/migration', 'flyway', ['1', '2']],
    ['gm/migrations', 'golang-migrate', ['1']],
    ['goose/db/migrations', 'goose', ['1', '2']],
    ['plain/sql_migrations', 'sql', ['001_init']],
    ['prisma/migrations', 'prisma', ['20210101000000_init']],
  ]);
  const diesel = sets.find((s) => s.framework === 'diesel')!;
  assert.equal(diesel.migrations.map((m) => m.companions.map((c) => path.basename(c.file))), [['down.sql'], ['down.sql']]);
});

test('engine: a directory named on the command line, for each layout', async () => {
  const root = project();
  for (const [dir, framework, count] of [
    ['goose/db/migrations', 'goose', 2],
    ['diesel/migrations', 'diesel', 2],
    ['diesel', 'diesel', 2],
    ['prisma/migrations', 'prisma', 1],
    ['flyway', 'flyway', 2],
    ['gm/migrations', 'golang-migrate', 1],
    ['dbmate/db/migrations', 'dbmate', 1],
    ['plain/seeds', 'sql', 1],
  ] as const) {
    const { sets, targets } = await loadMigrations({ cwd: root, paths: [dir], config: configFor(root, {}) });
    assert.equal(sets.map((s) => s.framework), [framework], dir);
    assert.is(sets[0]!.migrations.length, count, dir);
    assert.ok(sets[0]!.migrations.every((m) => targets.has(m.file)), dir);
  }
});

test('engine: a single file named is linted with its directory as context', async () => {
  const root = project();
  const cases: [string, string, number][] = [
    ['flyway/src/main/resources/db/migration/V2__more.sql', 'flyway/src/main/resources/db/migration/V2__more.sql', 2],
    ['diesel/migrations/2020-01-02-000000_b/up.sql', 'diesel/migrations/2020-01-02-000000_b/up.sql', 2],
    // A down file selects its migration.
    ['diesel/migrations/2020-01-02-000000_b/down.sql', 'diesel/migrations/2020-01-02-000000_b/up.sql', 2],
    ['gm/migrations/1_a.down.sql', 'gm/migrations/1_a.up.sql', 1],
    // A Diesel migration folder.
    ['diesel/migrations/2020-01-01-000000_a', 'diesel/migrations/2020-01-01-000000_a/up.sql', 2],
    // A file in no known layout, named on its own.
    ['docs/schema.sql', 'docs/schema.sql', 1],
  ];
  for (const [given, target, inSet] of cases) {
    const { sets, targets } = await loadMigrations({ cwd: root, paths: [given], config: configFor(root, {}) });
    assert.is(sets.length, 1, given);
    assert.is(sets[0]!.migrations.length, inSet, given);
    const linted = sets[0]!.migrations.filter((m) => targets.has(m.file)).map((m) => path.relative(root, m.file).split(path.sep).join('/'));
    assert.equal(linted, [target], given);
  }
});

test('engine: the config names the framework and dialect of a directory', async () => {
  const root = tree({
    'db/one.sql': 'CREATE TABLE a (id int);\n',
    'db/two.sql': 'CREATE TABLE b (id int);\n',
    'kratos/1_a.postgres.up.sql': 'SELECT 1;\n',
    'kratos/1_a.sqlite3.up.sql': 'SELECT 1;\n',
    'kratos/2_b.sqlite3.up.sql': 'SELECT 1;\n',
  });
  const config = configFor(root, {});
  config.directories = [
    { path: path.join(root, 'db'), framework: 'sql' },
    { path: path.join(root, 'kratos'), dialect: 'sqlite' },
  ];
  const { sets } = await loadMigrations({ cwd: root, paths: ['db', 'kratos'], config });
  assert.equal(
    sets.map((s) => [path.basename(s.dir), s.framework, s.dialect, s.migrations.map((m) => path.basename(m.file))]),
    [
      ['db', 'sql', 'postgresql', ['one.sql', 'two.sql']],
      ['kratos', 'golang-migrate', 'sqlite', ['1_a.sqlite3.up.sql', '2_b.sqlite3.up.sql']],
    ],
  );
  // A directory given to another framework has no SQL migrations.
  config.directories = [{ path: path.join(root, 'db'), framework: 'alembic' }];
  const other = await loadMigrations({ cwd: root, paths: ['db'], config });
  assert.equal(other.sets.flatMap((s) => s.migrations), []);
});

test('engine: an unreadable file becomes an io parse error and the others are read', async () => {
  const root = tree({ 'migrations/1_a.up.sql': 'SELECT 1;\n', 'migrations/2_b.up.sql': 'SELECT 1;\n' });
  const { dirs } = await selectFiles(root, ['migrations'], () => false);
  // A file listed but gone by the time it is read.
  dirs.get(path.join(root, 'migrations'))!.push(path.join(root, 'migrations', '3_gone.up.sql'));
  const { parseSetFiles } = await import('../../src/engine/frontends.js');
  const items = dirs.get(path.join(root, 'migrations'))!.map((file) => {
    try {
      return { input: { file, bytes: readFileSync(file) as Uint8Array, projectRoot: root, dialect: 'postgresql' as const }, error: null };
    } catch (err) {
      return { input: { file, bytes: new Uint8Array(), projectRoot: root, dialect: 'postgresql' as const }, error: err as Error };
    }
  });
  const ms = await parseSetFiles(path.join(root, 'migrations'), items, { dialect: 'postgresql' });
  assert.equal(ms.map((m) => [path.basename(m.file), m.parseError?.kind ?? null]), [
    ['1_a.up.sql', null],
    ['2_b.up.sql', null],
    ['3_gone.up.sql', 'io'],
  ]);
});

test('lint: duplicate versions are reported by duplicate-revision', async () => {
  const root = tree({
    'migrations/V1__init.sql': 'CREATE TABLE a (id int);\n',
    'migrations/V2__left.sql': 'CREATE TABLE b (id int);\n',
    'migrations/V2__right.sql': 'CREATE TABLE c (id int);\n',
    'gm/0001_a.up.sql': 'SELECT 1;\n',
    'gm/1_b.up.sql': 'SELECT 1;\n',
  });
  const config = configFor(root, { 'duplicate-revision': { severity: 'error', options: {} }, 'multiple-heads': { severity: 'error', options: { allowLabeledBranches: true } } });
  const result = await lint({ cwd: root, paths: ['migrations', 'gm'], config, lockfile: null });
  assert.equal(
    result.findings.map((f) => [f.ruleId, path.relative(root, f.file).split(path.sep).join('/'), f.line]),
    [
      ['duplicate-revision', 'gm/0001_a.up.sql', 1],
      ['duplicate-revision', 'gm/1_b.up.sql', 1],
      ['duplicate-revision', 'migrations/V2__left.sql', 1],
      ['duplicate-revision', 'migrations/V2__right.sql', 1],
    ],
  );
  assert.match(result.findings[2]!.message, /Revision id 2 is also declared in V2__right\.sql/);
});

test('lint: inline ignores in SQL comments; findings in a down file name that file', async () => {
  const root = tree({
    'migrations/1_a.up.sql': '-- migralint: ignore[irreversible-downgrade] dropped on purpose\nCREATE TABLE a (id int);\n',
    'migrations/2_b.up.sql': 'CREATE TABLE b (id int);\n',
    'migrations/3_c.up.sql': 'CREATE TABLE c (id int);\n',
    'migrations/3_c.down.sql': '-- nothing\n',
  });
  const config = configFor(root, { 'irreversible-downgrade': { severity: 'error', options: { downgrade: 'required', allowEmptyForDataOnly: true } } });
  const result = await lint({ cwd: root, paths: ['migrations'], config, lockfile: null });
  assert.equal(
    result.findings.map((f) => [f.ruleId, f.messageId, path.relative(root, f.file).split(path.sep).join('/'), f.line]),
    [
      ['irreversible-downgrade', 'missing', 'migrations/2_b.up.sql', 1],
      ['irreversible-downgrade', 'empty', 'migrations/3_c.down.sql', 1],
    ],
  );
});

test('engine: a sub-folder of a golang-migrate directory is another chain; Flyway sub-folders are the same chain', async () => {
  const root = tree({
    'migrations/1_a.up.sql': 'SELECT 1;\n',
    'migrations/2_b.up.sql': 'SELECT 1;\n',
    'migrations/sqlite/1_a.up.sql': 'SELECT 1;\n',
    'flyway/V1__a.sql': 'SELECT 1;\n',
    'flyway/2024/V2__b.sql': 'SELECT 1;\n',
  });
  const { sets } = await loadMigrations({ cwd: root, paths: [], config: configFor(root, {}) });
  assert.equal(
    sets.map((s) => [path.relative(root, s.dir).split(path.sep).join('/'), s.dialect, s.migrations.map((m) => path.relative(root, m.file).split(path.sep).join('/'))]),
    [
      ['flyway', 'postgresql', ['flyway/V1__a.sql', 'flyway/2024/V2__b.sql']],
      ['migrations', 'postgresql', ['migrations/1_a.up.sql', 'migrations/2_b.up.sql']],
      ['migrations/sqlite', 'sqlite', ['migrations/sqlite/1_a.up.sql']],
    ],
  );
  assert.equal(sets[0]!.migrations.map((m) => m.parents?.value), [[], ['1']]);
});

test('an Alembic versions directory keeps its .sql files out of the SQL front end', async () => {
  const root = project();
  const { sets } = await loadMigrations({ cwd: root, paths: ['alembic/migrations/versions'], config: configFor(root, {}) });
  assert.equal(sets.flatMap((s) => s.migrations.map((m) => path.basename(m.file))), ['a1.py']);
});

test('SQL of another dialect never reaches PostgreSQL\'s parser: light execute_sql operations, no syntax errors (issue 10)', () => {
  const dir = tree({
    '0001_accounts.sql': '-- +goose Up\nALTER TABLE `accounts` ADD COLUMN `tier` VARCHAR(20) AFTER `email`;\nUPDATE `accounts` SET `tier` = \'free\';\n',
  });
  const refusing: SqlParser = { toOperations: () => { throw new Error('the PostgreSQL parser was called'); } };
  for (const dialect of ['mysql', 'sqlite', 'h2', 'mssql', 'oracle', 'cockroachdb'] as const) {
    const inputs = listFiles(dir).map((file) => ({ file, bytes: readFileSync(file) as Uint8Array, projectRoot: dir, dialect }));
    const [m] = readSqlDirectory(refusing, inputs, dir, { dialect });
    assert.equal(
      m!.upgrade.operations.map((o) => [o.kind, o.kind === 'execute_sql' ? o.statements.map((st) => `${st.category} ${st.keyword} ${st.table}`) : [], o.loc.line]),
      [
        ['execute_sql', ['schema ALTER TABLE accounts'], 2],
        ['execute_sql', ['data UPDATE accounts'], 3],
      ],
      dialect,
    );
  }
  // PostgreSQL still gets the real parser.
  assert.ok(kinds(read(dir)[0]!.upgrade.operations).includes('sql_error'));
});

test.run();
