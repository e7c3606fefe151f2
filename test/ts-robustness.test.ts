// Hostile TS/JS migrations never stop a run: nesting deeper than the parser's stack, a single line of
// tens of thousands of tokens, files over the size or time budget, and files that export nothing.
// Each gets a finding of its own while every other file of the run is still linted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TS_READ_BUDGET } from '../src/frontends/ts/index.js';
import { parseFiles } from './frontends/ts-helpers.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'migralint.js');

const GOOD = 'exports.up = (knex) => knex.schema.alterTable("users", (t) => { t.dropColumn("email"); });\nexports.down = () => {};\n';

interface JsonFinding {
  rule: string;
  messageId: string;
  file: string;
  line: number;
  message: string;
}

/** Lints a migrations directory holding `files` through the CLI, as JSON. */
function lintDir(files: Record<string, string>): { code: number | null; findings: JsonFinding[]; stderr: string; summary: Record<string, unknown> } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'migralint-ts-robust-'));
  try {
    const dir = path.join(tmp, 'migrations');
    mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const res = spawnSync(process.execPath, [bin, 'lint', 'migrations', '--format', 'json'], { cwd: tmp, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const out = res.stdout ? (JSON.parse(res.stdout) as { findings: JsonFinding[]; summary: Record<string, unknown> }) : { findings: [], summary: {} };
    return { code: res.status, findings: out.findings, stderr: res.stderr, summary: out.summary };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

for (const [label, open, close] of [
  ['1,000 nested (', '('.repeat(1000), ')'.repeat(1000)],
  ['10,000 nested [', '['.repeat(10000), ']'.repeat(10000)],
  ['10,000 nested {', '{a:'.repeat(10000), '}'.repeat(10000)],
] as const) {
  test(`${label} in one migration: a parse-error for it, the other file still linted`, () => {
    const r = lintDir({
      '20240101000000_deep.js': `exports.up = function (knex) {\n  return ${open}1${close};\n};\nexports.down = function () {};\n`,
      '20240102000000_drop.js': GOOD,
    });
    assert.is(r.stderr, '');
    assert.is(r.code, 1);
    const deep = r.findings.filter((f) => f.file.endsWith('_deep.js'));
    assert.equal(deep.map((f) => [f.rule, f.messageId]), [['parse-error', 'limit']]);
    assert.match(deep[0]!.message, /deeper than the TypeScript parser can follow/);
    // Pointed at where the nesting gets too deep, not at the top of the file.
    assert.is(deep[0]!.line, 2);
    assert.ok(r.findings.some((f) => f.file.endsWith('_drop.js') && f.rule === 'drop-column'), JSON.stringify(r.findings));
  });
}

test('a chain of 12,500 `+` and one of 5,000 calls are read, not reported as too deep', () => {
  const plus = Array.from({ length: 12500 }, (_, i) => `a${i}`).join(' + ');
  const calls = 'x' + '.a()'.repeat(5000);
  const ms = parseFiles({
    '20240101000000_plus.js': `exports.up = (knex) => knex.raw('SELECT ' + ${Array.from({ length: 3000 }, (_, i) => `'${i}'`).join(' + ')});\nexports.down = () => { const s = ${plus}; };\n`,
    '20240102000000_calls.js': `exports.up = (knex) => { ${calls}; return knex.raw('SELECT 1'); };\nexports.down = () => {};\n`,
  });
  assert.equal(ms.map((m) => m.parseError), [null, null]);
  const [raw] = ms[0]!.upgrade.operations;
  assert.ok(raw?.kind === 'execute_sql' && raw.sql.startsWith('SELECT 012'), raw?.kind);
  assert.equal(ms[1]!.upgrade.operations.map((o) => o.kind), ['execute_sql']);
});

test('a single line of 50,000 values with comments between them is read in linear time', () => {
  const line = Array.from({ length: 50000 }, (_, i) => `${i} /* v${i} */`).join(', ');
  const started = Date.now();
  const [m] = parseFiles({ '20240101000000_long.js': `exports.up = (knex) => knex.raw('SELECT 1', [${line}]);\nexports.down = () => {};\n` });
  const ms = Date.now() - started;
  assert.is(m!.parseError, null);
  assert.is(m!.comments.length, 50000);
  assert.ok(m!.comments.every((c) => c.inline));
  // Quadratic comment scanning took about 15 s here; linear reading takes well under one.
  assert.ok(ms < 5000, `${ms} ms`);
});

test('a file over the size budget or the time budget gets a parse-error finding, the rest are read', () => {
  const saved = { ...TS_READ_BUDGET };
  try {
    TS_READ_BUDGET.bytes = 2000;
    const ms = parseFiles({
      '20240101000000_big.js': `exports.up = (knex) => knex.raw('SELECT 1');\n// ${'x'.repeat(3000)}\n`,
      '20240102000000_small.js': "exports.up = (knex) => knex.raw('SELECT 1');\n",
    });
    assert.equal(ms.map((m) => m.parseError?.kind ?? null), ['limit', null]);
    assert.match(ms[0]!.parseError!.message, /over the 0\.0 MB read|over the .* read of a TS\/JS migration/);
    TS_READ_BUDGET.bytes = saved.bytes;
    TS_READ_BUDGET.ms = 0;
    const [slow] = parseFiles({ '20240101000000_slow.js': `exports.up = (knex) => knex.raw('SELECT 1', [${Array.from({ length: 5000 }, (_, i) => i).join(', ')}]);\n` });
    assert.is(slow!.parseError?.kind, 'limit');
    assert.match(slow!.parseError!.message, /took longer than 0 s/);
  } finally {
    Object.assign(TS_READ_BUDGET, saved);
  }
});

test('empty, blank and up/down-less TS/JS files among migrations are reported, not dropped from the counts', () => {
  const r = lintDir({
    '20240101000000_empty.js': '',
    '20240102000000_blank.ts': '  \n\n',
    '20240103000000_helper.js': 'export const columns = ["a", "b"];\n',
    '20240104000000_drop.js': GOOD,
  });
  assert.is(r.stderr, '');
  const empty = r.findings.filter((f) => f.rule === 'empty-migration').map((f) => path.basename(f.file));
  assert.equal(empty, ['20240101000000_empty.js', '20240102000000_blank.ts', '20240103000000_helper.js']);
  assert.is(r.summary.migrations, 4);
});

test('timestamp-named scripts without up/down are migrations only beside migrations or in a directory named for them', () => {
  const scripts = { '20240101000000_build.js': 'console.log(1);\n', '20240102000000_other.js': 'export default 1;\n' };
  assert.is(parseFiles(scripts, undefined, '/project/scripts').length, 0);
  assert.is(parseFiles(scripts, undefined, '/project/migrations').length, 2);
  assert.is(parseFiles({ ...scripts, '20240103000000_drop.js': GOOD }, undefined, '/project/scripts').length, 3);
  // Not named like a migration: a helper module beside migrations stays out.
  assert.is(parseFiles({ 'helpers.js': 'export const x = 1;\n', '20240103000000_drop.js': GOOD }).length, 1);
});

test.run();
