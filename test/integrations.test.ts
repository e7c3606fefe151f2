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
import { assertValidSarif } from './helpers/sarif.js';

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

test('pre-commit framework: the README snippet installs the hook, which blocks an unsafe migration and lets a safe one through', () => {
  // Under CI (which installs it) a missing pre-commit fails this test; elsewhere it is skipped, saying why.
  if (!requireClient(hasPreCommit(), 'pre-commit', 'pre-commit', 'the pre-commit framework test')) return;
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
    const commitStarted = performance.now();
    const passed = spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-m', 'add tier'], { cwd: dir, encoding: 'utf8', env });
    console.log(`  git commit with the installed hook: ${((performance.now() - commitStarted) / 1000).toFixed(1)} s`);
    assert.is(passed.status, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout + passed.stderr, /migralint\.+Passed/);
    assert.is(git(dir, 'rev-list', '--count', 'HEAD').trim(), '3');
  } finally {
    for (const d of [dir, hookRepo, home]) rmSync(d, { recursive: true, force: true });
  }
});

/**
 * A pull request's history: main holds a1 and an old unsafe b0; the feature branch adds the unsafe
 * c1, then `extra` commits that touch no migration, while main moves on by `mainAhead` commits
 * (both push the merge base past the first fetch and deepening steps of a shallow clone).
 */
