import { test } from 'uvu';
import rule from '../../rules/changing-column-type.js';
import * as assert from 'uvu/assert';
import { ruleTester, runRule } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'the downgrade undoes its upgrade: a type change on the table the upgrade created is not reported',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.Text()))
def downgrade():
    op.alter_column("plans", "code", type_=sa.String(8), existing_type=sa.Text())
    op.drop_table("plans")
`,
    },
    {
      name: 'widening varchar, varchar to text, widening numeric precision (SQLAlchemy spellings)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "name", type_=sa.String(length=100), existing_type=sa.String(50))
    op.alter_column("accounts", "bio", type_=sa.Text(), existing_type=sa.String(length=500))
    op.alter_column("accounts", "nick", type_=sa.String(), existing_type=sa.VARCHAR(length=20))
    op.alter_column("accounts", "note", type_=sa.String(), existing_type=sa.Text())
    op.alter_column("accounts", "memo", type_=sa.Text(), existing_type=sa.String())
    op.alter_column("accounts", "balance", type_=sa.Numeric(12, 2), existing_type=sa.Numeric(10, 2))
    op.alter_column("accounts", "rate", type_=sa.Numeric(), existing_type=sa.Numeric(precision=10, scale=4))
    op.alter_column("accounts", "score", type_=sa.Numeric(12), existing_type=sa.NUMERIC(precision=10, scale=0))
    op.alter_column("accounts", "at", type_=postgresql.TIMESTAMP(precision=6), existing_type=postgresql.TIMESTAMP(precision=3))
    op.alter_column("accounts", "id", type_=sa.Integer(), existing_type=sa.INTEGER())
def downgrade():
    pass
`,
    },
    {
      name: 'SQL spellings of the old type',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "name", type_=sa.String(length=100), existing_type="character varying(50)")
    op.alter_column("accounts", "bio", type_=sa.Text(), existing_type="varchar(500)")
    op.alter_column("accounts", "n", type_=sa.Integer(), existing_type="int4")
def downgrade():
    pass
`,
    },
    {
      name: 'the old type comes from an earlier migration or an earlier operation of this one',
      files: {
        '0001_accounts.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50)))
def downgrade():
    op.drop_table("accounts")
`,
        '0002_widen.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "name", type_=sa.String(80))
    op.alter_column("accounts", "name", type_=sa.Text())
    op.add_column("accounts", sa.Column("code", sa.String(8)))
    op.alter_column("accounts", "code", type_=sa.String(16))
def downgrade():
    pass
`,
      },
    },
    {
      name: 'timestamp to timestamptz with a UTC session (option)',
      options: { sessionTimeZoneUtc: true },
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "created_at", type_=sa.DateTime(timezone=True), existing_type=sa.DateTime())
    op.alter_column("accounts", "seen_at", type_=postgresql.TIMESTAMP(timezone=True), existing_type="timestamp without time zone")
def downgrade():
    pass
`,
    },
    {
      name: 'a table created earlier in the same migration; with downgrades: "ignore" the downgrade is not judged',
      downgrades: 'ignore',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
    op.alter_column("plans", "id", type_=sa.BigInteger())
def downgrade():
    op.alter_column("accounts", "id", type_=sa.Integer(), existing_type=sa.BigInteger())
`,
    },
  ],
  invalid: [
    {
      name: 'the downgrade is judged too: narrowing bigint back to integer rewrites accounts',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("plans", sa.Column("id", sa.Integer(), primary_key=True))
    op.alter_column("plans", "id", type_=sa.BigInteger())
def downgrade():
    op.alter_column("accounts", "id", type_=sa.Integer(), existing_type=sa.BigInteger())
`,
      errors: [{ messageId: 'typeChange', line: 7 }],
    },
    {
      name: 'type changes that rewrite',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "id", type_=sa.BigInteger(), existing_type=sa.Integer())
    op.alter_column("accounts", "name", type_=sa.String(20), existing_type=sa.String(length=50))
    op.alter_column("accounts", "bio", type_=sa.String(200), existing_type=sa.Text())
    op.alter_column("accounts", "balance", type_=sa.Numeric(10, 4), existing_type=sa.Numeric(10, 2))
    op.alter_column("accounts", "rate", type_=sa.Numeric(10, 2), existing_type=sa.Numeric())
    op.alter_column("accounts", "payload", type_=postgresql.JSONB(), existing_type=sa.JSON())
    op.alter_column("accounts", "n", type_=sa.BigInteger(), existing_type="integer")
    op.alter_column("accounts", "at", type_=sa.DateTime(timezone=True), existing_type=sa.Date())
    op.alter_column("accounts", "code", type_=sa.CHAR(20), existing_type=sa.CHAR(10))
