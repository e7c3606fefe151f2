import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/invalid-ignore.js';
import { ruleTester, runRule } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'known rule with a reason',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    # migralint: ignore[add-not-null-column] accounts is empty everywhere
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
`,
    },
    {
      name: 'file-level ignore with a reason',
      files: `# migralint: ignore-file[mixed-schema-data] tiny lookup table, reviewed in #123
revision = "b2"
down_revision = "a1"
def upgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'no reason',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))  # migralint: ignore[add-not-null-column]
`,
      errors: [{ messageId: 'noReason', line: 4 }],
    },
    {
      name: 'misspelt rule id and directive',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    # migralint: ignore[add-not-null-colum] because
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
    # migralint: ignroe[add-not-null-column] because
    op.add_column("accounts", sa.Column("plan", sa.Text(), nullable=False))
    # migralint: ignore reason but no rule
    op.add_column("accounts", sa.Column("code", sa.Text()))
`,
      errors: [
        { messageId: 'unknownRule', line: 4, includes: 'add-not-null-colum' },
        { messageId: 'unknownDirective', line: 6, includes: 'ignroe' },
        { messageId: 'noRules', line: 8 },
      ],
    },
  ],
});

test('an ignore silences its rule on the next line and only there', async () => {
  const { default: addNotNull } = await import('../../rules/add-not-null-column.js');
  const found = await runRule(
    addNotNull,
    `revision = "b2"
down_revision = "a1"
def upgrade():
    # migralint: ignore[add-not-null-column] accounts is empty everywhere
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
    op.add_column("accounts", sa.Column("plan", sa.Text(), nullable=False))
    op.add_column("accounts", sa.Column("code", sa.Text(), nullable=False))  # migralint: ignore[add-not-null-column] same
`,
  );
  assert.equal(found.map((f) => [f.ruleId, f.line]), [['add-not-null-column', 6]]);
});

test.run();
