import { test } from 'uvu';
import rule from '../../rules/lossy-downgrade.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'dropping what the upgrade created',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("accounts", sa.Column("tier", sa.Text()))
def downgrade():
    op.drop_column("accounts", "tier")
    op.drop_table("plans")
`,
    },
    {
      name: 'a rename reversed by renaming back',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "name", new_column_name="full_name")
    op.rename_table("orgs", "organisations")
def downgrade():
    op.rename_table("organisations", "orgs")
    op.alter_column("accounts", "full_name", new_column_name="name")
`,
    },
    {
      name: 'a table renamed after it was created is still created by the upgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tmp_plans", sa.Column("id", sa.Integer(), primary_key=True))
    op.rename_table("tmp_plans", "plans")
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'backfilling a column the upgrade added',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
    op.execute("UPDATE accounts SET tier = 'free'")
def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'filling NULLs only (WHERE col IS NULL), also inside a keyed batch',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET plan_id = 1 WHERE plan_id IS NULL AND created_at < now()")
    op.execute("UPDATE accounts SET region = 'eu' WHERE id IN (SELECT id FROM accounts WHERE region IS NULL LIMIT 1000)")
def downgrade():
    pass
`,
    },
    {
      name: 'old values kept in a backup table and written back',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("CREATE TABLE accounts_email_b2 AS SELECT id, email FROM accounts")
    op.execute("UPDATE accounts SET email = lower(email)")
def downgrade():
    op.execute("UPDATE accounts SET email = b.email FROM accounts_email_b2 b WHERE accounts.id = b.id")
    op.execute("DROP TABLE accounts_email_b2")
`,
    },
    {
      name: 'deleted rows inserted back by the downgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("INSERT INTO archived_sessions SELECT * FROM sessions WHERE expired")
    op.execute("DELETE FROM sessions WHERE expired")
def downgrade():
    op.execute("INSERT INTO sessions SELECT * FROM archived_sessions")
`,
    },
    {
      name: 'rows of a table created by the upgrade',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.Text()))
    op.execute("INSERT INTO plans (id, name) VALUES (1, 'free')")
    op.execute("UPDATE plans SET name = 'Free'")
def downgrade():
    op.drop_table("plans")
`,
    },
    {
      name: 'a scratch table the downgrade itself creates',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
def downgrade():
    op.create_table("tmp_tiers", sa.Column("id", sa.Integer()))
    op.drop_table("tmp_tiers")
    op.drop_column("accounts", "tier")
`,
    },
    {
      name: 'missing and raising downgrades belong to irreversible-downgrade',
      files: {
        'b2.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET email = lower(email)")
`,
        'c3.py': `revision = "c3"
down_revision = "b2"
def upgrade():
    op.execute("DELETE FROM sessions")
def downgrade():
    raise NotImplementedError()
`,
      },
    },
    {
      name: 'a downgrade that writes the table through SQL it cannot read gets the benefit of the doubt',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET email = lower(email)")
def downgrade():
    op.execute(RESTORE_SQL)
`,
    },
  ],
  invalid: [
    {
      name: 'an empty downgrade after a data rewrite (reported at the def)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET email = lower(email) WHERE email <> lower(email)")
def downgrade():
    pass
`,
      errors: [{ messageId: 'notRestored', line: 5, column: 1, includes: 'The upgrade updates existing rows of accounts (line 4)' }],
    },
    {
      name: 'DELETE and TRUNCATE, each reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("DELETE FROM sessions WHERE expired")
    op.execute("TRUNCATE import_staging")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'notRestored', line: 6, includes: 'deletes existing rows of sessions (line 4)' },
        { messageId: 'notRestored', line: 6, includes: 'truncates existing rows of import_staging (line 5)' },
      ],
    },
    {
      name: 'a SQLAlchemy Core update with a downgrade that only undoes the schema step',
      files: `revision = "b2"
down_revision = "a1"
incident = sa.table("incident", sa.column("status", sa.String()))
def upgrade():
    op.execute(incident.update().where(incident.c.status == "Open").values(status="Active"))
    op.create_check_constraint("ck_incident_status", "incident", "status IN ('Active', 'Closed')")
def downgrade():
    op.drop_constraint("ck_incident_status", "incident", type_="check")
`,
      errors: [{ messageId: 'notRestored', line: 7 }],
    },
    {
      name: 'overwriting a column that already had values, even when NULLs are among them',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET region = 'eu' WHERE region IS NULL OR region = 'europe'")
def downgrade():
    pass
`,
      errors: [{ messageId: 'notRestored', line: 5 }],
    },
    {
      name: 'dropping a column the upgrade renamed (autogenerate drop + add)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("customers", "legacy_code", new_column_name="external_ref")
def downgrade():
    op.drop_column("customers", "external_ref")
    op.add_column("customers", sa.Column("legacy_code", sa.String(12)))
`,
      errors: [{ messageId: 'dropsColumn', line: 6, column: 5, includes: 'column external_ref of customers' }],
    },
    {
      name: 'dropping a table the upgrade only renamed',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.rename_table("orders", "purchases")
def downgrade():
    op.drop_table("purchases")
    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True))
`,
      errors: [{ messageId: 'dropsTable', line: 6, includes: 'drops table purchases' }],
    },
    {
      name: 'dropping a pre-existing table or column through raw SQL',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "email", nullable=False)
def downgrade():
    op.execute("ALTER TABLE accounts DROP COLUMN email")
    op.execute("DROP TABLE audit_log")
`,
      errors: [
        { messageId: 'dropsColumn', line: 6 },
        { messageId: 'dropsTable', line: 7 },
      ],
    },
  ],
});

test.run();
