import { test } from 'uvu';
import rule from '../../rules/mixed-schema-data.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'data-only revision',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
def downgrade():
    pass
`,
    },
    {
      name: 'schema-only revision, including SQL DDL',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
    op.execute("CREATE INDEX CONCURRENTLY ix_a ON accounts (tier)")
def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'seeding a table created in the same revision',
      files: `revision = "b2"
down_revision = "a1"
plans = sa.table("plans", sa.column("name"))
def upgrade():
    op.create_table("plans", sa.Column("name", sa.Text(), primary_key=True))
    op.bulk_insert(plans, [{"name": "free"}])
    op.execute("INSERT INTO plans (name) VALUES ('pro')")
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'SELECT and SET are neither schema nor data',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("accounts", sa.Column("tier", sa.Text()))
def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
  ],
  invalid: [
    {
      name: 'add column then backfill with SQL',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
    op.execute("UPDATE accounts SET tier = 'free'")
def downgrade():
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'mixed', line: 5, column: 17 }], // at the UPDATE inside the string
    },
    {
      name: 'ORM session data change next to DDL',
      files: `revision = "b2"
down_revision = "a1"
from sqlalchemy.orm import Session
def upgrade():
    op.add_column("accounts", sa.Column("slug", sa.Text()))
    session = Session(bind=op.get_bind())
    session.add(Plan(name="free"))
def downgrade():
    op.drop_column("accounts", "slug")
`,
      errors: [{ messageId: 'mixed', line: 7 }],
    },
    {
      name: 'seeding new tables counts when the option is off',
      options: { allowSeedingNewTables: false },
      files: `revision = "b2"
down_revision = "a1"
plans = sa.table("plans", sa.column("name"))
def upgrade():
    op.create_table("plans", sa.Column("name", sa.Text(), primary_key=True))
    op.bulk_insert(plans, [{"name": "free"}])
def downgrade():
    op.drop_table("plans")
`,
      errors: [{ messageId: 'mixed', line: 6 }],
    },
  ],
});

test.run();
