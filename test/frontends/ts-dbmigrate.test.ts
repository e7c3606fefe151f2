import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFiles, parseOne, kinds } from './ts-helpers.js';

test('db-migrate: callback style, runSql template literal with holes, per-migration transaction', () => {
  const m = parseOne(
    '20240101000000-features.js',
    `'use strict';
var dbm;
exports.setup = function (options) { dbm = options.dbmigrate; };
exports.up = function (db, cb) {
  db.runSql(\`UPDATE features SET project = '\${"x"}' WHERE project IS NULL; ALTER TABLE features ADD COLUMN owner text\`, cb);
};
exports.down = function (db, cb) { db.runSql('ALTER TABLE features DROP COLUMN owner', cb); };
exports._meta = { version: 1 };
`,
  );
  assert.is(m.framework, 'db-migrate');
  assert.is(m.transaction.mode, 'per-migration');
  const [op] = m.upgrade.operations;
  assert.is(op?.kind, 'execute_sql');
  if (op?.kind === 'execute_sql') {
    assert.is(op.callee, 'db.runSql');
    assert.is(op.textKnown, true);
  }
  assert.equal(kinds(m.downgrade.operations), ['execute_sql']);
});

test('db-migrate: createTable column specs (type names, notNull, defaults, serial primary key, foreign key)', () => {
  const m = parseOne(
    '20240101000000-create.js',
    `exports.up = function (db, callback) {
  db.createTable('features', {
    id: { type: 'int', primaryKey: true, autoIncrement: true },
    name: { type: 'string', length: 255, notNull: true, unique: true },
    enabled: { type: type.BOOLEAN, defaultValue: false },
    created_at: { type: 'datetime', defaultValue: { special: 'CURRENT_TIMESTAMP' } },
    project_id: { type: 'int', foreignKey: { name: 'features_project_fk', table: 'projects', mapping: 'id', rules: {} } },
    note: 'text',
  }, callback);
};
exports.down = function (db, callback) { db.dropTable('features', callback); };
`,
  );
  const ct = m.upgrade.operations[0]!;
  assert.is(ct.kind, 'create_table');
  if (ct.kind !== 'create_table') return;
  assert.is(ct.table, 'features');
  assert.equal(ct.columns.map((c) => [c.name, c.type, c.nullable, c.primaryKey, c.generated]), [
    ['id', 'serial', false, true, true],
    ['name', 'varchar(255)', false, false, false],
    ['enabled', 'boolean', null, false, false],
    ['created_at', 'timestamp', null, false, false],
    ['project_id', 'integer', null, false, false],
    ['note', 'text', null, false, false],
  ]);
  assert.is(ct.columns[1]!.unique, true);
  assert.is(ct.columns[2]!.serverDefault?.sql, 'false');
  assert.equal(ct.columns[3]!.serverDefault, { text: "{ special: 'CURRENT_TIMESTAMP' }", sql: 'CURRENT_TIMESTAMP', kind: 'expression' });
  assert.equal(ct.constraints.map((c) => [c.type, c.name]), [['foreign_key', 'features_project_fk']]);
  assert.equal(kinds(m.downgrade.operations), ['drop_table']);
  // createTable(name, { columns, ifNotExists }) too.
  const m2 = parseOne('20240101000000-b.js', "exports.up = (db, cb) => db.createTable('t', { columns: { id: 'int' }, ifNotExists: true }, cb);\n");
  const ct2 = m2.upgrade.operations[0]!;
  if (ct2.kind === 'create_table') assert.equal(ct2.columns.map((c) => [c.name, c.type]), [['id', 'integer']]);
});

