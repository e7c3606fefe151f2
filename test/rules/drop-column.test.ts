import { test } from 'uvu';
import rule from '../../rules/drop-column.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'a downgrade dropping the column its upgrade added',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'a downgrade dropping a column added, then renamed, by its upgrade (table renamed too)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.rename_table("block", "block_document")
    op.add_column("block_document", sa.Column("nick", sa.Text(), nullable=True))
    op.alter_column("block_document", "nick", new_column_name="nickname")
def downgrade():
    op.rename_table("block_document", "block")
    op.drop_column("block", "nickname")
`,
    },
    {
      name: 'a downgrade dropping a column of a table its upgrade created',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("label", sa.Text()))
def downgrade():
    op.drop_column("tags", "label")
    op.drop_table("tags")
`,
    },
    {
      name: 'a column of a table created, or a column added, earlier in the same upgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("tmp", sa.Text()))
    op.drop_column("tags", "tmp")
    op.add_column("accounts", sa.Column("scratch", sa.Text(), nullable=True))
    op.drop_column("accounts", "scratch")
def downgrade():
    op.drop_table("tags")
`,
    },
  ],
  invalid: [
    {
      name: 'a drop in the upgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_column("accounts", "legacy_flag")
def downgrade():
    op.add_column("accounts", sa.Column("legacy_flag", sa.Boolean(), nullable=True))
`,
      errors: [{ messageId: 'dropped', line: 4, column: 5, includes: 'Column accounts.legacy_flag is dropped' }],
    },
    {
      name: 'a drop in batch mode',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("legacy_flag")
def downgrade():
    pass
`,
      errors: [{ messageId: 'dropped', line: 5, includes: 'accounts.legacy_flag' }],
    },
    {
      name: 'a downgrade dropping a column its upgrade did not add',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
def downgrade():
    op.drop_column("accounts", "tier")
    op.drop_column("accounts", "email")
`,
      errors: [{ messageId: 'dropped', line: 7, includes: 'accounts.email' }],
    },
    {
      name: 'dropped and re-added under the same name still loses the data',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_column("accounts", "tier")
    op.add_column("accounts", sa.Column("tier", sa.Integer(), nullable=True))
def downgrade():
    pass
`,
      errors: [{ messageId: 'dropped', line: 4 }],
    },
    {
      name: 'SQL: ALTER TABLE ... DROP COLUMN in op.execute()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts DROP COLUMN IF EXISTS legacy_flag")
def downgrade():
    pass
`,
      errors: [{ messageId: 'dropped', line: 4, includes: 'Column accounts.legacy_flag is dropped' }],
    },
  ],
});

test.run();
