import type { Body, Migration, Operation } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'nestedBegin' | 'rollback' | 'commit' | 'noTransaction' | 'savepointOutside' | 'noSavepoint';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'transaction-nesting',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Disallow BEGIN, ROLLBACK and savepoints that do not fit the transaction the runner wraps a migration in',
    docs: {
      why:
        'The runner opens a transaction around the migration (Alembic on PostgreSQL, or a SQL runner that wraps ' +
        'each file) and records the migration as applied when it commits. A BEGIN inside it starts nothing ' +
        '(PostgreSQL only warns; SQLAlchemy refuses), so the COMMIT written to close it ends the runner\'s ' +
        'transaction early; a ROLLBACK throws away everything before it and leaves the rest running outside ' +
        'any transaction; SAVEPOINT, RELEASE and ROLLBACK TO outside a transaction, or without a savepoint, ' +
        'fail, and a COMMIT or ROLLBACK with no transaction open is a mistake about where the transaction is. ' +
        'This rule owns BEGIN / START TRANSACTION, ROLLBACK and savepoint misuse, and COMMIT in SQL ' +
        'migration files; a COMMIT in an Alembic revision (op.execute("COMMIT"), connection.commit(), ' +
        'session.commit()) is commit-in-migration\'s, so it is reported once.',
      bad: `"""backfill in an explicit transaction"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("BEGIN")
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")


def downgrade():
    pass
`,
      good: `"""backfill; Alembic provides the transaction"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")


def downgrade():
    pass
`,
    },
    help:
      'Let the runner manage the transaction: drop BEGIN/COMMIT/ROLLBACK from the migration; for a step that ' +
      'must run outside it, use `with op.get_context().autocommit_block():` in Alembic, or the runner\'s ' +
      'no-transaction marker for a SQL file; for a partial undo, use SAVEPOINT (connection.begin_nested()) ' +
      'and ROLLBACK TO SAVEPOINT inside the transaction.',
    messages: {
      nestedBegin:
        'This BEGIN runs inside a transaction that is already open ({{reason}}); it starts nothing, and the COMMIT meant to close it ends the outer transaction early.',
      rollback:
        'This ROLLBACK ends the migration\'s own transaction ({{reason}}): everything before it is undone and what follows runs outside any transaction.',
      commit:
        'This COMMIT ends the transaction the runner opened ({{reason}}); what follows runs outside it, and a later failure leaves the migration half applied.',
      noTransaction:
        'This {{statement}} has no transaction to end: the migration runs outside a transaction here and never opened one.',
      savepointOutside: 'This {{statement}} runs outside any transaction block, where PostgreSQL rejects it.',
      noSavepoint: 'This {{statement}} refers to a savepoint this migration never set, so PostgreSQL rejects it.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const body of [migration.upgrade, migration.downgrade]) {
      checkBody(body, migration, (messageId, op, statement) =>
        ctx.report({ messageId, at: op, data: { reason: migration.transaction.reason, statement } }),
      );
    }
  },
});

type Action = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback_to';

function checkBody(body: Body, migration: Migration, report: (id: MessageIds, op: Operation, statement: string) => void): void {
  // An implicit transaction (several statements sent as one query) is taken over by an explicit
  // BEGIN ... COMMIT: golang-migrate's own tutorial writes migrations that way.
  const runnerWraps = migration.transaction.mode !== 'none' && !migration.transaction.implicit;
  let explicitTx = false; // a BEGIN of the migration's own, outside the runner's transaction
  let savepoints = 0;
  let previous: boolean | null = null;
  for (const op of body.operations) {
    // Entering or leaving autocommit_block() ends the transaction that was open.
    if (previous !== null && op.transactional !== previous) {
      explicitTx = false;
      savepoints = 0;
    }
    previous = op.transactional;
    const runnerTx = runnerWraps && op.transactional;
    for (const ev of actionsOf(op)) {
      const inTx = runnerTx || explicitTx;
      switch (ev.action) {
        case 'begin':
          if (inTx) report('nestedBegin', op, ev.statement);
          else explicitTx = true;
          break;
        case 'savepoint':
          if (!inTx) report('savepointOutside', op, ev.statement);
          else savepoints++;
          break;
        case 'release':
        case 'rollback_to':
          if (!inTx) report('savepointOutside', op, ev.statement);
          else if (savepoints === 0) report('noSavepoint', op, ev.statement);
          else if (ev.action === 'release') savepoints--;
          break;
        case 'commit':
          // An Alembic commit is commit-in-migration's; a SQL migration's COMMIT is ours.
          if (migration.framework !== 'alembic') {
            if (runnerTx) report('commit', op, ev.statement);
            else if (!explicitTx) report('noTransaction', op, ev.statement);
          }
          explicitTx = false;
          savepoints = 0;
          break;
        case 'rollback':
          if (runnerTx) {
            // A rollback in an error handler (try/except, if) before re-raising is fine.
            if (!(op.conditional && !ev.sql)) report('rollback', op, ev.statement);
          } else if (!explicitTx && ev.sql) report('noTransaction', op, ev.statement);
          explicitTx = false;
          savepoints = 0;
          break;
      }
    }
  }
}

/** The transaction statements an operation runs, in order. */
function actionsOf(op: Operation): { action: Action; statement: string; sql: boolean }[] {
  if (op.kind === 'transaction_control') {
    const sql = op.fromSql !== undefined;
    // SQLAlchemy's begin_nested() is a SAVEPOINT.
    if (op.action === 'begin' && /begin_nested$/.test(op.callee)) return [{ action: 'savepoint', statement: 'SAVEPOINT', sql }];
    return [{ action: op.action, statement: STATEMENT[op.action], sql }];
  }
  if (op.kind !== 'execute_sql') return [];
  // SQL in op.execute() not yet expanded by the SQL reader: classify the statements by keyword.
  const out: { action: Action; statement: string; sql: boolean }[] = [];
  for (const st of op.statements) {
    const action = sqlAction(st.keyword, st.text);
    if (action) out.push({ action, statement: STATEMENT[action], sql: true });
  }
  return out;
}

const STATEMENT: Record<Action, string> = {
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  savepoint: 'SAVEPOINT',
  release: 'RELEASE SAVEPOINT',
  rollback_to: 'ROLLBACK TO SAVEPOINT',
};

function sqlAction(keyword: string, text: string): Action | null {
  switch (keyword) {
    case 'BEGIN':
    case 'START TRANSACTION':
      return 'begin';
    case 'COMMIT':
    case 'END':
      return /^\s*COMMIT\s+PREPARED\b/i.test(text) ? null : 'commit';
    case 'ROLLBACK':
    case 'ABORT':
      if (/^\s*ROLLBACK\s+PREPARED\b/i.test(text)) return null;
      return /^\s*ROLLBACK\s+(?:WORK\s+|TRANSACTION\s+)?TO\b/i.test(text) ? 'rollback_to' : 'rollback';
    case 'SAVEPOINT':
      return 'savepoint';
    case 'RELEASE':
      return 'release';
    default:
      return null;
  }
}
