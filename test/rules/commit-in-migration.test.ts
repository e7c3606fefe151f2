import { test } from 'uvu';
import rule from '../../rules/commit-in-migration.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'commit right before autocommit_block (warehouse idiom)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.get_bind().commit()
    with op.get_context().autocommit_block():
        op.create_index("ix_a", "accounts", ["tier"], postgresql_concurrently=True)
def downgrade():
    op.drop_index("ix_a", table_name="accounts")
`,
    },
    {
      name: 'no commit at all',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE accounts SET tier = 'free'"))
def downgrade():
    pass
`,
    },
    {
      name: 'a batched backfill committing each batch inside a loop',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    conn = op.get_bind()
    while conn.execute(sa.text("SELECT count(*) FROM releases WHERE flag IS NULL")).scalar() > 0:
        conn.execute(sa.text("UPDATE releases SET flag = false WHERE id IN (SELECT id FROM releases WHERE flag IS NULL LIMIT 1000)"))
        conn.commit()
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'COMMIT sent as SQL before ALTER TYPE ... ADD VALUE',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("COMMIT")
    op.execute("ALTER TYPE status ADD VALUE 'archived'")
def downgrade():
    pass
`,
      errors: [{ messageId: 'commit', line: 4 }],
    },
    {
      name: 'batch commits reported when the option is off',
      options: { allowBatchCommits: false },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    conn = op.get_bind()
    for batch in range(10):
        conn.execute(sa.text("UPDATE releases SET flag = false WHERE flag IS NULL"))
        conn.commit()
def downgrade():
    pass
`,
      errors: [{ messageId: 'commit', line: 7 }],
    },
    {
      name: 'session.commit() in the middle of an upgrade',
      files: `revision = "b2"
down_revision = "a1"
from sqlalchemy.orm import Session
def upgrade():
    session = Session(bind=op.get_bind())
    session.add(Plan(name="free"))
    session.commit()
    op.add_column("accounts", sa.Column("tier", sa.Text()))
def downgrade():
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'commit', line: 7, column: 5 }],
    },
    {
      name: 'connection commit in the downgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
def downgrade():
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM audit"))
    conn.commit()
    op.drop_column("accounts", "tier")
`,
      errors: [{ messageId: 'commit', line: 8 }],
    },
  ],
});

test.run();
