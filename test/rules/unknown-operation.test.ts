import { test } from 'uvu';
import rule from '../../rules/unknown-operation.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'known operations, reads and logging are not reported',
      files: `revision = "b2"
down_revision = "a1"
import logging
log = logging.getLogger(__name__)
def upgrade():
    log.info("adding tier")
    op.add_column("accounts", sa.Column("tier", sa.Text()))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id FROM accounts")).fetchall()
`,
    },
  ],
  invalid: [
    {
      name: 'a custom op',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.replace_sp(my_function)
def downgrade():
    op.drop_sp(my_function)
`,
      errors: [
        { messageId: 'unknown', line: 4, column: 5, includes: 'op.replace_sp' },
        { messageId: 'unknown', line: 6, includes: 'op.drop_sp' },
      ],
    },
  ],
});

test.run();
