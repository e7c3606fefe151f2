import { test } from 'uvu';
import rule from '../../rules/rename-table.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'a table created earlier in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tmp_tags", sa.Column("id", sa.BigInteger(), primary_key=True))
    op.rename_table("tmp_tags", "tags")
def downgrade():
    op.drop_table("tags")
`,
    },
    {
      name: 'a view keeps the old name readable (and writable)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.rename_table("block", "block_document")
    op.execute('CREATE OR REPLACE VIEW public."block" AS SELECT * FROM block_document')
def downgrade():
    op.execute("DROP VIEW block")
    op.rename_table("block_document", "block")
`,
    },
    {
      name: 'a downgrade touching a table its upgrade created',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True))
def downgrade():
    op.rename_table("tags", "tags_old")
    op.drop_table("tags_old")
`,
    },
  ],
  invalid: [
    {
      name: 'rename in the upgrade; renaming back in the downgrade is the undo',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.rename_table("block", "block_document")
def downgrade():
    op.rename_table("block_document", "block")
`,
      errors: [{ messageId: 'renamed', line: 4, column: 5, includes: 'Table block is renamed to block_document' }],
    },
    {
      name: 'a view with another name does not help',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.rename_table("block", "block_document")
    op.execute("CREATE VIEW block_v AS SELECT * FROM block_document")
def downgrade():
    op.rename_table("block_document", "block")
`,
      errors: [{ messageId: 'renamed', line: 4 }],
    },
    {
      name: 'a downgrade renaming a table its upgrade did not rename',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
def downgrade():
    op.rename_table("accounts", "customers")
`,
      errors: [{ messageId: 'renamed', line: 6, includes: 'Table accounts is renamed to customers' }],
    },
    {
      name: 'SQL: ALTER TABLE ... RENAME TO in op.execute()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE block RENAME TO block_document")
def downgrade():
    op.execute("ALTER TABLE block_document RENAME TO block")
`,
      errors: [{ messageId: 'renamed', line: 4, includes: 'Table block is renamed to block_document' }],
    },
  ],
});

test.run();
