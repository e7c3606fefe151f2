// callback-invoked-early through the real pipeline: a temporary db-migrate directory linted with lint().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lint } from '../../src/engine/run.js';
import rule from '../../rules/callback-invoked-early.js';
import { configFor } from '../helpers/rule-tester.js';

async function findings(files: Record<string, string>, rules: string[] = [rule.id, 'unknown-operation']) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'migralint-dbm-'));
  const dir = path.join(root, 'migrations');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  try {
    const enabled = Object.fromEntries(rules.map((r) => [r, { severity: 'error' as const, options: {} }]));
    const { findings } = await lint({ cwd: root, paths: [dir], config: configFor(root, enabled), lockfile: null });
    return findings.map((f) => [f.ruleId, path.basename(f.file), f.line, f.column, f.message]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('db.runSql(sql, cb()) is reported once, by this rule only (not unknown-operation)', async () => {
  const found = await findings({
    '20240101000000-plan.js': 'exports.up = function (db, cb) {\n  db.runSql(`ALTER TABLE users ADD COLUMN plan text`, cb());\n};\nexports.down = function (db, cb) {\n  db.runSql("ALTER TABLE users DROP COLUMN plan", cb);\n};\n',
  });
  assert.equal(found.map((f) => f.slice(0, 4)), [['callback-invoked-early', '20240101000000-plan.js', 2, 55]]);
  assert.match(String(found[0]![4]), /^The callback cb\(\) is invoked here instead of passed \(cb\(\) is called and its result passed to db\.runSql\(\)/);
});

test('any callback name, any db-migrate call, in the downgrade and in nested callbacks', async () => {
  const found = await findings({
    '20240101000000-a.js': `exports.up = function (db, callback) {
  db.addColumn('users', 'plan', { type: 'text' }, function (err) {
    if (err) return callback(err);
    db.addIndex('users', 'users_plan_idx', ['plan'], false, callback());
  });
};
exports.down = function (db, done) {
  db.removeColumn('users', 'plan', done());
};
`,
  });
  assert.equal(found.map((f) => f.slice(0, 3)), [
    ['callback-invoked-early', '20240101000000-a.js', 4],
    ['callback-invoked-early', '20240101000000-a.js', 8],
  ]);
});

test('passing the callback, calling it on error, async functions and promises are clean', async () => {
  const found = await findings({
    '20240101000000-a.js': 'exports.up = function (db, cb) {\n  db.runSql("ALTER TABLE users ADD COLUMN plan text", function (err) {\n    if (err) return cb(err);\n    cb();\n  });\n};\nexports.down = function (db, cb) { db.runSql("ALTER TABLE users DROP COLUMN plan", cb); };\n',
    '20240102000000-b.js': 'exports.up = async function (db) {\n  await db.runSql("UPDATE users SET plan = \'free\' WHERE plan IS NULL");\n};\nexports.down = function (db) {\n  return db.runSql("SELECT 1");\n};\n',
  });
  assert.equal(found, []);
});

test('a call not on db with cb() as an argument is not this rule\'s (only db-migrate calls)', async () => {
  const found = await findings({
    '20240101000000-a.js': 'exports.up = function (db, cb) {\n  setImmediate(cb());\n  db.runSql("SELECT 1", cb);\n};\nexports.down = function (db, cb) { cb(); };\n',
  });
  assert.equal(found, []);
});

test.run();
