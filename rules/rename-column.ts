import { columnAddedBefore, createdBefore, normalizeName, sameName, tableAliasKey, tablesCreated } from '../src/model/index.js';
import type { AlterColumnOp, Body } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'renamed';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'rename-column',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow renaming a column of an existing table',
    docs: {
      why:
        'During a deploy the old release keeps running while the migration runs, and for a while after: its ' +
        'queries (and every SQLAlchemy model, which names each mapped column) still use the old column name, ' +
        'so they fail from the moment the rename commits until the last old process is gone. A downgrade that ' +
        'renames back what its own upgrade renamed is not reported, and neither is a column of a table created ' +
        'or a column added earlier in the same migration. ' +
        DOWNGRADE_NOTE,
      bad: `"""rename accounts.name to full_name"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.alter_column("accounts", "name", new_column_name="full_name")


def downgrade():
    op.alter_column("accounts", "full_name", new_column_name="name")
`,
      good: `"""add accounts.full_name (expand); name is dropped in a later release"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("full_name", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "full_name")
`,
    },
    help:
      'Expand and contract: add the new column (op.add_column / ALTER TABLE ... ADD COLUMN), write both ' +
      'columns from the application, backfill in batches, switch reads to the new column, and drop the old one ' +
      'in a later release; or keep the old name readable through a view.',
    messages: {
      renamed:
        'Column {{table}}.{{column}} is renamed to {{newName}}; application code still running during the deploy uses {{column}} and fails.',
    },
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const up = migration.upgrade.operations;
    const down = migration.downgrade.operations;
    const report = (op: AlterColumnOp) =>
      ctx.report({
        messageId: 'renamed',
        at: op,
        data: { table: op.table ?? '(unknown table)', column: op.column ?? '(unknown column)', newName: op.newName ?? '(unknown name)' },
      });

    if (ctx.direction === 'upgrade') {
      forEachRename(body, report);
      return;
    }

    const key = tableAliasKey([...up, ...down]);
    const createdByUpgrade = new Set([...tablesCreated(migration.upgrade)].map(key));
    // Upgrade renames by `table key\0new name\0old name`, to look a downgrade's rename back up.
    const renames = new Set<string>();
    for (const u of up) {
      if (u.kind !== 'alter_column') continue;
      const t = key(u.table);
      const to = normalizeName(u.newName ?? null);
      const from = normalizeName(u.column);
      if (t !== null && to !== null && from !== null) renames.add(`${t}\0${to}\0${from}`);
    }
    forEachRename(body, (op) => {
      // Renaming back what the upgrade renamed, or touching a table the upgrade created, undoes the upgrade.
      const t = key(op.table);
      const from = normalizeName(op.column);
      const to = normalizeName(op.newName ?? null);
      const renamesBack = t !== null && from !== null && to !== null && renames.has(`${t}\0${from}\0${to}`);
      if (renamesBack || (t !== null && createdByUpgrade.has(t))) return;
      report(op);
    });
  },
});

/** Calls `fn` for each column rename in `body` on a table and column that existed before the migration. */
function forEachRename(body: Body, fn: (op: AlterColumnOp) => void): void {
  body.operations.forEach((op, i) => {
    if (op.kind !== 'alter_column' || !op.newName || sameName(op.newName, op.column)) return;
    if (createdBefore(body, i, op.table)) return;
    // Added (or renamed into being from an added column) earlier in this body.
    if (columnAddedBefore(body, i, op.table, op.column)) return;
    fn(op);
  });
}
