import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOne, kinds } from './ts-helpers.js';

test('sequelize: createTable attributes (allowNull defaults to true, UUIDV4 is client-side, references)', () => {
  const m = parseOne(
    '20240101000000-create.js',
    `module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('documents', {
      id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true },
      uid: { type: Sequelize.UUID, defaultValue: Sequelize.UUIDV4 },
      title: { type: Sequelize.STRING(64), allowNull: false, unique: true },
      body: Sequelize.TEXT,
      tags: { type: Sequelize.ARRAY(Sequelize.STRING) },
      createdAt: { type: Sequelize.DATE, defaultValue: Sequelize.fn('now') },
      userId: { type: Sequelize.UUID, references: { model: 'users', key: 'id' } },
    });
  },
  async down(queryInterface) { await queryInterface.dropTable('documents'); },
};
`,
  );
  assert.is(m.framework, 'sequelize');
  assert.is(m.transaction.mode, 'none');
  const ct = m.upgrade.operations[0]!;
  if (ct.kind !== 'create_table') return assert.unreachable('create_table');
  assert.equal(ct.columns.map((c) => [c.name, c.type, c.nullable]), [
    ['id', 'serial', false],
    ['uid', 'uuid', true],
    ['title', 'varchar(64)', false],
    ['body', 'text', true],
    ['tags', 'varchar(255)[]', true],
    ['createdAt', 'timestamptz', true],
    ['userId', 'uuid', true],
  ]);
  assert.equal([ct.columns[1]!.serverDefault, ct.columns[1]!.clientDefault], [null, true]);
  assert.is(ct.columns[2]!.unique, true);
  assert.is(ct.columns[5]!.serverDefault?.sql, 'now()');
  assert.equal(ct.constraints.map((c) => c.type), ['foreign_key']);
  assert.equal(ct.transactional, false);
  assert.equal(kinds(m.downgrade.operations), ['drop_table']);
});

test('sequelize: a whole up() in sequelize.transaction is per-migration; { transaction } marks ops transactional', () => {
  const m = parseOne(
    '20240101000000-tx.js',
    `module.exports = {
  up: async (queryInterface, Sequelize) => {
    return queryInterface.sequelize.transaction(async (t) => {
      await queryInterface.addColumn('documents', 'archivedAt', { type: Sequelize.DATE }, { transaction: t });
      await queryInterface.sequelize.query('UPDATE documents SET "archivedAt" = now() WHERE deleted', { transaction: t });
    });
  },
  down: async (queryInterface) => {
    await queryInterface.removeColumn('documents', 'archivedAt', { transaction: null });
    await queryInterface.removeColumn('documents', 'other');
  },
};
`,
  );
  assert.is(m.transaction.mode, 'per-migration');
  assert.equal(kinds(m.upgrade.operations), ['add_column', 'execute_sql']);
  assert.equal(m.upgrade.operations.map((o) => o.transactional), [true, true]);
  assert.equal(m.downgrade.operations.map((o) => o.transactional), [true, false]);
});

test('sequelize: indexes (concurrently, where, unique), constraints, renames, changeColumn, bulk data changes', () => {
  const m = parseOne(
    '20240101000000-misc.js',
    `module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addIndex('documents', ['collectionId', 'updatedAt'], { name: 'documents_cu', concurrently: true, unique: true, where: { deletedAt: null } });
    await queryInterface.addIndex('documents', { fields: ['title'] });
    await queryInterface.addConstraint('documents', { type: 'check', fields: ['version'], where: { version: { [Sequelize.Op.gt]: 0 } }, name: 'documents_version_ck' });
    await queryInterface.addConstraint('documents', { type: 'foreign key', fields: ['userId'], references: { table: 'users', field: 'id' } });
    await queryInterface.renameTable('documents', 'docs');
    await queryInterface.renameColumn('docs', 'text', 'content');
    await queryInterface.changeColumn('docs', 'title', { type: Sequelize.TEXT });
    await queryInterface.bulkInsert('plans', [{ name: 'free' }]);
    await queryInterface.bulkUpdate('docs', { title: 'x' }, {});
    await queryInterface.bulkDelete('docs', null);
    await queryInterface.bulkDelete('docs', { id: 1 });
    await queryInterface.sequelize.query(\`DELETE FROM docs WHERE id = \${1}\`);
    await queryInterface.createFunction('f');
  },
  async down(queryInterface) {
    await queryInterface.removeIndex('documents', 'documents_cu', { concurrently: true });
    await queryInterface.removeConstraint('documents', 'documents_version_ck');
  },
};
`,
  );
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['create_index', 'create_index', 'add_constraint', 'add_constraint', 'rename_table', 'alter_column', 'alter_column', 'data_change', 'data_change', 'data_change', 'data_change', 'execute_sql', 'unknown']);
  const ix = ops[0]!;
  if (ix.kind === 'create_index') assert.equal([ix.name, ix.columns, ix.unique, ix.concurrently, ix.where], ['documents_cu', ['collectionId', 'updatedAt'], true, true, '{ deletedAt: null }']);
  const ix2 = ops[1]!;
  if (ix2.kind === 'create_index') assert.equal([ix2.columns, ix2.concurrently], [['title'], false]);
  if (ops[2]!.kind === 'add_constraint') assert.equal([ops[2]!.constraintType, ops[2]!.name, ops[2]!.columns], ['check', 'documents_version_ck', ['version']]);
  if (ops[3]!.kind === 'add_constraint') assert.equal([ops[3]!.constraintType, ops[3]!.referredTable, ops[3]!.referredColumns], ['foreign_key', 'users', ['id']]);
  const cc = ops[6]!;
  if (cc.kind === 'alter_column') assert.equal([cc.type, cc.nullable, cc.serverDefault], ['text', true, undefined]);
  assert.equal(ops.slice(7, 11).map((o) => (o.kind === 'data_change' ? [o.action, o.hasWhere] : null)), [['insert', null], ['update', false], ['delete', false], ['delete', true]]);
  const sql = ops[11]!;
  if (sql.kind === 'execute_sql') assert.is(sql.hasHoles, true);
  const down = m.downgrade.operations;
  assert.equal(kinds(down), ['drop_index', 'drop_constraint']);
  if (down[0]!.kind === 'drop_index') assert.is(down[0]!.concurrently, true);
});

test.run();
