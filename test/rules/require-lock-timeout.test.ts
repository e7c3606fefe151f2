import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/require-lock-timeout.js';
import { ruleTester, runRule } from '../helpers/rule-tester.js';
import { emptyMigration } from '../../src/model/index.js';
import type { Migration } from '../../src/model/index.js';
import { toLoc } from '../../src/rule-api/index.js';

const ENV_NO_TRANSACTION = `from alembic import context
def run_migrations_online():
    context.configure(connection=connection, target_metadata=None, transactional_ddl=False)
`;

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a DROP INDEX with no lock_timeout on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.drop_index("ix_plans_code", table_name="plans")
    op.drop_table("plans")
`,
    },
    {
      name: "SET LOCAL lock_timeout first (polar), inside the migration's transaction",
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.drop_column("accounts", "legacy")
def downgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'SET lock_timeout (session) through a connection, and in a multi-statement string',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("SET statement_timeout = '15s'; SET lock_timeout TO 4000"))
    op.alter_column("accounts", "email", nullable=False)
def downgrade():
    pass
`,
    },
    {
      name: "set_config('lock_timeout', ..., true) is SET LOCAL",
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SELECT set_config('lock_timeout', '3s', true)")
    op.create_check_constraint("ck_tier", "accounts", "tier IS NOT NULL")
def downgrade():
    pass
`,
    },
    {
      name: 'lock_timeout set on the connection in env.py (warehouse)',
      files: {
        '/migrations/env.py': `from alembic import context
from sqlalchemy import text
def run_migrations_online():
    with connectable.connect() as connection:
        connection.execute(text("SET lock_timeout = 4000"))
        context.configure(connection=connection, transaction_per_migration=True)
`,
        'b2.py': `revision = "b2"
down_revision = None
def upgrade():
    op.drop_column("accounts", "legacy")
`,
      },
    },
    {
      name: 'only tables created in the same migration are locked',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("label", sa.Text()))
    op.add_column("tags", sa.Column("color", sa.Text(), nullable=True))
    op.create_unique_constraint("uq_tags_label", "tags", ["label"])
    op.execute("TRUNCATE tags")
def downgrade():
    op.drop_table("tags")
`,
    },
    {
      name: 'weaker locks: CREATE INDEX (SHARE), CONCURRENTLY, VALIDATE, row writes',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_tier", "accounts", ["tier"], postgresql_concurrently=True)
        op.drop_index("ix_accounts_old", table_name="accounts", postgresql_concurrently=True)
def downgrade():
    pass
`,
    },
    {
      name: 'SET (not LOCAL) still applies inside autocommit_block()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET lock_timeout = '2s'")
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE status ADD VALUE 'archived'")
    op.drop_column("accounts", "legacy")
def downgrade():
    pass
`,
    },
    {
      name: 'SQL: SET lock_timeout then ALTER TABLE in one string; LOCK TABLE ... IN SHARE MODE is below the threshold',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("LOCK TABLE orders IN SHARE MODE")
    op.execute("SET lock_timeout = '5s'; ALTER TABLE users ALTER COLUMN age TYPE bigint; TRUNCATE sessions; CLUSTER orders")
def downgrade():
    pass
`,
    },
    {
      name: 'with downgrades: "ignore" the downgrade is not checked',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True))
def downgrade():
    op.drop_column("accounts", "tag_id")
    op.drop_table("tags")
`,
    },
  ],
  invalid: [
    {
      name: 'no lock_timeout: one finding, at the first blocking statement',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.drop_column("accounts", "legacy")
def downgrade():
    pass
`,
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 5,
          includes: 'This statement locks accounts in ACCESS EXCLUSIVE mode with no lock_timeout set; while it waits for a running transaction, reads and writes on accounts queue behind it.',
        },
      ],
    },
    {
      name: 'the timeout is set only after the statement',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
    op.execute("SET LOCAL lock_timeout = '5s'")
def downgrade():
    pass
`,
      errors: [{ messageId: 'missing', line: 4, includes: 'locks accounts in ACCESS EXCLUSIVE mode' }],
    },
    {
      name: 'lock_timeout = 0 disables it, RESET undoes it',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET lock_timeout = 0")
    op.rename_table("block", "block_document")
def downgrade():
    op.execute("SET lock_timeout = '1s'")
    op.execute("RESET lock_timeout")
    op.rename_table("block_document", "block")
`,
      errors: [
        { messageId: 'missing', line: 5, includes: 'locks block in' },
        { messageId: 'missing', line: 9, includes: 'locks block_document in' },
      ],
    },
    {
      name: 'a foreign key from a new table locks the referenced, existing one (SHARE ROW EXCLUSIVE)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("orders", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("user_id", sa.BigInteger()))
    op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True)
def downgrade():
    op.drop_table("orders")
`,
      errors: [{ messageId: 'missing', line: 5, includes: 'locks users in SHARE ROW EXCLUSIVE mode' }],
    },
    {
      name: 'SET LOCAL before autocommit_block() ends with the committed transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts")
def downgrade():
    pass
`,
      errors: [{ messageId: 'localNotApplied', line: 6, includes: 'the transaction it applied to ended before this statement' }],
    },
    {
      name: 'SET LOCAL in a migration that runs without a transaction (transactional_ddl=False) does nothing',
      files: {
        '/migrations/env.py': ENV_NO_TRANSACTION,
        'b2.py': `revision = "b2"
down_revision = None
def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("accounts", "legacy")
`,
      },
      errors: [{ messageId: 'localNotApplied', line: 5, includes: 'it ran outside a transaction' }],
    },
    {
      name: 'a COMMIT ends what SET LOCAL covered',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("COMMIT")
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
def downgrade():
    pass
`,
      errors: [{ messageId: 'localNotApplied', line: 6 }],
    },
    {
      name: 'SQL: TRUNCATE of an existing table (the finding points at the statement)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SELECT 1; TRUNCATE sessions")
def downgrade():
    pass
`,
      errors: [{ messageId: 'missing', line: 4, column: 27, includes: 'locks sessions in ACCESS EXCLUSIVE mode' }],
    },
    {
      name: 'SQL: RESET ALL drops the earlier SET; CLUSTER takes ACCESS EXCLUSIVE',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.execute("RESET ALL")
    op.execute("CLUSTER orders USING orders_pkey")
def downgrade():
    pass
`,
      errors: [{ messageId: 'missing', line: 6, includes: 'locks orders in ACCESS EXCLUSIVE mode' }],
    },
    {
      name: 'SQL: a foreign key added NOT VALID locks both tables; the referenced one is named when the other is new',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint)")
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID")
def downgrade():
    pass
`,
      errors: [{ messageId: 'missing', line: 5, includes: 'locks users in SHARE ROW EXCLUSIVE mode' }],
    },
    {
      name: 'minimumLock SHARE also reports a plain CREATE INDEX, as squawk does',
      options: { minimumLock: 'SHARE' },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    pass
`,
      errors: [{ messageId: 'missing', line: 4, includes: 'locks accounts in SHARE mode' }],
    },
    {
      name: 'the downgrade is checked too, on its own: one finding per body',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True))
