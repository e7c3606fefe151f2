import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'unknown';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'unknown-operation',
  scope: 'migration',
  meta: {
    type: 'suggestion',
    description: 'Disallow migration calls that migralint cannot understand, so that nothing is skipped silently',
    docs: {
      why:
        'migralint never drops what it cannot read. A call on `op`, a batch operation or a connection that it ' +
        'does not understand is reported here, so that nobody mistakes silence for safety: the other rules ' +
        'cannot see what such a call does.',
      bad: `"""custom op"""
from alembic import op

revision = "k2"
down_revision = "j1"


def upgrade():
    op.replace_sp(my_function)


def downgrade():
    pass
`,
      good: `"""plain op"""
from alembic import op

revision = "k2"
down_revision = "j1"


def upgrade():
    op.execute("COMMENT ON TABLE accounts IS 'customer accounts'")


def downgrade():
    op.execute("COMMENT ON TABLE accounts IS NULL")
`,
    },
    help: 'Check this step by hand; if it is safe, add an inline ignore with the reason.',
    messages: {
      unknown: '{{callee}} is not understood ({{reason}}); no rule checked it.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const body of [migration.upgrade, migration.downgrade]) {
      for (const op of body.operations) {
        if (op.kind === 'unknown' && op.reason.startsWith('callback invoked early:')) continue; // callback-invoked-early's (EARLY_CALLBACK_PREFIX; rules do not import rules)
        if (op.kind === 'unknown') ctx.report({ messageId: 'unknown', at: op, data: { callee: op.callee, reason: op.reason } });
      }
    }
  },
});
