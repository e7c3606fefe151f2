import { test } from 'uvu';
import rule from '../../rules/empty-migration.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'merge revision',
      files: `revision = "c3"
down_revision = ("b1", "b2")
def upgrade():
    pass
def downgrade():
    pass
`,
    },
    {
      name: 'upgrade with code the front end does not turn into operations still counts as work',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    if context.is_offline_mode():
        return
    op.add_column("accounts", sa.Column("tier", sa.Text()))
`,
    },
  ],
  invalid: [
    {
      name: 'pass only',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    pass
def downgrade():
    pass
`,
      errors: [{ messageId: 'empty', line: 3 }],
    },
    {
      name: 'merges reported when allowMerges is off',
      options: { allowMerges: false },
      files: `revision = "c3"
down_revision = ("b1", "b2")
def upgrade():
    pass
`,
      errors: [{ messageId: 'empty', line: 3 }],
    },
  ],
});

test.run();
