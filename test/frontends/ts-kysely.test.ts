import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFiles, parseOne, kinds } from './ts-helpers.js';

test('kysely: detection, identity from sortable names, one transaction for the run', () => {
  const ms = parseFiles({
    '2024-01-02_b.ts': "import { Kysely } from 'kysely';\nexport async function up(db: Kysely<any>) { await db.schema.dropTable('b').execute(); }\n",
    '2024-01-01_a.js': "export async function up(db) { await db.schema.dropTable('a').ifExists().execute(); }\nexport async function down(db) {}\n",
  });
  assert.equal(ms.map((m) => [m.revision?.value, m.framework]), [['2024-01-01_a', 'kysely'], ['2024-01-02_b', 'kysely']]);
  assert.is(ms[0]!.transaction.mode, 'single');
  assert.equal(kinds(ms[0]!.upgrade.operations), ['drop_table']);
  assert.is(ms[1]!.downgrade.shape, 'missing');
});

test('kysely: createTable with column callbacks and constraints; createIndex', () => {
  const m = parseOne(
    '2024-01-01_users.ts',
    `import { Kysely, sql } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('email', 'text', (col) => col.notNull().unique())
    .addColumn('org_id', 'integer', (col) => col.references('orgs.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (col) => col.defaultTo(sql\`now()\`))
    .addColumn('plan', 'text', (col) => col.notNull().defaultTo('free'))
    .addUniqueConstraint('users_email_key', ['email'])
    .execute();
  await db.schema.createIndex('users_plan_idx').on('users').column('plan').unique().ifNotExists().using('btree').execute();
}
`,
  );
  const [ct, ix] = m.upgrade.operations;
  assert.is(ct?.kind, 'create_table');
  if (ct?.kind !== 'create_table') return;
  assert.equal(ct.columns.map((c) => [c.name, c.type, c.nullable, c.primaryKey]), [
    ['id', 'serial', false, true],
    ['email', 'text', false, false],
    ['org_id', 'integer', null, false],
    ['at', 'timestamptz', null, false],
    ['plan', 'text', false, false],
  ]);
  assert.is(ct.columns[3]!.serverDefault?.sql, 'now()');
  assert.is(ct.columns[4]!.serverDefault?.sql, "'free'");
  assert.equal(ct.constraints.map((c) => c.type), ['foreign_key', 'unique']);
  assert.is(ct.columns[1]!.loc.line, 6);
  assert.is(ix?.kind, 'create_index');
  if (ix?.kind === 'create_index') assert.equal([ix.name, ix.table, ix.columns, ix.unique, ix.ifNotExists, ix.concurrently, ix.method], ['users_plan_idx', 'users', ['plan'], true, true, false, 'btree']);
});

test('kysely: alterTable steps, each located at its method', () => {
  const m = parseOne(
    '2024-01-01_alter.ts',
    `export async function up(db) {
  await db.schema.alterTable('users')
    .addColumn('plan', 'text', (c) => c.notNull())
    .dropColumn('old')
    .renameColumn('a', 'b')
    .execute();
  await db.schema.alterTable('users').alterColumn('plan', (c) => c.setDataType('varchar(20)')).execute();
  await db.schema.alterTable('users').alterColumn('plan', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('users').alterColumn('plan', (c) => c.dropDefault()).execute();
  await db.schema.alterTable('users').addForeignKeyConstraint('users_org_fk', ['org_id'], 'orgs', ['id']).onDelete('cascade').execute();
  await db.schema.alterTable('users').renameTo('accounts').execute();
  await db.schema.withSchema('app').dropIndex('ix').ifExists().execute();
}
export async function down(db) {}
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['add_column', 'drop_column', 'alter_column', 'alter_column', 'alter_column', 'alter_column', 'add_constraint', 'rename_table', 'drop_index']);
  assert.equal(ops.slice(0, 3).map((o) => [o.loc.line, o.loc.column]), [[3, 6], [4, 6], [5, 6]]);
  const [, , ren, typ, nn, dd, fk, rt, di] = ops;
  if (ren?.kind === 'alter_column') assert.is(ren.newName, 'b');
  if (typ?.kind === 'alter_column') assert.is(typ.type, 'varchar(20)');
  if (nn?.kind === 'alter_column') assert.is(nn.nullable, false);
  if (dd?.kind === 'alter_column') assert.is(dd.serverDefault, null);
  if (fk?.kind === 'add_constraint') assert.equal([fk.constraintType, fk.columns, fk.referredTable, fk.referredColumns], ['foreign_key', ['org_id'], 'orgs', ['id']]);
  if (rt?.kind === 'rename_table') assert.is(rt.newName, 'accounts');
  if (di?.kind === 'drop_index') assert.equal([di.schema, di.ifExists], ['app', true]);
});

test('kysely: sql`...`.execute(db), sql.raw, data changes, transaction callbacks, unknown calls', () => {
  const m = parseOne(
    '2024-01-01_sql.ts',
    `import { Kysely, sql } from 'kysely';
export async function up(db: Kysely<any>) {
  await sql\`CREATE INDEX CONCURRENTLY ix ON \${sql.table('users')} (a)\`.execute(db);
  await sql.raw('ALTER TABLE users ADD COLUMN x int').execute(db);
  await db.updateTable('users').set({ plan: 'free' }).where('plan', 'is', null).execute();
  await db.deleteFrom('sessions').execute();
  await db.insertInto('plans').values({ name: 'free' }).execute();
  await db.transaction().execute(async (trx) => {
    await trx.schema.dropTable('t').execute();
  });
  await db.schema.createView('v').as(db.selectFrom('users').selectAll()).execute();
}
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['execute_sql', 'execute_sql', 'data_change', 'data_change', 'data_change', 'drop_table', 'unknown']);
  const [a, , u, d, i] = ops;
  if (a?.kind === 'execute_sql') {
    assert.is(a.sql, 'CREATE INDEX CONCURRENTLY ix ON {} (a)');
    assert.is(a.hasHoles, true);
  }
  if (u?.kind === 'data_change') assert.equal([u.action, u.table, u.columns, u.hasWhere], ['update', 'users', ['plan'], true]);
  if (d?.kind === 'data_change') assert.equal([d.action, d.hasWhere], ['delete', false]);
  if (i?.kind === 'data_change') assert.is(i.action, 'insert');
  assert.is(m.transaction.mode, 'single');
});

test('a file with up/down whose framework cannot be told, alone in its directory, is reported, not skipped', () => {
  const ms = parseFiles({
    '001_thing.js': 'exports.up = (client) => client.run("x");\nexports.down = (client) => client.run("y");\n',
    'helpers.js': 'module.exports = { x: 1 };\n',
  });
  assert.is(ms.length, 1);
  const m = ms[0]!;
  assert.is(m.framework, 'unknown');
  assert.equal(kinds(m.upgrade.operations), ['unknown']);
  const op = m.upgrade.operations[0]!;
  if (op.kind === 'unknown') {
    assert.match(op.reason, /could not be recognised/);
    assert.match(op.reason, /"directories": \{ "migrations": \{ "framework"/);
  }
  assert.equal(kinds(m.downgrade.operations), ['unknown']);
});

test.run();
