import { test } from 'uvu';
import rule from '../../rules/prefer-jsonb.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'JSONB, and JSON with a JSONB variant for PostgreSQL',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.add_column("accounts", sa.Column("prefs", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("accounts", sa.Column("meta", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True))
def downgrade():
    pass
`,
    },
  ],
  invalid: [
    {
      name: 'sa.JSON, postgresql.JSON() and a type change to JSON',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table("events", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("payload", sa.JSON))
    op.add_column("accounts", sa.Column("prefs", postgresql.JSON(), nullable=True))
    op.alter_column("accounts", "meta", type_=sa.JSON(), postgresql_using="meta::json")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'preferJsonb', line: 4, includes: "Column events.payload is declared as sa.JSON" },
        { messageId: 'preferJsonb', line: 5, includes: 'accounts.prefs' },
        { messageId: 'preferJsonb', line: 6, includes: 'accounts.meta' },
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
      errors: [{ messageId: 'preferJsonb', line: 10, includes: "Column events.payload is declared as json" }],
    },
  ],
});

test.run();
