import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOne, kinds } from './ts-helpers.js';

const header = `import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';\n`;

test('typeorm: class methods, single transaction by default, TableColumn defaults to NOT NULL', () => {
  const m = parseOne(
    '1700000000000-AddSlug.ts',
    header +
      `export class AddSlug1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner) {
    await queryRunner.addColumn('post', new TableColumn({ name: 'slug', type: 'varchar', length: '200', default: "'x'" }));
    await queryRunner.createIndex('post', new TableIndex({ name: 'i', columnNames: ['slug'], isUnique: true, where: 'slug IS NOT NULL' }));
    await queryRunner.query(\`UPDATE post SET slug = \${v}\`);
    await queryRunner.manager.save({});
  }
  async down(queryRunner: QueryRunner): Promise<void> {}
}
`,
  );
  assert.is(m.framework, 'typeorm');
  assert.is(m.transaction.mode, 'single');
  assert.is(m.message, 'Add Slug');
  const [add, ix, sql, unk] = m.upgrade.operations;
  assert.equal(kinds(m.upgrade.operations), ['add_column', 'create_index', 'execute_sql', 'unknown']);
  if (add?.kind === 'add_column') {
    assert.equal([add.table, add.column.name, add.column.type, add.column.nullable], ['post', 'slug', 'varchar(200)', false]);
    assert.is(add.column.serverDefault?.sql, "'x'");
    assert.is(add.loc.line, 4);
  }
  if (ix?.kind === 'create_index') {
    assert.equal([ix.name, ix.columns, ix.unique, ix.where], ['i', ['slug'], true, 'slug IS NOT NULL']);
  }
  if (sql?.kind === 'execute_sql') {
    assert.is(sql.sql, 'UPDATE post SET slug = {}');
    assert.is(sql.hasHoles, true);
  }
  assert.is(unk?.kind, 'unknown');
  assert.is(m.downgrade.shape, 'empty');
});

test('typeorm: transaction = false opts out; changeColumn and renameColumn', () => {
  const m = parseOne(
    '1700000000001-Change.ts',
    header +
      `export class Change1700000000001 implements MigrationInterface {
  transaction = false;
  async up(queryRunner: QueryRunner) {
    await queryRunner.changeColumn('post', 'title', new TableColumn({ name: 'headline', type: 'text', isNullable: true }));
    await queryRunner.renameColumn('post', 'a', 'b');
    await queryRunner.dropColumn('post', 'c');
  }
}
`,
  );
  assert.is(m.transaction.mode, 'none');
  const [chg, ren, drop] = m.upgrade.operations;
  if (chg?.kind === 'alter_column') assert.equal([chg.column, chg.newName, chg.type, chg.nullable], ['title', 'headline', 'text', true]);
  else assert.unreachable('alter_column expected');
  if (ren?.kind === 'alter_column') assert.is(ren.newName, 'b');
  assert.is(drop?.kind, 'drop_column');
  assert.is(m.downgrade.shape, 'missing');
});

test.run();
