import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFiles, parseOne, kinds } from './ts-helpers.js';

test('knex: identity, order and linear parents from file names', () => {
  const ms = parseFiles({
    '20240102000000_b.js': 'exports.up = (knex) => knex.schema.dropTable("b");\nexports.down = () => {};\n',
    '20240101000000_a.js': 'exports.up = (knex) => knex.schema.dropTable("a");\nexports.down = () => {};\n',
    'helpers.js': 'module.exports = { x: 1 };\n',
  });
  assert.equal(ms.map((m) => m.revision?.value), ['20240101000000_a', '20240102000000_b']);
  assert.equal(ms.map((m) => m.parents?.value), [[], ['20240101000000_a']]);
  assert.is(ms[0]!.framework, 'knex');
  assert.is(ms[0]!.message, 'a');
  assert.is(ms[0]!.transaction.mode, 'per-migration');
});

test('knex: createTable builder becomes one create_table with columns and constraints', () => {
  const m = parseOne(
    '20240101000000_users.ts',
    `import type { Knex } from 'knex';
export async function up(knex: Knex) {
  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('id');
    t.string('email', 320).notNullable().unique();
    t.timestamp('seen_at', { useTz: false }).defaultTo(knex.fn.now());
    t.integer('org_id').references('orgs.id');
    t.index(['email'], 'users_email_idx');
  });
}
export async function down(knex: Knex) { await knex.schema.dropTable('users'); }
`,
  );
  const [ct, ix] = m.upgrade.operations;
  assert.is(ct?.kind, 'create_table');
  if (ct?.kind !== 'create_table') return;
  assert.equal(ct.columns.map((c) => [c.name, c.type, c.nullable]), [
    ['id', 'bigserial', false],
    ['email', 'varchar(320)', false],
    ['seen_at', 'timestamp', null],
    ['org_id', 'integer', null],
  ]);
  assert.is(ct.columns[1]!.unique, true);
  assert.is(ct.columns[2]!.serverDefault?.sql, 'CURRENT_TIMESTAMP');
  assert.equal(ct.constraints.map((c) => c.type), ['foreign_key']);
  assert.is(ix?.kind, 'create_index');
  assert.equal(ct.loc.line, 3);
  assert.equal(kinds(m.downgrade.operations), ['drop_table']);
  assert.equal(m.imports, []); // type-only imports are not imports at run time
});

test('knex: alterTable ops located at each builder call; alter(), rename, drop', () => {
  const m = parseOne(
    '20240101000000_alter.js',
    `exports.up = function (knex) {
  return knex.schema.alterTable('users', function (table) {
    table.text('plan').notNullable().defaultTo('free');
    table.bigInteger('org_id').alter();
    table.renameColumn('name', 'full_name');
    table.dropColumns('a', 'b');
  });
};
exports.down = false;
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['add_column', 'alter_column', 'alter_column', 'drop_column', 'drop_column']);
  assert.equal(ops.map((o) => o.loc.line), [3, 4, 5, 6, 6]);
  assert.equal(ops.map((o) => o.loc.column), [5, 5, 5, 5, 5]);
  const add = ops[0]!;
  if (add.kind === 'add_column') {
    assert.is(add.column.nullable, false);
    assert.is(add.column.serverDefault?.sql, "'free'");
  }
  const alt = ops[1]!;
  if (alt.kind === 'alter_column') assert.is(alt.type, 'bigint');
  const ren = ops[2]!;
  if (ren.kind === 'alter_column') assert.is(ren.newName, 'full_name');
  assert.is(m.downgrade.shape, 'missing');
});

test('knex: raw SQL keeps offsets and holes; data changes; config transaction false', () => {
  const src = `const t = 'users';
exports.config = { transaction: false };
exports.up = async (knex) => {
  await knex.raw(\`CREATE INDEX CONCURRENTLY i ON \${t} (\${col})\`);
  if (process.env.X) await knex('users').where('id', 1).del();
  for (const x of [1, 2]) await knex('users').update({ a: x });
  await knex.migrate.latest();
};
exports.down = async () => { throw new Error('irreversible'); };
`;
  const m = parseOne('20240101000000_raw.js', src);
  assert.is(m.transaction.mode, 'none');
  const [raw, del, upd, unk] = m.upgrade.operations;
  assert.is(raw?.kind, 'execute_sql');
  if (raw?.kind === 'execute_sql') {
    assert.is(raw.sql, 'CREATE INDEX CONCURRENTLY i ON users ({})');
    assert.equal(raw.holes, [[38, 40]]);
    assert.is(raw.transactional, false);
    // Every literal character maps to its source offset.
    assert.is(src[raw.offsets![0]!], 'C');
    assert.is(src.slice(raw.offsets![38]!, raw.offsets![38]! + 2), '${');
  }
  assert.is(del?.kind, 'data_change');
  if (del?.kind === 'data_change') {
    assert.is(del.action, 'delete');
    assert.is(del.hasWhere, true);
    assert.is(del.conditional, true);
  }
  if (upd?.kind === 'data_change') {
    assert.is(upd.action, 'update');
    assert.is(upd.repeated, true);
    assert.equal(upd.columns, ['a']);
  }
  assert.is(unk?.kind, 'unknown');
  assert.is(m.downgrade.shape, 'raises');
});

test('knex: escapes in string literals map to their source offsets', () => {
  const src = `exports.up = (knex) => knex.raw('SELECT \\'a\\'\\n, 1');\nexports.down = () => {};\n`;
  const m = parseOne('20240101000000_esc.js', src);
  const op = m.upgrade.operations[0]!;
  assert.is(op.kind, 'execute_sql');
  if (op.kind === 'execute_sql') {
    assert.is(op.sql, "SELECT 'a'\n, 1");
    assert.is(op.offsets!.length, op.sql.length);
    assert.is(src.slice(op.offsets![7]!, op.offsets![7]! + 2), "\\'");
  }
});

test('knex: helper functions are followed one level; unknown helpers reported', () => {
  const m = parseOne(
    '20240101000000_helper.js',
    `function addCol(k, table) { return k.schema.table(table, (t) => t.text('x')); }
exports.up = async (knex) => {
  await addCol(knex, 'users');
  await someLib(knex);
};
exports.down = () => {};
`,
  );
  const [add, unk] = m.upgrade.operations;
  assert.is(add?.kind, 'add_column');
  assert.is(add?.via, 'addCol');
  assert.is(unk?.kind, 'unknown');
});

test('knex: a syntax error is a parse error, not a crash', () => {
  const m = parseOne('20240101000000_bad.js', 'exports.up = (knex) => {\n  knex.raw("x"\n};\n');
  assert.ok(m.parseError);
  assert.is(m.parseError?.kind, 'syntax');
});

test.run();
