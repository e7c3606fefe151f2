// The command line as users run it: the built bin/migralint.js in a child process, on projects
// written to temporary directories. Exit codes, formats, config errors, the lock file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');

function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...env },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const CLEAN = `"""add note"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "note")
`;
const NOT_NULL = `"""add tier"""
from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))


def downgrade():
    op.drop_column("accounts", "tier")
`;
const MIXED = `"""backfill"""
from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")


def downgrade():
    op.drop_column("accounts", "tier")
`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-cli-'));
  mkdirSync(path.join(dir, 'migrations', 'versions'), { recursive: true });
  // The runner sets lock_timeout, as a well-run project does, so require-lock-timeout stays quiet.
  writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\nconnection.execute(text("SET lock_timeout = 5000"))\n');
  writeFileSync(path.join(dir, 'package.json'), '{"name": "app", "private": true}\n');
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

test('--version and --help exit 0', () => {
  const v = run(root, ['--version']);
  assert.is(v.code, 0);
  assert.is(v.stdout.trim(), JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  const h = run(root, ['--help']);
  assert.is(h.code, 0);
  assert.match(h.stdout, /Usage: migralint/);
});

test('exit 0 on a clean project, discovering migrations/versions by itself', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN });
  try {
    const r = run(dir, ['lint']);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /No problems found \(1 migration in 1 file\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exit 1 on an error-level finding, with a code frame and help', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migrations/versions/b1_tier.py': NOT_NULL });
  try {
    const r = run(dir, ['lint']);
    assert.is(r.code, 1);
    assert.match(r.stdout, /migrations\/versions\/b1_tier\.py/);
    assert.match(r.stdout, /10:5 {2}error {2}Column tier is added to accounts as NOT NULL/);
    assert.match(r.stdout, /> 10 \| {5}op\.add_column/);
    assert.match(r.stdout, /help: Give the column a server_default/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lint without paths also finds TypeScript and JavaScript migration folders (knex migrations/, TypeORM src/migrations/)', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN });
  try {
    const copies: [string, string][] = [
      ['fixtures/knex/project/migrations', 'db/migrations'],
      ['fixtures/typeorm/project/src/migrations', 'src/migrations'],
    ];
    for (const [from, to] of copies) {
      for (const f of readdirSync(path.join(root, from))) {
        mkdirSync(path.join(dir, to), { recursive: true });
        writeFileSync(path.join(dir, to, f), readFileSync(path.join(root, from, f)));
      }
    }
    const r = run(dir, ['lint', '--format', 'json']);
    const out = JSON.parse(r.stdout);
    const dirs = new Set(out.findings.map((f: { file: string }) => path.posix.dirname(f.file)));
    assert.ok(dirs.has('db/migrations'), r.stdout);
    assert.ok(dirs.has('src/migrations'), r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('json format: the documented fields, file relative to cwd', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migrations/versions/b1_tier.py': NOT_NULL });
  try {
    const r = run(dir, ['lint', '--format', 'json']);
    assert.is(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.findings, [
      {
        rule: 'add-not-null-column',
        messageId: 'notNullNoDefault',
        severity: 'error',
        file: 'migrations/versions/b1_tier.py',
        line: 10,
        column: 5,
        endLine: 10,
        endColumn: 76,
        message: 'Column tier is added to accounts as NOT NULL with no server default; existing rows make this fail.',
        migration: 'b1',
      },
    ]);
    assert.equal(out.summary, { files: 2, migrations: 2, errors: 1, warnings: 0, infos: 0, suppressed: 0 });
    assert.equal(out.suppressed, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('suppressed findings: counted in the summary line, listed in json with the comment that silenced them', () => {
  const ignored = NOT_NULL.replace('    op.add_column(', '    # squawk-ignore adding-required-field\n    op.add_column(');
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migrations/versions/b1_tier.py': ignored });
  try {
    const text = run(dir, ['lint']);
    assert.is(text.code, 0);
    assert.match(text.stdout, /No problems found \(2 migrations in 2 files, 1 suppressed\)\./);
    const out = JSON.parse(run(dir, ['lint', '--format', 'json']).stdout);
    assert.equal(out.findings, []);
    assert.is(out.summary.suppressed, 1);
    assert.equal(
      out.suppressed.map((s: { rule: string; line: number; suppressedBy: unknown }) => [s.rule, s.line, s.suppressedBy]),
      [['add-not-null-column', 11, { file: 'migrations/versions/b1_tier.py', line: 10, text: 'squawk-ignore adding-required-field', tool: 'squawk' }]],
    );
    // The config switch turns other linters' comments off.
    writeFileSync(path.join(dir, 'migralint.config.json'), '{ "foreignIgnores": false }\n');
    const off = run(dir, ['lint', '--format', 'json']);
    assert.is(off.code, 1);
    assert.equal(JSON.parse(off.stdout).findings.map((f: { rule: string }) => f.rule), ['add-not-null-column']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('json format: lists per file the operations not understood, even with unknown-operation off', () => {
  const comment = `"""comment"""
from alembic import op

revision = "b1"
down_revision = "a1"


def upgrade():
    op.create_table_comment("accounts", "who pays")
    op.sync_enum_values("public", "state", ["a", "b"])


def downgrade():
    op.drop_table_comment("accounts")
`;
  const dir = project({
    'migrations/versions/a1_note.py': CLEAN,
    'migrations/versions/b1_comment.py': comment,
    '.migralintrc.json': JSON.stringify({ rules: { 'unknown-operation': 'off' } }),
  });
  try {
    const r = run(dir, ['lint', '--format', 'json']);
    assert.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.findings, []);
    assert.equal(out.unknown, [
      {
        file: 'migrations/versions/b1_comment.py',
        operations: [
          {
            line: 9,
            column: 5,
            callee: 'op.create_table_comment',
            reason: 'op.create_table_comment() changes a table comment, which the model has no operation for',
            body: 'upgrade',
            migration: 'b1',
          },
          {
            line: 10,
            column: 5,
            callee: 'op.sync_enum_values',
            reason: 'op.sync_enum_values() is not an operation migralint understands',
            body: 'upgrade',
            migration: 'b1',
          },
          {
            line: 14,
            column: 5,
            callee: 'op.drop_table_comment',
            reason: 'op.drop_table_comment() changes a table comment, which the model has no operation for',
            body: 'downgrade',
            migration: 'b1',
          },
        ],
      },
    ]);
    // A file whose every call is understood is not listed.
    const clean = JSON.parse(run(dir, ['lint', '--format', 'json', 'migrations/versions/a1_note.py']).stdout);
    assert.equal(clean.unknown, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('warnings: exit 0, --max-warnings 0 turns them into exit 1, --quiet hides them', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migrations/versions/b1_fill.py': MIXED });
  try {
    assert.is(run(dir, ['lint']).code, 0);
    const strict = run(dir, ['lint', '--max-warnings', '0']);
    assert.is(strict.code, 1);
    assert.match(strict.stderr, /1 warnings, more than --max-warnings 0/);
    const quiet = run(dir, ['lint', '--quiet']);
    assert.is(quiet.code, 0);
    assert.not.match(quiet.stdout, /mixed-schema-data/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file named explicitly: its findings only, but the graph still sees the directory', () => {
  const dir = project({
    'migrations/versions/a1_note.py': CLEAN,
    'migrations/versions/b1_tier.py': NOT_NULL,
    'migrations/versions/b2_other.py': CLEAN.replace('revision = "a1"', 'revision = "b2"').replace('down_revision = None', 'down_revision = "a1"'),
  });
  try {
    const r = run(dir, ['lint', '--format', 'json', 'migrations/versions/a1_note.py']);
    const rules = JSON.parse(r.stdout).findings.map((f: { rule: string; file: string }) => `${f.rule} ${f.file}`);
    // b1 and b2 both descend from a1: two heads, found although only a1 was named.
    assert.equal(rules, ['multiple-heads migrations/versions/b1_tier.py', 'multiple-heads migrations/versions/b2_other.py']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2: unknown command, unknown format, missing path, bad --max-warnings', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN });
  try {
    for (const args of [['frobnicate'], ['lint', '--format', 'xml'], ['lint', 'no/such/dir'], ['lint', '--max-warnings', 'x'], ['explain', 'add-not-null-colum']]) {
      const r = run(dir, args);
      assert.is(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^migralint: /);
    }
    assert.match(run(dir, ['explain', 'add-not-null-colum']).stderr, /Did you mean "add-not-null-column"\?/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('configuration errors exit 2 and name the file, the key and the closest rule', () => {
  const dir = project({
    'migrations/versions/a1_note.py': CLEAN,
    '.migralintrc.json': JSON.stringify({ rules: { 'add-not-null-colum': 'error', 'mixed-schema-data': 'warning' } }),
  });
  try {
    const r = run(dir, ['lint']);
    assert.is(r.code, 2);
    assert.match(r.stderr, /\.migralintrc\.json: unknown rule "add-not-null-colum"\. Did you mean "add-not-null-column"\?/);
    assert.match(r.stderr, /rules\.mixed-schema-data: invalid severity "warning"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config sets levels and options: a warning promoted to error, a rule turned off', () => {
  const dir = project({
    'migrations/versions/a1_note.py': CLEAN,
    'migrations/versions/b1_fill.py': MIXED,
    'migralint.config.mjs': 'export default { rules: { "mixed-schema-data": "error" } };\n',
  });
  try {
    assert.is(run(dir, ['lint']).code, 1);
    writeFileSync(path.join(dir, 'migralint.config.mjs'), 'export default { rules: { "mixed-schema-data": "off" } };\n');
    const r = run(dir, ['lint']);
    assert.is(r.code, 0);
    assert.match(r.stdout, /No problems found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lock, then an edit is an error and a CRLF-only change is not; no temporary file is left', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN });
  try {
    const l = run(dir, ['lock']);
    assert.is(l.code, 0, l.stderr);
    assert.match(l.stdout, /Locked 1 migration in migralint\.lock/);
    assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
    const lock = readFileSync(path.join(dir, 'migralint.lock'), 'utf8');
    assert.match(lock, /^migrations\/versions\/a1_note\.py\ta1\tsha256:[0-9a-f]{64}\t\S+$/m);

    const file = path.join(dir, 'migrations', 'versions', 'a1_note.py');
    writeFileSync(file, CLEAN.replace(/\n/g, '\r\n'));
    assert.is(run(dir, ['lint']).code, 0);

    writeFileSync(file, CLEAN.replace('sa.Text()', 'sa.String(50)'));
    const r = run(dir, ['lint', '--format', 'json']);
    assert.is(r.code, 1);
    const f = JSON.parse(r.stdout).findings;
    assert.equal(f.map((x: { rule: string; line: number }) => [x.rule, x.line]), [['applied-migration-modified', 10]]);
    assert.is(run(dir, ['lint', '--no-lock']).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--output-file: one run writes each format to its file as well as --format to stdout, atomically', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migrations/versions/b1_tier.py': NOT_NULL });
  try {
    writeFileSync(path.join(dir, 'old.sarif'), 'stale');
    const r = run(dir, ['lint', '--format', 'github', '--output-file', 'sarif=old.sarif', '-o', 'markdown=reports/summary.md', '-o', 'json=reports/findings.json']);
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stdout, /^::error file=migrations\/versions\/b1_tier\.py,line=10,/m);
    const sarif = JSON.parse(readFileSync(path.join(dir, 'old.sarif'), 'utf8'));
    assert.equal(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId), ['add-not-null-column']);
    assert.match(readFileSync(path.join(dir, 'reports', 'summary.md'), 'utf8'), /add-not-null-column/);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'reports', 'findings.json'), 'utf8')).findings.map((f: { rule: string }) => f.rule), ['add-not-null-column']);
    // No colour in files even when the terminal gets it, and no temporary file left behind.
    const colored = run(dir, ['lint', '-o', 'stylish=plain.txt'], { FORCE_COLOR: '1' });
    assert.match(colored.stdout, /\x1b\[/);
    assert.not.match(readFileSync(path.join(dir, 'plain.txt'), 'utf8'), /\x1b\[/);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    assert.equal(readdirSync(path.join(dir, 'reports')).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--output-file usage errors exit 2 and write nothing', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN });
  try {
    for (const [args, message] of [
      [['lint', '-o', 'results.sarif'], /--output-file takes <format>=<path>/],
      [['lint', '-o', 'sarif='], /--output-file takes <format>=<path>/],
      [['lint', '-o', 'xml=results.xml'], /--output-file: unknown format "xml"/],
      [['graph', '-o', 'json=graph.json'], /--output-file applies to lint only/],
    ] as const) {
      const r = run(dir, [...args]);
      assert.is(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
    assert.equal(readdirSync(dir).sort(), ['migrations', 'package.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a malformed lock file is a usage error naming the file and line', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migralint.lock': 'migralint-lock 1\nnot an entry\n' });
  try {
    const r = run(dir, ['lint']);
    assert.is(r.code, 2);
    assert.match(r.stderr, /migralint\.lock:2: malformed entry/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules, explain and graph', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migrations/versions/b1_tier.py': NOT_NULL });
  try {
    const rules = run(dir, ['rules', '--format', 'json']);
    assert.is(rules.code, 0);
    const list = JSON.parse(rules.stdout) as { id: string; level: string }[];
    assert.ok(list.some((r) => r.id === 'add-not-null-column' && r.level === 'error'));
    assert.ok(list.some((r) => r.id === 'unreviewed-autogenerate' && r.level === 'off'));
    const explain = run(dir, ['explain', 'add-not-null-column']);
    assert.is(explain.code, 0);
    for (const section of ['Why', 'Flagged', 'Not flagged', 'Safer way']) assert.match(explain.stdout, new RegExp(`^${section}$`, 'm'));
    const graph = JSON.parse(run(dir, ['graph', '--format', 'json']).stdout);
    assert.equal(graph.directories[0].heads, ['b1']);
    assert.equal(graph.directories[0].history.map((h: { revision: string }) => h.revision), ['b1', 'a1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('colour only when asked: FORCE_COLOR adds escapes, NO_COLOR and pipes do not', () => {
  const dir = project({ 'migrations/versions/a1_note.py': CLEAN, 'migrations/versions/b1_tier.py': NOT_NULL });
  try {
    assert.not.match(run(dir, ['lint']).stdout, /\u001b\[/);
    assert.match(run(dir, ['lint'], { FORCE_COLOR: '1', NO_COLOR: '' }).stdout, /\u001b\[31m/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a syntax error in one file does not hide the findings of the others', () => {
  const dir = project({
    'migrations/versions/a1_note.py': CLEAN,
    'migrations/versions/b1_tier.py': NOT_NULL,
    'migrations/versions/c1_broken.py': 'revision = "c1"\ndown_revision = "b1"\ndef upgrade(:\n    pass\n',
  });
  try {
    const out = JSON.parse(run(dir, ['lint', '--format', 'json']).stdout);
    assert.equal(
      out.findings.map((f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file}:${f.line}`),
      ['add-not-null-column migrations/versions/b1_tier.py:10', 'parse-error migrations/versions/c1_broken.py:3'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('output piped into a closed reader does not crash', () => {
  const res = spawnSync('bash', ['-c', `node ${JSON.stringify(bin)} explain add-not-null-column | head -1`], { encoding: 'utf8' });
  assert.is(res.status, 0);
  assert.is(res.stderr, '');
  assert.ok(existsSync(bin));
});

test('a run over MySQL SQL only never loads the PostgreSQL parser; a PostgreSQL directory does (issue 10)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-lazy-'));
  try {
    const marker = path.join(dir, 'loaded.txt');
    // A resolve hook that records every import of libpg-query.
    const hook = path.join(dir, 'hook.mjs');
    writeFileSync(
      hook,
      `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier === 'libpg-query') appendFileSync(${JSON.stringify(marker)}, 'x');
  return next(specifier, context);
}\`));
`,
    );
    const sql = '-- +goose Up\nALTER TABLE `accounts` ADD COLUMN `tier` VARCHAR(20) AFTER `email`;\n-- +goose Down\nALTER TABLE `accounts` DROP COLUMN `tier`;\n';
    for (const db of ['mysql', 'postgres']) {
      mkdirSync(path.join(dir, db, 'migrations'), { recursive: true });
      writeFileSync(path.join(dir, db, 'migrations', '20240101000000_tier.sql'), sql);
    }
    const lintWithHook = (target: string) =>
      spawnSync(process.execPath, ['--import', hook, bin, 'lint', '--format', 'json', target], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const mysql = lintWithHook('mysql/migrations');
    assert.is(mysql.status, 0, mysql.stderr);
    assert.equal(JSON.parse(mysql.stdout).findings, []);
    assert.not.ok(existsSync(marker), 'libpg-query was loaded for MySQL SQL');
    const pg = lintWithHook('postgres/migrations');
    assert.ok(JSON.parse(pg.stdout).findings.some((f: { rule: string }) => f.rule === 'sql-syntax-error'));
    assert.ok(existsSync(marker), 'libpg-query was not loaded for PostgreSQL SQL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
