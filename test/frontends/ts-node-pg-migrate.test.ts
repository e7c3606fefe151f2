import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFiles, parseOne, kinds } from './ts-helpers.js';

test('node-pg-migrate: detection, identity from file names, single transaction by default', () => {
  const ms = parseFiles({
    '1700000100000_b.js': 'exports.up = (pgm) => { pgm.dropTable("b"); };\nexports.down = false;\n',
    '1700000000000_create-a.ts': "import { MigrationBuilder } from 'node-pg-migrate';\nexport async function up(db: MigrationBuilder) { db.dropTable('a'); }\n",
  });
  assert.equal(ms.map((m) => m.revision?.value), ['1700000000000_create-a', '1700000100000_b']);
  assert.equal(ms.map((m) => m.framework), ['node-pg-migrate', 'node-pg-migrate']);
  assert.equal(ms[1]!.parents?.value, ['1700000000000_create-a']);
  assert.is(ms[0]!.message, 'create a');
  assert.is(ms[0]!.transaction.mode, 'single');
  assert.is(ms[1]!.downgrade.shape, 'raises');
  assert.is(ms[1]!.downgrade.loc?.line, 2);
});

test('node-pg-migrate: createTable columns, id shorthand, exports.shorthands, pgm.func default, constraints', () => {
  const m = parseOne(
    '1700000000000_users.js',
    `exports.shorthands = { createdAt: { type: 'timestamptz', notNull: true, default: { literal: true } } };
exports.up = (pgm) => {
  pgm.createTable('users', {
    id: 'id',
    email: { type: 'text', notNull: true, unique: true },
    org_id: { type: 'integer', references: 'orgs', onDelete: 'CASCADE' },
    seen_at: { type: 'timestamptz', default: pgm.func('now()') },
    made: { type: 'createdAt' },
    plan: { type: 'text', default: 'free' },
  }, { constraints: { unique: [['email'], ['org_id']], check: 'length(email) > 3' } });
};
exports.down = (pgm) => pgm.dropTable('users');
`,
  );
  const ct = m.upgrade.operations[0]!;
  assert.is(ct.kind, 'create_table');
  if (ct.kind !== 'create_table') return;
  assert.equal(ct.columns.map((c) => [c.name, c.type, c.nullable, c.primaryKey]), [
    ['id', 'serial', false, true],
    ['email', 'text', false, false],
    ['org_id', 'integer', null, false],
    ['seen_at', 'timestamptz', null, false],
    ['made', 'timestamptz', false, false],
    ['plan', 'text', null, false],
  ]);
  assert.is(ct.columns[3]!.serverDefault?.sql, 'now()');
  assert.is(ct.columns[3]!.serverDefault?.kind, 'expression');
  assert.is(ct.columns[5]!.serverDefault?.sql, "'free'");
  assert.equal(ct.constraints.map((c) => c.type), ['foreign_key', 'unique', 'unique', 'check']);
  assert.is(ct.columns[1]!.loc.line, 5);
  assert.equal(kinds(m.downgrade.operations), ['drop_table']);
});

