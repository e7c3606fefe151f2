import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/unused-ignore.js';
import { runRule } from '../helpers/rule-tester.js';

const unused = `revision = "b2"
down_revision = "a1"
def upgrade():
    # migralint: ignore[add-not-null-column] it is fine
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))
`;

test('invalid: an ignore that silences nothing is reported', async () => {
  const found = await runRule(rule, unused, { alsoEnable: ['add-not-null-column'] });
  assert.equal(found.map((f) => [f.ruleId, f.messageId, f.line]), [['unused-ignore', 'unused', 4]]);
});

test('valid: an ignore that silences a finding is used', async () => {
  const found = await runRule(
    rule,
    `revision = "b2"
down_revision = "a1"
def upgrade():
    # migralint: ignore[add-not-null-column] accounts is empty everywhere
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
`,
    { alsoEnable: ['add-not-null-column'] },
  );
  assert.equal(found, []);
});

test('valid: an ignore for a rule that is off cannot be judged and is not reported', async () => {
  const found = await runRule(rule, unused);
  assert.equal(found, []);
});

test('valid: a file-level ignore used by a graph finding', async () => {
  const found = await runRule(
    rule,
    {
      '0001_a.py': `revision = "a1"\ndown_revision = None\ndef upgrade():\n    pass\n`,
      '0002_b.py': `# migralint: ignore-file[missing-parent] parent lives in another repository\nrevision = "b1"\ndown_revision = "zz"\ndef upgrade():\n    pass\n`,
    },
    { alsoEnable: ['missing-parent'] },
  );
  assert.equal(found, []);
});

test.run();
