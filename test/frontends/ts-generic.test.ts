import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isTsCandidate, isTsMigrationDir } from '../../src/engine/files.js';
import type { Operation } from '../../src/model/index.js';
import { parseFiles, parseOne, kinds } from './ts-helpers.js';

type Sql = Extract<Operation, { kind: 'execute_sql' }>;

function sqls(ops: Operation[]): Sql[] {
  return ops.filter((o): o is Sql => o.kind === 'execute_sql');
}

const ALTERATION = `import { sql } from '@silverhand/slonik';

import type { AlterationScript } from '../lib/types/alteration.js';

const alteration: AlterationScript = {
  up: async (pool) => {
    await pool.query(sql\`
      alter table users add column nickname varchar(128);
    \`);
  },
  down: async (pool) => {
    await pool.query(sql\`
      alter table users drop column nickname;
    \`);
  },
};

export default alteration;
`;

test('generic: a logto alteration script (const object, export default) is read, SQL from pool.query(sql`...`)', () => {
  const m = parseOne('1.0.0-1678259660-add-nickname.ts', ALTERATION);
  assert.is(m.framework, 'generic');
  assert.is(m.transaction.mode, 'per-migration');
  const [up] = sqls(m.upgrade.operations);
  assert.equal(kinds(m.upgrade.operations), ['execute_sql']);
  assert.match(up!.sql, /^\s*alter table users add column nickname varchar\(128\);\s*$/);
  assert.equal([up!.textKnown, up!.transactional, up!.callee, up!.loc.line], [true, true, 'pool.query', 7]);
  assert.match(sqls(m.downgrade.operations)[0]!.sql, /drop column nickname/);
  assert.is(m.revision?.value, '1.0.0-1678259660-add-nickname');
});

test('generic: beforeUp runs outside the transaction; an empty up beside it is no empty migration', () => {
  const m = parseOne(
    'next-1690000000-index-email.ts',
    `import { sql } from '@silverhand/slonik';
import type { AlterationScript } from '../lib/types/alteration.js';

const alteration: AlterationScript = {
  beforeUp: async (pool) => {
    await pool.query(sql\`create index concurrently if not exists users__email on users (email);\`);
  },
  up: async () => {
    // concurrently cannot run in the transaction up() runs in: the work is in beforeUp.
  },
  beforeDown: async (pool) => {
    await pool.query(sql\`drop index concurrently if exists users__email;\`);
  },
  down: async () => {},
};
export default alteration;
`,
  );
  assert.is(m.framework, 'generic');
  assert.is(m.upgrade.shape, 'operations');
  assert.equal(sqls(m.upgrade.operations).map((o) => o.transactional), [false]);
  assert.is(m.upgrade.loc?.line, 8, 'the body is located at up()');
  assert.equal(sqls(m.downgrade.operations).map((o) => [o.transactional, /drop index/.test(o.sql)]), [[false, true]]);
  assert.match(m.transaction.reason, /beforeUp\/beforeDown run outside it/);
});

test('generic: hook operations come before up()\'s, which stay transactional', () => {
  const m = parseOne(
    'next-1690000001-both.ts',
    `export default {
  beforeUp: async (pool) => { await pool.query('CREATE INDEX CONCURRENTLY a_b ON a (b)'); },
  up: async (conn) => { await conn.query('ALTER TABLE a ADD COLUMN c int'); },
};
`,
  );
  assert.equal(sqls(m.upgrade.operations).map((o) => [o.sql.split(' ')[0], o.transactional]), [['CREATE', false], ['ALTER', true]]);
  assert.is(m.downgrade.shape, 'missing');
});

test('generic: postgres.js templates, sql.unsafe and sql.begin (a transaction of its own)', () => {
  const m = parseOne(
    '20240101120000_accounts.js',
    `export async function up(sql) {
  await sql\`CREATE TABLE accounts (id bigint PRIMARY KEY, email text)\`;
  await sql.unsafe('ALTER TABLE accounts ADD COLUMN plan text');
  await sql.begin(async (tx) => {
    await tx\`UPDATE accounts SET plan = 'free'\`;
  });
  const t = sql('accounts');
}
export async function down(sql) {
  await sql\`DROP TABLE \${sql('accounts')}\`;
}
`,
  );
  assert.is(m.framework, 'generic');
  const ops = sqls(m.upgrade.operations);
  assert.equal(kinds(m.upgrade.operations), ['execute_sql', 'execute_sql', 'execute_sql']);
  assert.equal(ops.map((o) => o.callee), ['sql`...`', 'sql.unsafe', 'tx`...`']);
  assert.match(ops[2]!.sql, /^UPDATE accounts/);
  const [drop] = sqls(m.downgrade.operations);
  assert.equal([drop!.sql, drop!.hasHoles], ['DROP TABLE {}', true]);
});

