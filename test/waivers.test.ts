// Waivers: config validation, what they silence and until when, the rules that judge them, and
// `migralint waivers`. Today's date comes from MIGRALINT_TODAY.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, isCalendarDate, loadConfig, waiverLines } from '../src/config/index.js';
import { daysBetween } from '../src/engine/scope.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');

const A1 = `"""init"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("accounts")
`;
const B1 = `"""tier"""
from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))


def downgrade():
    op.drop_column("accounts", "tier")
`;

const WAIVER = {
  rule: 'add-not-null-column',
  migration: 'b1',
  reason: 'accounts is empty until the launch',
  owner: '@data-team',
  expires: '2026-12-01',
};

function project(files: Record<string, string | object>): { dir: string; cleanup(): void } {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migralint-waivers-')));
  mkdirSync(path.join(dir, '.git'));
  const all: Record<string, string | object> = {
    'migrations/env.py': 'from alembic import context\nconnection.execute(text("SET lock_timeout = 5000"))\n',
    'migrations/versions/a1_init.py': A1,
    'migrations/versions/b1_tier.py': B1,
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function cli(cwd: string, args: string[], today = '2026-11-22') {
  const res = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', MIGRALINT_TODAY: today },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function findings(cwd: string, today?: string) {
  const r = cli(cwd, ['lint', '--format', 'json'], today);
  assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  return (JSON.parse(r.stdout).findings as { rule: string; file: string; line: number; message: string }[]).map(
    (f) => `${f.rule} ${f.file}:${f.line}`,
  );
}

async function problems(files: Record<string, string | object>): Promise<string[]> {
  const p = project(files);
  try {
    await loadConfig({ cwd: p.dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  } finally {
    p.cleanup();
  }
  throw new Error('expected a ConfigError');
}

// ---------------------------------------------------------------------------------------------
// Configuration

test('config: a waiver without a reason is a configuration error (exit 2)', async () => {
  const { reason: _r, ...noReason } = WAIVER;
  assert.equal(await problems({ 'migralint.config.json': { waivers: [noReason] } }), [
    'migralint.config.json: waivers[0]: missing required option "reason"',
  ]);
  const p = project({ 'migralint.config.json': { waivers: [noReason] } });
  try {
    const r = cli(p.dir, ['lint']);
    assert.is(r.code, 2);
    assert.match(r.stderr, /^migralint: migralint\.config\.json: waivers\[0\]: missing required option "reason"/);
  } finally {
    p.cleanup();
  }
});

test('config: blank reason and owner, unknown rule with "did you mean", impossible dates, unknown keys', async () => {
  const found = await problems({
    'migralint.config.json': {
      waivers: [
        { ...WAIVER, reason: '  ', owner: '' },
        { ...WAIVER, rule: 'add-not-nul-column', expires: '2026-02-30' },
        { ...WAIVER, rule: 'no-such-thing', expires: '31/12/2026' },
      ],
    },
  });
  assert.equal(found, [
    'migralint.config.json: waivers[0].reason: must say why the finding is accepted, got ""',
    'migralint.config.json: waivers[0].owner: must name who answers for the waiver, got ""',
    'migralint.config.json: waivers[1].rule: unknown rule "add-not-nul-column". Did you mean "add-not-null-column"?',
    'migralint.config.json: waivers[1].expires: "2026-02-30" is not a date; expected YYYY-MM-DD, e.g. "2026-12-31"',
    'migralint.config.json: waivers[2].rule: unknown rule "no-such-thing".',
    'migralint.config.json: waivers[2].expires: "31/12/2026" is not a date; expected YYYY-MM-DD, e.g. "2026-12-31"',
  ]);
  assert.equal(await problems({ 'migralint.config.json': { waivers: [{ ...WAIVER, owners: '@x' }] } }), [
    'migralint.config.json: waivers[0]: unknown option "owners". Did you mean "owner"?',
  ]);
  assert.equal(await problems({ 'migralint.config.json': { startAfter: ' ' } }), [
    'migralint.config.json: startAfter: must be a revision id or a file name, got ""',
  ]);
});

test('config: waivers resolve with their file, line and path; waivers of extended configs add up', async () => {
  const p = project({
    'base.json': { waivers: [{ ...WAIVER, migration: 'a1', rule: 'drop-table' }] },
    'migralint.config.json': { extends: ['recommended', './base.json'], waivers: [WAIVER] },
  });
  try {
    const c = await loadConfig({ cwd: p.dir });
    assert.equal(
      c.waivers!.map((w) => [w.rule, w.migration, path.basename(w.file), w.line, w.path]),
      [
        ['drop-table', 'a1', 'base.json', 3, path.join(p.dir, 'a1')],
        ['add-not-null-column', 'b1', 'migralint.config.json', 7, path.join(p.dir, 'b1')],
      ],
    );
  } finally {
    p.cleanup();
  }
});

test('waiverLines: the line of each waiver in JSON with comments, JavaScript and YAML', () => {
  const json = '{\n  // accepted findings\n  "rules": {},\n  "waivers": [\n    { "rule": "a", "reason": "uses { and [" },\n    /* { not this } */\n    {\n      "rule": "b"\n    }\n  ]\n}\n';
  assert.equal(waiverLines(json, 2, false), [5, 7]);
  const js = "export default {\n  waivers: [{ rule: 'a' },\n    { rule: 'b', reason: `x}` }],\n};\n";
  assert.equal(waiverLines(js, 2, false), [2, 3]);
  const yaml = 'rules: {}\nwaivers:\n  # first\n  - rule: a\n    reason: "x"\n  - rule: b\n    migration: c\nlockfile: x\n';
  assert.equal(waiverLines(yaml, 2, true), [4, 6]);
  assert.equal(waiverLines('{}', 2, false), [1, 1], 'line 1 when not found');
});

test('dates: calendar check and day arithmetic', () => {
  assert.ok(isCalendarDate('2024-02-29'));
  assert.not.ok(isCalendarDate('2023-02-29'));
  assert.not.ok(isCalendarDate('2026-1-1'));
  assert.is(daysBetween('2026-11-22', '2026-12-01'), 9);
  assert.is(daysBetween('2026-11-22', '2026-11-22'), 0);
  assert.is(daysBetween('2026-03-30', '2026-03-28'), -2);
});

// ---------------------------------------------------------------------------------------------
// Lint runs

test('a waiver silences its rule for its migration until it expires; then the finding and the expiry are reported', () => {
  const p = project({ 'migralint.config.json': `{\n  "waivers": [\n    ${JSON.stringify(WAIVER)}\n  ]\n}\n` });
  try {
    assert.equal(findings(p.dir, '2026-11-22'), []);
    assert.equal(findings(p.dir, '2026-12-01'), [], 'the expiry date is the last day it applies');
    const r = cli(p.dir, ['lint', '--format', 'json'], '2026-12-02');
    assert.is(r.code, 1);
    const out = JSON.parse(r.stdout).findings as { rule: string; file: string; line: number; message: string; severity: string }[];
    assert.equal(
      out.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}`),
      ['expired-waiver error migralint.config.json:3', 'add-not-null-column error migrations/versions/b1_tier.py:10'],
    );
    assert.is(out[0]!.message, 'The waiver of add-not-null-column for b1 expired on 2026-12-01 (owner @data-team) and no longer applies.');
    // Stylish output names the config file and the line.
    assert.match(cli(p.dir, ['lint'], '2026-12-02').stdout, /migralint\.config\.json\n {2}3:1 {2}error {2}The waiver of add-not-null-column/);
  } finally {
    p.cleanup();
  }
});

test('a waiver covers only its rule and its migration; an unused one is a warning', () => {
  const C1 = B1.replace('revision = "b1"', 'revision = "c1"').replace('down_revision = "a1"', 'down_revision = "b1"').replace(/tier/g, 'plan');
  const p = project({
    'migrations/versions/c1_plan.py': C1,
    'migralint.config.json': { waivers: [WAIVER, { ...WAIVER, rule: 'drop-column', migration: 'migrations/versions/a1_init.py' }] },
  });
  try {
    assert.equal(findings(p.dir), ['unused-waiver migralint.config.json:10', 'add-not-null-column migrations/versions/c1_plan.py:10']);
    const r = cli(p.dir, ['lint', 'migrations/versions/c1_plan.py', '--format', 'json']);
    assert.equal(
      JSON.parse(r.stdout).findings.map((f: { rule: string }) => f.rule),
      ['add-not-null-column'],
      'a1 is not linted when only c1 is named: its waiver cannot be judged',
    );
  } finally {
    p.cleanup();
  }
});

test('a waiver covers every file of its migration (a finding in the down file of a SQL migration)', () => {
  const p = project({
    'db/migrations/000001_init.up.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
    'db/migrations/000001_init.down.sql': 'DROP TABLE accounts;\n',
    'db/migrations/000002_note.up.sql': 'ALTER TABLE accounts ADD COLUMN note text;\n',
    'db/migrations/000002_note.down.sql': 'ALTER TABLE accounts DROP COLUMN note;\nDROP TABLEZ oops;\n',
    'migralint.config.json': {
      paths: ['db/migrations'],
      runner: { lockTimeout: '5s' },
      waivers: [{ ...WAIVER, rule: 'sql-syntax-error', migration: 'db/migrations/000002_note.up.sql' }],
    },
  });
  try {
    assert.equal(findings(p.dir), []);
    writeFileSync(path.join(p.dir, 'migralint.config.json'), JSON.stringify({ paths: ['db/migrations'], runner: { lockTimeout: '5s' } }));
    assert.equal(findings(p.dir), ['sql-syntax-error db/migrations/000002_note.down.sql:2']);
  } finally {
    p.cleanup();
  }
});

test('inline ignores keep working next to waivers', () => {
  const ignored = B1.replace('    op.add_column', '    # migralint: ignore[add-not-null-column] empty table, checked in staging\n    op.add_column');
  const p = project({ 'migrations/versions/b1_tier.py': ignored, 'migralint.config.json': { waivers: [{ ...WAIVER, rule: 'drop-table', migration: 'a1' }] } });
  try {
    assert.equal(findings(p.dir), ['unused-waiver migralint.config.json:3']);
  } finally {
    p.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// migralint waivers

test('`migralint waivers` lists rule, migration, owner, expiry, days left or EXPIRED, and reason', () => {
  const p = project({
    'migralint.config.json': {
      waivers: [WAIVER, { ...WAIVER, rule: 'drop-table', migration: 'migrations/versions/a1_init.py', owner: '@ops', expires: '2026-10-01', reason: 'old' }],
    },
  });
  try {
    const r = cli(p.dir, ['waivers']);
    assert.is(r.code, 0, r.stderr);
    assert.is(
      r.stdout,
      [
        'rule                 migration                       owner       expires     days left  reason',
        'add-not-null-column  b1                              @data-team  2026-12-01  9          accounts is empty until the launch',
        'drop-table           migrations/versions/a1_init.py  @ops        2026-10-01  EXPIRED    old',
        '',
        '2 waivers, 1 expired (reported by expired-waiver until renewed or removed) (today is 2026-11-22).',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(cli(p.dir, ['waivers', '--format', 'json']).stdout);
    assert.is(json.today, '2026-11-22');
    assert.equal(json.waivers[1], {
      rule: 'drop-table',
      migration: 'migrations/versions/a1_init.py',
      owner: '@ops',
      expires: '2026-10-01',
      daysLeft: -52,
      expired: true,
      reason: 'old',
      file: 'migralint.config.json',
      line: 10,
    });
    assert.match(cli(p.dir, ['waivers'], 'tomorrow').stderr, /MIGRALINT_TODAY must be a date/);
  } finally {
    p.cleanup();
  }
  const empty = project({});
  try {
    assert.is(cli(empty.dir, ['waivers']).stdout, 'No waivers in the configuration (no config file found).\n');
  } finally {
    empty.cleanup();
  }
});

test.run();
