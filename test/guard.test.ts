// One file never stops a run: whatever a front end throws while reading a file, or a rule while
// judging one migration, becomes a finding on that file, and every other file is still linted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { lint, lintLoaded, loadMigrations } from '../src/engine/run.js';
import { parseFileWith, parseSetFilesWith } from '../src/engine/frontends.js';
import { loadRule } from '../src/engine/registry.js';
import { emptyMigration } from '../src/model/index.js';
import type { Frontend, FrontendInput } from '../src/frontends/types.js';
import { defineRule } from '../src/rule-api/index.js';
import { configFor, writeProject } from './helpers/rule-tester.js';
import { loadConfig } from '../src/config/index.js';

const deep = (n: number) => '('.repeat(n) + '1' + ')'.repeat(n);

const GOOD_PY = `revision = "a1"
down_revision = None
from alembic import op

def upgrade():
    op.drop_column("accounts", "legacy")

def downgrade():
    pass
`;

const DEEP_PY = `revision = "b2"
down_revision = "a1"
from alembic import op

def upgrade():
    x = ${deep(5000)}

def downgrade():
    pass
`;

const GOOD_TS = `export async function up(knex) {
  await knex.schema.alterTable('accounts', (t) => { t.dropColumn('legacy'); });
}
export async function down(knex) {}
`;

const DEEP_TS = `export async function up(knex) {
  const x = ${deep(5000)};
}
export async function down(knex) {}
`;

const on = { severity: 'error', options: {} } as const;

test('deeply nested Python, SQL and TS/JS files each get a parse-error finding, and the good files beside them are still linted', async () => {
  const p = writeProject({
    'a1_good.py': GOOD_PY,
    'b2_deep.py': DEEP_PY,
    '/sql/0001_good.sql': 'ALTER TABLE accounts DROP COLUMN legacy;\n',
    '/sql/0002_deep.sql': `SELECT ${deep(30000)};\nSELECT 1${'+1'.repeat(30000)};\n`,
    '/ts/20240101000000_good.js': GOOD_TS,
    '/ts/20240102000000_deep.js': DEEP_TS,
  });
  try {
    const config = configFor(p.root, { 'drop-column': on, 'parse-error': on, 'sql-syntax-error': on }, { lockfile: null });
    const dirs = [p.versions, path.join(p.root, 'sql'), path.join(p.root, 'ts')];
    const result = await lint({ cwd: p.root, paths: dirs, config, lockfile: null });
    const found = (name: string, rule: string) => result.findings.some((f) => path.basename(f.file) === name && f.ruleId === rule);
    assert.ok(found('a1_good.py', 'drop-column'), 'the good Alembic file is still linted');
    assert.ok(found('0001_good.sql', 'drop-column'), 'the good SQL file is still linted');
    assert.ok(found('20240101000000_good.js', 'drop-column'), 'the good JS file is still linted');
    assert.ok(found('b2_deep.py', 'parse-error'), 'the deep Python file is reported');
    const deepPy = result.findings.find((f) => path.basename(f.file) === 'b2_deep.py')!;
    assert.is(deepPy.messageId, 'limit');
    assert.match(deepPy.message, /nests deeper than the Python parser can follow/);
    assert.ok(found('0002_deep.sql', 'sql-syntax-error') || found('0002_deep.sql', 'parse-error'), 'the deep SQL file is reported');
    assert.ok(found('20240102000000_deep.js', 'parse-error'), 'the deep JS file is reported');
  } finally {
    p.cleanup();
  }
});

test('a SQL statement nested too deeply for the converter is reported as not understood, not passed as harmless', async () => {
  const p = writeProject({ '/sql/0001_index.sql': `CREATE INDEX ix_a ON accounts (a) WHERE ${'NOT '.repeat(3000)}true;\n` });
  try {
    const config = configFor(p.root, { 'unknown-operation': { severity: 'info', options: {} }, 'require-concurrent-index': on }, { lockfile: null });
    const result = await lint({ cwd: p.root, paths: [path.join(p.root, 'sql')], config, lockfile: null });
    assert.equal(
      result.findings.map((f) => [f.ruleId, f.line]),
      [['unknown-operation', 1]],
    );
    assert.match(result.findings[0]!.message, /a CREATE INDEX statement nested too deeply to read/);
  } finally {
    p.cleanup();
  }
});

const input = (file: string): FrontendInput => ({ file, bytes: new TextEncoder().encode('x'), projectRoot: '/p', dialect: 'postgresql' });

test('a per-file front end that throws on one file: that file becomes an internal parse error, the next file is read', () => {
  const frontend: Frontend = {
    framework: 'alembic',
    parse: (i) => {
      if (i.file.endsWith('bad.py')) throw new TypeError("Cannot read properties of undefined (reading 'value')");
      return emptyMigration(i.file, 'alembic', 'postgresql');
    },
  };
  const bad = parseFileWith(() => frontend, input('/p/bad.py'), null);
  assert.equal(bad?.parseError?.kind, 'internal');
  assert.match(bad!.parseError!.message, /TypeError: Cannot read properties of undefined/);
  assert.match(bad!.parseError!.message, /bug in migralint/);
  assert.equal(parseFileWith(() => frontend, input('/p/good.py'), null)?.parseError, null);
});