def downgrade():
    op.drop_column("accounts", "tag_id")
    op.drop_table("tags")
`,
      errors: [{ messageId: 'missing', line: 6 }],
    },
    {
      name: 'a CHECK constraint added NOT VALID still takes ACCESS EXCLUSIVE',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_check_constraint("ck_sessions_expiry", "sessions", "expires_at IS NOT NULL", postgresql_not_valid=True)
def downgrade():
    pass
`,
      errors: [{ messageId: 'missing', line: 4, includes: 'locks sessions in ACCESS EXCLUSIVE mode' }],
    },
  ],
});

test('drop_index without table_name: the table comes from the catalog', async () => {
  const found = await runRule(rule, {
    'a1.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("accounts", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("email", sa.Text()))
    op.create_index("ix_accounts_email", "accounts", ["email"])
`,
    'b2.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.drop_index("ix_accounts_email")
`,
  });
  assert.equal(
    found.map((f) => [f.file, f.line, f.message]),
    [['b2.py', 4, 'This statement locks accounts in ACCESS EXCLUSIVE mode with no lock_timeout set; while it waits for a running transaction, reads and writes on accounts queue behind it.']],
  );
});

test('a zero lock_timeout in env.py does not count', async () => {
  const found = await runRule(rule, {
    '/migrations/env.py': `connection.execute(text("SET lock_timeout = 0"))\n`,
    'b2.py': `revision = "b2"
down_revision = None
def upgrade():
    op.drop_column("accounts", "legacy")
`,
  });
  assert.equal(found.map((f) => f.messageId), ['missing']);
});

