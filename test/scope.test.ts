// Scoping a lint run: --staged (the git index), --changed-since <ref> (the merge base), files named
// on the command line, and `startAfter` in the config. Each test builds a throwaway git
// repository in the temporary directory and runs the built bin/migralint.js in it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');

/** The environment without anything that would point git at another repository or config. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull };
  for (const k of ['GIT_DIR', 'GIT_INDEX_FILE', 'GIT_WORK_TREE', 'GIT_CEILING_DIRECTORIES', 'MIGRALINT_TODAY']) delete env[k];
  return { ...env, ...extra };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface Finding {
  rule: string;
  messageId: string;
  file: string;
  line: number;
  message: string;
}

function lint(cwd: string, args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [bin, 'lint', '--format', 'json', ...args], { cwd, encoding: 'utf8', env: cleanEnv(env) });
  let findings: Finding[] | null = null;
  try {
    findings = (JSON.parse(res.stdout) as { findings: Finding[] }).findings;
  } catch {
    // usage errors print nothing on stdout
  }
  return { code: res.status, stdout: res.stdout, stderr: res.stderr, findings: findings ?? [] };
}

const brief = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file}:${f.line}`);

function rev(id: string, parent: string | null, column: string, nullable: boolean): string {
  return `"""add ${column}"""
from alembic import op
import sqlalchemy as sa

revision = "${id}"
down_revision = ${parent ? `"${parent}"` : 'None'}


def upgrade():
    op.add_column("accounts", sa.Column("${column}", sa.Text(), nullable=${nullable ? 'True' : 'False'}))


def downgrade():
    op.drop_column("accounts", "${column}")
`;
}

const V = 'migrations/versions';

/** A git repository with an Alembic project and the given files, committed (tag `base`) unless commit is false. */
function repo(files: Record<string, string>, { commit = true } = {}): { dir: string; write(name: string, text: string): void; cleanup(): void } {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migralint-scope-')));
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  };
  git(dir, 'init', '-q');
  // The runner sets lock_timeout, so require-lock-timeout stays quiet.
  write('migrations/env.py', 'from alembic import context\nconnection.execute(text("SET lock_timeout = 5000"))\n');
  write('package.json', '{"name": "app", "private": true}\n');
  for (const [name, text] of Object.entries(files)) write(name, text);
  if (commit) {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base');
    git(dir, 'tag', 'base');
  }
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// --staged

test('--staged lints the staged content, not the working tree', () => {
  const r = repo({ [`${V}/a1_note.py`]: rev('a1', null, 'note', true) });
  try {
    // Staged: NOT NULL (unsafe). Working tree: fixed afterwards but not staged.
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', false));
    git(r.dir, 'add', `${V}/b1_tier.py`);
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', true));
    const staged = lint(r.dir, ['--staged']);
    assert.is(staged.code, 1, staged.stderr);
    assert.equal(brief(staged.findings), [`add-not-null-column ${V}/b1_tier.py:10`]);
    assert.is(lint(r.dir, [`${V}/b1_tier.py`]).code, 0, 'the working tree is clean');

    // The other way round: the staged content is clean, the working tree is not.
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', true));
    git(r.dir, 'add', `${V}/b1_tier.py`);
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', false));
    const clean = lint(r.dir, ['--staged']);
    assert.is(clean.code, 0, clean.stdout + clean.stderr);
    assert.equal(clean.findings, []);
  } finally {
    r.cleanup();
  }
});

test('--staged: only staged migration files are targets; other staged files and unstaged migrations are not', () => {
  const r = repo({ [`${V}/a1_note.py`]: rev('a1', null, 'note', true), 'app/models.py': 'x = 1\n' });
  try {
    // Unsafe but unstaged (untracked): context only.
    r.write(`${V}/c1_draft.py`, rev('c1', 'b1', 'draft', false));
    // Staged non-migration files: a Python module, a SQL script outside any migration directory.
    r.write('app/models.py', 'x = 2\n');
    r.write('scripts/0001_fix.sql', 'UPDATE accounts SET note = NULL;\n');
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', true));
    git(r.dir, 'add', 'app/models.py', 'scripts/0001_fix.sql', `${V}/b1_tier.py`);
    const res = lint(r.dir, ['--staged']);
    assert.is(res.code, 0, res.stdout + res.stderr);
    assert.equal(res.findings, []);
    assert.equal(JSON.parse(res.stdout).summary.migrations, 1);

    // Nothing staged at all: nothing to lint, exit 0.
    git(r.dir, 'commit', '-q', '-m', 'more');
    const none = lint(r.dir, ['--staged']);
    assert.is(none.code, 0, none.stderr);
    assert.equal(JSON.parse(none.stdout).summary.migrations, 0);
  } finally {
    r.cleanup();
  }
});

