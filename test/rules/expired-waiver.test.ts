import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import rule from '../../rules/expired-waiver.js';
import { lint } from '../../src/engine/run.js';
import type { WaiverSetting } from '../../src/config/index.js';
import { configFor, writeProject } from '../helpers/rule-tester.js';

const A1 = `"""init"""\nrevision = "a1"\ndown_revision = None\n\ndef upgrade():\n    op.create_table("accounts", sa.Column("id", sa.Integer()))\n\n\ndef downgrade():\n    op.drop_table("accounts")\n`;
const B1 = `"""tier"""\nrevision = "b1"\ndown_revision = "a1"\n\ndef upgrade():\n    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))\n\n\ndef downgrade():\n    op.drop_column("accounts", "tier")\n`;

/** Lints a1 + b1 with add-not-null-column and the waiver rule on, on the given day. */
async function run(waivers: Partial<WaiverSetting>[], day: string) {
  const project = writeProject({ 'a1_init.py': A1, 'b1_tier.py': B1 });
  const previous = process.env.MIGRALINT_TODAY;
  process.env.MIGRALINT_TODAY = day;
  try {
    const configFile = path.join(project.root, 'migralint.config.json');
    const config = {
      ...configFor(project.root, {
        [rule.id]: { severity: 'error', options: {} },
        'add-not-null-column': { severity: 'error', options: {} },
      }),
      configFile,
      waivers: waivers.map((w, i) => ({
        rule: 'add-not-null-column',
        migration: 'b1',
        reason: 'accounts is empty until launch',
        owner: '@data',
        expires: '2026-11-22',
        file: configFile,
        line: 3 + i,
        ...w,
        path: path.resolve(project.root, w.migration ?? 'b1'),
      })),
    };
    const result = await lint({ cwd: project.root, paths: [], config });
    return result.findings.map((f) => ({ rule: f.ruleId, file: path.basename(f.file), line: f.line, message: f.message }));
  } finally {
    if (previous === undefined) delete process.env.MIGRALINT_TODAY;
    else process.env.MIGRALINT_TODAY = previous;
    project.cleanup();
  }
}

test('valid: on its last day the waiver still applies and nothing is reported', async () => {
  assert.equal(await run([{}], '2026-11-22'), []);
});

test('invalid: the day after, the finding is back and the waiver is reported at its line with owner and date', async () => {
  const found = await run([{}], '2026-11-23');
  assert.equal(
    found.map((f) => [f.rule, f.file, f.line]),
    [
      ['expired-waiver', 'migralint.config.json', 3],
      ['add-not-null-column', 'b1_tier.py', 6],
    ],
  );
  assert.is(found[0]!.message, 'The waiver of add-not-null-column for b1 expired on 2026-11-22 (owner @data) and no longer applies.');
});

test('invalid: only the expired one of two waivers is reported, and a live one for the same finding still silences it', async () => {
  const found = await run([{ expires: '2026-01-01', owner: '@old' }, { expires: '2027-01-01' }], '2026-11-22');
  assert.equal(found.map((f) => [f.rule, f.line]), [['expired-waiver', 3]]);
  assert.match(found[0]!.message, /owner @old/);
});

test('an expired waiver for a migration that is not linted is still reported', async () => {
  const found = await run([{ migration: 'zz9', expires: '2020-02-29' }], '2026-11-22');
  assert.equal(found.map((f) => f.rule), ['expired-waiver', 'add-not-null-column']);
});

test.run();
