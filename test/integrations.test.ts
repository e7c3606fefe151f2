// The shipped integrations, run as CI would run them, on throwaway git repositories made here:
// the pre-commit hook's entry point on staged files, the README's pre-commit snippet installed by
// the real pre-commit framework, and action.yml's command line (integrations/github-action.sh) on
// a pull-request-like history, from a full and from a shallow clone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasPreCommit, requireClient } from './helpers/clients.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'migralint.js');

const SAFE = `"""add note"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "note")
`;
const UNSAFE = `"""add tier"""
from alembic import op
import sqlalchemy as sa

revision = "b1"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))


def downgrade():
    op.drop_column("accounts", "tier")
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd, encoding: 'utf8' });
}

function repo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-int-'));
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(path.join(dir, 'migrations', 'versions'), { recursive: true });
  writeFileSync(path.join(dir, 'migrations', 'env.py'), 'from alembic import context\nconnection.execute(text("SET lock_timeout = 5000"))\n');
  writeFileSync(path.join(dir, 'migrations', 'versions', 'a1_note.py'), SAFE);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

/** The hook as declared in .pre-commit-hooks.yaml: its entry and its file pattern. */
function hook(): { entry: string[]; files: RegExp } {
  const text = readFileSync(path.join(root, '.pre-commit-hooks.yaml'), 'utf8');
  const entry = /^\s*entry:\s*(.+)$/m.exec(text)![1]!.trim().split(/\s+/);
  const files = new RegExp(/^\s*files:\s*(.+)$/m.exec(text)![1]!.trim());
  assert.is(entry[0], 'migralint', 'the hook runs the package bin');
  return { entry: entry.slice(1), files };
}

test('pre-commit: the hook entry on the staged files fails on an unsafe migration and passes on a safe one', () => {
  const dir = repo();
  try {
    const { entry, files } = hook();
    writeFileSync(path.join(dir, 'migrations', 'versions', 'b1_tier.py'), UNSAFE);
    writeFileSync(path.join(dir, 'README.md'), 'not a migration\n');
    git(dir, 'add', '-A');
    // pre-commit passes the staged files that match `files`.
    const staged = git(dir, 'diff', '--cached', '--name-only').trim().split('\n').filter((f) => files.test(f));
    assert.equal(staged, ['migrations/versions/b1_tier.py']);
    const bad = spawnSync(process.execPath, [bin, ...entry, ...staged], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.is(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /add-not-null-column/);
    writeFileSync(path.join(dir, 'migrations', 'versions', 'b1_tier.py'), UNSAFE.replace('nullable=False', 'nullable=True'));
    git(dir, 'add', '-A');
    const good = spawnSync(process.execPath, [bin, ...entry, ...staged], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.is(good.status, 0, good.stdout + good.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pre-commit: --staged lints what is committed, not the working tree', () => {
  const dir = repo();
  try {
    const file = path.join(dir, 'migrations', 'versions', 'b1_tier.py');
    writeFileSync(file, UNSAFE);
    git(dir, 'add', '-A');
    // Fixed in the working tree but not staged: the commit would still carry the unsafe version.
    writeFileSync(file, UNSAFE.replace('nullable=False', 'nullable=True'));
    const r = spawnSync(process.execPath, [bin, 'lint', '--staged', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).findings.map((f: { rule: string }) => f.rule), ['add-not-null-column']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The README's pre-commit snippet: the fenced yaml block that declares the migralint hook
 * (`- id: migralint` under `hooks:`), wherever the README puts it.
 */
function readmePreCommitSnippet(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const found = blocks.filter((b) => /^\s*hooks:/m.test(b) && /^\s*-\s*id:\s*migralint\s*$/m.test(b));
  assert.is(found.length, 1, 'README.md has one yaml block declaring the migralint pre-commit hook');
  return found[0]!;
}

/** This checkout as pre-commit would clone it: the working tree's files, committed and tagged. */
function localHookRepo(tag: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migralint-hookrepo-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(root, f))) continue;
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(dir, f));
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'snapshot');
  git(dir, 'tag', tag);
  return dir;
}

const preCommit = requireClient(hasPreCommit(), 'pre-commit', 'pre-commit', 'the pre-commit framework test');

test('pre-commit framework: the README snippet installs the hook, which blocks an unsafe migration and lets a safe one through', () => {
  if (!preCommit) return;
  const snippet = readmePreCommitSnippet();
  const rev = /^\s*rev:\s*(\S+)/m.exec(snippet)![1]!;
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  assert.is(rev, `v${version}`, "the snippet's rev is this version's tag");
  const hookRepo = localHookRepo(rev);
  const dir = repo();
  const home = mkdtempSync(path.join(os.tmpdir(), 'migralint-precommit-home-'));
  try {
    // Only the repository URL changes: pre-commit clones this checkout instead of GitHub.
    const config = snippet.replace(/^(\s*-\s*repo:\s*)\S+/m, `$1${hookRepo}`);
    assert.ok(config !== snippet);
    writeFileSync(path.join(dir, '.pre-commit-config.yaml'), config);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'pre-commit config');
    const env = { ...process.env, PRE_COMMIT_HOME: home, NO_COLOR: '1', PRE_COMMIT_COLOR: 'never' };
    const install = spawnSync('pre-commit', ['install'], { cwd: dir, encoding: 'utf8', env });
    assert.is(install.status, 0, install.stdout + install.stderr);
    // First install: pre-commit clones the tag, runs npm install (builds dist/ through prepare),
    // npm pack and npm install -g of the tarball, from the npm registry.
    const started = performance.now();
    const hooks = spawnSync('pre-commit', ['install-hooks'], { cwd: dir, encoding: 'utf8', env });
    const seconds = (performance.now() - started) / 1000;
    assert.is(hooks.status, 0, hooks.stdout + hooks.stderr);
    console.log(`\n  pre-commit install-hooks (first install, from source): ${seconds.toFixed(1)} s`);

    writeFileSync(path.join(dir, 'migrations', 'versions', 'b1_tier.py'), UNSAFE);
    git(dir, 'add', '-A');
    const blocked = spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-m', 'add tier'], { cwd: dir, encoding: 'utf8', env });
    assert.is(blocked.status, 1, blocked.stdout + blocked.stderr);
    assert.match(blocked.stdout + blocked.stderr, /add-not-null-column/);
    assert.is(git(dir, 'rev-list', '--count', 'HEAD').trim(), '2', 'nothing was committed');

    writeFileSync(path.join(dir, 'migrations', 'versions', 'b1_tier.py'), UNSAFE.replace('nullable=False', 'nullable=True'));
    git(dir, 'add', '-A');
    const passed = spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-m', 'add tier'], { cwd: dir, encoding: 'utf8', env });
    assert.is(passed.status, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout + passed.stderr, /migralint\.+Passed/);
    assert.is(git(dir, 'rev-list', '--count', 'HEAD').trim(), '3');
  } finally {
    for (const d of [dir, hookRepo, home]) rmSync(d, { recursive: true, force: true });
  }
});

test('GitHub Action: the action command line annotates only what the pull request changed', () => {
  const dir = repo();
  try {
    // An old unsafe migration already on main, then a branch that adds another one.
    writeFileSync(path.join(dir, 'migrations', 'versions', 'b0_old.py'), UNSAFE.replace(/b1/g, 'b0').replace('"tier"', '"legacy"').replace(/down_revision = "a1"/, 'down_revision = "a1"'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'old');
    git(dir, 'checkout', '-q', '-b', 'feature');
    writeFileSync(path.join(dir, 'migrations', 'versions', 'c1_tier.py'), UNSAFE.replace(/"b1"/, '"c1"').replace('down_revision = "a1"', 'down_revision = "b0"'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'feature');
    const summary = path.join(dir, 'summary.md');
    const sarif = path.join(dir, 'results.sarif');
    const r = spawnSync('bash', [path.join(root, 'integrations', 'github-action.sh')], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        MIGRALINT: `${process.execPath} ${bin}`,
        BASE_REF: 'main',
        PATHS: '',
        SARIF_FILE: sarif,
        JOB_SUMMARY: 'true',
        GITHUB_STEP_SUMMARY: summary,
        MAX_WARNINGS: '',
      },
    });
    assert.is(r.status, 1, r.stdout + r.stderr);
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    assert.equal(annotations.length, 1, r.stdout);
    assert.match(annotations[0]!, /^::error file=migrations\/versions\/c1_tier\.py,line=10,/);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    assert.is(log.version, '2.1.0');
    assert.equal(log.runs[0].results.map((x: { ruleId: string }) => x.ruleId), ['add-not-null-column']);
    assert.match(readFileSync(summary, 'utf8'), /add-not-null-column/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