test('db-migrate: column, index, key and table calls; nested callbacks; bind(db, ...)', () => {
  const m = parseOne(
    '20240101000000-alter.js',
    `exports.up = function (db, cb) {
  db.addColumn('features', 'project', { type: 'string', notNull: true, defaultValue: 'default' }, function (err) {
    if (err) return cb(err);
    db.addIndex('features', 'features_project_idx', ['project'], true, function () {
      db.addForeignKey('features', 'projects', 'features_project_fk', { project: 'id' }, { onDelete: 'CASCADE' }, cb);
    });
  });
};
exports.down = function (db, cb) {
  async.series([
    db.removeForeignKey.bind(db, 'features', 'features_project_fk'),
    db.removeIndex.bind(db, 'features_project_idx'),
    db.removeColumn.bind(db, 'features', 'project'),
    db.renameColumn.bind(db, 'features', 'title', 'name'),
    db.renameTable.bind(db, 'features', 'toggles'),
  ], cb);
};
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['add_column', 'create_index', 'add_constraint']);
  const [add, ix, fk] = ops;
  if (add?.kind === 'add_column') {
    assert.equal([add.table, add.column.name, add.column.type, add.column.nullable, add.column.serverDefault?.sql], ['features', 'project', 'varchar', false, "'default'"]);
  }
  if (ix?.kind === 'create_index') assert.equal([ix.name, ix.columns, ix.unique, ix.concurrently], ['features_project_idx', ['project'], true, false]);
  if (fk?.kind === 'add_constraint') assert.equal([fk.name, fk.columns, fk.referredTable, fk.referredColumns], ['features_project_fk', ['project'], 'projects', ['id']]);
  assert.equal(ops.map((o) => o.loc.line), [2, 4, 5]);
  const down = m.downgrade.operations;
  assert.equal(kinds(down), ['drop_constraint', 'drop_index', 'drop_column', 'alter_column', 'rename_table']);
  if (down[1]?.kind === 'drop_index') assert.equal([down[1].name, down[1].table], ['features_project_idx', null]);
  if (down[3]?.kind === 'alter_column') assert.equal([down[3].column, down[3].newName], ['title', 'name']);
});

test('db-migrate: changeColumn sets or drops NOT NULL and the default, as db-migrate-pg does', () => {
  const m = parseOne(
    '20240101000000-change.js',
    `exports.up = async function (db) {
  await db.changeColumn('features', 'name', { type: 'text', notNull: true });
  await db.changeColumn('features', 'plan', { defaultValue: 'free' });
  await db.insert('plans', ['name'], ['free']);
};
exports.down = async function (db) {};
`,
  );
  assert.is(m.framework, 'db-migrate');
  const [a, b, ins] = m.upgrade.operations;
  if (a?.kind === 'alter_column') assert.equal([a.column, a.type, a.nullable, a.serverDefault], ['name', 'text', false, null]);
  if (b?.kind === 'alter_column') {
    assert.equal([b.column, b.type, b.nullable, b.serverDefault?.sql], ['plan', undefined, true, "'free'"]);
  }
  if (ins?.kind === 'data_change') assert.equal([ins.action, ins.table, ins.columns], ['insert', 'plans', ['name']]);
  assert.is(m.downgrade.shape, 'empty');
});

test('db-migrate: an early-invoked callback is an unknown op with the callback-invoked-early prefix', () => {
  const m = parseOne('20240101000000-a.js', 'exports.up = function (db, cb) {\n  db.runSql(`SELECT 1`, cb());\n};\n');
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['unknown', 'execute_sql']);
  const u = ops[0]!;
  if (u.kind === 'unknown') {
    assert.ok(u.reason.startsWith('callback invoked early:'));
    assert.is(u.callee, 'cb()');
    assert.equal([u.loc.line, u.loc.column], [2, 25]);
  }
});

test('db-migrate: calls it does not understand are unknown; async files follow db-migrate, not Kysely', () => {
  const ms = parseFiles({
    '20240101000000-a.js': "exports.up = async function (db) {\n  await db.connection.query('VACUUM');\n  await db.createCollection('x');\n  await db.runSql('SELECT 1');\n};\n",
  });
  const m = ms[0]!;
  assert.is(m.framework, 'db-migrate');
  assert.equal(kinds(m.upgrade.operations), ['unknown', 'unknown', 'execute_sql']);
  const reasons = m.upgrade.operations.map((o) => (o.kind === 'unknown' ? o.reason : ''));
  assert.match(reasons[1]!, /db\.createCollection\(\) is not an operation migralint understands/);
});

test.run();