test('--staged: the directory is read from the index (a parent deleted only in the working tree still counts)', () => {
  const r = repo({ [`${V}/a1_note.py`]: rev('a1', null, 'note', true) });
  try {
    unlinkSync(path.join(r.dir, V, 'a1_note.py')); // not staged: the commit still holds a1
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', true));
    git(r.dir, 'add', `${V}/b1_tier.py`);
    const res = lint(r.dir, ['--staged']);
    assert.is(res.code, 0, res.stdout + res.stderr);
    assert.equal(res.findings, [], 'no missing-parent: a1 is in the index');
    // Without --staged the working tree is linted, where a1 is gone.
    assert.equal(lint(r.dir, [`${V}/b1_tier.py`]).findings.map((f) => f.rule), ['missing-parent']);
  } finally {
    r.cleanup();
  }
});

test('--staged: a staged deletion of a locked migration is reported; a locked one edited in the working tree only is not', () => {
  const r = repo({ [`${V}/a1_note.py`]: rev('a1', null, 'note', true), [`${V}/b1_tier.py`]: rev('b1', 'a1', 'tier', true) });
  try {
    const lock = spawnSync(process.execPath, [bin, 'lock'], { cwd: r.dir, encoding: 'utf8', env: cleanEnv() });
    assert.is(lock.status, 0, lock.stderr);
    git(r.dir, 'add', 'migralint.lock');
    git(r.dir, 'commit', '-q', '-m', 'lock');
    r.write(`${V}/a1_note.py`, rev('a1', null, 'note', false)); // unstaged edit: not what is committed
    git(r.dir, 'rm', '-q', '--cached', `${V}/b1_tier.py`); // staged deletion; the file stays on disk, untracked
    const res = lint(r.dir, ['--staged']);
    assert.is(res.code, 1, res.stdout + res.stderr);
    assert.equal(
      res.findings.map((f) => `${f.rule} ${f.messageId} ${f.file}`),
      [`applied-migration-modified removed ${V}/b1_tier.py`],
    );
  } finally {
    r.cleanup();
  }
});

