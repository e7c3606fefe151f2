import { test } from 'uvu';
import rule from '../../rules/add-not-null-column.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a NOT NULL column without default on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.add_column("plans", sa.Column("legacy", sa.Text(), nullable=False))
    op.drop_table("plans")
`,
    },
    {
      name: 'three-step pattern: nullable, backfill with UPDATE, then NOT NULL',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
    op.alter_column("accounts", "tier", nullable=False)
def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'backfill through sa.table().update().values()',
      files: `revision = "b2"
down_revision = "a1"
accounts = sa.table("accounts", sa.column("tier"))
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.execute(accounts.update().values(tier="free"))
    op.alter_column("accounts", "tier", nullable=False)
def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'NOT NULL with a server default',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False, server_default="free"))
    op.add_column("accounts", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("accounts", sa.Column("seen", sa.DateTime(), nullable=False, server_default=sa.func.now()))
def downgrade():
    op.drop_column("accounts", "seen")
    op.drop_column("accounts", "active")
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'table created in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("plans", sa.Column("name", sa.Text(), nullable=False))
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'a nullable column; with downgrades: "ignore" the downgrade re-adding a NOT NULL column is not judged',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text()))
def downgrade():
    op.add_column("accounts", sa.Column("legacy", sa.Text(), nullable=False))
`,
    },
    {
      name: 'SET NOT NULL on a column that already existed is another rule',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "email", nullable=False)
def downgrade():
    op.alter_column("accounts", "email", nullable=True)
`,
    },
    {
      name: 'table emptied earlier in the same upgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("delete from privacy_experience;")
    op.execute("TRUNCATE TABLE audit_log, other RESTART IDENTITY")
    op.add_column("privacy_experience", sa.Column("region", sa.String(), nullable=False))
    op.add_column("audit_log", sa.Column("kind", sa.String(), nullable=False))
def downgrade():
    op.drop_column("audit_log", "kind")
    op.drop_column("privacy_experience", "region")
`,
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: re-adding a NOT NULL column with no default fails on existing rows',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text()))
def downgrade():
    op.add_column("accounts", sa.Column("legacy", sa.Text(), nullable=False))
`,
      errors: [{ messageId: 'notNullNoDefault', line: 6 }],
    },
    {
      name: 'a server default set after the add does not fill existing NULLs',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.alter_column("accounts", "tier", server_default="free")
    op.alter_column("accounts", "tier", nullable=False)
def downgrade():
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'setNotNullWithoutBackfill', line: 6 }],
    },
    {
      name: 'a DELETE with WHERE does not empty the table',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("DELETE FROM accounts WHERE closed")
    op.add_column("accounts", sa.Column("region", sa.String(), nullable=False))
def downgrade():
    op.drop_column("accounts", "region")
`,
      errors: [{ messageId: 'notNullNoDefault', line: 5 }],
    },
    {
      name: 'plain NOT NULL without default',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))
def downgrade():
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'notNullNoDefault', line: 4, column: 5, includes: 'tier' }],
    },
    {
      name: 'batch mode and primary_key=True',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(8), primary_key=True))
def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("code")
`,
      errors: [{ messageId: 'notNullNoDefault', line: 5, column: 9, includes: 'accounts' }],
    },
    {
      name: 'client-side default only',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False, default="free"))
def downgrade():
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'clientDefaultOnly', line: 4 }],
    },
    {
      name: 'added nullable then made NOT NULL with no backfill in between',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.execute("UPDATE other SET x = 1")
    op.alter_column("accounts", "tier", nullable=False)
def downgrade():
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'setNotNullWithoutBackfill', line: 6 }],
    },
  ],
});

test.run();
