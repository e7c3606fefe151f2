import { test } from 'uvu';
import rule from '../../rules/irreversible-downgrade.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'downgrade with operations',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text()))
def downgrade():
    op.drop_column("accounts", "note")
`,
    },
    {
      name: 'merge revision: nothing to undo',
      files: `revision = "c3"
down_revision = ("b1", "b2")
def upgrade():
    pass
def downgrade():
    pass
`,
    },
    {
      name: 'allow-empty accepts pass',
      options: { downgrade: 'allow-empty' },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text()))
def downgrade():
    # pgAdmin only upgrades
    pass
`,
    },
    {
      name: 'allow-raise accepts a declared irreversible revision',
      options: { downgrade: 'allow-raise' },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_column("accounts", "legacy")
def downgrade():
    raise RuntimeError("Cannot downgrade past b2")
`,
    },
    {
      name: 'none: a project that never downgrades',
      options: { downgrade: 'none' },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_column("accounts", "legacy")
`,
    },
    {
      name: 'data-only backfill with an explicit pass',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'data-only backfill with an empty downgrade when the exemption is off',
      options: { allowEmptyForDataOnly: false },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
def downgrade():
    pass
`,
      errors: [{ messageId: 'empty', line: 5 }],
    },
    {
      name: 'data-only backfill with no downgrade at all',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
`,
      errors: [{ messageId: 'missing', line: 3 }],
    },
    {
      name: 'empty downgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text()))
def downgrade():
    """Nothing."""
    pass
`,
      errors: [{ messageId: 'empty', line: 5, column: 1 }],
    },
    {
      name: 'missing downgrade reported at the upgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text()))
`,
      errors: [{ messageId: 'missing', line: 3 }],
    },
    {
      name: 'raising downgrade under required',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_column("accounts", "legacy")
def downgrade():
    raise NotImplementedError()
`,
      errors: [{ messageId: 'raises', line: 5 }],
    },
    {
      name: 'allow-empty still rejects raise',
      options: { downgrade: 'allow-empty' },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_column("accounts", "legacy")
def downgrade():
    raise NotImplementedError()
`,
      errors: [{ messageId: 'raises', line: 5 }],
    },
  ],
});

test.run();
