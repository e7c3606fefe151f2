import { test } from 'uvu';
import rule from '../../rules/parse-error.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'valid Python',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
`,
    },
    {
      name: 'a helper module without upgrade() is not a migration',
      files: { '0001_a.py': `revision = "a1"\ndown_revision = None\ndef upgrade():\n    pass\n`, '_helpers.py': `def util():\n    return 1\n` },
    },
  ],
  invalid: [
    {
      name: 'unclosed parenthesis',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text())
def downgrade():
    pass
`,
      errors: [{ messageId: 'syntax', line: 4, column: 18, includes: "'(' was never closed" }],
    },
    {
      name: 'upgrade without a revision id',
      files: `down_revision = None
def upgrade():
    pass
`,
      errors: [{ messageId: 'noRevision', line: 2 }],
    },
  ],
});

test.run();
