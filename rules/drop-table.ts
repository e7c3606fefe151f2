import { createdBefore, normalizeName, tableAliasKey, tablesCreated } from '../src/model/index.js';
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

    const key = tableAliasKey([...up, ...down]);
    const createdByUpgrade = new Set([...tablesCreated(migration.upgrade)].map(key));
    forEachDrop(body, (op) => {
      if (op.table !== null && createdByUpgrade.has(key(op.table))) return;
      report(op);
    });
  },
});

/** Calls `fn` for each drop in `body` of a table that existed before the migration and is not rebuilt under its name. */
function forEachDrop(body: Body, fn: (op: DropTableOp) => void): void {
  // The last operation creating each table name (or renaming another to it), to tell a rebuild.
  const lastCreated = new Map<string, number>();
  const created = (name: string | null, i: number) => {
    const key = normalizeName(name);
    if (key !== null) lastCreated.set(key, i);
  };
  body.operations.forEach((op, i) => {
    if (op.kind === 'create_table') created(op.table, i);
    else if (op.kind === 'rename_table') created(op.newName, i);
    else if (op.kind === 'execute_sql') for (const st of op.statements) if (st.keyword === 'CREATE TABLE') created(st.table, i);
  });
  body.operations.forEach((op, i) => {
    if (op.kind !== 'drop_table') return;
    if (createdBefore(body, i, op.table)) return;
    // Rebuilt: a table of the same name is created, or another renamed to it, later in the same body.
    const key = normalizeName(op.table);
    if (key !== null && (lastCreated.get(key) ?? -1) > i) return;
    fn(op);
  });
}
