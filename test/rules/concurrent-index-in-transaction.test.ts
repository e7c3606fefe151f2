import { test } from 'uvu';
import rule from '../../rules/concurrent-index-in-transaction.js';
import { ruleTester } from '../helpers/rule-tester.js';

const ENV_NO_TRANSACTION = `from alembic import context

def run_migrations_online():
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None, transactional_ddl=False)
        with context.begin_transaction():
            context.run_migrations()
`;

const ENV_PER_MIGRATION = `from alembic import context

def run_migrations_online():
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
`;

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade drops the index concurrently in an autocommit block',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
`,
    },
    {
      name: 'CONCURRENTLY inside autocommit_block()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
        op.drop_index("ix_accounts_old", table_name="accounts", postgresql_concurrently=True)
def downgrade():
    pass
`,
    },
    {
      name: 'env.py turns transactional DDL off',
      files: {
        '/migrations/env.py': ENV_NO_TRANSACTION,
        '0002_ix.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
def downgrade():
    pass
`,
      },
    },
    {
      name: 'after a COMMIT the statements run outside the transaction (commit-in-migration reports the COMMIT)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("COMMIT")
    op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
def downgrade():
    pass
`,
    },
    {
      name: 'non-concurrent index operations are not this rule; with downgrades: "ignore" neither is the downgrade',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
`,
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: DROP INDEX CONCURRENTLY inside the transaction fails the rollback',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
`,
      errors: [{ messageId: 'inTransaction', line: 6 }],
    },
    {
      name: 'CONCURRENTLY in the migration transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_index("ix_accounts_old", postgresql_concurrently=True)
def downgrade():
    pass
`,
      errors: [
        { messageId: 'inTransaction', line: 4, column: 5, includes: 'CREATE INDEX CONCURRENTLY ix_accounts_email' },
        { messageId: 'inTransaction', line: 6, column: 9, includes: 'DROP INDEX CONCURRENTLY ix_accounts_old' },
      ],
    },
    {
      name: 'the message says why the migration runs in a transaction',
      files: {
        '/migrations/env.py': ENV_PER_MIGRATION,
        '0002_ix.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
    op.create_index("ix_accounts_name", "accounts", ["name"], postgresql_concurrently=True)
def downgrade():
    pass
`,
      },
      errors: [{ messageId: 'inTransaction', line: 6, file: '0002_ix.py', includes: 'transaction_per_migration=True' }],
    },
    {
      name: 'an operation in a conditional block still runs in the transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
def downgrade():
    pass
`,
      errors: [{ messageId: 'inTransaction', line: 5 }],
    },
  ],
});

// SQL strings through op.execute(): asserted by line.
ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: CONCURRENTLY statements inside autocommit_block(); REFRESH MATERIALIZED VIEW CONCURRENTLY may run in a transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_accounts_email ON accounts (email)")
        op.execute("REINDEX INDEX CONCURRENTLY ix_accounts_name")
        op.execute("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY")
    op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY account_totals")
def downgrade():
    pass
`,
    },
    {
      name: 'SQL: a COMMIT in the same string ends the transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("COMMIT; CREATE INDEX CONCURRENTLY ix_accounts_email ON accounts (email)")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'SQL: every CONCURRENTLY form inside the migration transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("CREATE INDEX CONCURRENTLY ix_accounts_email ON accounts (email)")
    op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_accounts_old")
    op.execute("REINDEX INDEX CONCURRENTLY ix_accounts_name")
    op.execute("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'inTransaction', line: 4, includes: 'CREATE INDEX CONCURRENTLY ix_accounts_email' },
        { messageId: 'inTransaction', line: 5, includes: 'DROP INDEX CONCURRENTLY ix_accounts_old' },
        { messageId: 'inTransaction', line: 6, includes: 'REINDEX CONCURRENTLY' },
        { messageId: 'inTransaction', line: 7, includes: 'DETACH PARTITION CONCURRENTLY on events' },
      ],
    },
    {
      name: 'SQL: an explicit BEGIN opens a transaction even when env.py turns transactional DDL off',
      files: {
        '/migrations/env.py': ENV_NO_TRANSACTION,
        '0002_ix.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("CREATE INDEX CONCURRENTLY ix_accounts_name ON accounts (name)")
    op.execute("BEGIN")
    op.execute("CREATE INDEX CONCURRENTLY ix_accounts_email ON accounts (email)")
    op.execute("COMMIT")
def downgrade():
    pass
`,
      },
      errors: [{ messageId: 'inTransaction', line: 6, file: '0002_ix.py', includes: 'an explicit BEGIN at line 5' }],
    },
  ],
});

test.run();
