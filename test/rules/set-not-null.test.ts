import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/set-not-null.js';
import { lint } from '../../src/engine/run.js';
import { configFor, ruleTester, writeProject, type Files } from '../helpers/rule-tester.js';

const ACCOUNTS = `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.Text()), sa.Column("name", sa.Text()))
def downgrade():
    op.drop_table("accounts")
`;

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: SET NOT NULL on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.alter_column("plans", "code", existing_type=sa.Text(), nullable=False)
    op.drop_table("plans")
`,
    },
    {
      name: 'a validated CHECK (col IS NOT NULL) from an earlier migration',
      files: {
        '0001_accounts.py': ACCOUNTS,
        '0002_check.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_check_constraint("ck_accounts_email_nn", "accounts", "email IS NOT NULL")
def downgrade():
    op.drop_constraint("ck_accounts_email_nn", "accounts", type_="check")
`,
        '0003_not_null.py': `revision = "c3"
down_revision = "b2"
def upgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=False)
    op.drop_constraint("ck_accounts_email_nn", "accounts", type_="check")
def downgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=True)
`,
      },
    },
    {
      name: 'a validated CHECK earlier in the same migration, quoted and in parentheses',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_check_constraint("ck_accounts_email_nn", "accounts", '("email" IS NOT NULL)')
    op.alter_column("accounts", "email", nullable=False)
def downgrade():
    pass
`,
    },
    {
      name: 'a column added or a table created in the same migration (add-not-null-column judges those)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.execute("UPDATE accounts SET tier = 'free'")
    op.alter_column("accounts", "tier", nullable=False)
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
    op.alter_column("plans", "code", nullable=False)
def downgrade():
    pass
`,
    },
    {
      name: 'already NOT NULL, making a column nullable; with downgrades: "ignore" the downgrade is not judged',
      downgrades: 'ignore',
      files: {
        '0001_accounts.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.Text(), nullable=False))
def downgrade():
    op.drop_table("accounts")
`,
        '0002_alter.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=False, server_default="")
    op.alter_column("accounts", "name", existing_type=sa.Text(), existing_nullable=False, nullable=False)
    op.alter_column("accounts", "note", nullable=True)
def downgrade():
    op.alter_column("accounts", "note", nullable=False)
`,
      },
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: making the column NOT NULL again scans accounts',
      files: {
        '0001_accounts.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.Text(), nullable=False))
def downgrade():
    op.drop_table("accounts")
`,
        '0002_alter.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=False, server_default="")
    op.alter_column("accounts", "name", existing_type=sa.Text(), existing_nullable=False, nullable=False)
    op.alter_column("accounts", "note", nullable=True)
def downgrade():
    op.alter_column("accounts", "note", nullable=False)
`,
      },
      errors: [{ messageId: 'setNotNull', line: 8, file: '0002_alter.py' }],
    },
    {
      name: 'SET NOT NULL on an existing column',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("name", nullable=False)
def downgrade():
    pass
`,
      errors: [
        { messageId: 'setNotNull', line: 4, column: 5, includes: 'Column email of existing table accounts is made NOT NULL' },
        { messageId: 'setNotNull', line: 6, column: 9, includes: 'name' },
      ],
    },
    {
      name: 'a CHECK on another column, a CHECK that is not IS NOT NULL, a CHECK dropped before',
      files: {
        '0001_accounts.py': ACCOUNTS,
        '0002_checks.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_check_constraint("ck_accounts_name_nn", "accounts", "name IS NOT NULL")
    op.create_check_constraint("ck_accounts_email_len", "accounts", "length(email) > 3")
    op.create_check_constraint("ck_accounts_id_nn", "accounts", "id IS NOT NULL")
def downgrade():
    pass
`,
        '0003_not_null.py': `revision = "c3"
down_revision = "b2"
def upgrade():
    op.alter_column("accounts", "email", nullable=False)
    op.drop_constraint("ck_accounts_name_nn", "accounts", type_="check")
    op.alter_column("accounts", "name", nullable=False)
def downgrade():
    pass
`,
      },
      errors: [
        { messageId: 'setNotNull', line: 4, file: '0003_not_null.py' },
        { messageId: 'setNotNull', line: 6, file: '0003_not_null.py' },
      ],
    },
  ],
});

async function runOnVersion(files: Files, postgresVersion: number): Promise<{ messageId: string; line: number; message: string }[]> {
  const project = writeProject(files);
  try {
    const config = { ...configFor(project.root, { [rule.id]: { severity: 'error', options: {} } }, { lockfile: null }), postgresVersion };
    const result = await lint({ cwd: project.root, paths: [project.versions], config, lockfile: null });
    return result.findings.filter((f) => f.ruleId === rule.id).map((f) => ({ messageId: f.messageId, line: f.line, message: f.message }));
  } finally {
    project.cleanup();
  }
}

test('before PostgreSQL 12 a validated CHECK does not help', async () => {
  const files = `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_check_constraint("ck_accounts_email_nn", "accounts", "email IS NOT NULL")
    op.alter_column("accounts", "email", nullable=False)
def downgrade():
    pass
`;
  const found = await runOnVersion(files, 11);
  assert.equal(found.map((f) => [f.messageId, f.line]), [['beforePg12', 5]]);
  assert.ok(found[0]!.message.includes('target: 11'), found[0]!.message);
  assert.equal(await runOnVersion(files, 12), []);
});

// SQL strings through op.execute(): asserted by line.
ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: the four steps over three migrations',
      files: {
        '0002_check.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_email_nn CHECK (email IS NOT NULL) NOT VALID")
def downgrade():
    pass
`,
        '0003_validate.py': `revision = "c3"
down_revision = "b2"
def upgrade():
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_email_nn")
def downgrade():
    pass
`,
        '0004_not_null.py': `revision = "d4"
down_revision = "c3"
def upgrade():
    op.execute("ALTER TABLE accounts ALTER COLUMN email SET NOT NULL")
    op.execute("ALTER TABLE accounts DROP CONSTRAINT ck_accounts_email_nn")
def downgrade():
    pass
`,
      },
    },
    {
      name: 'SQL: validated earlier in the same migration (constraint-not-valid judges the shared transaction)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_email_nn CHECK (email IS NOT NULL) NOT VALID")
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_email_nn")
    op.execute("ALTER TABLE accounts ALTER COLUMN email SET NOT NULL")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'SQL: SET NOT NULL with no CHECK, and with a CHECK that is not validated yet',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ALTER COLUMN name SET NOT NULL")
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_email_nn CHECK (email IS NOT NULL) NOT VALID")
    op.execute("ALTER TABLE accounts ALTER COLUMN email SET NOT NULL")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'setNotNull', line: 4, includes: 'Column name of existing table accounts' },
        { messageId: 'checkNotValidated', line: 6, includes: 'ck_accounts_email_nn is not validated' },
      ],
    },
  ],
});

test.run();
