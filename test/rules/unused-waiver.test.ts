import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import rule from '../../rules/unused-waiver.js';
import { lint } from '../../src/engine/run.js';
import type { WaiverSetting } from '../../src/config/index.js';
import { configFor, writeProject } from '../helpers/rule-tester.js';

const A1 = `"""init"""\nrevision = "a1"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("accounts", sa.Column("id", sa.Integer()))\n\n\ndef downgrade():\n    op.drop_table("accounts")\n`;
const B1 = `"""tier"""\nrevision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))\n\n\ndef downgrade():\n    op.drop_column("accounts", "tier")\n`;

const waiver = (w: Partial<WaiverSetting>): Partial<WaiverSetting> => w;

async function run(waivers: Partial<WaiverSetting>[], opts: { paths?: (versions: string) => string[]; off?: string[] } = {}) {
  const project = writeProject({ 'a1_init.py': A1, 'b1_tier.py': B1 });
  const previous = process.env.MIGRALINT_TODAY;
  process.env.MIGRALINT_TODAY = '2026-11-22';
  try {
    const configFile = path.join(project.root, 'migralint.config.json');
    const enabled: Parameters<typeof configFor>[1] = {
      [rule.id]: { severity: 'warn', options: {} },
      'add-not-null-column': { severity: 'error', options: {} },
      'multiple-heads': { severity: 'error', options: {} },
    };
    for (const id of opts.off ?? []) enabled[id] = { severity: 'off', options: {} };
    const config = {
      ...configFor(project.root, enabled),
      configFile,
      waivers: waivers.map((w, i) => ({
        rule: 'add-not-null-column',
        migration: 'b1',
        reason: 'accounts is empty until launch',
        owner: '@data',
        expires: '2027-01-01',
        file: configFile,
        line: 3 + i,
        ...w,
        path: path.resolve(project.root, w.migration ?? 'b1'),
      })),
    };
    const result = await lint({ cwd: project.root, paths: opts.paths ? opts.paths(project.versions) : [], config });
    return result.findings.map((f) => ({ rule: f.ruleId, messageId: f.messageId, line: f.line, message: f.message }));
  } finally {
    if (previous === undefined) delete process.env.MIGRALINT_TODAY;
    else process.env.MIGRALINT_TODAY = previous;
    project.cleanup();
  }
}

test('valid: a waiver that silences a finding, by revision id or by file path', async () => {
  assert.equal(await run([waiver({})]), []);
  assert.equal(await run([waiver({ migration: 'migrations/versions/b1_tier.py' })]), []);
});

test('valid: a waiver for a rule that is off, or for a migration this run does not lint', async () => {
  assert.equal(await run([waiver({ rule: 'unreviewed-autogenerate' })]), [{ rule: 'add-not-null-column', messageId: 'notNullNoDefault', line: 6, message: 'Column tier is added to accounts as NOT NULL with no server default; existing rows make this fail.' }]);
  // Only a1 is named: b1 is read as context but not linted, so whether the waiver is needed cannot be told.
  assert.equal(await run([waiver({})], { paths: (v) => [path.join(v, 'a1_init.py')] }), []);
});

test('invalid: a waiver for a migration without a finding of its rule', async () => {
  const found = await run([waiver({}), waiver({ migration: 'a1' })]);
  assert.equal(found.map((f) => [f.rule, f.messageId, f.line]), [['unused-waiver', 'unused', 4]]);
  assert.is(found[0]!.message, 'The waiver of add-not-null-column for a1 (owner @data) silences nothing.');
});

test('invalid: a waiver naming no migration, when the whole project was linted', async () => {
  const found = await run([waiver({}), waiver({ migration: 'b2' })]);
  assert.equal(found.map((f) => [f.rule, f.messageId, f.line]), [['unused-waiver', 'unknownMigration', 4]]);
  // With paths given, a migration elsewhere might be meant: not reported.
  assert.equal(await run([waiver({}), waiver({ migration: 'b2' })], { paths: (v) => [v] }), []);
});

test('invalid: a project-rule waiver is judged even for a migration that is only context', async () => {
  const found = await run([waiver({ rule: 'multiple-heads', migration: 'a1' })], { paths: (v) => [path.join(v, 'b1_tier.py')] });
  assert.equal(found.map((f) => [f.rule, f.messageId]), [['unused-waiver', 'unused'], ['add-not-null-column', 'notNullNoDefault']]);
});

test('an expired waiver is not also reported as unused', async () => {
  const found = await run([waiver({ migration: 'a1', expires: '2026-01-01' })]);
  assert.equal(found.map((f) => f.rule), ['add-not-null-column']);
});

test.run();
