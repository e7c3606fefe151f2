import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/sqlite-needs-batch.js';
import { ruleTester, runRule } from '../helpers/rule-tester.js';

// versions/postgresql/ and versions/sqlite/ hold one chain per dialect (Prefect's layout).
const sqlite = (body: string) => ({
  'postgresql/b2.py': `revision = "b2"\ndown_revision = None\ndef upgrade():\n    op.drop_column("accounts", "legacy")\n`,
  'sqlite/b2.py': `revision = "b2"\ndown_revision = None\n${body}`,
});

ruleTester(test, rule, {
  valid: [
    {
      name: 'batch mode for everything SQLite cannot ALTER',
      files: sqlite(`def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("legacy")
        batch_op.create_foreign_key("fk_accounts_plan", "plans", ["plan_id"], ["id"])
        batch_op.drop_constraint("uq_accounts_email", type_="unique")
def downgrade():
    pass
`),
    },
    {
      name: 'what SQLite can do: add a column, rename a table, indexes',
      files: sqlite(`def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.rename_table("block", "block_document")
    op.create_index("ix_accounts_tier", "accounts", ["tier"])
    op.drop_index("ix_accounts_old", table_name="accounts")
def downgrade():
    pass
`),
    },
    {
      name: 'an alter_column that changes nothing SQLite refuses (a comment)',
      files: sqlite(`def upgrade():
    op.alter_column("accounts", "email", comment="login")
def downgrade():
    pass
`),
    },
    {
      name: 'sqliteVersion 3.35: plain RENAME COLUMN and DROP COLUMN work',
      options: { sqliteVersion: '3.35.5' },
      files: sqlite(`def upgrade():
    op.alter_column("accounts", "name", new_column_name="full_name")
    op.drop_column("accounts", "legacy")
def downgrade():
    pass
`),
    },
  ],
  invalid: [
    {
      name: 'alter_column, drop_column and constraints outside batch mode',
      files: sqlite(`def upgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=False)
    op.alter_column("accounts", "age", type_=sa.BigInteger(), server_default="0")
    op.drop_column("accounts", "legacy")
    op.create_foreign_key("fk_accounts_plan", "accounts", "plans", ["plan_id"], ["id"])
    op.create_unique_constraint(None, "accounts", ["email"])
def downgrade():
    op.drop_constraint("fk_accounts_plan", "accounts", type_="foreignkey")
`),
      errors: [
        { messageId: 'needsBatch', line: 4, column: 5, file: 'sqlite/b2.py', includes: 'Changing the nullability of column email on accounts needs batch_alter_table()' },
        { messageId: 'needsBatch', line: 5, includes: 'Changing the type and server default of column age on accounts' },
        { messageId: 'needsBatch', line: 6, includes: 'Dropping column legacy on accounts' },
        { messageId: 'needsBatch', line: 7, includes: 'Adding a foreign key constraint fk_accounts_plan on accounts' },
        { messageId: 'needsBatch', line: 8, includes: 'Adding a unique constraint on accounts' },
        { messageId: 'needsBatch', line: 10, includes: 'Dropping constraint fk_accounts_plan on accounts' },
      ],
    },
    {
      name: 'a rename without sqliteVersion (any SQLite) and DROP COLUMN before 3.35',
      options: { sqliteVersion: '3.31' },
      files: sqlite(`def upgrade():
    op.alter_column("accounts", "name", new_column_name="full_name")
    op.drop_column("accounts", "legacy")
def downgrade():
    pass
`),
      errors: [{ messageId: 'needsBatch', line: 5, includes: 'Dropping column legacy' }],
    },
    {
      name: 'a rename with no version given',
      files: sqlite(`def upgrade():
    op.alter_column("accounts", "name", new_column_name="full_name")
def downgrade():
    pass
`),
      errors: [{ messageId: 'needsBatch', line: 4, includes: 'Changing the name of column name on accounts' }],
    },
  ],
});

test('PostgreSQL migrations are not checked', async () => {
  const found = await runRule(rule, `revision = "b2"\ndown_revision = None\ndef upgrade():\n    op.drop_column("accounts", "legacy")\n`);
  assert.equal(found, []);
});

test('the configured dialect makes a chain SQLite', async () => {
  const found = await runRule(rule, `revision = "b2"\ndown_revision = None\ndef upgrade():\n    op.drop_column("accounts", "legacy")\n`, {
    dialect: 'sqlite',
  });
  assert.equal(found.map((f) => [f.messageId, f.line]), [['needsBatch', 4]]);
});

test.run();
