import { isMergeRevision } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'empty';
export interface Options {
  /** Merge revisions exist only to join branches; their emptiness is by design. */
  allowMerges: boolean;
}

export default defineRule<MessageIds, Options>({
  id: 'empty-migration',
  scope: 'migration',
  meta: {
    type: 'suggestion',
    description: 'Disallow revisions whose upgrade does nothing',
    docs: {
      why:
        'An empty revision is usually an autogenerate run that found nothing, or work that was never finished. ' +
        'It still becomes part of history that every environment must walk through. Merge revisions, which join ' +
        'two heads, are empty by design and are not reported.',
      bad: `"""nothing"""
from alembic import op

revision = "i9"
down_revision = "h8"


def upgrade():
    pass


def downgrade():
    pass
`,
      good: `"""merge heads"""
from alembic import op

revision = "i9"
down_revision = ("h8", "h7")


def upgrade():
    pass


def downgrade():
    pass
`,
    },
    help: 'Delete the revision if it is not needed, or finish it.',
    messages: {
      empty: 'This revision\'s upgrade does nothing.',
    },
    schema: {
      type: 'object',
      properties: {
        allowMerges: { type: 'boolean', description: 'Do not report empty merge revisions.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowMerges: true },
  },
  check(ctx, migration, options) {
    if (migration.parseError) return;
    const up = migration.upgrade;
    if (up.operations.length > 0 || up.shape === 'operations') return;
    if (options.allowMerges && isMergeRevision(migration)) return;
    const at = up.loc ?? migration.revision?.loc;
    if (at) ctx.report({ messageId: 'empty', at });
  },
});
