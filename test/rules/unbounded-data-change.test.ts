import { test } from 'uvu';
import rule from '../../rules/unbounded-data-change.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'UPDATE and DELETE with WHERE, in SQL and in SQLAlchemy Core',
      files: `revision = "b2"
down_revision = "a1"
accounts = sa.table("accounts", sa.column("tier"), sa.column("id"))
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
    op.execute("DELETE FROM sessions WHERE expires_at < now()")
    op.get_bind().execute(accounts.update().where(accounts.c.id == 1).values(tier="pro"))
    op.get_bind().execute(accounts.delete().where(accounts.c.tier == "gone"))
def downgrade():
    pass
`,
    },
    {
      name: 'seeding or resetting a table created in the same migration',
      files: `revision = "b2"
down_revision = "a1"
plans = sa.table("plans", sa.column("name"), sa.column("price"))
def upgrade():
    op.create_table("plans", sa.Column("name", sa.Text(), primary_key=True), sa.Column("price", sa.Integer()))
    op.bulk_insert(plans, [{"name": "free", "price": 0}])
    op.execute(plans.update().values(price=0))
    op.execute("TRUNCATE plans")
def downgrade():
    op.execute("DELETE FROM plans")
    op.drop_table("plans")
`,
    },
    {
      name: 'a real WHERE clause next to a string that mentions WHERE',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET note = 'x' WHERE note = 'no WHERE here'")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'UPDATE without WHERE in op.execute()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free'")
def downgrade():
    pass
`,
      errors: [{ messageId: 'updateAll', line: 4, includes: 'This UPDATE of accounts has no WHERE clause' }],
    },
    {
      name: "a WHERE only inside a string literal or a comment",
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET note = 'WHERE' -- WHERE\\n")
def downgrade():
    pass
`,
      errors: [{ messageId: 'updateAll', line: 4 }],
    },
    {
      name: 'DELETE without WHERE and TRUNCATE (several tables) in one string',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("DELETE FROM sessions; TRUNCATE TABLE ONLY audit_log, public.events RESTART IDENTITY CASCADE")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'deleteAll', line: 4, includes: 'This DELETE from sessions has no WHERE clause' },
        { messageId: 'truncate', line: 4, includes: 'This TRUNCATE empties audit_log' },
        { messageId: 'truncate', line: 4, includes: 'empties events' },
      ],
    },
    {
      name: 'SQLAlchemy Core update()/delete() without .where()',
      files: `revision = "b2"
down_revision = "a1"
accounts = sa.table("accounts", sa.column("tier"))
def upgrade():
    conn = op.get_bind()
    conn.execute(accounts.update().values(tier="free"))
    conn.execute(accounts.delete())
def downgrade():
    pass
`,
      errors: [
        { messageId: 'updateAll', line: 6, includes: 'accounts' },
        { messageId: 'deleteAll', line: 7, includes: 'accounts' },
      ],
    },
    {
      name: 'ORM query update/delete without a filter',
      files: `revision = "b2"
down_revision = "a1"
from sqlalchemy.orm import Session
def upgrade():
    session = Session(bind=op.get_bind())
    session.query(Account).update({"tier": "free"})
    session.query(LegacyToken).delete()
    session.query(Account).update(values, synchronize_session=False)
def downgrade():
    pass
`,
      errors: [
        { messageId: 'updateAll', line: 6, includes: '(unknown table)' },
        { messageId: 'deleteAll', line: 7 },
        { messageId: 'updateAll', line: 8 },
      ],
    },
    {
      name: 'WITH ... UPDATE whose only WHERE is inside the CTE',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("WITH old AS (SELECT id FROM accounts WHERE created_at < '2020-01-01') UPDATE accounts SET tier = 'legacy'")
def downgrade():
    pass
`,
      errors: [{ messageId: 'updateAll', line: 4 }],
    },
    {
      name: 'a downgrade emptying a table its upgrade did not create',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("INSERT INTO plans (name) VALUES ('team')")
def downgrade():
    op.execute("DELETE FROM plans")
`,
      errors: [{ messageId: 'deleteAll', line: 6, includes: 'plans' }],
    },
  ],
});

test.run();
