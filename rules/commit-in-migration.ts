import type { Body } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'commit';
export interface Options {
  /**
   * A commit inside a loop is the batching idiom: each batch of a backfill commits, so a failure
   * loses one batch and a re-run carries on where it stopped.
   */
  allowBatchCommits: boolean;
}

export default defineRule<MessageIds, Options>({
  id: 'commit-in-migration',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Disallow committing the transaction from inside a migration',
    docs: {
      why:
        'Alembic runs each revision in a transaction and records the new revision in alembic_version at its end. ' +
        'A commit in the middle makes the first half permanent: if a later step fails, the database keeps half ' +
        'the migration while alembic_version still names the old revision, and re-running it fails. The one ' +
        'known exceptions are committing right before `autocommit_block()`, which is how some projects leave an ' +
        'outer transaction opened by env.py, and committing each batch of a backfill inside a loop. This rule ' +
        'owns commits in Alembic revisions (op.execute("COMMIT"), connection.commit(), session.commit()); BEGIN, ' +
        'ROLLBACK and savepoint misuse, and COMMIT in SQL migration files, are transaction-nesting\'s.',
      bad: `"""backfill"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = "f6"
down_revision = "e5"


def upgrade():
    session = Session(bind=op.get_bind())
    session.execute(sa.text("UPDATE accounts SET tier = 'free' WHERE tier IS NULL"))
    session.commit()


def downgrade():
    pass
`,
      good: `"""build the index concurrently"""
from alembic import op

revision = "f6"
down_revision = "e5"


def upgrade():
    op.get_bind().commit()
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_tier", "accounts", ["tier"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_accounts_tier", table_name="accounts", postgresql_concurrently=True)
`,
    },
    help: 'Let Alembic commit. To run a step outside the transaction, put it in `with op.get_context().autocommit_block():`.',
    messages: {
      commit: 'This commits the migration\'s transaction part-way through; a later failure leaves a half-applied revision.',
    },
    schema: {
      type: 'object',
      properties: {
        allowBatchCommits: {
          type: 'boolean',
          description: 'Allow commits inside a loop (a batched backfill that commits each batch).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowBatchCommits: true },
  },
  check(ctx, migration, options) {
    // In raw SQL files a COMMIT is transaction-nesting's to judge (the file is the transaction).
    if (migration.framework !== 'alembic') return;
    for (const body of [migration.upgrade, migration.downgrade]) {
      checkBody(body, options, (op) => ctx.report({ messageId: 'commit', at: op }));
    }
  },
});

function checkBody(body: Body, options: Options, report: (at: { loc: Body['operations'][number]['loc'] }) => void): void {
  body.operations.forEach((op, i) => {
    const commits =
      (op.kind === 'transaction_control' && op.action === 'commit') ||
      // op.execute("COMMIT"): the old idiom before ALTER TYPE ... ADD VALUE, a commit all the same.
      (op.kind === 'execute_sql' && op.statements.some((st) => st.keyword === 'COMMIT' || st.keyword === 'END'));
    if (!commits || !op.transactional) return;
    if (op.repeated && options.allowBatchCommits) return;
    const next = body.operations[i + 1];
    // Committing to leave env.py's outer transaction right before autocommit_block() is the documented idiom.
    if (next && !next.transactional) return;
    report(op);
  });
}
