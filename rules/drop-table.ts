import { createdBefore, sameName, tableAliases, tablesCreated } from '../src/model/index.js';
import type { Body, DropTableOp } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'dropped';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'drop-table',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow dropping an existing table while application code may still use it',
    docs: {
      why:
        'During a deploy the old release keeps running while the migration runs, and for a while after. If it ' +
        'still queries the table, those queries fail from the moment the drop commits, and the rows are gone ' +
        'for good. A table created earlier in the same migration, a downgrade that drops a table its own ' +
        'upgrade created, and a table rebuilt under the same name later in the same migration are not ' +
        'reported. ' +
        DOWNGRADE_NOTE,
      bad: `"""drop the legacy sessions table"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.drop_table("legacy_sessions")


def downgrade():
    op.create_table("legacy_sessions", sa.Column("id", sa.BigInteger(), primary_key=True))
`,
      good: `"""create the audit log"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_table("audit_log", sa.Column("id", sa.BigInteger(), primary_key=True))


def downgrade():
    op.drop_table("audit_log")
`,
    },
    help:
      'Expand and contract: first ship a release that no longer uses the table (remove its model and every ' +
      'query), and drop it (op.drop_table / DROP TABLE) in a migration of a later release, after a backup if ' +
      'the data may be needed; mark the drop with an inline ignore once that is done.',
    messages: {
      dropped:
        'Table {{table}} is dropped; application code still running during the deploy may query it and fail, and its rows are lost.',
    },
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const up = migration.upgrade.operations;
    const down = migration.downgrade.operations;
    const report = (op: DropTableOp) => ctx.report({ messageId: 'dropped', at: op, data: { table: op.table ?? '(unknown table)' } });

    if (ctx.direction === 'upgrade') {
      forEachDrop(body, report);
      return;
    }

    const same = tableAliases([...up, ...down]);
    const createdByUpgrade = [...tablesCreated(migration.upgrade)];
    forEachDrop(body, (op) => {
      if (createdByUpgrade.some((t) => same(t, op.table))) return;
      report(op);
    });
  },
});

/** Calls `fn` for each drop in `body` of a table that existed before the migration and is not rebuilt under its name. */
function forEachDrop(body: Body, fn: (op: DropTableOp) => void): void {
  body.operations.forEach((op, i) => {
    if (op.kind !== 'drop_table') return;
    if (createdBefore(body, i, op.table)) return;
    // Rebuilt: a table of the same name is created, or another renamed to it, later in the same body.
    const rebuilt = body.operations
      .slice(i + 1)
      .some(
        (later) =>
          (later.kind === 'create_table' && sameName(later.table, op.table)) ||
          (later.kind === 'rename_table' && sameName(later.newName, op.table)) ||
          (later.kind === 'execute_sql' && later.statements.some((st) => st.keyword === 'CREATE TABLE' && sameName(st.table, op.table))),
      );
    if (rebuilt) return;
    fn(op);
  });
}
