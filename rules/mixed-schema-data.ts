import { changesData, changesSchema, dataTargets, tablesCreated, normalizeName } from '../src/model/index.js';
import type { Operation } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'mixed';
export interface Options {
  /** Inserting seed rows into a table created by the same migration is not a data migration. */
  allowSeedingNewTables: boolean;
}

export default defineRule<MessageIds, Options>({
  id: 'mixed-schema-data',
  scope: 'migration',
  meta: {
    type: 'suggestion',
    description: 'Disallow changing the schema and the data of existing tables in one migration',
    docs: {
      why:
        'A migration runs in one transaction: a backfill that shares it with DDL holds the DDL\'s ACCESS EXCLUSIVE ' +
        'lock for as long as the UPDATE takes, so every read and write of the table waits. A data change also ' +
        'cannot be retried, throttled or rolled back on its own when it is tied to a schema change. Keep data ' +
        'migrations in revisions of their own.',
      bad: `"""add tier and backfill it"""
from alembic import op
import sqlalchemy as sa

revision = "e5"
down_revision = "d4"


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
    op.execute("UPDATE accounts SET tier = 'free'")


def downgrade():
    op.drop_column("accounts", "tier")
`,
      good: `"""create plans with their seed rows"""
from alembic import op
import sqlalchemy as sa

revision = "e5"
down_revision = "d4"

plans = sa.table("plans", sa.column("name", sa.Text()))


def upgrade():
    op.create_table("plans", sa.Column("name", sa.Text(), primary_key=True))
    op.bulk_insert(plans, [{"name": "free"}, {"name": "pro"}])


def downgrade():
    op.drop_table("plans")
`,
    },
    help: 'Move the data change into a revision of its own (schema first, then data), ideally batched outside the DDL transaction.',
    messages: {
      mixed: 'This upgrade changes data ({{data}}) and also changes the schema ({{schema}} at line {{line}}).',
    },
    schema: {
      type: 'object',
      properties: {
        allowSeedingNewTables: {
          type: 'boolean',
          description: 'Allow inserting rows into tables that the same migration creates.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowSeedingNewTables: true },
  },
  check(ctx, migration, options) {
    const ops = migration.upgrade.operations;
    // Only schema changes that touch a table count: CREATE FUNCTION or CREATE TYPE next to a
    // backfill holds no table lock for the backfill to prolong.
    const schemaOp = ops.find((op) => changesSchema(op) && touchesTable(op));
    if (!schemaOp) return;
    const created = options.allowSeedingNewTables ? tablesCreated(migration.upgrade) : new Set<string>();
    const dataOp = ops.find(
      (op) => changesData(op) && dataTargets(op).some((t) => t === null || !created.has(normalizeName(t)!)),
    );
    if (!dataOp) return;
    ctx.report({
      messageId: 'mixed',
      at: dataOp,
      data: { data: describeData(dataOp), schema: schemaOp.callee, line: schemaOp.loc.line },
    });
  },
});

function describeData(op: Operation): string {
  if (op.kind === 'execute_sql') {
    const st = op.statements.find((s) => s.category === 'data');
    if (st) return st.table ? `${st.keyword} ${st.table}` : st.keyword;
  }
  if (op.kind === 'data_change') {
    const what = op.action === 'orm' ? 'ORM session write' : op.action === 'bulk_insert' ? 'bulk insert' : op.action.toUpperCase();
    return op.table ? `${what} on ${op.table}` : what;
  }
  return op.callee;
}

function touchesTable(op: Operation): boolean {
  if (op.kind === 'sql') return op.table !== null;
  if (op.kind === 'execute_sql') return op.statements.some((st) => st.category === 'schema' && st.table !== null);
  return true;
}
