// Engine behaviour that no single rule owns: how directories become revision chains, dialects
// named by directories, inline ignore placement, and the lock file format.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadMigrations, lint } from '../src/engine/run.js';
import { fingerprint, parseLock, renderLock, lockEntryFor, normalizeSource, LockFileError } from '../src/engine/lockfile.js';
import { configFor, writeProject } from './helpers/rule-tester.js';

const rev = (id: string, parent: string | null) =>
  `revision = "${id}"\ndown_revision = ${parent ? `"${parent}"` : 'None'}\ndef upgrade():\n    pass\n`;

test('sub-folders that are separate histories become separate chains, with the dialect they are named after', async () => {
  const p = writeProject({
    'postgresql/a1.py': rev('a1', null),
    'postgresql/b1.py': rev('b1', 'a1'),
    'sqlite/a1.py': rev('a1', null),
    'sqlite/c1.py': rev('c1', 'a1'),
  });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    assert.equal(
      sets.map((s) => [path.relative(p.versions, s.dir), s.dialect, s.migrations.map((m) => m.revision?.value).sort()]),
      [
        ['postgresql', 'postgresql', ['a1', 'b1']],
        ['sqlite', 'sqlite', ['a1', 'c1']],
      ],
    );
    assert.equal(sets[1]!.migrations.map((m) => m.dialect), ['sqlite', 'sqlite']);
  } finally {
    p.cleanup();
  }
});

test('one history spread over sub-folders (recursive_version_locations) stays one chain', async () => {
  const p = writeProject({ '2023/a1.py': rev('a1', null), '2024/b1.py': rev('b1', 'a1') });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    assert.equal(sets.length, 1);
    assert.equal(sets[0]!.dir, p.versions);
    assert.equal(sets[0]!.migrations.length, 2);
  } finally {
    p.cleanup();
  }
});

test('package markers and helper modules in versions/ are not migrations', async () => {
  const p = writeProject({ '__init__.py': '', '_util.py': 'def helper():\n    return 1\n', 'a1.py': rev('a1', null) });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config: configFor(p.root, {}) });
    assert.equal(sets[0]!.migrations.map((m) => path.basename(m.file)), ['a1.py']);
  } finally {
    p.cleanup();
  }
});

test('an ignore above a block of comments covers the code line below the block', async () => {
  const p = writeProject({
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    # migralint: ignore[add-not-null-column] table is empty: feature flag never shipped
    # (see the incident review)
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
`,
  });
  try {
    const config = configFor(p.root, {
      'add-not-null-column': { severity: 'error', options: {} },
      'unused-ignore': { severity: 'warn', options: {} },
    });
    const { findings } = await lint({ cwd: p.root, paths: [p.versions], config, lockfile: null });
    assert.equal(findings, []);
  } finally {
    p.cleanup();
  }
});

test('an ignore above a multi-line op.execute covers the statements inside its string', async () => {
  const p = writeProject({
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    # migralint: ignore[unbounded-data-change] the table holds three rows in every environment
    op.execute(
        """
        UPDATE settings SET value = 'on'
        """
    )
    op.execute("DELETE FROM audit")
`,
  });
  try {
    const config = configFor(p.root, { 'unbounded-data-change': { severity: 'error', options: {} } });
    const { findings } = await lint({ cwd: p.root, paths: [p.versions], config, lockfile: null });
    assert.equal(findings.map((f) => [f.ruleId, f.line]), [['unbounded-data-change', 10]]);
  } finally {
    p.cleanup();
  }
});

test('an ignore in a down.sql covers findings of that file only', async () => {
  const p = writeProject({});
  const dir = path.join(p.root, 'db');
  mkdirSync(dir);
  writeFileSync(path.join(dir, '1_users.up.sql'), 'ALTER TABLE users DROP COLUMN nickname;\n');
  writeFileSync(
    path.join(dir, '1_users.down.sql'),
    '-- migralint: ignore[drop-column] the column only existed in the release being rolled back\nALTER TABLE users DROP COLUMN nickname_v2;\n',
  );
  try {
    const config = configFor(p.root, { 'drop-column': { severity: 'error', options: {} }, 'unused-ignore': { severity: 'warn', options: {} } });
    const { findings } = await lint({ cwd: p.root, paths: [dir], config, lockfile: null });
    assert.equal(findings.map((f) => [f.ruleId, path.basename(f.file), f.line]), [['drop-column', '1_users.up.sql', 1]]);
  } finally {
    p.cleanup();
  }
});

test('a finding about a statement with interpolated parts says so', async () => {
  const p = writeProject({
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    for table in ("audit", "events"):
        op.execute(f"DELETE FROM {table}")
    op.execute("DELETE FROM sessions")
`,
  });
  try {
    const config = configFor(p.root, { 'unbounded-data-change': { severity: 'error', options: {} } });
    const { findings } = await lint({ cwd: p.root, paths: [p.versions], config, lockfile: null });
    assert.equal(findings.map((f) => [f.line, /interpolated parts/.test(f.message)]), [
      [5, true],
      [6, false],
    ]);
  } finally {
    p.cleanup();
  }
});

test('lock format: normalised checksums, sorted lines, round trip, and clear errors', () => {
  assert.is(normalizeSource('\ufeffa\r\nb\rc\n'), 'a\nb\nc\n');
  assert.equal(fingerprint('a\r\nb\n'), fingerprint('\ufeffa\nb\n'));
  assert.not.equal(fingerprint('a\nb\n').sha256, fingerprint('a\nb \n').sha256);
  const lockFile = '/repo/migralint.lock';
  const text = renderLock([
    lockEntryFor(lockFile, { file: '/repo/m/versions/b.py', revision: 'b1', source: 'x\ny\n' }),
    lockEntryFor(lockFile, { file: '/repo/m/versions/a.py', revision: null, source: 'z\n' }),
  ]);
  const rows = text.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.is(rows[0], 'migralint-lock 1');
  assert.ok(rows[1]!.startsWith('m/versions/a.py\t-\tsha256:'));
  assert.ok(rows[2]!.startsWith('m/versions/b.py\tb1\tsha256:'));
  const parsed = parseLock(text, lockFile);
  assert.equal(parsed.entries.map((e) => [e.path, e.file, e.revision, e.lines.length]), [
    ['m/versions/a.py', '/repo/m/versions/a.py', null, 1],
    ['m/versions/b.py', '/repo/m/versions/b.py', 'b1', 2],
  ]);
  assert.throws(() => parseLock('migralint-lock 9\n', lockFile), (e: unknown) => e instanceof LockFileError && e.line === 1);
  assert.throws(() => parseLock('migralint-lock 1\na\tb\n', lockFile), (e: unknown) => e instanceof LockFileError && e.line === 2);
});

test.run();
