import { test } from 'uvu';
import rule from '../../rules/prefer-bigint.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(test, rule, {
  valid: [
    {
      name: 'bigint everywhere, bigint arrays, and downgrades restoring old types',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("account_id", sa.types.BigInteger, nullable=False),
        sa.Column("scores", postgresql.ARRAY(sa.BigInteger())),
        sa.Column("total", sa.BigInteger().with_variant(sa.Integer(), "sqlite")),
    )
    op.alter_column("accounts", "visits", type_=sa.BigInteger(), existing_type=sa.Integer())
def downgrade():
    op.alter_column("accounts", "visits", type_=sa.Integer(), existing_type=sa.BigInteger())
    op.drop_table("events")
`,
    },
  ],
  invalid: [
    {
      name: 'Integer, SmallInteger and INTEGER in create_table, add_column and alter_column',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.SmallInteger, nullable=False),
    )
    op.add_column("accounts", sa.Column("visits", mysql.INTEGER(display_width=11), nullable=True))
    op.alter_column("accounts", "rank", type_=sa.Integer(), existing_type=sa.Text())
    op.add_column("accounts", sa.Column("scores", postgresql.ARRAY(sa.Integer()), nullable=True))
def downgrade():
    pass
`,
      errors: [
        { messageId: 'preferBigint', line: 6, column: 9, includes: 'Column events.id is sa.Integer(), which stops at 2,147,483,647; use bigint.' },
        { messageId: 'preferBigint', line: 7, includes: 'events.kind is sa.SmallInteger, which stops at 32,767' },
        { messageId: 'preferBigint', line: 9, includes: 'accounts.visits' },
        { messageId: 'preferBigint', line: 10, includes: 'accounts.rank' },
        { messageId: 'preferBigint', line: 11, includes: 'accounts.scores is postgresql.ARRAY(sa.Integer())' },
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
      errors: [{ messageId: 'preferBigint', line: 7, includes: 'Column events.id is serial' }, { messageId: 'preferBigint', line: 8, includes: 'events.kind is smallint' }],
    },
  ],
});

test.run();
