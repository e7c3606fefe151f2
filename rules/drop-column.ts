import { createdBefore, sameName, tableAliases, tablesCreated } from '../src/model/index.js';
import type { Body, DropColumnOp, Operation } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'dropped';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'drop-column',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow dropping a column of an existing table while application code may still use it',
    docs: {
      why:
        'During a deploy the old release keeps running while the migration runs, and for a while after. If it ' +
        'still reads or writes the column (a SQLAlchemy model selects every mapped column by name), its queries ' +
        'fail from the moment the drop commits, and the data is gone for good. A downgrade that drops a column ' +
        'its own upgrade added is not reported, nor is a column of a table created or a column added earlier ' +
        'in the same migration. ' +
        DOWNGRADE_NOTE,
      bad: `"""drop accounts.legacy_flag"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.drop_column("accounts", "legacy_flag")


def downgrade():
    op.add_column("accounts", sa.Column("legacy_flag", sa.Boolean(), nullable=True))
`,
      good: `"""add accounts.tier"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "tier")
`,
    },
    help:
      'Expand and contract: first ship a release that no longer reads or writes the column (remove it from the ' +
      'SQLAlchemy model), and drop it (op.drop_column / ALTER TABLE ... DROP COLUMN) in a migration of a later ' +
      'release; mark the drop with an inline ignore once that is done.',
    messages: {
      dropped:
        'Column {{table}}.{{column}} is dropped; application code still running during the deploy may use it and fail, and its data is lost.',
    },
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const up = migration.upgrade.operations;
    const down = migration.downgrade.operations;
    const report = (op: DropColumnOp) =>
      ctx.report({ messageId: 'dropped', at: op, data: { table: op.table ?? '(unknown table)', column: op.column ?? '(unknown column)' } });

    if (ctx.direction === 'upgrade') {
      forEachDrop(body, report);
      return;
    }

    // A downgrade dropping what its upgrade added (also under a name the upgrade renamed it to) undoes it.
    const same = tableAliases([...up, ...down]);
    const added = columnsAdded(up, same);
    const createdByUpgrade = [...tablesCreated(migration.upgrade)];
    forEachDrop(body, (op) => {
      if (createdByUpgrade.some((t) => same(t, op.table))) return;
      if (added.some((a) => same(a.table, op.table) && sameName(a.column, op.column))) return;
      report(op);
    });
  },
});

/** Calls `fn` for each column drop in `body` on a table and column that existed before the migration. */
function forEachDrop(body: Body, fn: (op: DropColumnOp) => void): void {
  body.operations.forEach((op, i) => {
    if (op.kind !== 'drop_column') return;
    const before = body.operations.slice(0, i);
    if (createdBefore(body, i, op.table)) return;
    if (columnsAdded(before, sameName).some((a) => sameName(a.table, op.table) && sameName(a.column, op.column))) return;
    fn(op);
  });
}

/** Columns added by `ops` (add_column, and the names they were then renamed to). */
function columnsAdded(ops: Operation[], same: (a: string | null, b: string | null) => boolean): { table: string; column: string }[] {
  const added: { table: string; column: string }[] = [];
  for (const op of ops) {
    if (op.kind === 'add_column' && op.table && op.column.name) added.push({ table: op.table, column: op.column.name });
    if (op.kind === 'alter_column' && op.table && op.newName) {
      if (added.some((a) => same(a.table, op.table) && sameName(a.column, op.column))) added.push({ table: op.table, column: op.newName });
    }
  }
  return added;
}
