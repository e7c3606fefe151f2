import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/require-concurrent-index.js';
import { ruleTester, runRule } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a plain CREATE INDEX on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.create_index("ix_plans_code", "plans", ["code"])
    op.drop_table("plans")
`,
    },
    {
      name: 'CONCURRENTLY inside an autocommit block',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
`,
    },
    {
      name: 'table created earlier in the same migration (builder and SQL string)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
    op.create_index("ix_plans_code", "plans", ["code"], unique=True)
    op.execute("CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz)")
    op.create_index("ix_audit_at", "audit", ["at"])
def downgrade():
    op.drop_table("audit")
    op.drop_table("plans")
`,
    },
    {
      name: 'table created then renamed in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plan_tmp", sa.Column("id", sa.Integer(), primary_key=True))
    op.rename_table("plan_tmp", "plans")
    op.create_index("ix_plans_id", "plans", ["id"])
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'with downgrades: "ignore" a plain index in the downgrade is not judged',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
def downgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
`,
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: re-creating an index on an existing table blocks writes',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
def downgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
`,
      errors: [{ messageId: 'notConcurrent', line: 7 }],
    },
    {
      name: 'plain create_index on an existing table',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
`,
      errors: [{ messageId: 'notConcurrent', line: 4, column: 5, includes: 'ix_accounts_email is created on existing table accounts' }],
    },
    {
      name: 'unique index in batch mode, and an index on a table created before it only in a later statement',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.create_index("uq_accounts_email", ["email"], unique=True)
    op.create_index("ix_plans_code", "plans", ["code"])
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
def downgrade():
    op.drop_table("plans")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_index("uq_accounts_email")
`,
      errors: [
        { messageId: 'notConcurrent', line: 5, column: 9, includes: 'accounts' },
        { messageId: 'notConcurrent', line: 6, column: 5, includes: 'plans' },
      ],
    },
    {
      name: 'table created by an earlier migration is an existing table',
      files: {
        '0001_plans.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.drop_table("plans")
`,
        '0002_plans_code.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_plans_code", "plans", ["code"])
def downgrade():
    op.drop_index("ix_plans_code", table_name="plans")
`,
      },
      errors: [{ messageId: 'notConcurrent', line: 4, file: '0002_plans_code.py' }],
    },
  ],
});

test('only PostgreSQL is judged', async () => {
  const files = `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
`;
  assert.equal((await runRule(rule, files, { dialect: 'sqlite' })).filter((f) => f.ruleId === rule.id), []);
});

// SQL strings through op.execute(): findings are asserted by line (the position inside the string
// depends on the front end's offsets).
ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: CREATE INDEX CONCURRENTLY outside the transaction, and an index on a table the same string creates',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_accounts_email ON accounts (email)")
    op.execute("CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz); CREATE INDEX ix_audit_at ON audit (at)")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'SQL: the finding points at the statement inside a multi-line string',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("""
        SET lock_timeout = '5s';
        CREATE INDEX ix_accounts_email ON accounts (email);
    """)
def downgrade():
    pass
`,
      errors: [{ messageId: 'notConcurrent', line: 6, column: 9 }],
    },
    {
      name: 'SQL: CREATE INDEX and CREATE UNIQUE INDEX on existing tables',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET lock_timeout = '5s'; CREATE INDEX ix_accounts_email ON accounts (email)")
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_accounts_lower_email ON public.accounts (lower(email)) WHERE deleted_at IS NULL")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'notConcurrent', line: 4, includes: 'ix_accounts_email' },
        { messageId: 'notConcurrent', line: 5, includes: 'uq_accounts_lower_email is created on existing table accounts' },
      ],
    },
  ],
});

test.run();
