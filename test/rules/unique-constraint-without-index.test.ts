import { test } from 'uvu';
import rule from '../../rules/unique-constraint-without-index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a UNIQUE constraint on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.create_unique_constraint("uq_plans_code", "plans", ["code"])
    op.drop_table("plans")
`,
    },
    {
      name: 'constraints and unique columns on a table created earlier in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer()), sa.Column("code", sa.Text()))
    op.create_primary_key("pk_plans", "plans", ["id"])
    op.create_unique_constraint("uq_plans_code", "plans", ["code"])
    op.add_column("plans", sa.Column("slug", sa.Text(), unique=True))
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'Alembic add_column() does not add the PRIMARY KEY of a primary_key=True column',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("audit", sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True))
def downgrade():
    op.drop_column("audit", "id")
`,
    },
    {
      name: 'a plain nullable column; with downgrades: "ignore" the downgrade is not judged',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("nickname", sa.Text(), nullable=True))
def downgrade():
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])
    op.drop_column("accounts", "nickname")
`,
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: a UNIQUE constraint re-created without an index',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("nickname", sa.Text(), nullable=True))
def downgrade():
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])
    op.drop_column("accounts", "nickname")
`,
      errors: [{ messageId: 'noIndex', line: 6 }],
    },
    {
      name: 'UNIQUE and PRIMARY KEY constraints on existing tables',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])
    op.create_primary_key("pk_audit", "audit", ["id"])
def downgrade():
    op.drop_constraint("pk_audit", "audit", type_="primary")
    op.drop_constraint("uq_accounts_email", "accounts", type_="unique")
`,
      errors: [
        { messageId: 'noIndex', line: 4, column: 5, includes: 'UNIQUE constraint uq_accounts_email is added to existing table accounts' },
        { messageId: 'noIndex', line: 5, column: 5, includes: 'PRIMARY KEY constraint pk_audit' },
      ],
    },
    {
      name: 'batch mode',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.create_unique_constraint("uq_accounts_email", ["email"])
def downgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_constraint("uq_accounts_email", type_="unique")
`,
      errors: [{ messageId: 'noIndex', line: 5, column: 9 }],
    },
    {
      name: 'a UNIQUE column added to an existing table (Alembic adds the constraint after the column)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("slug", sa.Text(), unique=True))
def downgrade():
    op.drop_column("accounts", "slug")
`,
      errors: [{ messageId: 'inlineColumn', line: 4, includes: 'Column slug is added to existing table accounts as UNIQUE' }],
    },
  ],
});

// SQL strings through op.execute(): asserted by line.
ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: unique index built concurrently, then attached with USING INDEX',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE UNIQUE INDEX CONCURRENTLY uq_accounts_email ON accounts (email)")
    op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE USING INDEX uq_accounts_email")
def downgrade():
    pass
`,
    },
    {
      name: 'SQL: USING INDEX of an index from an earlier migration, or one migralint does not know',
      files: {
        '0002_index.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE UNIQUE INDEX CONCURRENTLY audit_pkey_idx ON audit (id)")
def downgrade():
    pass
`,
        '0003_pk.py': `revision = "c3"
down_revision = "b2"
def upgrade():
    op.execute("ALTER TABLE audit ADD CONSTRAINT audit_pkey PRIMARY KEY USING INDEX audit_pkey_idx")
    op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_code UNIQUE USING INDEX uq_accounts_code_idx")
def downgrade():
    pass
`,
      },
    },
  ],
  invalid: [
    {
      name: 'SQL: UNIQUE, PRIMARY KEY and a UNIQUE column without an index',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE (email)")
    op.execute("ALTER TABLE audit ADD PRIMARY KEY (id)")
    op.execute("ALTER TABLE accounts ADD COLUMN slug text UNIQUE")
    op.execute("ALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'noIndex', line: 4, includes: 'uq_accounts_email' },
        { messageId: 'noIndex', line: 5, includes: 'PRIMARY KEY constraint audit_pkey is added to existing table audit' },
        { messageId: 'inlineColumn', line: 6, includes: 'slug' },
        { messageId: 'inlineColumn', line: 7, includes: 'Column id is added to existing table events as PRIMARY KEY' },
      ],
    },
    {
      name: 'SQL: USING INDEX of an index this migration built without CONCURRENTLY',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("CREATE UNIQUE INDEX uq_accounts_email ON accounts (email)")
    op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE USING INDEX uq_accounts_email")
def downgrade():
    pass
`,
      errors: [{ messageId: 'indexNotConcurrent', line: 5, includes: 'uses index uq_accounts_email, which this migration builds' }],
    },
  ],
});

test.run();
