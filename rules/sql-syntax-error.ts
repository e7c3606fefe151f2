import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'syntaxError' | 'syntaxErrorWithHint';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'sql-syntax-error',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Disallow SQL that PostgreSQL cannot parse',
    docs: {
      why:
        'A statement PostgreSQL\'s parser rejects fails the deploy at that point, often after earlier statements ' +
        'of the migration already ran (and, without a transaction, stayed applied). migralint parses SQL with ' +
        'PostgreSQL\'s own parser, reports its message at its position, and still checks the other statements ' +
        'of the file (squawk reports nothing else for a file with a syntax error). Both upgrade and downgrade ' +
        'are checked: a downgrade that cannot even parse is no emergency path.',
      bad: `"""activate accounts in batches"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("UPDATE accounts SET status = 'active' WHERE status IS NULL LIMIT 10000")


def downgrade():
    pass
`,
      good: `"""activate accounts in batches"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute(
        "UPDATE accounts SET status = 'active' "
        "WHERE id IN (SELECT id FROM accounts WHERE status IS NULL ORDER BY id LIMIT 10000)"
    )


def downgrade():
    pass
`,
    },
    help: 'Fix the statement where PostgreSQL points; run it against a scratch database (or `psql --echo-errors`) to confirm.',
    messages: {
      syntaxError: 'PostgreSQL cannot parse this statement: {{message}}.',
      syntaxErrorWithHint: 'PostgreSQL cannot parse this statement: {{message}}. {{hint}}.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const body of [migration.upgrade, migration.downgrade]) {
      for (const op of body.operations) {
        if (op.kind !== 'sql_error') continue;
        const message = trimPeriod(op.message);
        if (op.hint) {
          ctx.report({ messageId: 'syntaxErrorWithHint', at: op, data: { message, hint: trimPeriod(op.hint) } });
        } else {
          ctx.report({ messageId: 'syntaxError', at: op, data: { message } });
        }
      }
    }
  },
});

function trimPeriod(text: string): string {
  return text.trim().replace(/\.+$/, '');
}