def downgrade():
    pass
`,
      errors: [
        { messageId: 'typeChange', line: 4, column: 5, includes: 'Changing accounts.id from integer to bigint rewrites accounts' },
        { messageId: 'typeChange', line: 5, includes: 'varchar(50) to varchar(20)' },
        { messageId: 'typeChange', line: 6, includes: 'text to varchar(200)' },
        { messageId: 'typeChange', line: 7 },
        { messageId: 'typeChange', line: 8 },
        { messageId: 'typeChange', line: 9, includes: 'json to jsonb' },
        { messageId: 'typeChange', line: 10 },
        { messageId: 'typeChange', line: 11 },
        { messageId: 'typeChange', line: 12 },
      ],
    },
    {
      name: 'timestamp to timestamptz without the option',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "created_at", type_=sa.DateTime(timezone=True), existing_type=sa.DateTime())
def downgrade():
    pass
`,
      errors: [{ messageId: 'timestampToTimestamptz', line: 4, includes: 'timestamp to timestamptz' }],
    },
    {
      name: 'unknown old type',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "name", type_=sa.String(100))
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("tier", type_=sa.Text())
def downgrade():
    pass
`,
      errors: [
        { messageId: 'unknownOldType', line: 4, includes: 'accounts.name is changed to varchar(100)' },
        { messageId: 'unknownOldType', line: 6, column: 9 },
      ],
    },
    {
      name: 'old type from an earlier migration; enum values changed',
      files: {
        '0001_accounts.py': `revision = "a1"
down_revision = None
def upgrade():
    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50)))
def downgrade():
    op.drop_table("accounts")
`,
        '0002_retype.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.alter_column("accounts", "id", type_=sa.BigInteger())
    op.alter_column("accounts", "status", type_=sa.Enum("a", "b", "c", name="status"), existing_type=sa.Enum("a", "b", name="status"))
def downgrade():
    pass
`,
      },
      errors: [
        { messageId: 'typeChange', line: 4, file: '0002_retype.py', includes: 'from integer to bigint' },
        { messageId: 'typeChange', line: 5, file: '0002_retype.py' },
      ],
    },
  ],
});

// SQL strings through op.execute(): asserted by line.
const SQL_BASE = `revision = "a1"
down_revision = None
def upgrade():
    op.execute("CREATE TABLE accounts (id integer PRIMARY KEY, name character varying(50), bio varchar(500), at timestamp)")
def downgrade():
    op.execute("DROP TABLE accounts")
`;

