import { test } from 'uvu';
import rule from '../../rules/prefer-timestamptz.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'DateTime(timezone=True), TIMESTAMP(timezone=True), dates',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("seen_at", postgresql.TIMESTAMP(timezone=True, precision=3)),
        sa.Column("day", sa.Date()),
    )
def downgrade():
    op.alter_column("events", "created_at", type_=sa.DateTime())
`,
    },
  ],
  invalid: [
    {
      name: 'DateTime(), postgresql.TIMESTAMP() and a type change to DateTime',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.add_column("accounts", sa.Column("last_seen_at", postgresql.TIMESTAMP(), nullable=True))
    op.alter_column("accounts", "trial_ends", type_=sa.DateTime(timezone=False))
def downgrade():
    pass
`,
      errors: [
        { messageId: 'preferTimestamptz', line: 7, column: 9, includes: 'Column events.created_at (sa.DateTime()) stores timestamps without a time zone' },
        { messageId: 'preferTimestamptz', line: 9, includes: 'accounts.last_seen_at' },
        { messageId: 'preferTimestamptz', line: 10, includes: 'accounts.trial_ends' },
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
      errors: [{ messageId: 'preferTimestamptz', line: 11, includes: 'Column events.created_at (timestamp without time zone) stores' }],
    },
  ],
});

test.run();
