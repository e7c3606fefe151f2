import { test } from 'uvu';
import rule from '../../rules/prefer-text.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'text, String() without a length, and char(n)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("country", sa.CHAR(2)),
    )
def downgrade():
    op.drop_table("accounts")
`,
    },
  ],
  invalid: [
    {
      name: 'String(n), String(length=n), VARCHAR(n) and a type change to varchar(n)',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("email", sa.VARCHAR(255)),
    )
    op.add_column("plans", sa.Column("code", sa.Unicode(20), nullable=True))
    op.alter_column("plans", "label", type_=sa.String(80), existing_type=sa.Text())
def downgrade():
    op.drop_table("accounts")
`,
      errors: [
        { messageId: 'preferText', line: 7, column: 9, includes: 'Column accounts.name is sa.String(length=50); changing its length limit' },
        { messageId: 'preferText', line: 8, includes: 'accounts.email is sa.VARCHAR(255)' },
        { messageId: 'preferText', line: 10, includes: 'plans.code' },
        { messageId: 'preferText', line: 11, includes: 'plans.label' },
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
      errors: [{ messageId: 'preferText', line: 9, includes: 'Column events.name is character varying(50)' }],
    },
  ],
});

test.run();