test('a set-level front end that throws on one file: only that file is reported, the others are read together', () => {
  const calls: string[][] = [];
  const frontend: Frontend = {
    framework: 'sql',
    parse: () => {
      throw new Error('not used');
    },
    parseSet: (inputs) => {
      calls.push(inputs.map((i) => path.basename(i.file)));
      if (inputs.some((i) => i.file.endsWith('0002.sql'))) throw new RangeError('Maximum call stack size exceeded');
      return inputs.map((i) => emptyMigration(i.file, 'sql', 'postgresql'));
    },
  };
  const items = ['/p/0001.sql', '/p/0002.sql', '/p/0003.sql'].map((f) => ({ input: input(f), error: null }));
  const out = parseSetFilesWith(() => frontend, '/p', items, { dialect: 'postgresql' });
  assert.equal(out.map((m) => [path.basename(m.file), m.parseError?.kind ?? null]).sort(), [
    ['0001.sql', null],
    ['0002.sql', 'limit'],
    ['0003.sql', null],
  ]);
  assert.match(out.find((m) => m.file.endsWith('0002.sql'))!.parseError!.message, /nested too deeply/);
  // The good files were read together at the end (pairs and order come from the whole directory).
  assert.equal(calls.at(-1), ['0001.sql', '0003.sql']);
});

const exploding = defineRule<'never', Record<string, never>>({
  id: 'drop-table',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'A stand-in rule that throws on one migration',
    docs: { why: '', bad: '', good: '' },
    help: '',
    messages: { never: 'never' },
    defaultOptions: {},
  },
  check(_ctx, m) {
    if (m.revision?.value === 'b2') throw new TypeError('boom');
  },
});

test('a rule that throws on one migration: an error naming the rule on that file; other rules and files still report', async () => {
  const p = writeProject({ 'a1_good.py': GOOD_PY, 'b2_other.py': GOOD_PY.replace('"a1"', '"b2"').replace('None', '"a1"') });
  try {
    const config = configFor(p.root, { 'drop-column': on, 'drop-table': on }, { lockfile: null });
    const opts = { cwd: p.root, paths: [p.versions], config, lockfile: null };
    const loaded = await loadMigrations(opts);
    const rules = [exploding, await loadRule('drop-column')];
    const result = lintLoaded(opts, { ...loaded, lock: null }, rules);
    const summary = result.findings.map((f) => [path.basename(f.file), f.ruleId, f.messageId, f.severity]);
    assert.equal(summary, [
      ['a1_good.py', 'drop-column', 'dropped', 'error'],
      ['b2_other.py', 'drop-table', 'internal-error', 'error'],
      ['b2_other.py', 'drop-column', 'dropped', 'error'],
    ]);
    assert.match(result.findings[1]!.message, /The drop-table rule failed on this file.*TypeError: boom/);
    // MIGRALINT_DEBUG=1: the error is thrown, with its stack, to debug migralint itself.
    process.env.MIGRALINT_DEBUG = '1';
    try {
      assert.throws(() => lintLoaded(opts, { ...loaded, lock: null }, rules), /boom/);
    } finally {
      delete process.env.MIGRALINT_DEBUG;
    }
  } finally {
    p.cleanup();
  }
});

test('a file over the size budget (maxFileSize) is reported, not parsed; the files beside it are linted', async () => {
  const big = GOOD_PY.replace('"a1"', '"b2"').replace('None', '"a1"') + '# padding\n'.repeat(200);
  const p = writeProject({
    'a1_good.py': GOOD_PY,
    'b2_big.py': big,
    '/sql/0001_good.sql': 'ALTER TABLE accounts DROP COLUMN legacy;\n',
    '/sql/0002_big.sql': 'SELECT 1;\n'.repeat(300),
  });
  try {
    const config = { ...configFor(p.root, { 'drop-column': on, 'parse-error': on }, { lockfile: null }), maxFileSize: 1024 };
    const result = await lint({ cwd: p.root, paths: [p.versions, path.join(p.root, 'sql')], config, lockfile: null });
    const summary = result.findings.map((f) => [path.basename(f.file), f.ruleId, f.messageId]);
    assert.equal(summary, [
      ['a1_good.py', 'drop-column', 'dropped'],
      ['b2_big.py', 'parse-error', 'limit'],
      ['0001_good.sql', 'drop-column', 'dropped'],
      ['0002_big.sql', 'parse-error', 'limit'],
    ]);
    assert.match(result.findings[1]!.message, /^The file was not read, it is beyond what migralint reads: it is [\d.]+ MB, over the [\d.]+ MB limit; set `maxFileSize` \(megabytes\)/);
    // Every file is accounted for among the migrations.
    assert.equal(result.migrations.map((m) => path.basename(m.file)).sort(), ['0001_good.sql', '0002_big.sql', 'a1_good.py', 'b2_big.py']);
    // 0: no limit.
    const unlimited = await lint({ cwd: p.root, paths: [p.versions], config: { ...config, maxFileSize: 0 }, lockfile: null });
    assert.equal(unlimited.findings.map((f) => [path.basename(f.file), f.ruleId]), [
      ['a1_good.py', 'drop-column'],
      ['b2_big.py', 'drop-column'],
    ]);
  } finally {
    p.cleanup();
  }
});

test('maxFileSize in a config file is megabytes; a negative size is a configuration error', async () => {
  const p = writeProject({ 'a1_good.py': GOOD_PY }, { 'migralint.config.json': JSON.stringify({ maxFileSize: 2.5 }) });
  const q = writeProject({ 'a1_good.py': GOOD_PY }, { 'migralint.config.json': JSON.stringify({ maxFileSize: -1 }) });
  try {
    assert.equal((await loadConfig({ cwd: p.root })).maxFileSize, 2.5 * 1024 * 1024);
    await loadConfig({ cwd: q.root }).then(
      () => assert.unreachable('a negative maxFileSize was accepted'),
      (err: Error) => assert.match(err.message, /maxFileSize/),
    );
  } finally {
    p.cleanup();
    q.cleanup();
  }
});

test.run();
