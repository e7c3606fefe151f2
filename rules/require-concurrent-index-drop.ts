import { indexCreatedBefore, newTableAt } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'notConcurrent';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'require-concurrent-index-drop',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Require DROP INDEX on an existing table to use CONCURRENTLY',
    docs: {
      why:
        'A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index\'s table: it first waits for every ' +
        'running query on the table to finish, and while it waits every new read and write queues behind it. ' +
        'DROP INDEX CONCURRENTLY waits without blocking others. An index created earlier in the same migration, ' +
        'or on a table created there, is not reported. ' +
        DOWNGRADE_NOTE,
      bad: `"""drop the unused email index"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")


def downgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
`,
      good: `"""drop the unused email index without blocking"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)
`,
    },
    help:
      'Use `op.drop_index(..., postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`, ' +
      'or `DROP INDEX CONCURRENTLY` outside a transaction.',
    messages: {
      notConcurrent:
        'Index {{index}} on {{table}} is dropped without CONCURRENTLY; the ACCESS EXCLUSIVE lock blocks reads and writes on {{table}}.',
    },
    dialects: ['postgresql'],
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    body.operations.forEach((op, index) => {
      if (op.kind !== 'drop_index' || op.concurrently) return;
      // An index built earlier in this migration has not been in use yet.
      if (indexCreatedBefore(body, index, op.name)) return;
      const table = op.table ?? ctx.catalog.index(op.name)?.table ?? null;
      if (newTableAt(migration, body, index, table)) return;
      ctx.report({
        messageId: 'notConcurrent',
        at: op,
        table,
        data: { index: op.name ?? '(unnamed)', table: table ?? 'its table' },
      });
    });
  },
});
