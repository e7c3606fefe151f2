import { indexCreatedBefore, newTableAt, tableCreatedBefore } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'noIndex' | 'indexNotConcurrent' | 'inlineColumn';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'unique-constraint-without-index',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Require UNIQUE and PRIMARY KEY constraints on an existing table to use an index built concurrently',
    docs: {
      why:
        'ADD CONSTRAINT ... UNIQUE or PRIMARY KEY builds its index while holding an ACCESS EXCLUSIVE lock on the ' +
        'table: nothing can read or write it until every row is indexed. Building a unique index CONCURRENTLY ' +
        'first and then adding the constraint `USING INDEX` makes the lock last only an instant. A table created ' +
        'earlier in the same migration is empty and is not reported. ' +
        DOWNGRADE_NOTE,
      bad: `"""emails are unique"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_unique_constraint("uq_accounts_email", "accounts", ["email"])


def downgrade():
    op.drop_constraint("uq_accounts_email", "accounts", type_="unique")
`,
      good: `"""emails are unique: index built concurrently, then the constraint uses it"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "uq_accounts_email", "accounts", ["email"], unique=True, postgresql_concurrently=True
        )
    op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE USING INDEX uq_accounts_email")


def downgrade():
    op.drop_constraint("uq_accounts_email", "accounts", type_="unique")
`,
    },
    help:
      'Build a unique index first with `op.create_index(..., unique=True, postgresql_concurrently=True)` inside ' +
      '`with op.get_context().autocommit_block():` (or `CREATE UNIQUE INDEX CONCURRENTLY` outside a transaction), ' +
      'then `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX ...` (or PRIMARY KEY USING INDEX).',
    messages: {
      noIndex:
        '{{kind}} constraint {{constraint}} is added to existing table {{table}} without USING INDEX; its index is built under an ACCESS EXCLUSIVE lock on {{table}}.',
      indexNotConcurrent:
        '{{kind}} constraint {{constraint}} uses index {{index}}, which this migration builds on existing table {{table}} without CONCURRENTLY.',
      inlineColumn:
        'Column {{column}} is added to existing table {{table}} as {{kind}}; its index is built under an ACCESS EXCLUSIVE lock on {{table}}.',
    },
    dialects: ['postgresql'],
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    body.operations.forEach((op, index) => {
      if (op.kind === 'add_column') {
        // Alembic's add_column() leaves out the PRIMARY KEY of a primary_key=True column (it only
        // makes it NOT NULL) but does add UNIQUE; SQL `ADD COLUMN ... PRIMARY KEY` adds both.
        const primaryKey = op.column.primaryKey && op.fromSql !== undefined;
        const kind = primaryKey ? 'PRIMARY KEY' : op.column.unique ? 'UNIQUE' : null;
        if (!kind || newTableAt(migration, body, index, op.table)) return;
        ctx.report({
          messageId: 'inlineColumn',
          at: op,
          table: op.table,
          data: { column: op.column.name ?? '(unnamed)', table: op.table ?? '(unknown table)', kind },
        });
        return;
      }
      if (op.kind !== 'add_constraint') return;
      if (op.constraintType !== 'unique' && op.constraintType !== 'primary_key') return;
      if (newTableAt(migration, body, index, op.table)) return;
      const data = {
        kind: op.constraintType === 'unique' ? 'UNIQUE' : 'PRIMARY KEY',
        constraint: op.name ?? '(unnamed)',
        table: op.table ?? '(unknown table)',
      };
      if (!op.usingIndex) {
        ctx.report({ messageId: 'noIndex', at: op, table: op.table, data });
        return;
      }
      // An index built earlier in this migration must have been built concurrently (on a table
      // that existed). One from an earlier migration, or one we do not know, is taken as it is:
      // attaching it takes the lock only for an instant.
      const built = indexCreatedBefore(body, index, op.usingIndex);
      if (!built || built.concurrently || tableCreatedBefore(body, index, built.table)) return;
      ctx.report({ messageId: 'indexNotConcurrent', at: op, table: op.table, data: { ...data, index: op.usingIndex } });
    });
  },
});