function pullRequest(extra: number, mainAhead = 1): string {
  const dir = repo();
  writeFileSync(path.join(dir, 'migrations', 'versions', 'b0_old.py'), UNSAFE.replace(/b1/g, 'b0').replace(/"tier"/g, '"legacy"'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'old');
  git(dir, 'checkout', '-q', '-b', 'feature');
  writeFileSync(path.join(dir, 'migrations', 'versions', 'c1_tier.py'), UNSAFE.replace(/"b1"/, '"c1"').replace('down_revision = "a1"', 'down_revision = "b0"'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'feature');
  for (let i = 0; i < extra; i++) {
    writeFileSync(path.join(dir, 'NOTES.md'), `note ${i}\n`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `note ${i}`);
  }
  // main moves on after the branch point, as it does while a pull request is open.
  git(dir, 'checkout', '-q', 'main');
  for (let i = 0; i < mainAhead; i++) {
    writeFileSync(path.join(dir, 'CHANGELOG.md'), `main moved on ${i}\n`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `main moves on ${i}`);
  }
  git(dir, 'checkout', '-q', 'feature');
  return dir;
}

interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  annotations: string[];
  sarif: { version: string; runs: { results: { ruleId: string }[]; invocations?: { executionSuccessful: boolean }[] }[] };
  summary: string;
  /** How many times the script ran migralint. */
  runs: number;
}

function runAction(cwd: string, env: Record<string, string> = {}): ActionRun {
  const out = mkdtempSync(path.join(os.tmpdir(), 'migralint-action-out-'));
  try {
    // Counts the runs, then is migralint.
    const counter = path.join(out, 'runs');
    const wrapper = path.join(out, 'migralint.sh');
    writeFileSync(wrapper, `#!/bin/sh\necho run >> '${counter}'\nexec '${process.execPath}' '${bin}' "$@"\n`, { mode: 0o755 });
    const summary = path.join(out, 'summary.md');
    const sarif = path.join(out, 'sarif', 'results.sarif');
    const r = spawnSync('bash', [path.join(root, 'integrations', 'github-action.sh')], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, MIGRALINT: wrapper, BASE_REF: 'main', PATHS: '', SARIF_FILE: sarif, JOB_SUMMARY: 'true', GITHUB_STEP_SUMMARY: summary, MAX_WARNINGS: '', ...env },
    });
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      annotations: r.stdout.split('\n').filter((l) => l.startsWith('::')),
      sarif: JSON.parse(readFileSync(sarif, 'utf8')),
      summary: readFileSync(summary, 'utf8'),
      runs: existsSync(counter) ? readFileSync(counter, 'utf8').trim().split('\n').length : 0,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function assertReportsTheChangeOnly(r: ActionRun, label: string): void {
  assert.is(r.status, 1, `${label}: ${r.stdout}${r.stderr}`);
  assert.is(r.runs, 1, `${label}: one lint run writes the annotations, the SARIF file and the summary`);
  assert.equal(r.annotations.length, 1, `${label}: ${r.stdout}`);
  assert.match(r.annotations[0]!, /^::error file=migrations\/versions\/c1_tier\.py,line=10,/);
  assertValidSarif(r.sarif, label);
  assert.equal(r.sarif.runs[0]!.results.map((x) => x.ruleId), ['add-not-null-column']);
  assert.match(r.summary, /add-not-null-column/);
  assert.match(r.summary, /c1_tier\.py/);
  assert.not.match(r.summary, /b0_old\.py/);
}

test('GitHub Action: the action command line annotates only what the pull request changed', () => {
  const dir = pullRequest(0);
  try {
    assertReportsTheChangeOnly(runAction(dir), 'full history');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('README: the workflow snippet uses a default (shallow) checkout, and says the action deepens it', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const workflow = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('actions/checkout'));
  assert.is(workflow.length, 1);
  assert.not.match(workflow[0]!, /fetch-depth/);
  assert.match(readme.replace(/\s+/g, ' '), /The checkout may be shallow .* deepens the clone/);
});

test("GitHub Action: on a depth-1 clone (actions/checkout's default) it deepens until the merge base and reports the same", () => {
  const upstream = pullRequest(60, 55);
  const clone = mkdtempSync(path.join(os.tmpdir(), 'migralint-shallow-'));
  const fullClone = mkdtempSync(path.join(os.tmpdir(), 'migralint-full-'));
  try {
    execFileSync('git', ['clone', '-q', '--branch', 'feature', `file://${upstream}`, fullClone]);
    const full = runAction(fullClone);
    assertReportsTheChangeOnly(full, 'full clone');
    assert.is(git(fullClone, 'rev-parse', '--is-shallow-repository').trim(), 'false', 'fetching the base branch left a full clone full');
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${upstream}`, clone]);
    assert.is(git(clone, 'rev-parse', '--is-shallow-repository').trim(), 'true');
    const shallow = runAction(clone);
    assertReportsTheChangeOnly(shallow, 'depth-1 clone');
    assert.equal(shallow.annotations, full.annotations);
    assert.equal(shallow.sarif.runs[0]!.results, full.sarif.runs[0]!.results);
  } finally {
    for (const d of [upstream, clone, fullClone]) rmSync(d, { recursive: true, force: true });
  }
});

test('GitHub Action: without a merge base it lints every migration, with a warning saying why, and still writes SARIF and a summary', () => {
  const upstream = pullRequest(0);
  const clone = mkdtempSync(path.join(os.tmpdir(), 'migralint-shallow-'));
  try {
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${upstream}`, clone]);
    const r = runAction(clone, { BASE_REF: 'release-9' });
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.is(r.runs, 1);
    const warning = r.annotations.find((a) => a.startsWith('::warning title=migralint::'));
    assert.ok(warning, r.stdout);
    assert.match(warning!, /No merge base with release-9: the base branch release-9 could not be fetched\. Linting every migration/);
    // Every migration: the old unsafe b0 as well as the pull request's c1.
    const files = r.annotations.filter((a) => a.startsWith('::error')).map((a) => /file=([^,]+)/.exec(a)![1]);
    assert.equal(files.sort(), ['migrations/versions/b0_old.py', 'migrations/versions/c1_tier.py'], r.stdout);
    assertValidSarif(r.sarif, 'no merge base');
    assert.is(r.sarif.runs[0]!.results.length, 2);
    assert.match(r.summary, /No merge base with release-9/);
    assert.match(r.summary, /b0_old\.py/);
  } finally {
    for (const d of [upstream, clone]) rmSync(d, { recursive: true, force: true });
  }
});

test('GitHub Action: when migralint cannot lint at all (exit 2), the SARIF file is still valid and the summary says why', () => {
  const dir = pullRequest(0);
  try {
    writeFileSync(path.join(dir, 'migralint.config.json'), '{"rules": {"add-not-null-colum": "error"}}\n');
    const r = runAction(dir);
    assert.is(r.status, 2, r.stdout + r.stderr);
    assertValidSarif(r.sarif, 'exit 2');
    assert.equal(r.sarif.runs[0]!.results, []);
    assert.is(r.sarif.runs[0]!.invocations![0]!.executionSuccessful, false);
    assert.match(r.summary, /migralint could not lint \(exit 2\)/);
    assert.match(r.summary, /add-not-null-colum/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
