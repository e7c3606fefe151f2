import { transactionBoundaries } from '../src/model/index.js';
import type { Migration, Operation } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'inTransaction';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'concurrent-index-in-transaction',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow CONCURRENTLY index operations inside the migration transaction',
    docs: {
      why:
        'CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH PARTITION ' +
        'CONCURRENTLY cannot run inside a transaction block: PostgreSQL stops with "cannot run inside a ' +
        'transaction block" and the deploy fails. Alembic wraps every revision in a transaction on PostgreSQL ' +
        'unless the operation is inside `op.get_context().autocommit_block()` or env.py turns transactional DDL ' +
        'off. ' +
        DOWNGRADE_NOTE,
      bad: `"""index accounts.email concurrently"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_accounts_email", table_name="accounts")
`,
      good: `"""index accounts.email concurrently, outside the transaction"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_email", "accounts", ["email"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_email", table_name="accounts", postgresql_concurrently=True)
`,
    },
    help:
      'Put the operation inside `with op.get_context().autocommit_block():` (Alembic), or run the CONCURRENTLY ' +
      'statement outside any transaction (a migration the runner does not wrap in BEGIN/COMMIT).',
    messages: {
      inTransaction: '{{what}} cannot run inside a transaction block, and this migration runs it in one ({{reason}}).',
    },
    dialects: ['postgresql'],
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const ops = body.operations;
    const states = transactionStates(migration, ops);
    ops.forEach((op, index) => {
      const what = describe(op);
      if (what === null) return;
      const state = states[index]!;
      if (state.reason === null) return;
      ctx.report({ messageId: 'inTransaction', at: op, data: { what, reason: state.reason } });
    });
  },
});

/** The statement, when it is one that PostgreSQL refuses inside a transaction block. */
function describe(op: Operation): string | null {
  switch (op.kind) {
    case 'create_index':
      return op.concurrently ? `CREATE INDEX CONCURRENTLY ${op.name ?? '(unnamed)'}` : null;
    case 'drop_index':
      return op.concurrently ? `DROP INDEX CONCURRENTLY ${op.name ?? '(unnamed)'}` : null;
    case 'sql': {
      if (!op.concurrently) return null;
      // REFRESH MATERIALIZED VIEW CONCURRENTLY may run inside a transaction.
      if (op.keyword.startsWith('REFRESH')) return null;
      if (op.keyword === 'REINDEX') return `REINDEX CONCURRENTLY${op.table ? ` on ${op.table}` : ''}`;
      if (op.keyword === 'ALTER TABLE') return `DETACH PARTITION CONCURRENTLY${op.table ? ` on ${op.table}` : ''}`;
      return `${op.keyword} CONCURRENTLY`;
    }
    default:
      return null;
  }
}

/**
 * For each operation, why it runs inside a transaction block, or null when it does not: outside
 * `autocommit_block()`, in a migration the runner wraps (mode not 'none') or after an explicit
 * BEGIN, and not after a COMMIT/ROLLBACK that ended that transaction (with psycopg2 the
 * statements after an `op.execute("COMMIT")` run outside a transaction; commit-in-migration
 * reports that COMMIT).
 */
function transactionStates(m: Migration, ops: Operation[]): { reason: string | null }[] {
  let open: string | null = m.transaction.mode === 'none' ? null : m.transaction.reason;
  return ops.map((op) => {
    const actions = op.conditional ? [] : transactionBoundaries(op);
    if (actions.length > 0) {
      for (const action of actions) {
        if (action === 'begin' && open === null) open = `an explicit BEGIN at line ${op.loc.line}`;
        else if (action === 'end') open = null;
      }
      return { reason: null };
    }
    return { reason: op.transactional ? open : null };
  });
}

