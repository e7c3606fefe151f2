import { test } from 'uvu';
import rule from '../../rules/constraint-not-valid.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a validated foreign key on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.create_foreign_key("fk_plans_account", "plans", "accounts", ["account_id"], ["id"])
    op.drop_table("plans")
`,
    },
    {
      name: 'foreign key added NOT VALID',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_foreign_key("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"], postgresql_not_valid=True)
def downgrade():
    op.drop_constraint("fk_orders_account_id", "orders", type_="foreignkey")
`,
    },
    {
      name: 'constraints on a table created earlier in the same migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("account_id", sa.Integer()))
    op.create_foreign_key("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"])
    op.create_check_constraint("ck_orders_id_positive", "orders", "id > 0")
def downgrade():
    op.drop_table("orders")
`,
    },
    {
      name: 'UNIQUE and PRIMARY KEY belong to unique-constraint-without-index; with downgrades: "ignore" the downgrade is not judged',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])
def downgrade():
    op.create_foreign_key("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"])
`,
    },
  ],
  invalid: [
    {
      name: 'a foreign key from a table to itself names the table once',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_foreign_key("fk_challenges_next", "challenges", "challenges", ["next_id"], ["id"])
def downgrade():
    op.drop_constraint("fk_challenges_next", "challenges", type_="foreignkey")
`,
      errors: [{ messageId: 'foreignKeySelf', line: 4 }],
    },
    {
      name: 'the downgrade is judged too: re-creating a foreign key validates it under the lock',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])
def downgrade():
    op.create_foreign_key("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"])
`,
      errors: [{ messageId: 'foreignKey', line: 6 }],
    },
    {
      name: 'foreign key and CHECK on existing tables',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_foreign_key("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"])
    op.create_check_constraint("ck_orders_total_positive", "orders", "total_cents >= 0")
def downgrade():
    op.drop_constraint("ck_orders_total_positive", "orders", type_="check")
    op.drop_constraint("fk_orders_account_id", "orders", type_="foreignkey")
`,
      errors: [
        { messageId: 'foreignKey', line: 4, column: 5, includes: 'fk_orders_account_id is added to existing table orders' },
        { messageId: 'check', line: 5, column: 5, includes: 'ck_orders_total_positive' },
      ],
    },
    {
      name: 'batch mode, unnamed foreign key',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.create_foreign_key(None, "accounts", ["account_id"], ["id"])
def downgrade():
    pass
`,
      errors: [{ messageId: 'foreignKey', line: 5, column: 9, includes: 'orders and accounts' }],
    },
    {
      name: 'the table was created by an earlier migration',
      files: {
        '0001_orders.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("account_id", sa.Integer()))
def downgrade():
    op.drop_table("orders")
`,
        '0002_fk.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_foreign_key("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"])
def downgrade():
    op.drop_constraint("fk_orders_account_id", "orders", type_="foreignkey")
`,
      },
      errors: [{ messageId: 'foreignKey', line: 4, file: '0002_fk.py' }],
    },
  ],
});

const ENV_NO_TRANSACTION = `from alembic import context

def run_migrations_online():
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None, transactional_ddl=False)
        with context.begin_transaction():
            context.run_migrations()
`;

// SQL strings through op.execute(): asserted by line.
ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: NOT VALID, then VALIDATE after a COMMIT',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID")
    op.execute("COMMIT")
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_account_id")
def downgrade():
    pass
`,
    },
    {
      name: 'SQL: NOT VALID, then VALIDATE inside autocommit_block()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total_cents >= 0) NOT VALID")
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_total")
def downgrade():
    pass
`,
    },
    {
      name: 'SQL: NOT VALID, then VALIDATE in the next migration',
      files: {
        '0002_fk.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID")
def downgrade():
    pass
`,
        '0003_validate.py': `revision = "c3"
down_revision = "b2"
def upgrade():
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_account_id")
def downgrade():
    pass
`,
      },
    },
    {
      name: 'SQL: without transactional DDL every statement commits on its own',
      files: {
        '/migrations/env.py': ENV_NO_TRANSACTION,
        '0002_fk.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID")
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_account_id")
def downgrade():
    pass
`,
      },
    },
  ],
  invalid: [
    {
      name: 'SQL: FOREIGN KEY, REFERENCES on a new column, and CHECK without NOT VALID',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_account_id FOREIGN KEY (account_id) REFERENCES accounts (id)")
    op.execute("ALTER TABLE orders ADD COLUMN plan_id bigint REFERENCES plans (id)")
    op.execute("ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total_cents >= 0)")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'foreignKey', line: 4, includes: 'orders and accounts' },
        { messageId: 'foreignKey', line: 5, includes: 'orders and plans' },
        { messageId: 'check', line: 6, includes: 'ck_orders_total' },
      ],
    },
    {
      name: 'SQL: NOT VALID and VALIDATE in the same transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID")
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_account_id")
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_email CHECK (email IS NOT NULL) NOT VALID; ALTER TABLE accounts VALIDATE CONSTRAINT ck_email")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'validatedInSameTransaction', line: 5, includes: 'fk_orders_account_id' },
        { messageId: 'validatedInSameTransaction', line: 6, includes: 'ck_email' },
      ],
    },
  ],
});

test.run();