test('generic: pg-promise db.none / db.tx are not taken for Kysely', () => {
  const m = parseOne(
    '20240101120000_plan.js',
    `exports.up = async (db) => {
  await db.none('ALTER TABLE accounts ADD COLUMN plan text');
  await db.tx(async (t) => {
    for (const id of [1, 2]) await t.none('UPDATE accounts SET plan = $1 WHERE id = $2', ['free', id]);
  });
};
exports.down = async (db) => { await db.none('ALTER TABLE accounts DROP COLUMN plan'); };
`,
  );
  assert.is(m.framework, 'generic');
  const ops = sqls(m.upgrade.operations);
  assert.equal(ops.map((o) => [o.callee, o.repeated, o.conditional]), [['db.none', false, false], ['t.none', true, true]]);
});

test('generic: better-sqlite3 db.exec and db.prepare(...).run()', () => {
  const m = parseOne(
    '0001_init.js',
    `module.exports = {
  up(db) {
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.prepare('INSERT INTO notes (body) VALUES (?)').run('hello');
    db.pragma('journal_mode = WAL');
  },
  down(db) {
    db.exec('DROP TABLE notes');
  },
};
`,
  );
  assert.is(m.framework, 'generic');
  assert.equal(kinds(m.upgrade.operations), ['execute_sql', 'execute_sql', 'unknown']);
  assert.equal(sqls(m.upgrade.operations).map((o) => o.callee), ['db.exec', 'db.prepare']);
  const unknown = m.upgrade.operations[2]!;
  assert.ok(unknown.kind === 'unknown' && /db\.pragma\(\) is not a call migralint reads SQL from/.test(unknown.reason));
});

test('generic: exports.up with a module-level pool; { text } query objects; export { up, down }', () => {
  const [a, b] = parseFiles({
    '20240101000000_a.js': `const { pool } = require('../db');
exports.up = async function () {
  await pool.query({ text: 'ALTER TABLE a ADD COLUMN b int', values: [] });
  await pool.query(someQuery);
  [1, 2].map((x) => x * 2);
};
exports.down = async function () {
  await pool.query('ALTER TABLE a DROP COLUMN b');
};
`,
    '20240102000000_b.ts': `async function up(client) { await client.query('CREATE TABLE c (id int)'); }
async function down(client) { await client.query('DROP TABLE c'); }
export { up, down };
`,
  });
  assert.is(a!.framework, 'generic');
  assert.equal(sqls(a!.upgrade.operations).map((o) => o.sql), ['ALTER TABLE a ADD COLUMN b int'], 'a query on a pool it was not given is SQL only when its text reads as SQL');
  assert.is(b!.framework, 'generic');
  assert.equal(sqls(b!.upgrade.operations).map((o) => o.sql), ['CREATE TABLE c (id int)']);
});

test('generic: calls on the client it cannot read, and helpers given the client, are unknown operations', () => {
  const m = parseOne(
    '20240101000000_copy.ts',
    `import { backfill } from './lib';
export async function up(pool) {
  await pool.query('ALTER TABLE a ADD COLUMN b int');
  await pool.copyFrom('COPY a FROM STDIN');
  await backfill(pool);
  if (process.env.SEED) await pool.query(\`INSERT INTO a (b) VALUES (\${1})\`);
  await pool.transaction(backfill);
}
`,
  );
  assert.equal(kinds(m.upgrade.operations), ['execute_sql', 'unknown', 'unknown', 'execute_sql', 'unknown']);
  const named = m.upgrade.operations[4]!;
  assert.ok(named.kind === 'unknown' && /pool\.transaction\(\) is given no function migralint can follow/.test(named.reason));
  const [, copy, helper, seed] = m.upgrade.operations;
  assert.ok(copy?.kind === 'unknown' && copy.callee === 'pool.copyFrom');
  assert.ok(helper?.kind === 'unknown' && /pool is passed to backfill\(\)/.test(helper.reason));
  assert.ok(seed?.kind === 'execute_sql' && seed.conditional && seed.hasHoles);
});

