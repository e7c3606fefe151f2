import { test } from 'uvu';
import rule from '../../rules/rename-column.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'a column of a table created in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("accounts", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("name", sa.Text()))
    op.alter_column("accounts", "name", new_column_name="full_name")
def downgrade():
    op.drop_table("accounts")
`,
    },
    {
      name: 'a column added earlier in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("nick", sa.Text(), nullable=True))
    op.alter_column("accounts", "nick", new_column_name="nickname")
def downgrade():
    op.drop_column("accounts", "nickname")
`,
    },
    {
      name: 'alter_column that changes no name (same name, other attributes)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "email", nullable=True)
    op.alter_column("accounts", "email", new_column_name="email", nullable=True)
def downgrade():
    op.alter_column("accounts", "email", nullable=False)
`,
    },
    {
      name: 'a downgrade renaming back a column its upgrade added then renamed is the undo (upgrade clean)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("nick", sa.Text(), nullable=True))
    op.alter_column("accounts", "nick", new_column_name="nickname")
def downgrade():
    op.alter_column("accounts", "nickname", new_column_name="nick")
    op.drop_column("accounts", "nick")
`,
    },
    {
      name: 'a downgrade touching a table its upgrade created',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("label", sa.Text()))
def downgrade():
    op.alter_column("tags", "label", new_column_name="name")
    op.drop_table("tags")
`,
    },
  ],
  invalid: [
    {
      name: 'rename in the upgrade, but not the downgrade that renames it back',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "name", new_column_name="full_name")
def downgrade():
    op.alter_column("accounts", "full_name", new_column_name="name")
`,
      errors: [{ messageId: 'renamed', line: 4, column: 5, includes: 'Column accounts.name is renamed to full_name' }],
    },
    {
      name: 'inside batch_alter_table',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("name", new_column_name="full_name", existing_type=sa.Text())
def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("full_name", new_column_name="name")
`,
      errors: [{ messageId: 'renamed', line: 5, includes: 'accounts.name' }],
    },
    {
      name: 'the table was renamed earlier in the upgrade: the downgrade renaming back under the old table name is the undo',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.rename_table("block", "block_document")
    op.alter_column("block_document", "name", new_column_name="title")
def downgrade():
    op.alter_column("block_document", "title", new_column_name="name")
    op.rename_table("block_document", "block")
`,
      errors: [{ messageId: 'renamed', line: 5, includes: 'block_document.name' }],
    },
    {
      name: 'a downgrade renaming a column its upgrade never touched',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
def downgrade():
    op.alter_column("accounts", "email", new_column_name="email_address")
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'renamed', line: 6, includes: 'accounts.email is renamed to email_address' }],
    },
    {
      name: 'SQL: ALTER TABLE ... RENAME COLUMN in op.execute()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts RENAME COLUMN name TO full_name")
def downgrade():
    op.execute("ALTER TABLE accounts RENAME COLUMN full_name TO name")
`,
      errors: [{ messageId: 'renamed', line: 4, includes: 'Column accounts.name is renamed to full_name' }],
    },
  ],
});

test.run();
