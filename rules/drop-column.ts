import { columnAddedBefore, createdBefore, normalizeName, tableAliasKey, tablesCreated } from '../src/model/index.js';
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
    const key = tableAliasKey([...up, ...down]);
    const added = columnsAdded(up, key);
    const createdByUpgrade = new Set([...tablesCreated(migration.upgrade)].map(key));
    forEachDrop(body, (op) => {
      const table = key(op.table);
      if (table === null) return report(op);
      if (createdByUpgrade.has(table)) return;
      const column = normalizeName(op.column);
      if (column !== null && added.has(`${table}\0${column}`)) return;
      report(op);
    });
  },
});

/** Calls `fn` for each column drop in `body` on a table and column that existed before the migration. */
function forEachDrop(body: Body, fn: (op: DropColumnOp) => void): void {
  body.operations.forEach((op, i) => {
    if (op.kind !== 'drop_column') return;
    if (createdBefore(body, i, op.table)) return;
    if (columnAddedBefore(body, i, op.table, op.column)) return;
    fn(op);
  });
}

/** Columns added by `ops` (add_column, and the names they were then renamed to), as `table key\0column`. */
function columnsAdded(ops: Operation[], key: (name: string | null) => string | null): Set<string> {
  const added = new Set<string>();
  const name = (table: string | null, column: string | null) => {
    const t = key(table);
    const c = normalizeName(column);
    return t === null || c === null ? null : `${t}\0${c}`;
  };
  for (const op of ops) {
    if (op.kind === 'add_column' && op.table && op.column.name) added.add(name(op.table, op.column.name)!);
    if (op.kind === 'alter_column' && op.table && op.newName) {
      const from = name(op.table, op.column);
      if (from !== null && added.has(from)) added.add(name(op.table, op.newName)!);
    }
  }
  return added;
}