// runner.lockTimeout in the migralint config reaches rules as a runner setting.
function withRunnerSetting(value: string): Migration {
  const m = emptyMigration('/p/versions/b2.py', 'alembic', 'postgresql');
  m.runnerSettings = [{ name: 'lock_timeout', value, origin: 'migralint.config.json', loc: null }];
  m.upgrade = {
    shape: 'operations',
    loc: null,
    operations: [
      {
        kind: 'drop_column',
        table: 'accounts',
        schema: null,
        column: 'legacy',
        loc: { line: 4, column: 5, endLine: 4, endColumn: 40 },
        conditional: false,
        repeated: false,
        transactional: true,
        batch: false,
        via: null,
        callee: 'op.drop_column',
      },
    ],
  };
  return m;
}

test('a lock_timeout from the config counts as set, unless it is 0', () => {
  const run = (m: Migration) => {
    const out: string[] = [];
    const catalog = { hasTable: () => null, column: () => null, checks: () => [], index: () => null, tableSize: () => null, isNewTable: () => false };
    const ctx = { settings: { dialect: 'postgresql' as const, postgresVersion: 14 }, catalog, direction: 'upgrade' as const, report: (d: { messageId: string; at: Parameters<typeof toLoc>[0] }) => out.push(`${d.messageId}@${toLoc(d.at).line}`) };
    rule.check(ctx, m.upgrade, m, rule.meta.defaultOptions);
    return out;
  };
  assert.equal(run(withRunnerSetting('5s')), []);
  assert.equal(run(withRunnerSetting('0ms')), ['missing@4']);
});

test('CREATE TABLE with a foreign key to an existing table locks that table (issue 10)', async () => {
  const messages = async (body: string) =>
    (await runRule(rule, `revision = "b2"\ndown_revision = "a1"\ndef upgrade():\n${body}`)).map((f) => `${f.line}: ${f.message}`);
  const srx = (table: string) =>
    `This statement locks ${table} in SHARE ROW EXCLUSIVE mode with no lock_timeout set; while it waits for a running transaction, writes on ${table} queue behind it.`;
  // sa.ForeignKey in a column
  assert.equal(
    await messages(`    op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id")))\n`),
    [`4: ${srx('accounts')}`],
  );
  // sa.ForeignKeyConstraint
  assert.equal(
    await messages(`    op.create_table("invoices", sa.Column("id", sa.Integer()), sa.Column("org", sa.Integer()), sa.ForeignKeyConstraint(["org"], ["public.orgs.id"]))\n`),
    [`4: ${srx('orgs')}`],
  );
  // SQL, column-level and table-level
  assert.equal(await messages(`    op.execute("CREATE TABLE invoices (id int, account_id int REFERENCES accounts)")\n`), [`4: ${srx('accounts')}`]);
  assert.equal(
    await messages(`    op.execute("CREATE TABLE invoices (id int, account_id int, FOREIGN KEY (account_id) REFERENCES accounts (id))")\n`),
    [`4: ${srx('accounts')}`],
  );
  // A table created earlier in the same upgrade, and the new table itself, are not in use yet.
  assert.equal(
    await messages(
      `    op.create_table("orgs", sa.Column("id", sa.Integer(), primary_key=True))\n` +
        `    op.create_table("teams", sa.Column("id", sa.Integer()), sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id")), sa.Column("parent_id", sa.Integer(), sa.ForeignKey("teams.id")))\n`,
    ),
    [],
  );
  // With a lock_timeout first, nothing to report.
  assert.equal(await messages(`    op.execute("SET LOCAL lock_timeout = '2s'")\n    op.execute("CREATE TABLE invoices (account_id int REFERENCES accounts)")\n`), []);
});

test('DROP VIEW and DROP MATERIALIZED VIEW lock the view (issue 10)', async () => {
  const found = async (sql: string) =>
    (await runRule(rule, `revision = "b2"\ndown_revision = "a1"\ndef upgrade():\n    op.execute("${sql}")\n`)).map((f) => f.message);
  const ae = (view: string) =>
    `This statement locks ${view} in ACCESS EXCLUSIVE mode with no lock_timeout set; while it waits for a running transaction, reads and writes on ${view} queue behind it.`;
  assert.equal(await found('DROP VIEW IF EXISTS active_accounts'), [ae('active_accounts')]);
  assert.equal(await found('DROP MATERIALIZED VIEW reporting.account_counts'), [ae('account_counts')]);
  assert.equal(await found("SET lock_timeout = '1s'; DROP VIEW active_accounts"), []);
});

test.run();
