import { createdBefore, normalizeName, sameName, tableAliases, tablesCreated } from '../src/model/index.js';
import type { AlterColumnOp, Body, Operation } from '../src/model/index.js';
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

    const same = tableAliases([...up, ...down]);
    const createdByUpgrade = [...tablesCreated(migration.upgrade)];
    forEachRename(body, (op) => {
      // Renaming back what the upgrade renamed, or touching a table the upgrade created, undoes the upgrade.
      const renamesBack = up.some(
        (u) => u.kind === 'alter_column' && same(u.table, op.table) && sameName(u.newName, op.column) && sameName(u.column, op.newName),
      );
      if (renamesBack || createdByUpgrade.some((t) => same(t, op.table))) return;
      report(op);
    });
  },
});

/** Calls `fn` for each column rename in `body` on a table and column that existed before the migration. */
function forEachRename(body: Body, fn: (op: AlterColumnOp) => void): void {
  body.operations.forEach((op, i) => {
    if (op.kind !== 'alter_column' || !op.newName || sameName(op.newName, op.column)) return;
    const before = body.operations.slice(0, i);
    if (createdBefore(body, i, op.table)) return;
    if (addedBefore(before, op.table, op.column)) return;
    fn(op);
  });
}

/** Was `table.column` added (or renamed into being from an added column) by one of `ops`? */
function addedBefore(ops: Operation[], table: string | null, column: string | null): boolean {
  if (!table || !column) return false;
  const added = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'add_column' && sameName(op.table, table) && op.column.name) added.add(normalizeName(op.column.name)!);
    if (op.kind === 'alter_column' && sameName(op.table, table) && op.newName && op.column && added.has(normalizeName(op.column)!)) {
      added.add(normalizeName(op.newName)!);
    }
  }
  return added.has(normalizeName(column)!);
}
