import { test } from 'uvu';
import rule from '../../rules/prefer-identity.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'sa.Identity(), plain keys, autoincrement on an integer key',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("events", sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True))
    op.create_table("tags", sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True))
    op.create_table("jobs", sa.Column("id", sa.BigInteger(), sa.Identity(start=1), sa.Sequence("jobs_id_seq"), primary_key=True))
    op.add_column("accounts", sa.Column("sequence_no", sa.BigInteger(), nullable=True))
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'serial types, sa.Sequence and a nextval() default',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table(
        "events",
        sa.Column("id", postgresql.BIGSERIAL(), primary_key=True),
        sa.Column("n", sa.BigInteger(), sa.Sequence("events_n_seq"), nullable=False),
    )
    op.add_column("accounts", sa.Column("number", sa.BigInteger(), server_default=sa.text("nextval('account_number_seq')")))
def downgrade():
    pass
`,
      errors: [
        { messageId: 'serialType', line: 6, column: 9, includes: 'Column events.id is postgresql.BIGSERIAL(); use an identity column' },
        { messageId: 'sequenceDefault', line: 7, includes: 'events.n takes its values from a separate sequence (sa.Sequence())' },
        { messageId: 'sequenceDefault', line: 9, includes: 'accounts.number takes its values from a separate sequence (a nextval() server default)' },
      ],
    },
    {
      name: 'SQL: CREATE TABLE in op.execute()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute(
        """
        CREATE TABLE events (
            id serial PRIMARY KEY,
            kind smallint NOT NULL,
            name varchar(50),
            payload json,
            created_at timestamp NOT NULL DEFAULT now(),
            seen_at timestamp with time zone,
            n bigint DEFAULT nextval('events_n_seq')
        )
        """
    )
def downgrade():
    op.drop_table("events")
`,
      errors: [{ messageId: 'serialType', line: 7, includes: 'Column events.id is serial' }, { messageId: 'sequenceDefault', line: 13, includes: 'events.n takes its values from a separate sequence (a nextval() server default)' }],
    },
  ],
});

test.run();
