import { createdBefore, normalizeName, sameName, tableAliasKey, tablesCreated } from '../src/model/index.js';
import type { Body, Operation, RenameTableOp } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'renamed';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'rename-table',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow renaming an existing table',
    docs: {
      why:
        'During a deploy the old release keeps running while the migration runs, and for a while after: every ' +
        'query it sends names the old table, so reads and writes fail from the moment the rename commits until ' +
        'the last old process is gone. A rename followed in the same migration by a view under the old name ' +
        '(a simple view is updatable, so old code keeps working) is not reported, nor is a downgrade that ' +
        'renames back what its own upgrade renamed, nor a table created earlier in the same migration. ' +
        DOWNGRADE_NOTE,
      bad: `"""rename block to block_document"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.rename_table("block", "block_document")


def downgrade():
    op.rename_table("block_document", "block")
`,
      good: `"""rename block to block_document, keeping the old name as a view"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.rename_table("block", "block_document")
    op.execute("CREATE VIEW block AS SELECT * FROM block_document")


def downgrade():
    op.execute("DROP VIEW block")
    op.rename_table("block_document", "block")
`,
    },
    help:
      'Keep the old name working while old code runs: rename and create a view with the old name in the same ' +
      'migration (op.execute("CREATE VIEW old AS SELECT * FROM new")) and drop the view in a later release; or ' +
      'create the new table, write to both, backfill, switch reads, and drop the old table later.',
    messages: {
      renamed:
        'Table {{table}} is renamed to {{newName}}; application code still running during the deploy queries {{table}} and fails.',
    },
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const up = migration.upgrade.operations;
    const down = migration.downgrade.operations;
    const report = (op: RenameTableOp) =>
      ctx.report({ messageId: 'renamed', at: op, data: { table: op.table ?? '(unknown table)', newName: op.newName ?? '(unknown name)' } });

    if (ctx.direction === 'upgrade') {
      forEachRename(body, report);
      return;
    }

    const key = tableAliasKey([...up, ...down]);
    const createdByUpgrade = new Set([...tablesCreated(migration.upgrade)].map(key));
    // Upgrade renames by `new name\0old name`, to look a downgrade's rename back up.
    const renames = new Set<string>();
    for (const u of up) {
      if (u.kind !== 'rename_table') continue;
      const to = normalizeName(u.newName);
      const from = normalizeName(u.table);
      if (to !== null && from !== null) renames.add(`${to}\0${from}`);
    }
    forEachRename(body, (op) => {
      const from = normalizeName(op.table);
      const to = normalizeName(op.newName);
      const renamesBack = from !== null && to !== null && renames.has(`${from}\0${to}`);
      if (renamesBack || (op.table !== null && createdByUpgrade.has(key(op.table)))) return;
      report(op);
    });
  },
});

/** Calls `fn` for each rename in `body` of a table that existed before the migration and keeps no view under its old name. */
function forEachRename(body: Body, fn: (op: RenameTableOp) => void): void {
  // The last operation creating a view of each name, to tell a rename that keeps a view behind.
  const lastView = new Map<string, number>();
  body.operations.forEach((op, i) => {
    for (const name of viewsCreated(op)) {
      const key = normalizeName(name);
      if (key !== null) lastView.set(key, i);
    }
  });
  body.operations.forEach((op, i) => {
    if (op.kind !== 'rename_table' || sameName(op.table, op.newName)) return;
    if (createdBefore(body, i, op.table)) return;
    const key = normalizeName(op.table);
    if (key !== null && (lastView.get(key) ?? -1) > i) return;
    fn(op);
  });
}

const CREATE_VIEW = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:RECURSIVE\s+)?VIEW\s+((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))*)/i;

/** The names of the views `op` creates (SQL in op.execute(), or a parsed CREATE VIEW). */
function viewsCreated(op: Operation): string[] {
  const named = (text: string) => {
    const m = CREATE_VIEW.exec(text);
    return m ? [m[1]!.split('.').pop()!.trim()] : [];
  };
  if (op.kind === 'execute_sql') return op.statements.flatMap((st) => named(st.text));
  if (op.kind === 'sql' && op.keyword === 'CREATE VIEW') return [...(op.table ? [op.table] : []), ...(op.fromSql ? named(op.fromSql.statement) : [])];
  return [];
}
