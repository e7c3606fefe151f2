import { newTableAt } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'notConcurrent';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'require-concurrent-index',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Require CREATE INDEX on an existing table to use CONCURRENTLY',
    docs: {
      why:
        'A plain CREATE INDEX holds a SHARE lock on the table until the whole index is built: every INSERT, ' +
        'UPDATE and DELETE on it waits, for minutes on a large table, and the requests queue up behind it. ' +
        'CREATE INDEX CONCURRENTLY builds the index without blocking writes. A table created earlier in the same ' +
        'migration is empty, so indexing it is instant and is not reported. ' +
        DOWNGRADE_NOTE,
      bad: `"""index accounts.email"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])


def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
`,
      good: `"""index accounts.email without blocking writes"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
`,
    },
    help:
      'Use `op.create_index(..., postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`, ' +
      'or `CREATE INDEX CONCURRENTLY` outside a transaction; if the build fails, drop the INVALID index it leaves and retry.',
    messages: {
      notConcurrent:
        'Index {{index}} is created on existing table {{table}} without CONCURRENTLY; writes to {{table}} are blocked until the build finishes.',
    },
    dialects: ['postgresql'],
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    body.operations.forEach((op, index) => {
      if (op.kind !== 'create_index' || op.concurrently) return;
      if (newTableAt(migration, body, index, op.table)) return;
      ctx.report({
        messageId: 'notConcurrent',
        at: op,
        table: op.table,
        data: { index: op.name ?? '(unnamed)', table: op.table ?? '(unknown table)' },
      });
    });
  },
});
