import { test } from 'uvu';
import rule from '../../rules/incomplete-downgrade.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'mirror-image downgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
    op.create_index("ix_accounts_tier", "accounts", ["tier"])
    op.create_foreign_key("fk_acc_plan", "accounts", "plans", ["plan_id"], ["id"])
    op.alter_column("accounts", "name", new_column_name="full_name")
    op.rename_table("orgs", "organisations")
def downgrade():
    op.rename_table("organisations", "orgs")
    op.alter_column("accounts", "full_name", new_column_name="name")
    op.drop_constraint("fk_acc_plan", "accounts", type_="foreignkey")
    op.drop_index("ix_accounts_tier", table_name="accounts")
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'dropping the table undoes every step on it',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("plans", sa.Column("name", sa.Text()))
    op.create_index("ix_plans_name", "plans", ["name"])
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'missing or empty downgrades belong to irreversible-downgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
def downgrade():
    pass
`,
    },
    {
      name: 'type and nullability changes reverted',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "seats", type_=sa.BigInteger(), existing_type=sa.Integer())
    op.alter_column("accounts", "email", nullable=False)
def downgrade():
    op.alter_column("accounts", "email", nullable=True)
    op.alter_column("accounts", "seats", type_=sa.Integer(), existing_type=sa.BigInteger())
`,
    },
    {
      name: 'a renamed table is matched under both names, as autogenerate writes it',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.rename_table("block", "block_document")
    with op.batch_alter_table("block_document") as batch_op:
        batch_op.alter_column("spec_id", new_column_name="schema_id")
def downgrade():
    op.rename_table("block_document", "block")
    with op.batch_alter_table("block") as batch_op:
        batch_op.alter_column("schema_id", new_column_name="spec_id")
`,
    },
    {
      name: 'dropping a column drops the index and foreign key on it',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("deployment") as batch_op:
        batch_op.add_column(sa.Column("queue_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_deployment__queue_id"), ["queue_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_deployment__queue_id__queue"), "queue", ["queue_id"], ["id"])
def downgrade():
    with op.batch_alter_table("deployment") as batch_op:
        batch_op.drop_column("queue_id")
`,
    },
  ],
  invalid: [
    {
      name: 'index left behind',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'notUndone', line: 5, column: 5, includes: 'ix_accounts_email' }],
    },
    {
      name: 'unnamed constraint dropped with None cannot run',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_foreign_key(None, "accounts", "plans", ["plan_id"], ["id"])
    op.add_column("accounts", sa.Column("note", sa.Text()))
def downgrade():
    op.drop_column("accounts", "note")
    op.drop_constraint(None, "accounts", type_="foreignkey")
`,
      errors: [{ messageId: 'unrunnable', line: 8 }],
    },
    {
      name: 'rename and nullability not reverted',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "name", new_column_name="full_name")
    op.alter_column("accounts", "email", nullable=False)
    op.drop_column("accounts", "legacy")
def downgrade():
    op.add_column("accounts", sa.Column("legacy", sa.Text()))
`,
      errors: [
        { messageId: 'notUndone', line: 4, includes: 'renaming it to full_name' },
        { messageId: 'notUndone', line: 5, includes: 'NOT NULL' },
      ],
    },
    {
      name: 'created table never dropped',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("accounts", sa.Column("plan_id", sa.Integer()))
def downgrade():
    op.drop_column("accounts", "plan_id")
`,
      errors: [{ messageId: 'notUndone', line: 4, includes: 'Creating table plans' }],
    },
  ],
});

test.run();
