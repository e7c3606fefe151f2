import { test } from 'uvu';
import rule from '../../rules/drop-table.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'a downgrade dropping the table its upgrade created',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("audit_log", sa.Column("id", sa.BigInteger(), primary_key=True))
def downgrade():
    op.drop_table("audit_log")
`,
    },
    {
      name: 'a downgrade dropping a table its upgrade created under another name, then renamed',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tmp_audit", sa.Column("id", sa.BigInteger(), primary_key=True))
    op.rename_table("tmp_audit", "audit_log")
def downgrade():
    op.drop_table("audit_log")
`,
    },
    {
      name: 'a table created earlier in the same upgrade (a scratch table)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("CREATE TABLE tmp_ids AS SELECT id FROM accounts")
    op.execute("UPDATE accounts SET tier = 'free' WHERE id IN (SELECT id FROM tmp_ids)")
    op.drop_table("tmp_ids")
def downgrade():
    pass
`,
    },
    {
      name: 'a table rebuilt under its own name (copy, drop, rename back)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("accounts_new", sa.Column("id", sa.BigInteger(), primary_key=True))
    op.execute("INSERT INTO accounts_new SELECT id FROM accounts")
    op.drop_table("accounts")
    op.rename_table("accounts_new", "accounts")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'a drop in the upgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_table("legacy_sessions")
def downgrade():
    op.create_table("legacy_sessions", sa.Column("id", sa.BigInteger(), primary_key=True))
`,
      errors: [{ messageId: 'dropped', line: 4, column: 5, includes: 'Table legacy_sessions is dropped' }],
    },
    {
      name: 'a downgrade dropping a table its upgrade did not create',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("audit_log", sa.Column("id", sa.BigInteger(), primary_key=True))
def downgrade():
    op.drop_table("audit_log")
    op.drop_table("accounts")
`,
      errors: [{ messageId: 'dropped', line: 7, includes: 'Table accounts' }],
    },
    {
      name: 'the upgrade drops the table it later creates a different one beside',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_table("sessions")
    op.create_table("user_sessions", sa.Column("id", sa.BigInteger(), primary_key=True))
def downgrade():
    pass
`,
      errors: [{ messageId: 'dropped', line: 4 }],
    },
    {
      name: 'SQL: DROP TABLE in op.execute()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("DROP TABLE IF EXISTS legacy_sessions")
def downgrade():
    pass
`,
      errors: [{ messageId: 'dropped', line: 4, includes: 'Table legacy_sessions is dropped' }],
    },
  ],
});

test.run();
