import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import rule from '../../rules/applied-migration-modified.js';
import { lint } from '../../src/engine/run.js';
import { loadMigrations } from '../../src/engine/run.js';
import { lockEntryFor, renderLock } from '../../src/engine/lockfile.js';
import { configFor, writeProject } from '../helpers/rule-tester.js';

const A1 = `"""init"""\nrevision = "a1"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("accounts")\n\n\ndef downgrade():\n    op.drop_table("accounts")\n`;
const B1 = `"""tier"""\nrevision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    op.add_column("accounts", sa.Column("tier", sa.Text()))\n\n\ndef downgrade():\n    op.drop_column("accounts", "tier")\n`;

async function setup() {
  const project = writeProject({ '0001_init.py': A1, '0002_tier.py': B1 });
  const config = configFor(project.root, { [rule.id]: { severity: 'error', options: {} } });
  const { sets } = await loadMigrations({ cwd: project.root, paths: [project.versions], config });
  const entries = sets.flatMap((s) => s.migrations).map((m) => lockEntryFor(config.lockfile, { file: m.file, revision: m.revision?.value ?? null, source: m.source }));
  writeFileSync(config.lockfile, renderLock(entries));
  const run = async () =>
    (await lint({ cwd: project.root, paths: [project.versions], config })).findings.map((f) => ({
      file: path.basename(f.file),
      messageId: f.messageId,
      line: f.line,
      message: f.message,
    }));
  return { project, config, run };
}

test('valid: untouched locked migrations and a new unlocked revision', async () => {
  const { project, run } = await setup();
  try {
    writeFileSync(path.join(project.versions, '0003_new.py'), `revision = "c1"\ndown_revision = "b1"\ndef upgrade():\n    pass\n`);
    assert.equal(await run(), []);
  } finally {
    project.cleanup();
  }
});

test('valid: CRLF line endings and a BOM do not count as changes', async () => {
  const { project, run } = await setup();
  try {
    const file = path.join(project.versions, '0002_tier.py');
    writeFileSync(file, '\ufeff' + readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    assert.equal(await run(), []);
  } finally {
    project.cleanup();
  }
});

test('valid: a locked file moved to another name with the same content', async () => {
  const { project, run } = await setup();
  try {
    renameSync(path.join(project.versions, '0002_tier.py'), path.join(project.versions, '0002_add_tier.py'));
    assert.equal(await run(), []);
  } finally {
    project.cleanup();
  }
});

test('invalid: an edit is reported at the first changed line with the changed range', async () => {
  const { project, run } = await setup();
  try {
    const file = path.join(project.versions, '0002_tier.py');
    writeFileSync(file, readFileSync(file, 'utf8').replace('sa.Text()', 'sa.String(20)'));
    const found = await run();
    assert.equal(found.map((f) => [f.file, f.messageId, f.line]), [['0002_tier.py', 'modified', 6]]);
    assert.ok(found[0]!.message.includes('line 6 changed'), found[0]!.message);
  } finally {
    project.cleanup();
  }
});

test('invalid: lines added at the end and a deleted locked file', async () => {
  const { project, run } = await setup();
  try {
    writeFileSync(path.join(project.versions, '0002_tier.py'), B1 + '    op.execute("SELECT 1")\n');
    rmSync(path.join(project.versions, '0001_init.py'));
    const found = await run();
    assert.equal(found.map((f) => [f.file, f.messageId, f.line]), [
      ['0001_init.py', 'removed', 1],
      ['0002_tier.py', 'modified', 11],
    ]);
    assert.ok(found[1]!.message.includes('line 11 added'), found[1]!.message);
    assert.ok(found[0]!.message.includes('migrations/versions/0001_init.py'), found[0]!.message);
  } finally {
    project.cleanup();
  }
});

test.run();
