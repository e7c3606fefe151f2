import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/volatile-default.js';
import { lint } from '../../src/engine/run.js';
import { configFor, ruleTester, writeProject, type Files } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a volatile default on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.add_column("plans", sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
    op.drop_table("plans")
`,
    },
    {
      name: 'constants, casts of constants and STABLE functions (PostgreSQL 11+)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), server_default="free", nullable=False))
    op.add_column("accounts", sa.Column("active", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("accounts", sa.Column("seen", sa.DateTime(timezone=True), server_default=sa.func.now()))
    op.add_column("accounts", sa.Column("at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")))
    op.add_column("accounts", sa.Column("at3", sa.DateTime(), server_default=sa.text("current_timestamp(3)")))
    op.add_column("accounts", sa.Column("day", sa.Date(), server_default=sa.text("current_date")))
    op.add_column("accounts", sa.Column("st", sa.DateTime(), server_default=sa.text("statement_timestamp()")))
    op.add_column("accounts", sa.Column("meta", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb")))
    op.add_column("accounts", sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("ARRAY[]::text[]")))
    op.add_column("accounts", sa.Column("amount", sa.Numeric(10, 2), server_default=sa.text("CAST('0' AS numeric(10, 2))")))
    op.add_column("accounts", sa.Column("expires", sa.DateTime(), server_default=sa.text("now() + interval '30 days'")))
    op.add_column("accounts", sa.Column("note", sa.Text(), server_default=sa.text("'random()'")))
    op.add_column("accounts", sa.Column("gone", sa.Text(), server_default=sa.text("NULL")))
def downgrade():
    pass
`,
    },
    {
      name: 'volatile default on a table created earlier in the same migration, and a default set after the add',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("tokens", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("tokens", sa.Column("value", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
    op.add_column("tokens", sa.Column("n", sa.BigInteger(), sa.Identity()))
    op.add_column("accounts", sa.Column("public_id", sa.Uuid(), nullable=True))
    op.alter_column("accounts", "public_id", server_default=sa.text("gen_random_uuid()"))
def downgrade():
    op.drop_table("tokens")
`,
    },
    {
      name: 'a default we cannot read is left alone; with downgrades: "ignore" the downgrade is not judged',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), server_default=helpers.default_tier()))
def downgrade():
    op.add_column("accounts", sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
`,
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: a volatile default rewrites accounts',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), server_default=helpers.default_tier()))
def downgrade():
    op.add_column("accounts", sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
`,
      errors: [{ messageId: 'volatileDefault', line: 6 }],
    },
    {
      name: 'volatile functions',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("public_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
    op.add_column("accounts", sa.Column("legacy_id", sa.Uuid(), server_default=sa.text("uuid_generate_v4()")))
    op.add_column("accounts", sa.Column("rnd", sa.Float(), server_default=sa.func.random()))
    op.add_column("accounts", sa.Column("at", sa.DateTime(), server_default=sa.text("clock_timestamp()")))
    op.add_column("accounts", sa.Column("t", sa.Text(), server_default=sa.text("timeofday()")))
    op.add_column("accounts", sa.Column("seq", sa.BigInteger(), server_default=sa.text("nextval('accounts_seq'::regclass)")))
    op.add_column("accounts", sa.Column("label", sa.Text(), server_default=sa.text("'acct-' || (random() * 100)::int")))
def downgrade():
    pass
`,
      errors: [
        { messageId: 'volatileDefault', line: 4, column: 5, includes: 'Column public_id is added to existing table accounts with the volatile default gen_random_uuid()' },
        { messageId: 'volatileDefault', line: 5 },
        { messageId: 'volatileDefault', line: 6, includes: 'random()' },
        { messageId: 'volatileDefault', line: 7 },
        { messageId: 'volatileDefault', line: 8 },
        { messageId: 'volatileDefault', line: 9 },
        { messageId: 'volatileDefault', line: 10 },
      ],
    },
    {
      name: 'an unknown function may be volatile',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("code", sa.Text(), server_default=sa.text("app.make_code(8)")))
def downgrade():
    pass
`,
      errors: [{ messageId: 'maybeVolatile', line: 4, includes: 'calls app.make_code()' }],
    },
    {
      name: 'a quoted function name is still a call',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("code", sa.Text(), server_default=sa.text('"MakeCode"()')))
def downgrade():
    pass
`,
      errors: [{ messageId: 'maybeVolatile', line: 4, includes: 'makecode()' }],
    },
    {
      name: 'serial, identity and stored generated columns',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("seq", postgresql.BIGSERIAL(), nullable=False))
    op.add_column("accounts", sa.Column("n", sa.BigInteger(), sa.Identity(always=True)))
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("domain", sa.Text(), sa.Computed("split_part(email, '@', 2)")))
def downgrade():
    pass
`,
      errors: [
        { messageId: 'generatedColumn', line: 4, includes: 'serial' },
        { messageId: 'generatedColumn', line: 5, includes: 'identity' },
        { messageId: 'generatedColumn', line: 7, column: 9 },
      ],
    },
  ],
});

/** Runs the rule with another target PostgreSQL version than the tester's 14. */
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

const CONSTANTS = `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), server_default="free", nullable=False))
    op.add_column("accounts", sa.Column("seen", sa.DateTime(), server_default=sa.func.now()))
    op.add_column("accounts", sa.Column("gone", sa.Text(), server_default=sa.text("NULL")))
    op.add_column("accounts", sa.Column("note", sa.Text()))
def downgrade():
    pass
`;

test('before PostgreSQL 11 any non-NULL default rewrites the table', async () => {
  const found = await runOnVersion(CONSTANTS, 10);
  assert.equal(found.map((f) => [f.messageId, f.line]), [['anyDefaultBeforePg11', 4], ['anyDefaultBeforePg11', 5]]);
  assert.ok(found[0]!.message.includes("'free'") && found[0]!.message.includes('target: 10'), found[0]!.message);
});

test('from PostgreSQL 11 constants and now() are fine', async () => {
  assert.equal(await runOnVersion(CONSTANTS, 11), []);
});

// SQL strings through op.execute(): asserted by line.
ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: constant, cast and STABLE defaults',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ADD COLUMN meta jsonb DEFAULT '{}'::jsonb NOT NULL, ADD COLUMN seen timestamptz DEFAULT now()")
    op.execute("ALTER TABLE accounts ADD COLUMN at timestamptz DEFAULT CURRENT_TIMESTAMP, ADD COLUMN note text DEFAULT NULL")
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'SQL: volatile default, bigserial, stored generated and identity columns',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid()")
    op.execute("ALTER TABLE accounts ADD COLUMN seq bigserial")
    op.execute("ALTER TABLE accounts ADD COLUMN domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED")
    op.execute("ALTER TABLE accounts ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'volatileDefault', line: 4, includes: 'gen_random_uuid()' },
        { messageId: 'generatedColumn', line: 5, includes: 'serial' },
        { messageId: 'generatedColumn', line: 6 },
        { messageId: 'generatedColumn', line: 7 },
      ],
    },
  ],
});

test.run();