test('generic: a module with up/down but no SQL the reader can find stays unknown, with the config hint', () => {
  const [m] = parseFiles({ '20240101000000_x.js': "exports.up = (client) => client.run('x');\nexports.down = (client) => client.migrateDown();\n" });
  assert.is(m!.framework, 'unknown');
  const [op] = m!.upgrade.operations;
  assert.ok(op?.kind === 'unknown' && /no SQL passed to a client call/.test(op.reason) && /generic/.test(op.reason));
});

test('generic: `framework: generic` in the config reads a file the detector would give to another framework', () => {
  const text = "export async function up(knex) { await knex.query('ALTER TABLE a DROP COLUMN b'); }\n";
  assert.is(parseOne('20240101000000_x.ts', text).framework, 'knex');
  const m = parseOne('20240101000000_x.ts', text, 'generic');
  assert.is(m.framework, 'generic');
  assert.equal(kinds(m.upgrade.operations), ['execute_sql']);
});

test('generic: in a knex directory a file whose framework cannot be told alone still follows knex', () => {
  const ms = parseFiles({
    '20240101000000_a.js': "exports.up = (knex) => knex.schema.dropTable('a');\nexports.down = () => {};\n",
    '20240102000000_b.js': "exports.up = (k) => k.raw('ALTER TABLE b DROP COLUMN c');\nexports.down = () => {};\n",
  });
  assert.equal(ms.map((m) => m.framework), ['knex', 'knex']);
});

test('generic: in a directory of generic files, one without SQL of its own follows them', () => {
  const ms = parseFiles({
    '20240101000000_a.js': "exports.up = (pool) => pool.query('ALTER TABLE a ADD COLUMN b int');\n",
    '20240102000000_b.js': "const { seed } = require('./seed');\nexports.up = (pool) => seed(pool);\n",
  });
  assert.equal(ms.map((m) => m.framework), ['generic', 'generic']);
  const [op] = ms[1]!.upgrade.operations;
  assert.ok(op?.kind === 'unknown' && /pool is passed to seed\(\)/.test(op.reason));
});

test('generic: ${...} in a tagged template is a bound parameter, even a constant; a nested sql`...` fragment is SQL', () => {
  const m = parseOne(
    '1.0.0-1673465463-scope-name.ts',
    `import { sql } from '@silverhand/slonik';
const newName = 'management-api:default';
export default {
  up: async (pool) => {
    await pool.query(sql\`update scopes set name = \${newName} where \${sql\`id = 'x'\`}\`);
    await pool.query(\`update scopes set name = '\${newName}'\`);
  },
};
`,
  );
  const [tagged, plain] = sqls(m.upgrade.operations);
  assert.equal([tagged!.sql, tagged!.hasHoles], ["update scopes set name = {} where id = 'x'", true]);
  // An untagged template is string interpolation: the constant is part of the text.
  assert.equal([plain!.sql, plain!.hasHoles], ["update scopes set name = 'management-api:default'", false]);
});

test('generic: a timestamp-named helper module in a sub-folder of the directory is no migration', () => {
  const ms = parseFiles({
    '1.0.0-1700000000-a.ts': "export default { up: async (pool) => { await pool.query('ALTER TABLE a ADD COLUMN b int'); } };\n",
    'utils/1704934999-tables.ts': 'export const applyTableRls = async (pool, table) => {};\n',
  }, undefined, '/project/alterations');
  assert.equal(ms.map((m) => m.revision?.value), ['1.0.0-1700000000-a']);
});

test('discovery: logto alteration file names and directories are TS/JS migrations', () => {
  for (const name of ['1.0.0-1678259660-add-foo.ts', '1.0.0_beta.10-1663923211-machine-to-machine-app.ts', '1.0.0_rc.0-1674032095.1-dedup.ts', 'next-1690000000-bar.ts', 'next-1690000000.1-bar.js']) {
    assert.ok(isTsCandidate(`/p/packages/schemas/alterations/${name}`), name);
  }
  for (const name of ['index.ts', 'utils.ts', 'types.d.ts', 'next.ts', 'v2-helpers.ts']) assert.not.ok(isTsCandidate(name), name);
  assert.ok(isTsMigrationDir('/p/packages/schemas/alterations', ['1.0.0-1678259660-add-foo.ts', 'index.ts']));
  assert.ok(isTsMigrationDir('/p/db/changes', ['next-1690000000-bar.ts']));
  assert.ok(isTsMigrationDir('/p/db/changes', ['1.2.0-1690000000-bar.ts']));
  assert.not.ok(isTsMigrationDir('/p/src/lib', ['1-helper.ts', 'index.ts']));
});

test.run();
