import { columnAddBefore, createdInSameBody, emptiedBefore, newTableAt, writesColumn } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'notNullNoDefault' | 'clientDefaultOnly' | 'setNotNullWithoutBackfill';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'add-not-null-column',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow adding a NOT NULL column to an existing table without a server default or a backfill',
    docs: {
      why:
        'Every existing row needs a value for the new column. With no server default the database has nothing to ' +
        'put there, so ALTER TABLE fails as soon as the table has a row: the migration passes on an empty ' +
        'development database and breaks in production. A Python-side `default=` does not help: the database ' +
        'never sees it. ' +
        DOWNGRADE_NOTE,
      bad: `"""add tier"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=False))


def downgrade():
    op.drop_column("accounts", "tier")
`,
      good: `"""add tier in three steps"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
    op.alter_column("accounts", "tier", nullable=False)


def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    help:
      'Give the column a server_default, or add it nullable, backfill it, then make it NOT NULL ' +
      '(for large tables, backfill in a separate migration).',
    messages: {
      notNullNoDefault: 'Column {{column}} is added to {{table}} as NOT NULL with no server default; existing rows make this fail.',
      clientDefaultOnly:
        'Column {{column}} is added to {{table}} as NOT NULL with only a client-side default=; the database needs server_default.',
      setNotNullWithoutBackfill:
        'Column {{column}} on {{table}} is made NOT NULL right after being added, with no backfill in between.',
    },
    // It fails on the first row: a small table is no safer.
    sizeAware: false,
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const ops = body.operations;
    const isNew = (table: string | null, index: number) => createdInSameBody(body, table) || newTableAt(migration, body, index, table);
    ops.forEach((op, index) => {
      if (op.kind === 'add_column') {
        const col = op.column;
        const notNull = col.nullable === false || (col.primaryKey && col.nullable !== true);
        if (!notNull || col.serverDefault !== null || col.generated) return;
        if (isNew(op.table, index)) return;
        // Emptied earlier in the same upgrade (DELETE without WHERE, TRUNCATE): no row to fill.
        if (emptiedBefore(body, index, op.table)) return;
        ctx.report({
          messageId: col.clientDefault ? 'clientDefaultOnly' : 'notNullNoDefault',
          at: op,
          table: op.table,
          data: { column: col.name ?? '(unnamed)', table: op.table ?? '(unknown table)' },
        });
        return;
      }
      if (op.kind === 'alter_column' && op.nullable === false) {
        const found = columnAddBefore(body, index, op.table, op.column);
        if (!found) return;
        const added = found.op;
        if (added.column.serverDefault !== null || added.column.generated) return;
        if (isNew(op.table, index)) return;
        const between = ops.slice(found.index + 1, index);
        // Setting a server default later does not fill the NULLs already there, so it is no backfill.
        const backfilled = between.some((b) => writesColumn(b, op.table, op.column) !== 'no' || b.kind === 'unknown');
        if (backfilled) return;
        ctx.report({
          messageId: 'setNotNullWithoutBackfill',
          at: op,
          table: op.table,
          data: { column: op.column ?? '(unknown column)', table: op.table ?? '(unknown table)' },
        });
      }
    });
  },
});
