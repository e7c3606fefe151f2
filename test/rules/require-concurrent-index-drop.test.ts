import { test } from 'uvu';
import rule from '../../rules/require-concurrent-index-drop.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a plain DROP INDEX on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.drop_index("ix_plans_code", table_name="plans")
    op.drop_table("plans")
`,
    },
    {
      name: 'CONCURRENTLY inside an autocommit block',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
def downgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
`,
    },
    {
      name: 'index created earlier in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_tmp", "accounts", ["email"])
    op.drop_index("ix_tmp", table_name="accounts")
def downgrade():
    pass
`,
    },
    {
      name: 'table created earlier in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text(), index=True))
    op.drop_index("ix_plans_code", table_name="plans")
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'with downgrades: "ignore" the downgrade is not judged',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
`,
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: dropping the index the upgrade built on an existing table',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
`,
      errors: [{ messageId: 'notConcurrent', line: 6 }],
    },
    {
      name: 'plain drop_index on an existing table',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
def downgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
`,
      errors: [{ messageId: 'notConcurrent', line: 4, column: 5, includes: 'Index ix_accounts_email on accounts' }],
    },
    {
      name: 'batch mode',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_index("ix_accounts_email")
def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.create_index("ix_accounts_email", ["email"])
`,
      errors: [{ messageId: 'notConcurrent', line: 5, column: 9, includes: 'on accounts' }],
    },
    {
      name: 'the table comes from the catalog when drop_index does not name it',
      files: {
        '0001_plans.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
    op.create_index("ix_plans_code", "plans", ["code"])
def downgrade():
    op.drop_table("plans")
`,
        '0002_drop.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_index("ix_plans_code")
def downgrade():
    op.create_index("ix_plans_code", "plans", ["code"])
`,
      },
      errors: [{ messageId: 'notConcurrent', line: 4, file: '0002_drop.py', includes: 'on plans' }],
    },
  ],
});

// SQL strings through op.execute(): asserted by line.
ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: DROP INDEX CONCURRENTLY outside the transaction; an index built earlier in the same string',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_accounts_email")
    op.execute("CREATE INDEX ix_tmp ON accounts (email); DROP INDEX ix_tmp")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'SQL: DROP INDEX names no table; the message falls back when the catalog does not know the index',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("DROP INDEX IF EXISTS ix_accounts_email")
def downgrade():
    pass
`,
      errors: [{ messageId: 'notConcurrent', line: 4, includes: 'ix_accounts_email on its table' }],
    },
  ],
});

test.run();