ruleTester(test, rule, {
  valid: [
    {
      name: 'SQL: widening varchar and varchar to text, old types from an earlier SQL migration',
      files: {
        '0001_accounts.py': SQL_BASE,
        '0002_widen.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100), ALTER COLUMN bio TYPE text USING bio::text")
def downgrade():
    pass
`,
      },
    },
  ],
  invalid: [
    {
      name: 'SQL: integer to bigint, a rewriting USING, timestamp to timestamptz, unknown column',
      files: {
        '0001_accounts.py': SQL_BASE,
        '0002_retype.py': `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("ALTER TABLE accounts ALTER COLUMN id TYPE bigint")
    op.execute("ALTER TABLE accounts ALTER COLUMN name TYPE text USING lower(name)")
    op.execute("ALTER TABLE accounts ALTER COLUMN at SET DATA TYPE timestamp with time zone")
    op.execute("ALTER TABLE accounts ALTER COLUMN legacy TYPE int8")
def downgrade():
    pass
`,
      },
      errors: [
        { messageId: 'typeChange', line: 4, file: '0002_retype.py', includes: 'from integer to bigint' },
        { messageId: 'typeChange', line: 5, file: '0002_retype.py', includes: 'from varchar(50) to text' },
        { messageId: 'timestampToTimestamptz', line: 6, file: '0002_retype.py' },
        { messageId: 'unknownOldType', line: 7, file: '0002_retype.py', includes: 'changed to bigint' },
      ],
    },
  ],
});

// Issue 10: the session's time zone, read from the migration, env.py or the config.
const TZ_CHANGE = (before: string, after = '') => `revision = "b2"
down_revision = None
def upgrade():
${before}    op.alter_column("events", "at", existing_type=sa.DateTime(), type_=sa.DateTime(timezone=True))
${after}def downgrade():
    pass
`;

test('timestamp <-> timestamptz: a UTC session set earlier in the migration makes it safe', async () => {
  const ids = async (files: Parameters<typeof runRule>[1], opts: Parameters<typeof runRule>[2] = {}) =>
    (await runRule(rule, files, opts)).map((f) => `${f.messageId}@${f.line}`);
  assert.equal(await ids(TZ_CHANGE('')), ['timestampToTimestamptz@4']);
  assert.equal(await ids(TZ_CHANGE(`    op.execute("SET TIME ZONE 'UTC'")\n`)), []);
  assert.equal(await ids(TZ_CHANGE(`    op.execute("SET LOCAL timezone = 'UTC'")\n`)), []);
  assert.equal(await ids(TZ_CHANGE(`    op.execute("SELECT set_config('TimeZone', 'UTC', true)")\n`)), []);
  // Set after the change, set to another zone, reset, or ended with the transaction: still reported.
  assert.equal(await ids(TZ_CHANGE('', `    op.execute("SET TIME ZONE 'UTC'")\n`)), ['timestampToTimestamptz@4']);
  assert.equal(await ids(TZ_CHANGE(`    op.execute("SET TIME ZONE 'America/New_York'")\n`)), ['timestampToTimestamptz@5']);
  assert.equal(await ids(TZ_CHANGE(`    op.execute("SET timezone = 'UTC'; RESET timezone")\n`)), ['timestampToTimestamptz@5']);
  assert.equal(await ids(TZ_CHANGE(`    op.execute("SET LOCAL timezone = 'UTC'; COMMIT")\n`)), ['timestampToTimestamptz@5']);
  // And the other way round, timestamptz -> timestamp, is judged the same way.
  const back = `revision = "b2"
down_revision = None
def upgrade():
    op.execute("ALTER TABLE events ALTER COLUMN at TYPE timestamp")
def downgrade():
    pass
`;
  assert.equal(await ids({ '0001.py': `revision = "a1"\ndown_revision = None\ndef upgrade():\n    op.execute("CREATE TABLE events (at timestamptz)")\n`, '0002.py': back.replace('None', '"a1"') }), ['timestampToTimestamptz@4']);
  assert.equal(
    await ids({
      '0001.py': `revision = "a1"\ndown_revision = None\ndef upgrade():\n    op.execute("CREATE TABLE events (at timestamptz)")\n`,
      '0002.py': back.replace('None', '"a1"').replace('    op.execute("ALTER', `    op.execute("SET TIME ZONE 'UTC'")\n    op.execute("ALTER`),
    }),
    [],
  );
});

test('timestamp -> timestamptz: a UTC runner connection (env.py options) makes it safe', async () => {
  const found = await runRule(rule, {
    '/migrations/env.py': `engine = create_engine(url, connect_args={"options": "-c timezone=UTC"})\n`,
    '0001.py': TZ_CHANGE(''),
  });
  assert.equal(found, []);
});

test.run();