test('--staged works from a subdirectory of the repository; outside a repository it is a usage error', () => {
  const r = repo({ [`${V}/a1_note.py`]: rev('a1', null, 'note', true), 'app/models.py': 'x = 1\n' });
  const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migralint-nogit-')));
  try {
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', false));
    git(r.dir, 'add', '-A');
    const sub = lint(path.join(r.dir, 'app'), ['--staged']);
    assert.is(sub.code, 1, sub.stderr);
    assert.equal(brief(sub.findings), [`add-not-null-column ../${V}/b1_tier.py:10`]);

    mkdirSync(path.join(outside, V), { recursive: true });
    writeFileSync(path.join(outside, V, 'a1_note.py'), rev('a1', null, 'note', true));
    for (const args of [['--staged'], ['--changed-since', 'main']]) {
      const res = lint(outside, args, { GIT_CEILING_DIRECTORIES: path.dirname(outside) });
      assert.is(res.code, 2, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
      assert.match(res.stderr, /needs a git repository, and .* is not inside one/);
    }
    assert.is(lint(r.dir, ['--staged', '--changed-since', 'base']).code, 2, 'the two scopes exclude each other');
  } finally {
    r.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('--staged with paths: only staged migrations under them; explicit files keep their directory as context', () => {
  const r = repo({
    [`${V}/a1_note.py`]: rev('a1', null, 'note', true),
    'other/migrations/env.py': 'from alembic import context\nconnection.execute(text("SET lock_timeout = 5000"))\n',
    'other/migrations/versions/x1_a.py': rev('x1', null, 'a', true),
  });
  try {
    r.write(`${V}/b1_tier.py`, rev('b1', 'a1', 'tier', false));
    r.write('other/migrations/versions/x2_b.py', rev('x2', 'x1', 'b', false));
    git(r.dir, 'add', '-A');
    assert.equal(brief(lint(r.dir, ['--staged']).findings), [
      'add-not-null-column migrations/versions/b1_tier.py:10',
      'add-not-null-column other/migrations/versions/x2_b.py:10',
    ]);
    assert.equal(brief(lint(r.dir, ['--staged', 'other']).findings), ['add-not-null-column other/migrations/versions/x2_b.py:10']);
    // A file named without a scope: linted alone, its directory still read (two heads: a1 -> b1, and b2).
    r.write(`${V}/b2_other.py`, rev('b2', 'a1', 'other', true));
    assert.equal(brief(lint(r.dir, [`${V}/b2_other.py`]).findings), [
      `multiple-heads ${V}/b1_tier.py:6`,
      `multiple-heads ${V}/b2_other.py:6`,
    ]);
  } finally {
    r.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// --changed-since

test('--changed-since: a modified locked migration is an applied-migration-modified error, an added one is linted, unchanged ones are not', () => {
  const r = repo({
    [`${V}/a1_note.py`]: rev('a1', null, 'note', true),
    // Unsafe, but committed before the merge base: not a target.
    [`${V}/b1_tier.py`]: rev('b1', 'a1', 'tier', false),
  });
  try {
    const lock = spawnSync(process.execPath, [bin, 'lock'], { cwd: r.dir, encoding: 'utf8', env: cleanEnv() });
    assert.is(lock.status, 0, lock.stderr);
    git(r.dir, 'add', 'migralint.lock');
    git(r.dir, 'commit', '-q', '-m', 'lock');
    git(r.dir, 'tag', '-f', 'base');
    git(r.dir, 'checkout', '-q', '-b', 'feature');

    assert.equal(lint(r.dir, ['--changed-since', 'base']).findings, [], 'nothing changed yet');

    // Committed on the branch: an edit of locked a1 (now NOT NULL). Uncommitted: a new c1.
    r.write(`${V}/a1_note.py`, rev('a1', null, 'note', false));
    git(r.dir, 'commit', '-q', '-am', 'edit a1');
    r.write(`${V}/c1_plan.py`, rev('c1', 'b1', 'plan', false));
    const res = lint(r.dir, ['--changed-since', 'base']);
    assert.is(res.code, 1, res.stderr);
    assert.equal(
      res.findings.map((f) => `${f.rule} ${f.file}:${f.line}`),
      [
        // Released: the edit is the finding; its content is not linted again as if it were new.
        `applied-migration-modified ${V}/a1_note.py:10`,
        `add-not-null-column ${V}/c1_plan.py:10`,
      ],
    );
    assert.match(res.findings[0]!.message, /Migration a1 was changed after it was locked \(line 10 changed\)/);

    // A modified migration that is not locked is linted like a new one.
    git(r.dir, 'add', '-A');
    git(r.dir, 'commit', '-q', '-m', 'c1');
    git(r.dir, 'tag', 'c1-added');
    r.write(`${V}/c1_plan.py`, rev('c1', 'b1', 'plan', true).replace('def downgrade():\n    op.drop_column("accounts", "plan")', 'def downgrade():\n    pass'));
    const modified = lint(r.dir, ['--changed-since', 'c1-added']);
    assert.equal(brief(modified.findings), [`applied-migration-modified ${V}/a1_note.py:10`, `irreversible-downgrade ${V}/c1_plan.py:13`]);
  } finally {
    r.cleanup();
  }
});

test('--changed-since: a deleted locked migration is reported; the merge base, not the ref, is compared', () => {
  const r = repo({ [`${V}/a1_note.py`]: rev('a1', null, 'note', true), [`${V}/b1_tier.py`]: rev('b1', 'a1', 'tier', true) });
  try {
    spawnSync(process.execPath, [bin, 'lock'], { cwd: r.dir, env: cleanEnv() });
    git(r.dir, 'add', 'migralint.lock');
    git(r.dir, 'commit', '-q', '-m', 'lock');
    git(r.dir, 'branch', 'main-line');
    git(r.dir, 'checkout', '-q', '-b', 'feature');
    git(r.dir, 'rm', '-q', `${V}/b1_tier.py`);
    git(r.dir, 'commit', '-q', '-m', 'drop b1');
    // main-line moves on after the fork with an unsafe migration of its own: not ours to report.
    git(r.dir, 'checkout', '-q', 'main-line');
    r.write(`${V}/b9_main.py`, rev('b9', 'b1', 'main', false));
    git(r.dir, 'add', '-A');
    git(r.dir, 'commit', '-q', '-m', 'main work');
    git(r.dir, 'checkout', '-q', 'feature');
    const res = lint(r.dir, ['--changed-since', 'main-line']);
    assert.is(res.code, 1, res.stdout + res.stderr);
    assert.equal(res.findings.map((f) => `${f.rule} ${f.messageId} ${f.file}`), [`applied-migration-modified removed ${V}/b1_tier.py`]);
  } finally {
    r.cleanup();
  }
});

test('--changed-since: an unknown ref is a usage error with git\'s reason', () => {
  const r = repo({ [`${V}/a1_note.py`]: rev('a1', null, 'note', true) });
  try {
    const res = lint(r.dir, ['--changed-since', 'no-such-branch']);
    assert.is(res.code, 2, res.stdout + res.stderr);
    assert.match(res.stderr, /^migralint: --changed-since no-such-branch: Not a valid object name no-such-branch/);
    assert.is(lint(r.dir, ['--changed-since', '--output=x']).code, 2, 'an option is not a ref');
  } finally {
    r.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// startAfter

function startAfterRepo(config: object) {
  return repo(
    {
      // Legacy history with findings: a1 and b1 add NOT NULL columns.
      [`${V}/a1_note.py`]: rev('a1', null, 'note', false),
      [`${V}/b1_tier.py`]: rev('b1', 'a1', 'tier', false),
      [`${V}/c1_plan.py`]: rev('c1', 'b1', 'plan', false),
      'migralint.config.json': JSON.stringify(config, null, 2),
    },
    { commit: false },
  );
}

test('startAfter by revision id: migrations at or before it are only graph- and lock-checked', () => {
  const r = startAfterRepo({ directories: { [V]: { startAfter: 'b1' } } });
  try {
    r.write(`${V}/b2_branch.py`, rev('b2', 'a1', 'branch', true));
    const res = lint(r.dir, []);
    // a1 and b1 (NOT NULL columns) are history; b2 branches off a1 after it and is linted; the graph
    // rules still see the whole chain (two heads: b2 and c1).
    assert.equal(brief(res.findings), [
      `multiple-heads ${V}/b2_branch.py:6`,
      `multiple-heads ${V}/c1_plan.py:6`,
      `add-not-null-column ${V}/c1_plan.py:10`,
    ]);
  } finally {
    r.cleanup();
  }
});

test('startAfter by file name, and top-level startAfter for a single chain', () => {
  for (const config of [{ directories: { [V]: { startAfter: 'b1_tier.py' } } }, { startAfter: 'b1_tier.py' }, { startAfter: 'b1' }]) {
    const r = startAfterRepo(config);
    try {
      const res = lint(r.dir, []);
      assert.is(res.code, 1, JSON.stringify(config) + res.stderr);
      assert.equal(brief(res.findings), [`add-not-null-column ${V}/c1_plan.py:10`], JSON.stringify(config));
    } finally {
      r.cleanup();
    }
  }
});

test('startAfter naming no migration is a configuration error naming the directory and the value', () => {
  const r = startAfterRepo({ directories: { [V]: { startAfter: 'zz9' } } });
  try {
    const res = lint(r.dir, []);
    assert.is(res.code, 2, res.stdout);
    assert.match(res.stderr, /migralint\.config\.json: directories\["migrations\/versions"\]\.startAfter: "zz9" is neither a revision id nor a file name in migrations\/versions/);
    r.write('migralint.config.json', JSON.stringify({ startAfter: 'b1.py' }));
    const top = lint(r.dir, []);
    assert.is(top.code, 2, top.stdout);
    assert.match(top.stderr, /migralint\.config\.json: startAfter: "b1\.py" is neither a revision id nor a file name in migrations\/versions/);
  } finally {
    r.cleanup();
  }
});

test.run();