test('node-pg-migrate: addColumns, alterColumn, renames, drops, indexes and their generated names', () => {
  const m = parseOne(
    '1700000000000_alter.ts',
    `import type { MigrationBuilder } from 'node-pg-migrate';
export const up = async (pgm: MigrationBuilder) => {
  pgm.addColumns({ schema: 'app', name: 'users' }, { plan: { type: 'text', notNull: true, default: 'free' }, ref: { type: 'int', references: 'users(id)' } });
  pgm.alterColumn('users', 'plan', { type: 'varchar(20)', allowNull: false, default: null, using: 'plan::varchar(20)' });
  pgm.renameColumn('users', 'name', 'full_name');
  pgm.dropColumns('users', ['a', 'b']);
  pgm.dropColumn('users', 'c');
  pgm.createIndex('users', ['plan', { name: 'ref', sort: 'DESC' }], { unique: true, concurrently: true, method: 'btree' });
  pgm.dropIndex('users', 'plan', { ifExists: true });
  pgm.renameTable('users', 'accounts');
};
export const down = async () => {};
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['add_column', 'add_column', 'add_constraint', 'alter_column', 'alter_column', 'drop_column', 'drop_column', 'drop_column', 'create_index', 'drop_index', 'rename_table']);
  const add = ops[0]!;
  if (add.kind === 'add_column') {
    assert.is(add.schema, 'app');
    assert.is(add.column.nullable, false);
    assert.is(add.column.serverDefault?.sql, "'free'");
  }
  const fk = ops[2]!;
  if (fk.kind === 'add_constraint') assert.equal([fk.referredTable, fk.referredColumns, fk.columns], ['users', ['id'], ['ref']]);
  const alt = ops[3]!;
  if (alt.kind === 'alter_column') {
    assert.is(alt.type, 'varchar(20)');
    assert.is(alt.nullable, false);
    assert.is(alt.serverDefault, null);
    assert.is(alt.using, 'plan::varchar(20)');
  }
  const ix = ops[8]!;
  if (ix.kind === 'create_index') {
    assert.is(ix.name, 'users_plan_ref_unique_index');
    assert.equal(ix.columns, ['plan', 'ref']);
    assert.is(ix.concurrently, true);
    assert.is(ix.unique, true);
  }
  const dx = ops[9]!;
  if (dx.kind === 'drop_index') assert.equal([dx.name, dx.ifExists, dx.concurrently], ['users_plan_index', true, false]);
  assert.is(m.downgrade.shape, 'empty');
});

test('node-pg-migrate: addConstraint as spec object or raw string; dropConstraint', () => {
  const m = parseOne(
    '1700000000000_fk.js',
    `exports.up = (pgm) => {
  pgm.addConstraint('users', 'users_org_fk', { foreignKeys: { columns: 'org_id', references: 'orgs(id)', onDelete: 'CASCADE' } });
  pgm.addConstraint('users', 'users_org_fk2', 'FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID');
  pgm.addConstraint('users', null, { check: 'plan IS NOT NULL' });
  pgm.createConstraint('users', 'users_email_key', 'UNIQUE (email)');
  pgm.dropConstraint('users', 'old', { ifExists: true });
};
exports.down = () => {};
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['add_constraint', 'add_constraint', 'add_constraint', 'add_constraint', 'drop_constraint']);
  const [a, b, c, d] = ops;
  if (a?.kind === 'add_constraint') assert.equal([a.constraintType, a.name, a.columns, a.referredTable, a.notValid, a.loc.line], ['foreign_key', 'users_org_fk', ['org_id'], 'orgs', false, 2]);
  if (b?.kind === 'add_constraint') assert.equal([b.constraintType, b.columns, b.referredTable, b.referredColumns, b.notValid], ['foreign_key', ['org_id'], 'orgs', ['id'], true]);
  if (c?.kind === 'add_constraint') assert.equal([c.constraintType, c.name, c.condition], ['check', null, 'plan IS NOT NULL']);
  if (d?.kind === 'add_constraint') assert.equal([d.constraintType, d.columns], ['unique', ['email']]);
});

test('node-pg-migrate: pgm.sql with template holes and {name} arguments; pgm.db.query; unknown calls', () => {
  const m = parseOne(
    '1700000000000_sql.js',
    `const table = 'users';
exports.up = async (pgm) => {
  pgm.sql(\`UPDATE \${table} SET plan = 'free' WHERE id > \${pgm.func('1')}\`);
  pgm.sql('ALTER TABLE {t} ADD COLUMN x int', { t: 'users' });
  await pgm.db.query('DELETE FROM sessions');
  pgm.createExtension('pgcrypto');
  pgm.addTypeValue('mood', 'meh');
};
exports.down = () => {};
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['execute_sql', 'execute_sql', 'execute_sql', 'unknown', 'unknown']);
  const [a, b, c] = ops;
  if (a?.kind === 'execute_sql') {
    assert.is(a.sql, "UPDATE users SET plan = 'free' WHERE id > {}");
    assert.is(a.hasHoles, true);
  }
  if (b?.kind === 'execute_sql') {
    assert.is(b.sql, 'ALTER TABLE {} ADD COLUMN x int');
    assert.equal(b.holes, [[12, 14]]);
    assert.is(b.offsets?.length, b.sql.length);
  }
  if (c?.kind === 'execute_sql') assert.is(c.callee, 'pgm.db.query');
  const u = ops[3]!;
  if (u.kind === 'unknown') assert.match(u.reason, /pgm\.createExtension\(\) is not an operation/);
});

test('node-pg-migrate: noTransaction() makes the migration non-transactional', () => {
  const m = parseOne(
    '1700000000000_idx.js',
    `exports.up = (pgm) => {
  pgm.noTransaction();
  pgm.createIndex('users', 'email', { concurrently: true });
};
exports.down = (pgm) => pgm.dropIndex('users', 'email', { concurrently: true });
`,
  );
  assert.is(m.transaction.mode, 'none');
  assert.is(m.transaction.loc?.line, 2);
  assert.is(m.upgrade.operations[0]!.transactional, false);
  assert.is(m.downgrade.operations[0]!.transactional, false);
});

test('node-pg-migrate: without down, the reversed up is the downgrade; irreversible steps make it raise', () => {
  const [a, b] = parseFiles({
    '1700000000000_a.js': `exports.up = (pgm) => {
  pgm.createTable('t', { id: 'id' });
  pgm.addColumns('u', { x: 'int' });
  pgm.createIndex('u', 'x');
  pgm.renameColumn('u', 'y', 'z');
};
`,
    '1700000000001_b.js': `exports.up = (pgm) => { pgm.dropColumns('u', 'x'); };\n`,
  });
  assert.equal(kinds(a!.downgrade.operations), ['alter_column', 'drop_index', 'drop_column', 'drop_table']);
  const r = a!.downgrade.operations[0]!;
  if (r.kind === 'alter_column') assert.equal([r.column, r.newName], ['z', 'y']);
  assert.is(b!.downgrade.shape, 'raises');
});

test.run();
