import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFiles, parseOne, kinds } from './ts-helpers.js';

const header = `import { Migration } from '@mikro-orm/migrations';\n`;

test('mikro-orm: addSql/execute read as SQL (holes, offsets), single transaction by default, missing down', () => {
  const m = parseOne(
    'Migration20240101120000.ts',
    header +
      `export class Migration20240101120000 extends Migration {
  async up(): Promise<void> {
    this.addSql('alter table "book" add column "isbn" varchar(13) null;');
    this.addSql(\`update "book" set "isbn" = \${isbn}\`);
    await this.execute('select 1');
    this.addSql(this.getKnex().schema.createTable('x', (t) => t.increments()).toQuery());
    this.addSql(sql);
    this.driver.execute('x');
    this.helper();
  }
  private helper() {
    this.addSql('drop table "old";');
  }
}
`,
  );
  assert.is(m.framework, 'mikro-orm');
  assert.is(m.revision?.value, 'Migration20240101120000');
  assert.is(m.message, null);
  assert.is(m.transaction.mode, 'single');
  const ops = m.upgrade.operations;
  assert.equal(kinds(ops), ['execute_sql', 'execute_sql', 'execute_sql', 'unknown', 'unknown', 'unknown', 'execute_sql']);
  const [add, upd, exe] = ops;
  if (add?.kind === 'execute_sql') {
    assert.is(add.sql, 'alter table "book" add column "isbn" varchar(13) null;');
    assert.is(add.hasHoles, false);
    assert.is(add.callee, 'this.addSql');
    assert.is(add.transactional, true);
    assert.is(add.loc.line, 4);
  } else assert.unreachable('execute_sql expected');
  if (upd?.kind === 'execute_sql') {
    assert.is(upd.sql, 'update "book" set "isbn" = {}');
    assert.is(upd.hasHoles, true);
    assert.equal(upd.holes, [[27, 29]]);
  } else assert.unreachable('execute_sql expected');
  assert.is(exe?.callee, 'this.execute');
  assert.match(ops[3]?.kind === 'unknown' ? ops[3].reason : '', /this\.addSql\(\) is given this\.getKnex/);
  assert.is(ops[6]?.via, 'helper');
  assert.is(m.downgrade.shape, 'missing');
});

test('mikro-orm: isTransactional() returning false → no transaction, ops not transactional', () => {
  const m = parseOne(
    'Migration20240301100000.ts',
    header +
      `export class Migration20240301100000 extends Migration {
  isTransactional(): boolean {
    return false;
  }
  async up(): Promise<void> {
    this.addSql('create index concurrently "i" on "author" ("email");');
  }
  async down(): Promise<void> {}
}
`,
  );
  assert.is(m.transaction.mode, 'none');
  assert.is(m.transaction.loc?.line, 3);
  assert.is(m.upgrade.operations[0]?.transactional, false);
  assert.is(m.downgrade.shape, 'empty');
});

test('mikro-orm: isTransactional() returning true stays single; order and parents from file names; JS output', () => {
  const ms = parseFiles({
    'Migration20240102000000.ts': header + `export class Migration20240102000000 extends Migration {\n  isTransactional() { return true; }\n  async up() { this.addSql('select 1'); }\n}\n`,
    'Migration20240101000000.js': `'use strict';\nconst { Migration } = require('@mikro-orm/migrations');\nclass Migration20240101000000 extends Migration {\n  async up() { this.addSql('select 2'); }\n  async down() { throw new Error('no'); }\n}\nexports.Migration20240101000000 = Migration20240101000000;\n`,
  });
  assert.equal(ms.map((m) => m.revision?.value), ['Migration20240101000000', 'Migration20240102000000']);
  assert.equal(ms.map((m) => m.parents?.value), [[], ['Migration20240101000000']]);
  assert.equal(ms.map((m) => m.framework), ['mikro-orm', 'mikro-orm']);
  assert.equal(ms.map((m) => m.transaction.mode), ['single', 'single']);
  assert.is(ms[0]?.downgrade.shape, 'raises');
  const op = ms[0]?.upgrade.operations[0];
  assert.is(op?.kind === 'execute_sql' ? op.sql : null, 'select 2');
});

test.run();
